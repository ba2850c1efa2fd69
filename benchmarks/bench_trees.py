"""The roster CLI scan from two or more source trees, run alternately with a bare calamine read.

    python -m benchmarks.bench_trees ROSTER.xlsx --runs 40 --tree before=/tmp/old --tree after=.

Each tree's `spillguard scan ROSTER --format json` runs with that tree first on PYTHONPATH,
so one virtual environment serves both; one round runs the bare read, then every tree, and
the medians come from the same stretch of a machine whose speed drifts. Wall time and CPU time
(user + system, of the command and the workers it waited for) are both reported: on a machine
shared with other work, wall time measures the neighbours as much as the command, CPU time
much less so. It answers "does this start-up trick (or this restructure) pay?" with numbers.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import main_guard, print_table
from benchmarks.bench_roster import CALAMINE_READ


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one run, from a neutral folder: `python -m` puts the
    working directory ahead of PYTHONPATH, so run from a checkout every tree would be that one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True, cwd=tempfile.gettempdir()
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd[:4])} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_trees", description=__doc__)
    parser.add_argument("roster", type=Path)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=DIR")
    args = parser.parse_args(argv)
    trees = [tuple(t.split("=", 1)) for t in args.tree]
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    roster = str(args.roster.resolve())
    bare_cmd = [sys.executable, "-c", CALAMINE_READ, roster]
    cli_cmd = [sys.executable, "-m", "spillguard", "scan", roster, "--format", "json"]
    times: dict[str, list[tuple[float, float]]] = {"bare": [], **{name: [] for name, _ in trees}}
    for _ in range(args.runs):
        times["bare"].append(timed(bare_cmd, base, (0,)))
        for name, folder in trees:
            env = {**base, "PYTHONPATH": str(Path(folder).resolve())}
            times[name].append(timed(cli_cmd, env, (1,)))  # 1: the roster blocks
    bare_wall = statistics.median(w for w, _ in times["bare"])
    bare_cpu = statistics.median(c for _, c in times["bare"])
    rows: list[list[object]] = []
    for name, series in times.items():
        wall = statistics.median(w for w, _ in series)
        cpu = statistics.median(c for _, c in series)
        fastest = min(w for w, _ in series)
        rows.append([name, wall, fastest, f"{wall / bare_wall:.2f}x", cpu, f"{cpu / bare_cpu:.2f}x"])
    print_table(
        f"Roster scan, {args.runs} alternating rounds (medians; ratios to the bare read)",
        ["what", "wall s", "fastest s", "wall / bare", "cpu s", "cpu / bare"],
        rows,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_guard(run, argv)


if __name__ == "__main__":
    sys.exit(main())
