"""Commands of the watchers: `watch`, `quarantine list|restore`, `monitor`.

Thin: parse options, build the library objects, print what happens. watchdog and apprise are
imported only here, inside the commands, with a one-line "install spillguard[watch]" error.
Every expected error is one line (`spillguard: error: ...`) and exit status 2.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from spillguard.cli import PolicyOption, run_guarded
from spillguard.cli import fail as _fail
from spillguard.gate_cli import ApprovalsOption, AuditOption

if TYPE_CHECKING:
    from spillguard.watch.alerts import Alerter
    from spillguard.watch.monitor import PassResult
    from spillguard.watch.webroot import Outcome

T = TypeVar("T")

AlertOption = Annotated[
    list[str] | None,
    typer.Option("--alert", help="An apprise URL to alert (mailto://, json://, slack://, ...); repeatable."),
]
WorkersOption = Annotated[int, typer.Option("--workers", "-j", min=1, help="Scanner processes.")]
QuarantineOption = Annotated[
    Path, typer.Option("--quarantine", "-q", help="The quarantine folder.", show_default=False)
]

quarantine_app = typer.Typer(help="What the watcher took out of the web root.", no_args_is_help=True)


def _guarded(action: Callable[[], T]) -> T:
    from spillguard.approvals import ApprovalError
    from spillguard.audit import AuditError
    from spillguard.policy import PolicyError
    from spillguard.watch.alerts import AlertError
    from spillguard.watch.monitor import MonitorError
    from spillguard.watch.quarantine import QuarantineError
    from spillguard.watch.webroot import WatchError

    expected = (AlertError, ApprovalError, AuditError, MonitorError, PolicyError, QuarantineError, WatchError)
    try:
        return run_guarded(action, expected)
    except ImportError as exc:
        from spillguard.watch import WATCH_EXTRA_MISSING

        raise _fail(f"{WATCH_EXTRA_MISSING} ({exc.name} is missing)") from None


def _require_watch_extra() -> None:
    from spillguard.watch import WATCH_EXTRA_MISSING

    try:
        import apprise  # noqa: F401
        import watchdog  # noqa: F401
    except ImportError:
        raise _fail(WATCH_EXTRA_MISSING) from None


def _stop_on_signals() -> threading.Event:
    """SIGINT and SIGTERM end the loop cleanly: queued work is finished, alerts are sent."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


def _alerter(urls: list[str] | None, audit: Any) -> Alerter:
    from spillguard.watch.alerts import Alert, Alerter, Channel

    def failed(channel: Channel, alert: Alert, problem: str) -> None:
        audit.append(
            "alert-failed",
            {"channel": channel.shown, "subject": alert.subject, "sha256": alert.sha256, "problem": problem},
        )

    return Alerter(urls or [], failed)


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
    workers: WorkersOption = 2,
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
    from spillguard.gate_cli import _approvals_dir, _policy
    from spillguard.watch.pool import AuditSink
    from spillguard.watch.webroot import WatchConfig, Watcher

    _require_watch_extra()
    lock = threading.Lock()

    def show(outcome: Outcome) -> None:
        line = _describe(outcome)
        if line is None and verbose:
            line = f"{outcome.action.upper():12} {outcome.path}"
        if line:
            with lock:
                typer.echo(line)

    def build() -> tuple[Watcher, Alerter, AuditSink]:
        sink = AuditSink(audit)
        sink.check()
        config = WatchConfig(
            webroot, quarantine, _policy(policy), _approvals_dir(approvals), workers, settle, rescan
        )
        alerter = _alerter(alert, sink)
        return Watcher(config, sink, alerter, show), alerter, sink

    watcher, alerter, sink = _guarded(build)
    stop = _stop_on_signals()
    sink.append(
        "watch-start", {"webroot": str(watcher.root), "quarantine": str(watcher.folder), "once": once}
    )
    try:
        _guarded(lambda: watcher.start(events=not once))  # e.g. the kernel's inotify limits
        if once:
            watcher.wait_idle(timeout=24 * 3600)
        else:
            typer.echo(f"watching {watcher.root} (quarantine {watcher.folder}); Ctrl-C to stop", err=True)
            watcher.run(stop)
    finally:
        watcher.stop()
        alerter.close()
    counts = watcher.counts
    sink.append(
        "watch-stop",
        {"webroot": str(watcher.root), "scanned": counts.scanned, "quarantined": counts.quarantined},
    )
    typer.echo(
        f"watch: {counts.scanned} scanned, {counts.quarantined} quarantined, {counts.approved} approved "
        f"left in place, {counts.failed} could not be moved"
    )
    raise typer.Exit(1 if once and (counts.quarantined or counts.failed) else 0)


