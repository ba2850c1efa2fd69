"""The 2022 spill, replayed: a 6,525-row roster of 6,252 people, timed three ways.

    python -m benchmarks.bench_roster [--quick] [--runs 40] [--presidio-rows 1000|all]

(a) a bare Python process that only reads the workbook with python-calamine (the floor for
any tool that opens the file); (b) the `spillguard scan` CLI end to end, run alternately with
(a) so both see the same machine, plus the library call in-process; (c) Presidio's
AnalyzerEngine over the same rows, one line of text per row.
Goals: CLI / bare calamine <= 3.5x; the spare worker saves > 10% (else it goes); Presidio /
spillguard >= 100x; 6,252 individuals found.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from benchmarks import (
    goal,
    main_guard,
    median_seconds,
    out_dir,
    presidio_analyze_lines,
    presidio_analyzer,
    print_table,
    require_scanner,
    require_testdata,
    run_quiet,
    spillguard_cli,
)

CALAMINE_READ = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n"
    "print(sum(len(r) for r in rows))\n"
)
CLI_GOAL = 3.5
PRESIDIO_GOAL = 100.0


def build_roster(directory: Path, rows: int) -> tuple[Path, list[list[str]], int]:
    """Write the roster workbook; return it, its data rows as text, and distinct people."""
    from testing import synth as td

    if rows == td.LEAK_ROWS:
        people = td.leak_sized_people(seed=2022)
    else:  # --quick: same shape, fewer rows
        distinct = round(rows * td.LEAK_PEOPLE / td.LEAK_ROWS)
        people = td.make_people(distinct, 2022, (rows - distinct) / distinct)
    style = td.RosterStyle(dates="native")
    table = td.roster_rows(people, style)
    path = directory / f"roster-{len(people)}.xlsx"
    td.write_xlsx(path, [td.Sheet("Detained Population", table)])
    text_rows = [[td.cell_text(v) for v in row] for row in table[1:]]
    return path, text_rows, td.individuals(people)


def time_bare_and_cli(path: Path, runs: int) -> tuple[float, float, float]:
    """Median seconds of the bare calamine read, of the CLI, and of the CLI without its spare
    worker (`python -m spillguard.cli` starts none: the plain way, which the spare must beat),
    run alternately: on a shared machine whose speed drifts, the medians then come from the
    same stretch of time."""
    commands = [
        ([sys.executable, "-c", CALAMINE_READ, str(path)], (0,)),
        ([str(spillguard_cli()), "scan", str(path), "--format", "json"], (1,)),  # 1: it blocks
        ([sys.executable, "-m", "spillguard.cli", "scan", str(path), "--format", "json"], (1,)),
    ]
    times: list[list[float]] = [[], [], []]
    for _ in range(runs):
        for (cmd, ok), series in zip(commands, times, strict=True):
            series.append(median_seconds(lambda cmd=cmd, ok=ok: run_quiet(cmd, ok=ok), 1)[0])
    bare, cli, plain = (statistics.median(series) for series in times)
    return bare, cli, plain


def time_library(path: Path, runs: int) -> tuple[float, object]:
    import spillguard

    holder: list[object] = []

    def once() -> None:
        holder[:] = [spillguard.scan([str(path)], jobs=1)]

    seconds, _ = median_seconds(once, runs)
    return seconds, holder[0]


def time_presidio(rows: list[list[str]], limit: int | None) -> tuple[float, float, int, int]:
    """Seconds to load, seconds to analyse all rows (extrapolated when limited), rows
    analysed, and rows in which Presidio saw a PERSON."""
    started = time.perf_counter()
    analyzer = presidio_analyzer()
    load = time.perf_counter() - started
    sample = rows if limit is None else rows[:limit]
    lines = [" ".join(r) for r in sample]
    started = time.perf_counter()
    results = presidio_analyze_lines(analyzer, lines)
    seconds = time.perf_counter() - started
    with_person = sum(any(r.entity_type == "PERSON" for r in found) for found in results)
    return load, seconds * len(rows) / len(sample), len(sample), with_person


def run(argv: list[str] | None) -> int:
    require_scanner()
    from testing import synth as td

    parser = argparse.ArgumentParser(prog="python -m benchmarks roster", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 rows, 3 runs")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--rows", type=int, default=None, help=f"default {td.LEAK_ROWS}")
    parser.add_argument("--presidio-rows", default=None,
                        help="rows given to Presidio, or 'all' (default 1000; quick 200)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    require_testdata()
    rows = args.rows or (1000 if args.quick else td.LEAK_ROWS)
    runs = args.runs or (3 if args.quick else 40)
    limit_arg = args.presidio_rows or ("200" if args.quick else "1000")
    limit = None if limit_arg == "all" else int(limit_arg)

    started = time.perf_counter()
    path, text_rows, distinct = build_roster(out_dir("roster", args.out), rows)
    print(f"roster: {path} ({len(text_rows):,} rows, {distinct:,} people, "
          f"{path.stat().st_size / 1e6:.2f} MB) built in {time.perf_counter() - started:.1f} s")  # fmt: skip

    bare, cli, plain = time_bare_and_cli(path, runs)
    library, report = time_library(path, runs)
    files = getattr(report, "files", ())
    found_people = sum(getattr(f, "individuals", 0) for f in files)
    found_records = sum(getattr(f, "records", 0) for f in files)
    verdict = getattr(report, "verdict", "?")
    load, presidio, analysed, presidio_people = time_presidio(text_rows, limit)
    note = "" if analysed == len(text_rows) else f" (extrapolated from {analysed:,} rows)"

    print_table(
        f"Reading and scanning the roster (median of {runs} runs; Presidio one run)",
        ["what", "seconds", "rows/s"],
        [
            ["bare python + calamine (subprocess)", bare, round(len(text_rows) / bare)],
            ["spillguard scan CLI (subprocess, json)", cli, round(len(text_rows) / cli)],
            ["  the same without its spare worker", plain, round(len(text_rows) / plain)],
            ["spillguard.scan in-process (jobs=1)", library, round(len(text_rows) / library)],
            [f"presidio analyze, rows as lines{note}", presidio, round(len(text_rows) / presidio)],
            ["presidio engine + spaCy load (once)", load, None],
        ],
    )
    print_table(
        "Ratios",
        ["ratio", "value", "goal", ""],
        [
            ["CLI / bare calamine", f"{cli / bare:.2f}x", f"<= {CLI_GOAL:g}x", goal(cli / bare <= CLI_GOAL)],
            ["CLI without spare / with", f"{plain / cli:.2f}x", "> 1.10x", goal(plain / cli > 1.10)],
            ["presidio / spillguard in-process", f"{presidio / library:.0f}x",
             f">= {PRESIDIO_GOAL:g}x", goal(presidio / library >= PRESIDIO_GOAL)],
            ["presidio / spillguard CLI", f"{presidio / cli:.0f}x", "", ""],
        ],
    )  # fmt: skip
    print_table(
        "What was found",
        ["tool", "verdict", "records", "individuals", "expected individuals"],
        [
            ["spillguard", verdict, found_records, found_people, distinct],
            [f"presidio (rows with a PERSON, of {analysed:,})", "", presidio_people, None, None],
        ],
    )
    print(f"individuals found: {found_people:,} (expected {distinct:,}: "
          f"{goal(found_people == distinct)})")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_guard(run, argv)


if __name__ == "__main__":
    sys.exit(main())
