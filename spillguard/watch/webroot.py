"""`spillguard watch WEBROOT`: scan every file that lands in a web root; take out what blocks.

How a file travels:
1. noted: by the start-up sweep, a file-system event (created, modified, closed after
   writing, moved in; watchdog), or the periodic safety sweep (events can be lost when a
   deploy overflows the kernel's queue);
2. settling: the file's size and mtime must stay the same for `settle` seconds (shorter once
   the writer closed it or it was renamed into place: the write is complete) and the file
   must open; a file still being written waits;
3. ready: a priority queue, live events before the start-up sweep and spreadsheets,
   delimited text and archives (where rosters live) before pages, scripts and pictures;
4. scanning: a worker process (`isolate.Workers`, made by a fork server), at most two files
   per worker in flight;
5. judged: the gate's decision (policy and approvals). A file that blocks without enough
   valid approvals is moved into the quarantine (`quarantine.take`), the move is written
   to the audit log with the file's hash, and the alert channels are told.

Deletes and renames mid-scan are normal: a file gone by the time it is judged is forgotten.
State is only what the sweep rebuilds (sizes and mtimes of files judged), so a restart
costs one sweep.
"""

from __future__ import annotations

import heapq
import itertools
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spillguard.approvals import ApprovalError
from spillguard.errors import UserError
from spillguard.isolate import Workers
from spillguard.model import FileReport
from spillguard.policy import Policy
from spillguard.watch import quarantine
from spillguard.watch.alerts import Alert, Alerter, audited_alerter
from spillguard.watch.audit_sink import AuditSink, summary, with_members
from spillguard.watch.judge import Judge

SETTLE_SECONDS = 0.25  # no change in this long: the writer is done
CLOSED_SETTLE_SECONDS = 0.02  # after close-after-write or a rename into place
# A file its writer still holds open (written to, not closed) that cannot be read yet is
# half-uploaded, not hostile: looked at again after a pause, and judged as it is only once
# nothing has been written for this long (a writer may not keep a file open forever).
WRITING_RECHECK_SECONDS = 1.0
OPEN_WRITER_SECONDS = 30.0
RESCAN_SECONDS = 300.0
LIVE, SWEPT = 0, 1
# Scheduling only, never the verdict: every file is scanned.
FIRST = frozenset({"xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv", "txt", "zip", "gz", "tgz", "tar"})
SECOND = frozenset({"pdf", "docx", "doc", "pptx", "odt", "json", "xml", "rtf", "7z"})


class WatchError(UserError, ValueError):
    """A web root or quarantine that cannot be used; the message names it."""


@dataclass(frozen=True)
class WatchConfig:
    root: Path
    quarantine: Path
    policy: Policy
    approvals_dir: Path
    workers: int = 2
    settle: float = SETTLE_SECONDS
    rescan: float = RESCAN_SECONDS  # seconds between safety sweeps; 0: never

    def checked(self) -> WatchConfig:
        root, folder = self.root.resolve(), self.quarantine.resolve()
        if not root.is_dir():
            raise WatchError(f"{self.root}: not a directory")
        if folder == root or folder.is_relative_to(root):
            raise WatchError(f"{self.quarantine}: the quarantine must be outside the web root")
        return self


@dataclass(frozen=True)
class Outcome:
    """What the watcher did with one file."""

    path: str
    action: str  # passed | warned | quarantined | approved | failed | gone | writing (looked at again)
    report: FileReport
    item: quarantine.Item | None = None
    problem: str = ""


@dataclass
class _Pending:
    due: float
    signature: tuple[int, int] | None
    origin: int


@dataclass
class Counts:
    scanned: int = 0
    quarantined: int = 0
    approved: int = 0
    failed: int = 0
    by_action: dict[str, int] = field(default_factory=dict)