@quarantine_app.command("list")
def quarantine_list(
    quarantine: QuarantineOption,
    all_items: Annotated[bool, typer.Option("--all", help="Include restored items.")] = False,
) -> None:
    """What is held: id, when, original path, sha256, severity and counts."""
    from spillguard.watch import quarantine as q

    held = _guarded(lambda: q.items(quarantine))
    shown = [i for i in held if all_items or not i.restored]
    for item in shown:
        reason = item.reason
        state = f"restored {item.restored}" if item.restored else "held"
        typer.echo(
            f"{item.id}  {item.at}  {item.original}  sha256:{item.sha256[:16]}  "
            f"{reason.get('severity', '?')}, {reason.get('individuals', 0)} individuals  {state}"
        )
    typer.echo(f"quarantine: {sum(1 for i in held if not i.restored)} held, {len(held)} recorded")


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
    from spillguard.gate_cli import _approvals_dir, _policy
    from spillguard.watch import quarantine as q
    from spillguard.watch.pool import AuditSink, Judge, summary

    def run() -> tuple[Any, Any, Any]:
        from spillguard.pipeline import scan_bytes

        sink = AuditSink(audit)
        sink.check()
        item = q.find(quarantine, item_id)
        rules = _policy(policy)
        data = q.stored_path(quarantine, item).read_bytes()
        # Judged as it would be at its public path: that path's rules and approvals apply.
        report = scan_bytes(item.original, data, rules)[0]
        decision = Judge(rules, _approvals_dir(approvals)).decide(report)
        if not decision.passes and not force:
            raise q.QuarantineError(
                f"{item.original}: still blocks ({decision.reason}); approve it, or --force"
            )
        restored = q.put_back(quarantine, item)
        entry = sink.append(
            "quarantine-restore",
            {
                "item": item.id,
                "path": item.original,
                **summary(report),
                "approval": decision.state,
                "forced": force and not decision.passes,
            },
        )
        return restored, decision, entry

    restored, decision, entry = _guarded(run)
    typer.echo(f"restored {restored.original} ({decision.state}: {decision.reason}); audit entry #{entry}")


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
    workers: WorkersOption = 2,
) -> None:
    """Crawl the live site as a visitor can, fetch only what is new or changed, scan every
    document and alert on what blocks. Runs until SIGINT/SIGTERM."""
    from spillguard.gate_cli import _approvals_dir, _policy
    from spillguard.watch.monitor import Monitor, MonitorConfig, State
    from spillguard.watch.pool import AuditSink, Judge, ScanPool

    try:
        import apprise  # noqa: F401
    except ImportError:
        from spillguard.watch import WATCH_EXTRA_MISSING

        raise _fail(WATCH_EXTRA_MISSING) from None

    def build() -> tuple[MonitorConfig, Any, Any, Any, Any, Any]:
        sink = AuditSink(audit)
        sink.check()
        config = MonitorConfig(
            url=url,
            prefixes=tuple(prefix or ()),
            interval=interval,
            rate=rate,
            concurrency=concurrency,
            max_pages=max_pages,
            max_depth=max_depth,
            obey_robots=not ignore_robots,
        ).checked()
        rules = _policy(policy)
        judge = Judge(rules, _approvals_dir(approvals))
        alerter = _alerter(alert, sink)
        return config, State(state), rules, judge, sink, alerter

    config, store, rules, judge, sink, alerter = _guarded(build)
    stop = _stop_on_signals()
    pool = ScanPool(rules, workers)
    blocked_any = False

    def report(result: PassResult) -> None:
        nonlocal blocked_any
        for found in result.found:
            r = found.report
            label = "APPROVED" if found.approved else "BLOCK"
            typer.echo(f"{label:9} {found.url}  [{r.type}]  {r.individuals} individuals, {r.severity}")
        for error in result.errors:
            typer.echo(f"ERROR     {error}", err=True)
        blocked_any = blocked_any or bool(result.blocked or result.still_blocked)
        typer.echo(
            f"monitor: {result.urls} URLs, {result.fetched} fetched, {result.not_modified} not modified, "
            f"{result.scanned} scanned, {len(result.blocked)} newly blocked, "
            f"{len(result.still_blocked)} still blocked ({result.seconds:.1f} s)"
        )

    try:
        monitor = Monitor(config, store, pool, judge, sink, alerter)
        if once:
            report(monitor.crawl())
        else:
            typer.echo(f"monitoring {config.url} every {config.interval:g} s; Ctrl-C to stop", err=True)
            monitor.run(stop, report)
    finally:
        pool.close()
        alerter.close()
        store.close()
    raise typer.Exit(1 if once and blocked_any else 0)


def register(app: typer.Typer) -> None:
    """Add the watchers' commands to the main CLI."""
    app.command("watch")(watch_command)
    app.add_typer(quarantine_app, name="quarantine")
    app.command("monitor")(monitor_command)
