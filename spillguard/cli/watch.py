"""Commands of the watchers: `watch`, `quarantine list|restore`, `monitor`.

watchdog and apprise (the `watch` extra) load with the library modules; without them a
command says what to install in one line."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spillguard.cli.common import (
    EXIT_BLOCKED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ApprovalsOption,
    AuditOption,
    PolicyOption,
    WatcherJobsOption,
    approvals_dir,
    fail,
    guarded,
    policy_or_default,
    say,
)
from spillguard.watch import WATCH_EXTRA_MISSING

if TYPE_CHECKING:
    from spillguard.watch.monitor import PassResult
    from spillguard.watch.webroot import Outcome, Watcher

AlertOption = Annotated[
    list[str] | None,
    typer.Option("--alert", help="An apprise URL to alert (mailto://, json://, slack://, ...); repeatable."),
]
QuarantineOption = Annotated[
    Path, typer.Option("--quarantine", "-q", help="The quarantine folder.", show_default=False)
]

quarantine_app = typer.Typer(help="What the watcher took out of the web root.", no_args_is_help=True)


def _require(*modules: str) -> None:
    import importlib.util

    if any(importlib.util.find_spec(m) is None for m in modules):
        raise fail(WATCH_EXTRA_MISSING)


def _stop_on_signals() -> threading.Event:
    """SIGINT and SIGTERM end the loop cleanly: queued work is finished, alerts are sent."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


def _describe(outcome: Outcome) -> str | None:
    report = outcome.report
    people = f"{report.individuals} individuals, {report.severity}"
    if outcome.action == "quarantined" and outcome.item is not None:
        return f"QUARANTINED  {outcome.path}  [{report.type}]  {people}  -> item {outcome.item.id}"
    if outcome.action == "approved":
        return f"APPROVED     {outcome.path}  [{report.type}]  {people}  (left in place)"
    if outcome.action == "failed":
        return f"NOT MOVED    {outcome.path}  [{report.type}]  {people}  {outcome.problem}"
    if outcome.action == "warned" and "not_inspected" in report.extra:  # media, relaxed files
        return f"NOT READ     {outcome.path}  [{report.type}]  {report.extra['not_inspected']}"
    return None


def watch_command(
    webroot: Annotated[Path, typer.Argument(help="The folder the web server serves.", show_default=False)],
    quarantine: QuarantineOption,
    policy: PolicyOption = None,
    approvals: ApprovalsOption = None,
    audit: AuditOption = None,
    alert: AlertOption = None,
    jobs: WatcherJobsOption = 2,
    settle: Annotated[
        float,
        typer.Option("--settle", min=0.0, help="Seconds a file must stay unchanged before it is scanned."),
    ] = 0.25,
    rescan: Annotated[
        float, typer.Option("--rescan", min=0.0, help="Seconds between safety sweeps (0: never).")
    ] = 300.0,
    once: Annotated[
        bool, typer.Option("--once", help="Sweep once and exit: 1 if anything was quarantined.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also list files that pass.")] = False,
) -> None:
    """Watch a web root: sweep it, then scan every created, modified or moved file, and move
    what blocks (without valid approvals) into the quarantine. Runs until SIGINT/SIGTERM."""
    _require("apprise", "watchdog")
    from spillguard.watch.webroot import WatchConfig, watch_webroot

    lock = threading.Lock()

    def show(outcome: Outcome) -> None:
        line = _describe(outcome)
        if line is None and verbose:
            line = f"{outcome.action.upper():12} {outcome.path}"
        if line:
            with lock:
                say(line)

    def watching(watcher: Watcher) -> None:
        say(f"watching {watcher.root} (quarantine {watcher.folder}); Ctrl-C to stop", err=True)

    rules = policy_or_default(policy)
    config = WatchConfig(webroot, quarantine, rules, approvals_dir(approvals), jobs, settle, rescan)
    stop = _stop_on_signals()
    counts = guarded(
        lambda: watch_webroot(
            config, audit, alert or [], stop, once=once, on_outcome=show, on_watching=watching
        ),
        extra=WATCH_EXTRA_MISSING,
    )
    say(
        f"watch: {counts.scanned} scanned, {counts.quarantined} quarantined, {counts.approved} approved "
        f"left in place, {counts.failed} could not be moved"
    )
    raise typer.Exit(EXIT_BLOCKED if once and (counts.quarantined or counts.failed) else EXIT_OK)


@quarantine_app.command("list")
def quarantine_list(
    quarantine: QuarantineOption,
    all_items: Annotated[bool, typer.Option("--all", help="Include restored items.")] = False,
) -> None:
    """What is held: id, when, original path, sha256, severity and counts."""
    from spillguard.watch import quarantine as q

    held = guarded(lambda: q.items(quarantine))
    shown = [i for i in held if all_items or not i.restored]
    for item in shown:
        reason = item.reason
        state = f"restored {item.restored}" if item.restored else "held"
        say(
            f"{item.id}  {item.at}  {item.original}  sha256:{item.sha256[:16]}  "
            f"{reason.get('severity', '?')}, {reason.get('individuals', 0)} individuals  {state}"
        )
    say(f"quarantine: {sum(1 for i in held if not i.restored)} held, {len(held)} recorded")


