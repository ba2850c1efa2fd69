"""`spillguard baseline create|audit`: take what a site holds now into the policy's allowlist
in one step (as detect-secrets makes a baseline), and find the entries that went stale."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spillguard.cli.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    ByOption,
    JobsOption,
    NoColorOption,
    PolicyOption,
    colour_wanted,
    fail,
    find_policy,
    guarded,
    progress_bar,
    say,
    say_labelled,
)
from spillguard.policy import POLICY_FILE
from spillguard.terminal import printable

if TYPE_CHECKING:
    from spillguard.baseline import Audited, EntryState

baseline_app = typer.Typer(
    help="Take what a site holds now into the policy's allowlist; find entries that went stale.",
    no_args_is_help=True,
)
SiteArgument = Annotated[list[str], typer.Argument(help="The site: files or folders.", show_default=False)]
LABELS = {"ok": ("OK", "pass"), "stale": ("STALE", "stale"), "unchecked": ("UNCHECKED", "warn")}


def policy_file(path: str | None) -> Path:
    """The policy a baseline is written into: the file given, else spillguard.toml found from
    here up (named on stderr when it is above), else spillguard.toml here (made)."""
    if path:
        return Path(path)
    found = find_policy()
    if found is None or found.parent == Path.cwd().absolute():
        return Path(POLICY_FILE)
    say(f"spillguard: policy in force: {found}", err=True)
    return found


@baseline_app.command("create")
def baseline_create(
    paths: SiteArgument,
    by: ByOption,
    reason: Annotated[
        str, typer.Option("--reason", help="Why what is there now may stay published.", show_default=False)
    ],
    policy: PolicyOption = None,
    jobs: JobsOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Scan the site and add an allowlist entry for every value in it now that identifies
    someone: the keyed hash of the value (never the value), the rule, the file, who, why and
    the date. A policy without a
    salt gets a random one; a missing policy file is made. The gate then stops only on what is
    new. Nationalities, facilities and birth dates get no entry: many people share them, and an
    entry would hide them beside a person added later. Exit 0: the site passes now; 1: files
    still block (they could not be read, or hold more than one run lists); 2: bad input."""
    from spillguard.baseline import create_baseline

    target = policy_file(policy)
    today = datetime.now(UTC).date()
    progress = progress_bar(no_color=no_color)
    done = guarded(lambda: create_baseline(paths, target, by, reason, today, jobs=jobs, progress=progress))
    if not done.written:
        say(f"baseline: nothing new to add to {target} ({done.already} findings already covered)")
    else:
        made = " (made it)" if done.policy_created else " (salt created)" if done.salt_created else ""
        say(
            f"baseline: {done.written} entries added to {target}{made} for {done.files} "
            f"file{'s' if done.files != 1 else ''}; {done.already} findings were already covered"
        )
    for path in done.unread:
        say(f"baseline: not covered: {path} could not be read (it still blocks)", err=True)
    for path, why in done.blocking:
        say(f"baseline: still blocks: {path}  {why}", err=True)
    raise typer.Exit(EXIT_BLOCKED if done.unread or done.blocking else EXIT_OK)


@baseline_app.command("audit")
def baseline_audit(
    paths: SiteArgument,
    policy: PolicyOption = None,
    prune_stale: Annotated[
        bool, typer.Option("--prune", help="Remove the stale entries from the policy file.")
    ] = False,
    interactive: Annotated[
        bool,
        typer.Option("--interactive", "-i", help="Ask of each stale entry whether to keep or remove it."),
    ] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every entry, not only the stale ones.")
    ] = False,
    jobs: JobsOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Scan the site and go through the policy's allowlist entry by entry: stale entries (the
    value is no longer in the file, or the file is gone) are listed, and with --prune removed
    (the file is rewritten atomically, comments kept). Exit 0: none stale (or all removed); 1:
    stale entries remain; 2: bad input."""
    from spillguard.baseline import audit_baseline, prune

    if format not in ("table", "json"):
        raise fail(f"unknown format {format!r} (use table or json)")
    if policy is None and find_policy() is None:
        raise fail(f"no policy to audit: give --policy, or run it where {POLICY_FILE} is")
    target = policy_file(policy)
    progress = progress_bar(no_color=no_color)
    audited = guarded(lambda: audit_baseline(paths, target, jobs=jobs, progress=progress))
    if interactive:
        remove = [s.entry.index for s in audited.stale if _ask(s)]
    else:
        remove = [s.entry.index for s in audited.stale] if prune_stale else []
    audited = guarded(lambda: prune(audited, remove))
    if format == "json":
        typer.echo(json.dumps(_as_dict(audited), indent=2, ensure_ascii=False))
    else:
        _print_table(audited, verbose, colour_wanted(no_color))
    raise typer.Exit(EXIT_BLOCKED if audited.remaining_stale else EXIT_OK)


def _ask(state: EntryState) -> bool:
    """Keep or remove one stale entry (asked on stderr, answered on stdin)."""
    return typer.confirm(f"{_describe(state)}\n  remove it?", default=False, err=True)


def _describe(state: EntryState) -> str:
    e = state.entry
    when = f", {e.added}" if e.added else ""
    text = f"allowlist[{e.index}]  {e.rule}  {e.path}  {state.why}  (by {e.who or '?'}{when}: {e.reason})"
    return printable(text)  # who and why are the policy file's text


def _print_table(audited: Audited, verbose: bool, colour: bool) -> None:
    for state in audited.entries:
        if state.state != "stale" and not verbose:
            continue
        label, tone = LABELS[state.state]
        if state.entry.index in audited.pruned:
            label = "PRUNED"
        say_labelled(f"{label:9}", tone, f"  {_describe(state)}", colour=colour)
    counts = {key: sum(1 for s in audited.entries if s.state == key) for key in LABELS}
    summary = (
        f"baseline: {len(audited.entries)} entries in {audited.policy}: {counts['ok']} in use, "
        f"{counts['stale']} stale, {counts['unchecked']} not checked"
    )
    if audited.pruned:
        summary += f"; {len(audited.pruned)} removed"
    say(summary)


def _as_dict(audited: Audited) -> dict[str, object]:
    return {
        "policy": str(audited.policy),
        "entries": [s.as_dict() | {"pruned": s.entry.index in audited.pruned} for s in audited.entries],
        "stale": len(audited.stale),
        "pruned": list(audited.pruned),
    }


def register(app: typer.Typer) -> None:
    """Add `baseline` to the main CLI."""
    app.add_typer(baseline_app, name="baseline")
