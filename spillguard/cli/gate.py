"""Commands of the publishing gate: `gate`, `publish`, `keys new`, `approve`, `allow`, `audit`."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from spillguard.cli.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    ApprovalsOption,
    AuditOption,
    JobsOption,
    NoColorOption,
    OutputOption,
    PolicyOption,
    QuietOption,
    ShowValuesOption,
    approvals_dir,
    colour_wanted,
    fail,
    guarded,
    policy_or_default,
    progress_bar,
    say,
    say_labelled,
    write_output,
)
from spillguard.detect.rules import RULES
from spillguard.errors import UserError


def _approve_file() -> Any:
    from spillguard.gate import approve_file

    return approve_file


keys_app = typer.Typer(help="Approvers' signing keys.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The hash-chained audit log of gate decisions, approvals and publishes.", no_args_is_help=True
)


def gate_command(
    paths: Annotated[list[str], typer.Argument(help="Files or directories to publish.", show_default=False)],
    policy: PolicyOption = None,
    approvals: ApprovalsOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, sarif or csv.")] = "table",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List passing files and findings.")
    ] = False,
    quiet: QuietOption = False,
    show_values: ShowValuesOption = False,
    jobs: JobsOption = None,
    audit: AuditOption = None,
    output: OutputOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Scan, apply the policy and the approvals, and say what is blocked and why. Exit 0 only
    when every file that blocks carries enough valid approvals; 1 otherwise; 2 on bad input."""
    from spillguard.audit import record
    from spillguard.gate import FORMATS, render_table, run_gate

    if format not in FORMATS:
        raise fail(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    if quiet and format != "table":
        raise fail("--quiet shortens the table; the other formats list every file")
    rules = policy_or_default(policy)

    def run() -> Any:
        now = datetime.now(UTC)
        result = run_gate(
            paths, rules, approvals_dir(approvals), now, jobs=jobs, progress=progress_bar(no_color=no_color)
        )
        # Recorded before anything is printed: a decision the log could not keep is no decision.
        location, entry = record(audit, "gate", result.audit_detail())
        return replace(result, audit={"log": location, "seq": entry.seq, "hash": entry.hash})

    result = guarded(run)
    if format == "table":
        text = render_table(result, show_values, verbose, quiet=quiet, colour=colour_wanted(no_color, output))
    else:
        text = FORMATS[format](result, show_values, verbose)
    write_output(text, output)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_BLOCKED)


