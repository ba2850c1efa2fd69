"""What both watchers share: scanner worker processes, the gate's decision, the audit log.

Workers are a pebble process pool started through `forkserver`: the watchers run threads
(file-system events, alerts, fetches), and forking a threaded process can leave a child
holding a lock no thread will release. Each worker has the scanner's memory cap
(`_worker_init`) and each file the scanner's time limit, so a hostile file costs one
`uninspectable` verdict (which blocks), never the watcher.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spillguard.approvals import Decision, decide, load_approvals
from spillguard.model import FileReport
from spillguard.pipeline import scan_bytes, scan_path, worker_failed
from spillguard.policy import Policy
from spillguard.scan import worker_init

WARM_UP = b"facility,count\nNorth,12\nSouth,7\n"


def _warm_up(policy: Policy) -> int:
    """Import the extractors and detectors in a worker before the first real file arrives."""
    return len(scan_bytes("warm-up.csv", WARM_UP, policy))


class ScanPool:
    """N scanner processes; `submit(path)` returns a future of the file's reports (top-level
    first), failures already turned into blocking `uninspectable` reports."""

    def __init__(self, policy: Policy, workers: int) -> None:
        from pebble import ProcessPool

        self.policy = policy
        self.workers = max(1, workers)
        self._pool = ProcessPool(
            max_workers=self.workers,
            initializer=worker_init,
            initargs=(policy.limits,),
            context=multiprocessing.get_context("forkserver"),
        )
        # The worker's own deadline stops well-behaved extractors; this one kills stuck ones.
        self._timeout = policy.limits.timeout_seconds + 10

    def warm_up(self) -> None:
        futures = [self._pool.schedule(_warm_up, args=(self.policy,)) for _ in range(self.workers)]
        for future in futures:
            # A warm-up that fails costs speed only; the real scans report their own trouble.
            with contextlib.suppress(Exception):
                future.result(timeout=120)

    def submit(self, path: str) -> Future[list[FileReport]]:
        inner = self._pool.schedule(scan_path, args=(path, self.policy), timeout=self._timeout)
        outer: Future[list[FileReport]] = Future()

        def done(future: Any) -> None:
            outer.set_result(_result(path, future))

        inner.add_done_callback(done)
        return outer

    def scan(self, path: str) -> list[FileReport]:
        return self.submit(path).result()

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)


def _result(path: str, future: Any) -> list[FileReport]:
    from pebble import ProcessExpired

    try:
        reports: list[FileReport] = future.result()
        return reports
    except FutureTimeout:
        return worker_failed(path, "timed out")
    except ProcessExpired as exc:
        return worker_failed(path, f"parser crashed (exit {exc.exitcode})")
    except MemoryError:
        return worker_failed(path, "over limit: memory")
    except Exception as exc:  # the pool was stopped, or a bug: fail closed
        return worker_failed(path, f"internal error ({exc.__class__.__name__})")


@dataclass(frozen=True)
class Judge:
    """The gate's decision for one file: the policy applied to its path, and the approvals
    in `approvals_dir` read afresh (approvals may be added while a watcher runs)."""

    policy: Policy
    approvals_dir: Path

    def decide(self, report: FileReport, name: str | None = None) -> Decision:
        now = datetime.now(UTC)
        rules = self.policy.for_path(name or report.path)
        if report.verdict != "block":
            return decide(report, rules, [], now)
        return decide(report, rules, load_approvals(self.approvals_dir), now)


class AuditSink:
    """Appends to the audit log from any thread. The log is opened per entry (SQLite
    connections belong to the thread that made them; watch actions are rare), and an entry
    that cannot be written is reported on stderr: a watcher never stops over its log."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._lock = threading.Lock()

    def check(self) -> str:
        """Open the log once, so a bad `--audit` is an error at start; its location."""
        from spillguard.audit import open_audit

        log = open_audit(self.url)
        log.close()
        return log.location

    def append(self, action: str, detail: dict[str, Any]) -> int | None:
        from spillguard.audit import AuditError, open_audit

        with self._lock:
            try:
                log = open_audit(self.url)
                try:
                    return log.append(action, detail).seq
                finally:
                    log.close()
            except AuditError as exc:
                print(f"spillguard: audit: {exc}", file=sys.stderr, flush=True)
                return None


def summary(report: FileReport) -> dict[str, Any]:
    """What may be said about a file anywhere (audit, alerts): no values, no reason text
    (it can quote a sheet name)."""
    return {
        "sha256": report.sha256,
        "size": report.size,
        "type": report.type,
        "verdict": report.verdict,
        "severity": report.severity,
        "individuals": report.individuals,
        "records": report.records,
        "counts": dict(report.counts),
        "uninspectable": bool(report.uninspectable),
    }
