"""Helpers shared by the watcher tests: a roster with known invented people, a tiny HTTP
receiver that records what alert channels post, polling with a generous timeout, and a
watcher running in threads against a temporary web root."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from spillguard.isolate import Workers
from spillguard.policy import DEFAULT_POLICY, Policy
from spillguard.watch.alerts import Alerter
from spillguard.watch.audit_sink import AuditSink
from spillguard.watch.judge import Judge
from spillguard.watch.monitor import Monitor, MonitorConfig, State
from spillguard.watch.webroot import Outcome, WatchConfig, Watcher
from testing.synth import Person, roster_people, simple_roster_rows, write_workbook

WAIT = 60.0  # generous: a bound on waiting, never a timing assertion


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def roster(path: Path, count: int = 12, seed: int = 11) -> list[Person]:
    """Write a roster of invented people to a temp name beside `path`, then rename it into
    place (as a deploy does); return the people, so tests can look for them in output."""
    people = roster_people(count, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent.parent / f".{path.name}.building"
    write_workbook(tmp, {"Roster": simple_roster_rows(people)})
    tmp.rename(path)
    return people


def clean_files(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(start, start + count):
        path = folder / f"page-{n}.html"
        path.write_text(f"<html><body><h1>Visiting hours</h1><p>Bulletin {n}: open 9-5.</p></body></html>\n")
        out.append(path)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Receiver:
    """Records the bodies POSTed to it (an apprise json:// channel)."""

    port: int
    bodies: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/"


@contextmanager
def receiver() -> Iterator[Receiver]:
    record = Receiver(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            record.bodies.append(self.rfile.read(length).decode("utf-8", "replace"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Running:
    watcher: Watcher
    root: Path
    folder: Path
    audit: Path
    outcomes: list[Outcome]


@contextmanager
def running_watcher(
    tmp: Path,
    *,
    policy: Policy = DEFAULT_POLICY,
    approvals: Path | None = None,
    alerts: list[str] | None = None,
    events: bool = True,
    alerter: Alerter | None = None,
) -> Iterator[Running]:
    root, folder, audit = tmp / "www", tmp / "quarantine", tmp / "audit.db"
    root.mkdir(exist_ok=True)
    sink = AuditSink(str(audit))
    outcomes: list[Outcome] = []
    config = WatchConfig(root, folder, policy, approvals or tmp / "approvals", workers=2, settle=0.1)
    channel = alerter or Alerter(alerts or [])
    watcher = Watcher(config, sink, channel, outcomes.append)
    watcher.start(events=events)
    try:
        yield Running(watcher, root, folder, audit, outcomes)
    finally:
        watcher.stop()
        channel.close()


@contextmanager
def http_server(root: Path, port: int, stderr: IO[str] | int = subprocess.DEVNULL) -> Iterator[None]:
    """Python's http.server serving `root` on loopback at `port` (its log to `stderr`)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        assert wait_for(lambda: _up(f"http://127.0.0.1:{port}/"), 30), "http.server did not start"
        yield
    finally:
        server.terminate()
        server.wait(10)


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def library_monitor(base: str, folder: Path) -> Iterator[tuple[Monitor, State]]:
    """A Monitor of the site at `base` as the library runs it (one fork-server worker, its state,
    approvals and audit log in `folder`, no alert channel), closed after."""
    pool = Workers(DEFAULT_POLICY, 1, start="forkserver")
    store = State(folder / "m.db")
    try:
        yield (
            Monitor(
                MonitorConfig(base, rate=50),
                store,
                pool,
                Judge(DEFAULT_POLICY, folder / "approvals"),
                AuditSink(str(folder / "a.db")),
                Alerter([]),
            ),
            store,
        )
    finally:
        pool.close()
        store.close()