def publish_command(
    src: Annotated[Path, typer.Argument(help="The site tree to publish.", show_default=False)],
    dest: Annotated[
        str, typer.Argument(help="A folder, or a URL fsspec knows (s3://...).", show_default=False)
    ],
    policy: PolicyOption = None,
    approvals: ApprovalsOption = None,
    jobs: JobsOption = None,
    audit: AuditOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Copy SRC to DEST publishing only what passes the gate. Blocked files are listed and left
    out (and taken down if an earlier run published them); a rerun copies only what changed.
    Exit 0: everything published; 1: something blocked or failed; 2: bad input."""
    from spillguard.audit import record
    from spillguard.publish import publish

    rules = policy_or_default(policy)

    def run() -> Any:
        try:
            result = publish(src, dest, rules, approvals_dir(approvals), datetime.now(UTC), jobs=jobs)
        except (UserError, OSError) as exc:
            # Every run is in the log, one that stopped part way too (say what stopped it);
            # if the log cannot take it either, the error that stopped the run is the one shown.
            with contextlib.suppress(UserError, OSError):
                record(audit, "publish", {"src": str(src), "dest": dest, "error": str(exc)})
            raise
        return result, record(audit, "publish", result.audit_detail(str(src), dest))[1]

    result, entry = guarded(run)
    colour = colour_wanted(no_color)
    for rel in result.copied:
        say_labelled("published", "pass", f"  {rel}", colour=colour)
    for rel, why in result.blocked:
        say_labelled("BLOCKED", "block", f"    {rel}  {why}", colour=colour)
    for rel, why in result.removed:
        say_labelled("REMOVED", "warn", f"    {rel}  ({why})", colour=colour)
    for rel, why in result.failed:
        say_labelled("FAILED", "block", f"     {rel}  {why}", colour=colour)
    say(
        f"publish: {len(result.copied)} copied, {len(result.unchanged)} unchanged, "
        f"{len(result.blocked)} blocked, {len(result.removed)} removed, {len(result.failed)} failed "
        f"(audit entry #{entry.seq})"
    )
    raise typer.Exit(EXIT_OK if result.complete else EXIT_BLOCKED)


@keys_app.command("secret")
def keys_secret(
    file: Annotated[Path, typer.Argument(help="Where to write the secret (mode 0600; never overwritten).")],
) -> None:
    """Write a fresh secret key: it seals the people an incident stores (and keys the repost
    fingerprints). Keep it apart from the store; without it nothing personal can be read."""
    from spillguard.people.sealed import new_secret

    guarded(lambda: new_secret(file))
    typer.echo(f"wrote {file} (secret: keep it apart from the store and the index)")


@keys_app.command("new")
def keys_new(
    name: Annotated[str, typer.Argument(help="The approver's name (file names NAME.key, NAME.pub).")],
    folder: Annotated[Path, typer.Option("--dir", help="Where to write the files.")] = Path("."),
) -> None:
    """Create an Ed25519 key pair for an approver. Keep NAME.key private; put the key in
    NAME.pub under [approvers] in the policy."""
    from spillguard.approvals import fingerprint, load_public_key, new_key_pair

    private, public = guarded(lambda: new_key_pair(name, folder))
    key = load_public_key(public)
    say(f"wrote {private} (private: keep it secret) and {public}")
    say(f"fingerprint {fingerprint(key)}")
    say(f'policy line under [approvers]:  {name} = "{key}"')


def approve_command(
    file: Annotated[str, typer.Argument(help="The file to approve.", show_default=False)],
    key: Annotated[Path, typer.Option("--key", help="Your private key (NAME.key).", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it may be published.", show_default=False)],
    expires: Annotated[
        str | None, typer.Option("--expires", help="30d, 12h, 2w or an ISO date [never].")
    ] = None,
    approvals: ApprovalsOption = None,
    policy: PolicyOption = None,
    audit: AuditOption = None,
) -> None:
    """Sign an approval of FILE as it is now (its sha256 and its findings). Any change to the
    file voids it. Written to .spillguard/approvals/ (or --approvals) to be committed."""
    from spillguard.approvals import fingerprint

    rules = policy_or_default(policy)
    done = guarded(
        lambda: _approve_file()(
            file, rules, key, reason, expires, approvals_dir(approvals), audit, datetime.now(UTC)
        )
    )
    report, approval = done.report, done.approval
    say(f"{report.verdict.upper()}  {report.path}  [{report.type}]  {report.reason}")
    say(f"approved by {approval.signer} ({fingerprint(approval.key)}): {done.path}")
    if not done.trusted:
        say(
            "note: this key is not among the policy's approvers; the gate will not count it until it is",
            err=True,
        )
    say(f"audit: entry #{done.audit_seq}")


def allow_command(
    file: Annotated[str, typer.Argument(help="The file holding the value.", show_default=False)],
    finding: Annotated[
        int | None, typer.Option("--finding", "-n", min=1, help="Which finding (as listed without -n).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why the value may be published.")] = "",
    who: Annotated[str, typer.Option("--by", "--who", help="Who decided (with --finding).")] = "",
    path: Annotated[
        str | None, typer.Option("--path", help="Path pattern the entry covers [the file's own path].")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """List FILE's findings numbered; with --finding N print the allowlist entry (keyed hash of
    the value, never the value) to paste under the policy's allowlist table."""
    from spillguard.policy import keyed_hash
    from spillguard.scan import scan

    rules = policy_or_default(policy)
    report = guarded(lambda: scan([file], rules, jobs=1).files[0])
    if finding is None:
        for number, item in enumerate(report.findings, 1):
            shown = item.as_dict()["value"]
            say(f"{number:4}  {item.kind:24} {item.location.label():32} {shown}")
        return
    if not rules.salt:
        raise fail(
            f"{rules.source or 'the built-in policy'}: set allowlist.salt first "
            "(spillguard baseline create makes one)"
        )
    if finding > len(report.findings):
        raise fail(f"{file}: has {len(report.findings)} findings, not {finding}")
    if not reason or not who:
        raise fail("--reason and --by are required with --finding")
    chosen = report.findings[finding - 1]
    rule = next(r for r in RULES if r.kind == chosen.kind)
    pattern = path or rules.relative(report.path)
    say("[[allowlist.entries]]")
    say(f'rule = "{rule.id}"')
    say(f'hash = "{keyed_hash(rules.salt.encode(), chosen.kind, chosen.value)}"')
    for name, value in (("path", pattern), ("reason", reason), ("who", who)):
        # A JSON string is a valid TOML basic string.
        say(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    say(f"added = {datetime.now(UTC).date().isoformat()}")


@audit_app.command("verify")
def audit_verify(
    audit: AuditOption = None,
    head: Annotated[
        str | None, typer.Option("--head", help="A head hash recorded elsewhere that must be in the log.")
    ] = None,
) -> None:
    """Walk the hash chain: exit 0 when it is intact, 1 naming the first edited, reordered or
    deleted entry."""
    from spillguard.audit import open_audit, verify

    if head is not None and (len(head) < 12 or any(c not in "0123456789abcdefABCDEF" for c in head)):
        raise fail("--head: give 12 or more hex digits of an entry hash")

    def run() -> Any:
        log = open_audit(audit, create=False)
        try:
            return log.location, verify(log, head)
        finally:
            log.close()

    location, result = guarded(run)
    if result.ok:
        say(f"{location}: {result.entries} entries, chain intact, head {result.head[:16]}")
        raise typer.Exit(EXIT_OK)
    say(f"{location}: TAMPERED: {result.problem}")
    raise typer.Exit(EXIT_BLOCKED)


@audit_app.command("show")
def audit_show(
    audit: AuditOption = None,
    last: Annotated[int, typer.Option("--last", "-n", min=1, help="How many entries.")] = 20,
) -> None:
    """The last entries of the audit log."""
    from spillguard.audit import open_audit

    def run() -> Any:
        log = open_audit(audit, create=False)
        try:
            return log.entries()
        finally:
            log.close()

    for entry in guarded(run)[-last:]:
        summary = _summary(entry.action, entry.detail)
        say(f"#{entry.seq}  {entry.at}  {entry.actor}  {entry.action}  {summary}  {entry.hash[:16]}")


def _summary(action: str, detail: dict[str, Any]) -> str:
    if action == "gate":
        files = detail.get("files", [])
        held = sum(1 for f in files if f.get("approval") in ("missing", "invalid", "forbidden"))
        return f"{'passed' if detail.get('passed') else 'refused'}: {len(files)} files, {held} blocked"
    if action == "approve":
        return f"{detail.get('file')} by {detail.get('signer')}"
    if action == "publish":
        return (
            f"{detail.get('src')} -> {detail.get('dest')}: {len(detail.get('copied', []))} copied, "
            f"{len(detail.get('blocked', []))} blocked, {len(detail.get('removed', []))} removed"
        )
    if "path" in detail or "url" in detail:  # the watchers' entries: one file each
        return f"{detail.get('path') or detail.get('url')} {detail.get('severity') or ''}".rstrip()
    return ""


def register(app: typer.Typer) -> None:
    """Add the gate's commands to the main CLI."""
    app.command("gate")(gate_command)
    app.command("publish")(publish_command)
    app.command("approve")(approve_command)
    app.command("allow")(allow_command)
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
