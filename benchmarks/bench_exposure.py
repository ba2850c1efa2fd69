"""Parse rate of `spillguard exposure` over a large combined log, beside GoAccess.

    python -m benchmarks.bench_exposure              # 10,000,000 lines
    python -m benchmarks.bench_exposure --lines 200000
    SPILLGUARD_BENCH_LINES=200000 python -m benchmarks.bench_exposure

The log is a block of varied lines (many clients, pages, agents, offsets; about one request
in 500 for the leaked file) repeated until the size is reached: generation stays fast and the
parse sees realistic lines. Both tools read the same file in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_LINES = 10_000_000
BLOCK_LINES = 100_000
LEAKED = "/sites/default/files/fy23-detained.xlsx"
SIZE = 384_445
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/107.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:107.0) Gecko/20100101 Firefox/107.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "curl/7.88.1",
)
PAGES = (
    "/",
    "/index.html",
    "/news/update?page=2",
    "/assets/site.css",
    "/assets/app.js",
    "/images/logo.png",
    "/sites/default/files/fy22-budget.xlsx",
    "/contact",
    "/search?q=forms",
)


def _block(rng: random.Random) -> str:
    lines = []
    for i in range(BLOCK_LINES):
        ip = f"{rng.choice(('203.0.113', '198.51.100', '192.0.2'))}.{rng.randrange(1, 255)}"
        hour, minute, second = 14 + i * 5 // BLOCK_LINES, rng.randrange(60), rng.randrange(60)
        leaked = rng.randrange(500) == 0
        page = LEAKED if leaked else rng.choice(PAGES)
        size = SIZE if leaked else rng.randrange(200, 60_000)
        status = rng.choice((200, 200, 200, 200, 304, 404)) if not leaked else 200
        lines.append(
            f"{ip} - - [28/Nov/2022:{hour:02d}:{minute:02d}:{second:02d} +0000] "
            f'"GET {page} HTTP/1.1" {status} {size if status == 200 else 0} '
            f'"https://www.agency.example/news" "{rng.choice(AGENTS)}"\n'
        )
    return "".join(lines)


def generate(path: Path, lines: int) -> None:
    block = _block(random.Random(2022))
    full, rest = divmod(lines, BLOCK_LINES)
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(full):
            handle.write(block)
        if rest:
            handle.write("".join(block.splitlines(keepends=True)[:rest]))


def time_spillguard(path: Path) -> tuple[float, int]:
    from spillguard.respond.exposure import ExposureQuery, analyze

    query = ExposureQuery(
        urls=(f"https://www.agency.example{LEAKED}",),
        size=SIZE,
        start=datetime(2022, 11, 28, 14, tzinfo=UTC),
        end=datetime(2022, 11, 28, 19, tzinfo=UTC),
    )
    started = time.perf_counter()
    exposure = analyze([path], query, threads=2)
    seconds = time.perf_counter() - started
    return seconds, exposure.logs[0].lines


def time_goaccess(path: Path, out_dir: Path) -> float | None:
    goaccess = shutil.which("goaccess")
    if goaccess is None:
        return None
    started = time.perf_counter()
    subprocess.run(
        [
            goaccess,
            str(path),
            "--log-format=COMBINED",
            "--no-global-config",
            "-o",
            str(out_dir / "goaccess.json"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lines",
        type=int,
        default=int(os.environ.get("SPILLGUARD_BENCH_LINES", DEFAULT_LINES)),
    )
    parser.add_argument("--keep", type=Path, help="write the log here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sg-bench-") as tmp:
        path = args.keep or Path(tmp) / "access.log"
        started = time.perf_counter()
        generate(path, args.lines)
        print(
            f"generated {args.lines:,} lines ({path.stat().st_size / 1e6:,.0f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        seconds, lines = time_spillguard(path)
        if lines != args.lines:
            print(f"spillguard read {lines:,} lines, expected {args.lines:,}", file=sys.stderr)
            return 1
        print(f"spillguard: {lines / seconds:>12,.0f} lines/s  ({seconds:.2f} s)")
        go_seconds = time_goaccess(path, Path(tmp))
        if go_seconds is None:
            print("goaccess: not installed")
        else:
            print(f"goaccess:   {lines / go_seconds:>12,.0f} lines/s  ({go_seconds:.2f} s)")
            print(f"spillguard is {go_seconds / seconds:.1f}x goaccess")
    return 0


if __name__ == "__main__":
    sys.exit(main())
