"""Issue 13, the live-site monitor as an attacker's server would meet it: redirects to another
host, a response that drips, robots.txt hiding the site, and a site that is not there. All
servers listen on loopback and stop with the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from gatekit import run
from watchkit import free_port

from spillguard.watch.monitor import Fetcher, MonitorConfig

pytest.importorskip("apprise")

Routes = dict[str, tuple[int, dict[str, str], bytes]]


@contextmanager
def serve(
    routes: Routes, host: str = "127.0.0.1", drip: float | None = None
) -> Iterator[tuple[str, list[str]]]:
    """A server for `routes` (path -> status, headers, body); yields its base URL and the
    paths it was asked for. `drip`: seconds between the body's bytes (a slow-drip server)."""
    asked: list[str] = []
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            status, headers, body = routes.get(self.path, (404, {}, b"not here"))
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if drip is None:
                self.wfile.write(body)
                return
            for byte in body:
                if stopping.wait(drip):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", asked
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()


def test_a_redirect_to_another_host_is_not_followed(tmp_path: Path) -> None:
    with serve({"/latest": (200, {}, b"metadata: secret-token")}, host="127.0.0.2") as (other, other_asked):
        routes = {"/report.csv": (302, {"Location": f"{other}/latest"}, b"")}
        with serve(routes) as (site, _):
            fetcher = Fetcher(MonitorConfig(url=f"{site}/"), 10_000, str(tmp_path))
            fetched = fetcher.get(f"{site}/report.csv", None)
    assert other_asked == []  # the other address never saw a request
    assert fetched.path is None and fetched.problem == f"redirected out of scope to {other}/latest"


def test_a_redirect_within_the_site_is_followed(tmp_path: Path) -> None:
    routes = {"/old.csv": (301, {"Location": "/new.csv"}, b""), "/new.csv": (200, {}, b"facility,count\n")}
    with serve(routes) as (site, asked):
        fetched = Fetcher(MonitorConfig(url=f"{site}/"), 10_000, str(tmp_path)).get(f"{site}/old.csv", None)
    assert asked == ["/old.csv", "/new.csv"] and fetched.status == 200


def test_a_slow_drip_response_is_bounded_in_total_time(tmp_path: Path) -> None:
    body = b"x" * 2_000
    with serve({"/slow.csv": (200, {}, body)}, drip=0.01) as (site, _):
        fetcher = Fetcher(MonitorConfig(url=f"{site}/", timeout=1.0), 10_000, str(tmp_path))
        started = time.monotonic()
        fetched = fetcher.get(f"{site}/slow.csv", None)
        took = time.monotonic() - started
    assert fetched.path is None and "not done in 1 s" in fetched.problem, fetched
    assert took < 5.0  # 20 s of drip, cut at the bound (a read's own timeout is the slack)


def test_a_pass_robots_txt_keeps_from_the_site_says_so_and_fails(tmp_path: Path) -> None:
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"),
        "/": (200, {"Content-Type": "text/html"}, b'<a href="/roster.csv">list</a>'),
    }
    with serve(routes) as (site, asked):
        done = run("monitor", f"{site}/", "--once", "--state", "m.db", "--audit", "a.db", cwd=tmp_path)
    assert asked == ["/robots.txt"]
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not fetched because robots.txt disallows them" in done.stderr
    assert "could not look at the site" in done.stderr


def test_a_site_that_cannot_be_reached_fails_the_pass(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    done = run("monitor", url, "--once", "--state", "m.db", "--audit", "a.db", cwd=tmp_path)
    assert done.returncode == 2 and "could not look at the site" in done.stderr, done.stderr


def test_sigterm_ends_a_pass_without_a_traceback(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from gatekit import SPILLGUARD

    pages = 40
    links = "".join(f'<a href="/p{n}.html">{n}</a>' for n in range(pages))
    routes: Routes = {"/": (200, {"Content-Type": "text/html"}, links.encode())}
    for n in range(pages):
        routes[f"/p{n}.html"] = (200, {"Content-Type": "text/html"}, b"<p>Opening hours</p>")
    command = [str(SPILLGUARD)] if SPILLGUARD.exists() else [sys.executable, "-m", "spillguard.cli"]
    with serve(routes) as (site, asked):
        args = ["monitor", f"{site}/", "--once", "--rate", "2", "--state", "m.db", "--audit", "a.db"]
        process = subprocess.Popen(
            [*command, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while len(asked) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=20)  # at 2 requests/s the pass had 20 s to go
        finally:
            process.kill()
    text = err.decode()
    assert "Traceback" not in text, text
    assert process.returncode == 130 and "interrupted" in text
    assert len(asked) < pages


def test_a_large_download_is_not_read_into_memory_for_links(tmp_path: Path) -> None:
    import tracemalloc

    from spillguard.watch.monitor import Fetched, links_of

    body = tmp_path / "big.bin"
    with body.open("wb") as fh:
        for _ in range(64):
            fh.write(b"\0" * (1024 * 1024))
    fetched = Fetched("http://127.0.0.1/big.bin", 200, content_type="", path=str(body), size=64 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert links_of(fetched) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak


def test_an_alert_for_a_zip_on_the_site_counts_the_people_inside(tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    from watchkit import receiver, roster

    roster(tmp_path / "staging" / "list.xlsx", count=20, seed=9)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.write(tmp_path / "staging" / "list.xlsx", "list.xlsx")
    routes: Routes = {
        "/": (200, {"Content-Type": "text/html"}, b'<a href="/bundle.zip">data</a>'),
        "/bundle.zip": (200, {"Content-Type": "application/zip"}, packed.getvalue()),
    }
    with serve(routes) as (site, _), receiver() as inbox:
        args = ["--once", "--state", "m.db", "--audit", "a.db", "--alert", inbox.url]
        done = run("monitor", f"{site}/", *args, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "20 individuals" in done.stdout
    body = json.loads(inbox.bodies[0])["message"]
    assert "people: 20 individuals" in body and "a_number=20" in body, body
