"""Alerts through apprise: e-mail (mailto://), webhooks (json://, form://), Slack, Teams,
Matrix and the rest, by URL.

An alert names the file or URL, the verdict, severity and counts, and where the file went;
never a found value, nor the scanner's reason text (it can quote a sheet name). Alerts are
sent from one background thread, so a slow or dead channel never holds up a quarantine: each
channel is tried up to `attempts` times with a doubling pause, and a channel that still
fails is reported on stderr and in the audit log, and the watcher carries on.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spillguard.errors import UserError
from spillguard.terminal import printable
from spillguard.watch import WATCH_EXTRA_MISSING

if TYPE_CHECKING:
    from spillguard.watch.audit_sink import AuditSink

ATTEMPTS = 3
FIRST_PAUSE = 1.0  # seconds before the second try; doubled for each one after
TITLE = "spillguard: personal data on the public site"


class AlertError(UserError, ValueError):
    """An alert URL apprise does not understand; the message names it (masked)."""


@dataclass(frozen=True)
class Alert:
    """What happened to one file. Built only from paths, hashes, verdicts and counts."""

    subject: str  # the web root path or the URL
    action: str  # quarantined | approved, left in place | found on the live site | not moved
    verdict: str
    severity: str
    individuals: int
    records: int
    counts: dict[str, int] = field(default_factory=dict)
    where: str = ""  # quarantine location, or the page that links it
    sha256: str = ""

    def body(self) -> str:
        counts = ", ".join(f"{kind}={n}" for kind, n in sorted(self.counts.items())) or "none"
        lines = [
            f"file: {self.subject}",
            f"verdict: {self.verdict} ({self.severity})",
            f"action: {self.action}",
            f"people: {self.individuals} individuals in {self.records} records",
            f"counts: {counts}",
        ]
        if self.where:
            lines.append(f"where: {self.where}")
        if self.sha256:
            lines.append(f"sha256: {self.sha256}")
        return "\n".join(map(printable, lines))


def _apprise() -> Any:
    try:
        import apprise
    except ImportError:
        raise AlertError(WATCH_EXTRA_MISSING) from None
    return apprise


@dataclass(frozen=True)
class Channel:
    url: str
    shown: str  # the URL with secrets masked, for messages and the audit log


def channels(urls: Sequence[str]) -> tuple[Channel, ...]:
    """Check every URL up front: a typo in an alert URL is an error at start, not a silent
    watcher."""
    apprise = _apprise()
    out = []
    for url in urls:
        probe = apprise.Apprise()
        if not probe.add(url):
            raise AlertError(f"alert URL not understood by apprise: {_mask(url)}")
        out.append(Channel(url, probe[0].url(privacy=True)))
    return tuple(out)


def _mask(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return f"{scheme}{sep}…" if sep else "…"


Failure = Callable[[Channel, Alert, str], None]


class Alerter:
    """Sends alerts in the background; `close()` waits for what is queued."""

    def __init__(
        self,
        urls: Sequence[str],
        on_failure: Failure | None = None,
        *,
        attempts: int = ATTEMPTS,
        first_pause: float = FIRST_PAUSE,
    ) -> None:
        self.channels = channels(urls)
        self._on_failure = on_failure
        self._attempts = max(1, attempts)
        self._first_pause = first_pause
        self._queue: queue.Queue[Alert | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="spillguard-alerts", daemon=True)
        self.sent = 0
        self.failed = 0
        if self.channels:
            self._thread.start()

    def send(self, alert: Alert) -> None:
        if self.channels:
            self._queue.put(alert)

    def close(self, timeout: float = 60.0) -> None:
        if self.channels and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        while (alert := self._queue.get()) is not None:
            for channel in self.channels:
                self._deliver(channel, alert)

    def _deliver(self, channel: Channel, alert: Alert) -> None:
        apprise = _apprise()
        pause = self._first_pause
        problem = "not delivered"
        for attempt in range(1, self._attempts + 1):
            try:
                notifier = apprise.Apprise()
                notifier.add(channel.url)
                if notifier.notify(body=alert.body(), title=TITLE, body_format=apprise.NotifyFormat.TEXT):
                    self.sent += 1
                    return
                problem = "the channel refused or could not be reached"
            except Exception as exc:  # a plugin bug must not end the alert thread
                problem = f"{exc.__class__.__name__}"
            if attempt < self._attempts:
                time.sleep(pause)
                pause *= 2
        self.failed += 1
        message = f"{problem} after {self._attempts} attempts"
        print(f"spillguard: alert to {channel.shown} failed: {message}", file=sys.stderr, flush=True)
        if self._on_failure is not None:
            self._on_failure(channel, alert, message)


def audited_alerter(urls: Sequence[str], audit: AuditSink) -> Alerter:
    """An alerter over `urls` whose failures (after its retries) go to the audit log."""

    def failed(channel: Channel, alert: Alert, problem: str) -> None:
        audit.append(
            "alert-failed",
            {"channel": channel.shown, "subject": alert.subject, "sha256": alert.sha256, "problem": problem},
        )

    return Alerter(urls, failed)
