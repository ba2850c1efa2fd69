"""The watchers' audit log: appended to from any thread, and what may be said there about a file."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from dataclasses import replace
from typing import Any

from spillguard.audit import AuditError, open_audit, record
from spillguard.model import FileReport


class AuditSink:
    """Appends to the audit log from any thread. The log is opened per entry (SQLite
    connections belong to the thread that made them; watch actions are rare), and an entry
    that cannot be written is reported on stderr: a watcher never stops over its log."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._lock = threading.Lock()

    def check(self) -> str:
        """Open the log once, so a bad `--audit` is an error at start; its location."""
        log = open_audit(self.url)
        log.close()
        return log.location

    def append(self, action: str, detail: dict[str, Any]) -> int | None:
        with self._lock:
            try:
                return record(self.url, action, detail)[1].seq
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


def with_members(reports: list[FileReport]) -> FileReport:
    """The top-level report with its members' people added in (individuals, records, counts):
    an alert for a zip holding 20 people says 20, not the zip's own 0. For what is said about
    a file only; decisions and approvals use the top-level report as it is."""
    top, members = reports[0], reports[1:]
    if not members:
        return top
    counts = Counter(top.counts)
    for member in members:
        counts.update(member.counts)
    return replace(
        top,
        individuals=top.individuals + sum(m.individuals for m in members),
        records=top.records + sum(m.records for m in members),
        counts=dict(counts),
    )