@quarantine_app.command("restore")
def quarantine_restore(
    item_id: Annotated[str, typer.Argument(help="The item's id (or a unique prefix).", show_default=False)],
    quarantine: QuarantineOption,
    force: Annotated[
        bool, typer.Option("--force", help="Restore even if it blocks without valid approvals.")
    ] = False,
    policy: PolicyOption = None,
    approvals: ApprovalsOption = None,
    audit: AuditOption = None,
) -> None:
    """Put a file back where it was. Refused when it would block now and carries no valid
    approvals, unless --force (a running watcher then takes it again)."""
    from spillguard.watch.quarantine import restore

    rules = policy_or_default(policy)
    done = guarded(lambda: restore(quarantine, item_id, rules, approvals_dir(approvals), audit, force))
    decision = done.decision
    say(f"restored {done.item.original} ({decision.state}: {decision.reason}); audit entry #{done.audit_seq}")


def monitor_command(
    url: Annotated[str, typer.Argument(help="The public site's start page.", show_default=False)],
    interval: Annotated[float, typer.Option("--interval", min=1.0, help="Seconds between passes.")] = 60.0,
    alert: AlertOption = None,
    prefix: Annotated[
        list[str] | None,
        typer.Option("--prefix", help="A path prefix in scope (repeatable) [the whole host]."),
    ] = None,
    state: Annotated[Path, typer.Option("--state", help="SQLite file of what was seen.")] = Path(
        ".spillguard/monitor.db"
    ),
    rate: Annotated[float, typer.Option("--rate", min=0.1, help="Requests per second at most.")] = 5.0,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Requests at once.")] = 4,
    max_pages: Annotated[int, typer.Option("--max-pages", min=1, help="URLs per pass at most.")] = 5000,
    max_depth: Annotated[int, typer.Option("--max-depth", min=0, help="Links from the start page.")] = 10,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots", help="Do not obey robots.txt.")] = False,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit: 1 if something blocks.")] = False,
    policy: PolicyOption = None,
    approvals: ApprovalsOption = None,
    audit: AuditOption = None,
    jobs: WatcherJobsOption = 2,
) -> None:
    """Crawl the live site as a visitor can, fetch only what is new or changed, scan every
    document and alert on what blocks. Runs until SIGINT/SIGTERM."""
    _require("apprise")
    from spillguard.watch.monitor import MonitorConfig, monitor_site

    blind = False

    def report(result: PassResult) -> None:
        nonlocal blind
        blind = blind or result.blind
        for found in result.found:
            r = found.report
            label = "APPROVED" if found.approved else "BLOCK"
            say(f"{label:9} {found.url}  [{r.type}]  {r.individuals} individuals, {r.severity}")
        for error in result.errors:
            say(f"ERROR     {error}", err=True)
        say(
            f"monitor: {result.urls} URLs, {result.fetched} fetched, {result.not_modified} not modified, "
            f"{result.scanned} scanned, {len(result.blocked)} newly blocked, "
            f"{len(result.still_blocked)} still blocked ({result.seconds:.1f} s)"
        )
        if result.hidden_by_robots:
            say(
                f"monitor: {result.hidden_by_robots} URLs in scope not fetched because robots.txt "
                "disallows them (a visitor can still fetch them: --ignore-robots looks)",
                err=True,
            )
        if result.blind:
            say("monitor: could not look at the site: nothing was fetched this pass", err=True)

    def started() -> None:
        say(f"monitoring {config.url} every {config.interval:g} s; Ctrl-C to stop", err=True)

    config = MonitorConfig(
        url=url,
        prefixes=tuple(prefix or ()),
        interval=interval,
        rate=rate,
        concurrency=concurrency,
        max_pages=max_pages,
        max_depth=max_depth,
        obey_robots=not ignore_robots,
    )
    rules = policy_or_default(policy)
    stop = _stop_on_signals()
    blocked = guarded(
        lambda: monitor_site(
            config,
            state,
            rules,
            approvals_dir(approvals),
            audit,
            alert or [],
            jobs,
            stop,
            report,
            once=once,
            on_start=started,
        ),
        extra=WATCH_EXTRA_MISSING,
    )
    if once and stop.is_set():  # the pass was cut short: what it saw is not the site
        say("spillguard: interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    if once and blind:
        raise typer.Exit(EXIT_USAGE)  # a pass that saw nothing found nothing: not a pass
    raise typer.Exit(EXIT_BLOCKED if once and blocked else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add the watchers' commands to the main CLI."""
    app.command("watch")(watch_command)
    app.add_typer(quarantine_app, name="quarantine")
    app.command("monitor")(monitor_command)