class Watcher:
    def __init__(
        self,
        config: WatchConfig,
        audit: AuditSink,
        alerter: Alerter,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.config = config.checked()
        self.root = config.root.resolve()
        self.folder = quarantine.open_quarantine(config.quarantine.resolve())
        self.audit = audit
        self.alerter = alerter
        self.judge = Judge(config.policy, config.approvals_dir)
        self.counts = Counts()
        self._on_outcome = on_outcome
        self._cond = threading.Condition()
        self._pending: dict[str, _Pending] = {}
        self._due: list[tuple[float, int, str]] = []  # heap; stale entries are skipped
        self._ready: list[tuple[int, int, int, str]] = []  # heap: origin, class, seq, path
        self._queued: set[str] = set()
        self._checking: set[str] = set()  # taken off the due heap, being checked
        self._inflight: set[str] = set()
        self._again: set[str] = set()  # changed while being scanned: scan once more
        self._known: dict[str, tuple[int, int]] = {}  # path -> (size, mtime_ns) last judged
        self._seq = itertools.count()
        self._results: queue.Queue[tuple[str, list[FileReport]] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: Workers | None = None
        self._observer: Any = None
        self._linked: set[str] = set()  # aliases of folders outside the root, watched too
        self._writing: dict[str, float] = {}  # path -> last write event, while not closed
        self._last_sweep = 0.0

    # --- life cycle ----------------------------------------------------------------------

    def start(self, *, events: bool = True) -> None:
        """Start the workers, then the event observer (before the sweep, so nothing that
        lands during the sweep is missed), then sweep the whole tree."""
        self._pool = Workers(self.config.policy, self.config.workers, start="forkserver")
        self._pool.warm_up()
        for target, name in ((self._dispatch, "dispatch"), (self._handle_results, "judge")):
            thread = threading.Thread(target=target, name=f"spillguard-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if events:
            self._observer = _observer(self.root, self)
        self.sweep(SWEPT)

    def stop(self) -> None:
        self._stopping.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=10)
        with self._cond:
            self._cond.notify_all()
        self._results.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        if self._pool is not None:
            self._pool.close()

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is settling, queued or being scanned (or judged)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._checking or self._ready or self._inflight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))
        return True

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: the periodic safety sweep."""
        self._last_sweep = time.monotonic()
        while not stop.wait(1.0):
            if self.config.rescan and time.monotonic() - self._last_sweep >= self.config.rescan:
                self.sweep(SWEPT)
                self._last_sweep = time.monotonic()

    # --- noting files --------------------------------------------------------------------

    def sweep(self, origin: int) -> int:
        """Note every file under the root whose size or mtime differs from when it was last
        judged (all of them on the first sweep). Returns how many were noted."""
        noted = 0
        for path in self._files(self.root):
            signature = _signature(path)
            if signature is None or self._known.get(path) != signature:
                self.note(path, origin=origin, settle=0.0)
                noted += 1
        return noted

    def note(self, path: str, *, origin: int = LIVE, settle: float | None = None) -> None:
        if self._skipped(path):
            return
        if os.path.isdir(path):
            # A folder, or a link to one: an atomic deploy swaps `current -> releases/2` for
            # `releases/3`. The link is served as the folder it shows: scan that tree, never
            # the link (taking it out would take the site down).
            self.note_tree(path)
            return
        wait = self.config.settle if settle is None else settle
        signature = _signature(path)  # settled: still this at the due time
        now = time.monotonic()
        with self._cond:
            pending = self._pending.get(path)
            if pending is None:
                pending = self._pending[path] = _Pending(now + wait, signature, origin)
            else:
                # Another event for a file still settling: a write waits from now; a close
                # or a rename into place says the writer is done, so it never waits longer.
                pending.due = min(pending.due, now + wait) if settle is not None else now + wait
                pending.signature = signature
                pending.origin = min(pending.origin, origin)
            heapq.heappush(self._due, (pending.due, next(self._seq), path))
            self._cond.notify_all()

    def note_tree(self, folder: str) -> None:
        """A folder created or moved in: its files come with it, without events of their own."""
        for path in self._files(Path(folder)):
            self.note(path, settle=CLOSED_SETTLE_SECONDS)

    def wrote(self, path: str) -> None:
        """A write event: the file is being written until its writer closes it."""
        with self._cond:
            self._writing[path] = time.monotonic()

    def closed(self, path: str) -> None:
        with self._cond:
            self._writing.pop(path, None)

    def forget(self, path: str) -> None:
        with self._cond:
            self._writing.pop(path, None)
            self._pending.pop(path, None)
            self._known.pop(path, None)
            self._cond.notify_all()

    def _skipped(self, path: str) -> bool:
        """Outside the root. Everything inside is served (web servers serve dot-folders, a
        `.git` or `.spillguard` too, unless told not to), so everything inside is watched."""
        rel = os.path.relpath(path, self.root)
        parts = Path(rel).parts
        return not parts or parts[0] == ".."

    def _files(self, folder: Path) -> Iterator[str]:
        """Every file under `folder`, through symlinked folders too (a web server serves
        them); each folder once, so a link loop ends. A linked folder is also watched."""
        seen: set[tuple[int, int]] = set()
        for base, dirs, names in os.walk(folder, followlinks=True):
            try:
                info = os.stat(base)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((info.st_dev, info.st_ino))
            for name in dirs:
                if os.path.islink(os.path.join(base, name)):
                    self._watch_link(os.path.join(base, name))
            for name in names:
                yield os.path.join(base, name)

    def _watch_link(self, alias: str) -> None:
        """Events come from where a file really is: a linked folder outside the root gets a
        watch of its own, its events told under the alias the web server serves."""
        real = os.path.realpath(alias)
        if self._observer is None or real == str(self.root) or real.startswith(str(self.root) + os.sep):
            return  # inside the root: its events come already, under the real name
        with self._cond:
            if alias in self._linked:
                return
            self._linked.add(alias)
        _schedule(self._observer, real, alias, self)

    # --- settling and dispatch -----------------------------------------------------------

    def _dispatch(self) -> None:
        assert self._pool is not None
        capacity = self._pool.count * 2
        while not self._stopping.is_set():
            with self._cond:
                due = self._take_due()
            settled = [(path, pending) for path, pending in due if self._settled(path, pending)]
            with self._cond:
                self._checking.difference_update(path for path, _ in due)
                for path, pending in settled:
                    if path in self._queued:
                        continue
                    self._queued.add(path)
                    entry = (pending.origin, _class(path), next(self._seq), path)
                    heapq.heappush(self._ready, entry)
                while self._ready and len(self._inflight) < capacity:
                    _, _, _, path = heapq.heappop(self._ready)
                    self._queued.discard(path)
                    if path in self._inflight:
                        self._again.add(path)
                        continue
                    self._inflight.add(path)
                    self._pool.submit(path).add_done_callback(self._collector(path))
                wait = self._due[0][0] - time.monotonic() if self._due else 0.5
                self._cond.notify_all()
                self._cond.wait(max(0.005, min(wait, 0.5)))

    def _collector(self, path: str) -> Callable[[Future[list[FileReport]]], None]:
        def collect(future: Future[list[FileReport]]) -> None:
            self._results.put((path, future.result()))

        return collect

    def _take_due(self) -> list[tuple[str, _Pending]]:
        now = time.monotonic()
        out = []
        while self._due and self._due[0][0] <= now:
            _, _, path = heapq.heappop(self._due)
            pending = self._pending.get(path)
            if pending is None or pending.due > now:
                continue  # forgotten, or pushed back by a later event (its own entry is queued)
            del self._pending[path]
            self._checking.add(path)
            out.append((path, pending))
        return out

    def _settled(self, path: str, pending: _Pending) -> bool:
        """Unchanged since it was noted, and it opens; otherwise it goes back to settle (or is
        dropped, when it is gone)."""
        signature = _signature(path)
        if signature is None:
            return False  # deleted or renamed away: its new name has its own event
        if signature != pending.signature:
            with self._cond:
                again = self._pending.setdefault(
                    path, _Pending(time.monotonic() + self.config.settle, signature, pending.origin)
                )
                heapq.heappush(self._due, (again.due, next(self._seq), path))
            return False
        if not os.path.isfile(path):
            return True  # a FIFO or device would hang an open(); the scan blocks it unread
        try:
            with open(path, "rb"):
                pass
        except FileNotFoundError:
            return False
        except OSError:
            pass  # unreadable: the scan says so, and a file that cannot be read blocks
        return True

    # --- judging -------------------------------------------------------------------------

    def _handle_results(self) -> None:
        while (item := self._results.get()) is not None:
            path, reports = item
            try:
                outcome = self._judge(path, reports)
            except Exception as exc:  # one file's trouble must not stop the watcher
                print(f"spillguard: watch: {path}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
                outcome = None
            with self._cond:
                again = path in self._again
                self._again.discard(path)
                if not again:
                    self._inflight.discard(path)
                self._cond.notify_all()
            if again:  # noted before it leaves flight, so waiting for idle never misses it
                self.note(path, settle=CLOSED_SETTLE_SECONDS)
                with self._cond:
                    self._inflight.discard(path)
                    self._cond.notify_all()
            if outcome is not None and outcome.action == "writing":
                self.note(path, settle=WRITING_RECHECK_SECONDS)
            if outcome is not None:
                self.counts.by_action[outcome.action] = self.counts.by_action.get(outcome.action, 0) + 1
                if self._on_outcome is not None:
                    self._on_outcome(outcome)

    def _still_written(self, path: str) -> bool:
        with self._cond:
            last = self._writing.get(path)
        return last is not None and time.monotonic() - last < OPEN_WRITER_SECONDS

    def _judge(self, path: str, reports: list[FileReport]) -> Outcome:
        top = reports[0]
        self.counts.scanned += 1
        signature = _signature(path)
        if signature is not None:
            self._known[path] = signature
        if top.verdict != "block":
            return Outcome(path, "passed" if top.verdict == "pass" else "warned", top)
        if top.uninspectable and self._still_written(path):
            return Outcome(path, "writing", top)  # half-uploaded: looked at again shortly
        if signature is None:
            return Outcome(path, "gone", top)  # deleted or renamed mid-scan
        rel = os.path.relpath(path, self.root)
        told = with_members(reports)  # what is said about it: the people in its members too
        detail: dict[str, Any] = {"path": path, "webroot": str(self.root), **summary(told)}
        try:
            decision = self.judge.decide(top)
        except ApprovalError as exc:
            # An approvals folder that cannot be read approves nothing: fail closed.
            print(f"spillguard: watch: {exc}", file=sys.stderr)
            decision = None
        if decision is not None and decision.passes:
            self.counts.approved += 1
            self.audit.append(
                "watch-approved", {**detail, "approval": decision.state, "signers": decision.signers}
            )
            return Outcome(path, "approved", top)
        if decision is not None:
            detail.update(approval=decision.state, approval_reason=decision.reason)
        try:
            taken = quarantine.take(Path(path), self.folder, detail)
        except FileNotFoundError:
            self._known.pop(path, None)
            return Outcome(path, "gone", top)
        except (OSError, quarantine.QuarantineError) as exc:
            problem = str(exc) if isinstance(exc, quarantine.QuarantineError) else (exc.strerror or str(exc))
            self.counts.failed += 1
            self.audit.append("quarantine-failed", {**detail, "problem": problem})
            self.alerter.send(_alert(told, path, "NOT MOVED: " + problem, ""))
            print(f"spillguard: watch: {rel}: cannot quarantine: {problem}", file=sys.stderr)
            return Outcome(path, "failed", top, problem=problem)
        self._known.pop(path, None)
        self.counts.quarantined += 1
        stored = str(quarantine.stored_path(self.folder, taken))
        self.audit.append(
            "quarantine",
            {
                **detail,
                "sha256": taken.sha256,
                "scanned_sha256": top.sha256,
                "item": taken.id,
                "stored": stored,
            },
        )
        self.alerter.send(_alert(told, path, "quarantined", stored, taken.sha256))
        return Outcome(path, "quarantined", top, taken)


def _alert(report: FileReport, path: str, action: str, where: str, sha256: str = "") -> Alert:
    return Alert(
        subject=path,
        action=action,
        verdict=report.verdict,
        severity=report.severity,
        individuals=report.individuals,
        records=report.records,
        counts=dict(report.counts),
        where=where,
        sha256=sha256 or report.sha256,
    )


def _signature(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _class(path: str) -> int:
    ext = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
    return 0 if ext in FIRST else 1 if ext in SECOND else 2


def _observer(root: Path, watcher: Watcher) -> Any:
    """A watchdog observer feeding `watcher`. Reads (opened, closed without writing) are not
    asked for: a web server reads files all day."""
    from watchdog.observers import Observer

    observer = Observer()
    _schedule(observer, str(root), str(root), watcher)
    observer.start()
    return observer


def _schedule(observer: Any, folder: str, shown_as: str, watcher: Watcher) -> None:
    """Watch `folder` recursively, telling `watcher` of each event under the name the web
    server serves it by (`shown_as` in place of `folder`: a symlinked folder's alias)."""
    from watchdog import events as ev

    def served(path: bytes | str) -> str:
        text = os.fsdecode(path)
        return shown_as + text[len(folder) :] if shown_as != folder else text

    class Handler(ev.FileSystemEventHandler):
        def on_any_event(self, event: ev.FileSystemEvent) -> None:
            src = served(event.src_path)
            if isinstance(event, ev.FileMovedEvent):
                watcher.forget(src)
                watcher.closed(served(event.dest_path))
                watcher.note(served(event.dest_path), settle=CLOSED_SETTLE_SECONDS)
            elif isinstance(event, ev.DirMovedEvent):
                watcher.note_tree(served(event.dest_path))
            elif isinstance(event, ev.DirCreatedEvent):
                watcher.note_tree(src)
            elif isinstance(event, ev.FileDeletedEvent):
                watcher.forget(src)
            elif isinstance(event, ev.FileClosedEvent):
                watcher.closed(src)
                watcher.note(src, settle=CLOSED_SETTLE_SECONDS)
            elif isinstance(event, ev.FileCreatedEvent | ev.FileModifiedEvent):
                watcher.wrote(src)
                watcher.note(src)

    wanted: list[type[ev.FileSystemEvent]] = [
        ev.FileCreatedEvent,
        ev.FileModifiedEvent,
        ev.FileClosedEvent,
        ev.FileMovedEvent,
        ev.FileDeletedEvent,
        ev.DirCreatedEvent,
        ev.DirMovedEvent,
    ]
    observer.schedule(Handler(), folder, recursive=True, event_filter=wanted)


def watch_webroot(
    config: WatchConfig,
    audit: str | None,
    alerts: list[str],
    stop: threading.Event,
    *,
    once: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_watching: Callable[[Watcher], None] | None = None,
) -> Counts:
    """`spillguard watch`: sweep the web root, then (unless `once`) react to every change until
    `stop` is set; every start and stop goes to the audit log at `audit`. `on_watching` is
    called once the sweep is under way and events are being taken."""
    sink = AuditSink(audit)
    sink.check()
    alerter = audited_alerter(alerts, sink)
    try:
        watcher = Watcher(config, sink, alerter, on_outcome)
    except BaseException:
        alerter.close()
        raise
    sink.append(
        "watch-start", {"webroot": str(watcher.root), "quarantine": str(watcher.folder), "once": once}
    )
    try:
        watcher.start(events=not once)  # may fail on the kernel's inotify limits
        if once:
            watcher.wait_idle(timeout=24 * 3600)
        else:
            if on_watching is not None:
                on_watching(watcher)
            watcher.run(stop)
    finally:
        watcher.stop()
        alerter.close()
    counts = watcher.counts
    sink.append(
        "watch-stop",
        {"webroot": str(watcher.root), "scanned": counts.scanned, "quarantined": counts.quarantined},
    )
    return counts
