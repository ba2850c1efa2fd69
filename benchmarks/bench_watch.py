"""Detect and take down: how long a leak stays up under the watchers.

    python -m benchmarks watch [--quick] [--drops 50] [--clean 1000] [--monitor-runs 5]

(a) `watch`: a 6,525-row roster (6,252 people) is renamed into a watched web root together
with 1,000 clean files (pages, stylesheets, count tables), 50 times; measured: from the
roster's rename into place to its disappearance from the web root. Goal: median < 2 s.
(b) `monitor`: a local http.server serves a site; a page linking a leaked workbook appears at
a random moment; measured: from its appearance to the alert reaching a webhook, with the
monitor at the fastest safe interval (5 s). At the default interval (60 s) the time is
computed: interval / 2 + the measured length of a pass (worst: interval + pass).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import goal, main_guard, out_dir, print_table, require_testdata

GOAL_SECONDS = 2.0
ROWS = 6_525


def build_roster(folder: Path, rows: int) -> Path:
    from benchmarks.bench_roster import build_roster as build

    folder.mkdir(parents=True, exist_ok=True)
    path, _, _ = build(folder, rows)
    return path


def write_clean(folder: Path, count: int, tag: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        kind = n % 4
        if kind == 0:
            (folder / f"p{tag}-{n}.html").write_text(
                f"<html><body><h1>Bulletin {n}</h1><p>Open 9-5.</p></body></html>"
            )
        elif kind == 1:
            (folder / f"s{tag}-{n}.css").write_text("body { font-family: sans-serif }\n")
        elif kind == 2:
            (folder / f"c{tag}-{n}.csv").write_text(f"facility,count\nNorth,{n}\nSouth,{n + 3}\n")
        else:
            (folder / f"n{tag}-{n}.txt").write_text(f"Release {n}: the office moves on Monday.\n")


def bench_watch(drops: int, clean: int, work: Path) -> list[float]:
    from spillguard.policy import DEFAULT_POLICY
    from spillguard.watch.alerts import Alerter
    from spillguard.watch.audit_sink import AuditSink
    from spillguard.watch.webroot import WatchConfig, Watcher

    source = build_roster(work / "source", ROWS)
    root, folder, staging = work / "www", work / "quarantine", work / "staging"
    root.mkdir()
    staging.mkdir()
    config = WatchConfig(root, folder, DEFAULT_POLICY, work / "approvals", workers=os.cpu_count() or 2)
    watcher = Watcher(config, AuditSink(str(work / "audit.db")), Alerter([]))
    watcher.start()
    times = []
    try:
        for drop in range(drops):
            batch = staging / f"deploy-{drop}"
            write_clean(batch, clean, drop)
            staged = staging / f"roster-{drop}.xlsx"
            shutil.copyfile(source, staged)
            # The deploy: the clean files' folder and the roster land at the same moment.
            os.rename(batch, root / f"deploy-{drop}")
            target = root / f"deploy-{drop}-roster.xlsx"
            started = time.perf_counter()
            os.rename(staged, target)
            while os.path.lexists(target):
                time.sleep(0.005)
                if time.perf_counter() - started > 120:
                    raise RuntimeError("roster not quarantined within 120 s")
            times.append(time.perf_counter() - started)
            watcher.wait_idle(600)  # each drop starts from a quiet web root
    finally:
        watcher.stop()
    return times


SITE_INDEX = '<!doctype html><html><body><a href="about.html">About</a>{extra}</body></html>'


def bench_monitor(interval: float, runs: int, work: Path) -> tuple[list[float], float]:
    """Measured leak-to-alert times at `interval`, and the mean length of a quiet pass."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    site = work / "site"
    (site / "files").mkdir(parents=True)
    (site / "about.html").write_text("<html><body>About us</body></html>")
    (site / "index.html").write_text(SITE_INDEX.format(extra=""))
    shutil.copyfile(build_roster(work / "monitor-source", 1_000), site / "files" / "leak.xlsx.hidden")
    alerts: list[float] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            alerts.append(time.perf_counter())
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cli = Path(sys.executable).with_name("spillguard")
    monitor = subprocess.Popen(
        [str(cli), "monitor", f"http://127.0.0.1:{port}/", "--interval", str(interval), "--rate", "50",
         "--state", str(work / "monitor.db"), "--audit", str(work / "audit.db"),
         "--alert", f"json://127.0.0.1:{hook.server_address[1]}/"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    delays: list[float] = []
    passes: list[float] = []
    rng = random.Random(7)
    try:
        assert monitor.stdout is not None
        monitor.stdout.readline()  # the first pass is done: the site is known
        for run in range(runs):
            time.sleep(rng.uniform(0, interval))
            leak = site / "files" / f"leak-{run}.xlsx"
            shutil.copyfile(site / "files" / "leak.xlsx.hidden", leak)
            (site / "index.html").write_text(
                SITE_INDEX.format(extra=f'<a href="files/leak-{run}.xlsx">x</a>')
            )
            appeared = time.perf_counter()
            before = len(alerts)
            while len(alerts) == before:
                time.sleep(0.01)
                if time.perf_counter() - appeared > interval * 3 + 60:
                    raise RuntimeError("no alert")
            delays.append(alerts[-1] - appeared)
        monitor.send_signal(2)
        out, _ = monitor.communicate(timeout=60)
        for line in out.splitlines():
            if line.startswith("monitor:") and "(" in line:
                passes.append(float(line.rsplit("(", 1)[1].split()[0]))
    finally:
        if monitor.poll() is None:
            monitor.kill()
        server.terminate()
        hook.shutdown()
    return delays, statistics.mean(passes) if passes else 0.0


def main(argv: list[str] | None = None) -> int:
    return main_guard(_main, argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks watch", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--drops", type=int, default=None)
    parser.add_argument("--clean", type=int, default=None)
    parser.add_argument("--monitor-runs", type=int, default=None)
    parser.add_argument("--fast-interval", type=float, default=5.0)
    args = parser.parse_args(argv)
    require_testdata()
    drops = args.drops or (5 if args.quick else 50)
    clean = args.clean or (200 if args.quick else 1_000)
    runs = args.monitor_runs or (2 if args.quick else 5)
    work = Path(tempfile.mkdtemp(dir=out_dir("watch")))
    try:
        times = bench_watch(drops, clean, work / "watch")
        delays, pass_seconds = bench_monitor(args.fast_interval, runs, work / "monitor")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median, worst = statistics.median(times), max(times)
    print_table(
        f"watch: roster ({ROWS:,} rows) renamed into the web root with {clean:,} clean files, {drops} drops",
        ["", "seconds", "goal"],
        [["median to quarantine", median, f"< {GOAL_SECONDS:g} s {goal(median < GOAL_SECONDS)}"],
         ["worst", worst, ""]],
    )  # fmt: skip
    from spillguard.watch.monitor import DEFAULT_INTERVAL, Timing

    default = Timing(DEFAULT_INTERVAL, pass_seconds)
    print_table(
        "monitor: leaked workbook linked on the site -> alert at the webhook",
        ["interval", "how", "mean s", "worst s"],
        [[f"{args.fast_interval:g} s", f"measured, {len(delays)} leaks", statistics.mean(delays),
          max(delays)],
         [f"{DEFAULT_INTERVAL:g} s", f"computed: interval/2 + pass ({pass_seconds:.2f} s)", default.average,
          default.worst]],
    )  # fmt: skip
    print(json.dumps({"watch_median": median, "watch_worst": worst, "monitor_delays": delays}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
