"""A 1,000,000-row CSV roster through the CLI: peak memory and rows per second.

    python -m benchmarks csv_stream [--quick] [--rows N]

The file is generated fast: names are recombined from a pool of a few thousand invented
people, A-numbers come from a permutation (all distinct), rows are written in bulk with a
string template. Peak RSS is the largest sum over the CLI's process tree, polled every 20 ms
with psutil. Goal: peak RSS under 1 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import (
    BenchUnavailable,
    goal,
    main_guard,
    out_dir,
    print_table,
    require_scanner,
    require_testdata,
    spillguard_cli,
)

DEFAULT_ROWS = 1_000_000
QUICK_ROWS = 50_000
CHUNK = 50_000
RSS_GOAL = 1024**3
A_STEP = 7_919  # prime, coprime to A_SPAN: i -> i * A_STEP mod A_SPAN never repeats
A_SPAN = 240_000_000
POLL_SECONDS = 0.02
HEADER = "Name,A-Number,DOB,Nationality,Facility,Book-In Date\r\n"


def write_big_roster(path: Path, rows: int, seed: int = 1) -> None:
    from testing import synth as td

    pool = td.make_people(3000, seed)
    rng = random.Random(seed)
    families = [td.to_ascii(p.family).upper() for p in pool if p.latin]
    givens = [td.to_ascii(p.given).upper() for p in pool if p.latin]
    nationalities = [td.COUNTRIES[p.country].agency for p in pool]
    facilities = sorted({p.facility for p in pool})
    dobs = [f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/{rng.randrange(1950, 2006)}"
            for _ in range(5000)]  # fmt: skip
    book_ins = [f"{rng.randrange(1, 12):02d}/{rng.randrange(1, 29):02d}/2022" for _ in range(300)]
    offset = rng.randrange(A_SPAN)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for start in range(0, rows, CHUNK):
            out.write("".join(
                f'"{rng.choice(families)}, {rng.choice(givens)}",'
                f"A{(i * A_STEP + offset) % A_SPAN + 10_000_000:09d},{rng.choice(dobs)},"
                f'"{rng.choice(nationalities)}",{rng.choice(facilities)},{rng.choice(book_ins)}\r\n'
                for i in range(start, min(start + CHUNK, rows))
            ))  # fmt: skip


def run_with_peak_rss(cmd: list[str]) -> tuple[int, float, int]:
    """Exit code, seconds, and peak resident memory of the whole process tree."""
    try:
        import psutil
    except ImportError:
        raise BenchUnavailable("psutil is missing: install the dev or bench extra") from None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            total = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):  # a worker may exit between calls
                    total += p.memory_info().rss
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace")
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"spillguard exited {proc.returncode}: {err[-400:]}")
    return proc.returncode, seconds, peak


def run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks csv_stream", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    parser.add_argument("--rows", type=int, default=None, help=f"default {DEFAULT_ROWS:,}")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    require_scanner()
    require_testdata()
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    path = out_dir("csv_stream", args.out) / f"roster-{rows}.csv"
    started = time.perf_counter()
    write_big_roster(path, rows)
    size_mb = path.stat().st_size / 1e6
    print(f"csv: {path} ({rows:,} rows, {size_mb:,.0f} MB) "
          f"written in {time.perf_counter() - started:.1f} s")  # fmt: skip
    cmd = [str(spillguard_cli()), "scan", str(path), "--format", "json", "--jobs", "1"]
    code, seconds, peak = run_with_peak_rss(cmd)
    print_table(
        "Streaming a large CSV through `spillguard scan` (one run)",
        ["measure", "value", "goal", ""],
        [
            ["exit status (1 = blocked)", code, "1", goal(code == 1)],
            ["seconds", seconds, "", ""],
            ["rows/s", round(rows / seconds), "", ""],
            ["MB/s", size_mb / seconds, "", ""],
            ["peak RSS, process tree (MB)", round(peak / 1e6), "< 1,074", goal(peak < RSS_GOAL)],
        ],
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_guard(run, argv)


if __name__ == "__main__":
    sys.exit(main())
