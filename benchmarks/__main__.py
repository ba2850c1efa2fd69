"""`python -m benchmarks [--quick] [NAME ...]`: run the benchmarks, all of them by default."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

# name -> (module, extra arguments under --quick). Explicit: adding one is a one-line diff.
BENCHMARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "roster": ("benchmarks.bench_roster", ("--quick",)),
    "csv_stream": ("benchmarks.bench_csv_stream", ("--quick",)),
    "many_files": ("benchmarks.bench_many_files", ("--quick",)),
    "accuracy": ("benchmarks.bench_accuracy", ("--quick",)),
    "real_docs": ("benchmarks.bench_real_docs", ("--quick",)),
    "match": ("benchmarks.bench_match", ("--quick",)),
    "notices": ("benchmarks.bench_notices", ("--quick",)),
    "exposure": ("benchmarks.bench_exposure", ("--lines", "200000")),
    "ocr": ("benchmarks.bench_ocr", ("--quick",)),
    "watch": ("benchmarks.bench_watch", ("--quick",)),
    "xray": ("benchmarks.bench_xray", ("--quick",)),
    "data_files": ("benchmarks.bench_data_files", ("--quick",)),
    "legacy": ("benchmarks.bench_legacy", ("--quick",)),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    failed = []
    for name in args.names or list(BENCHMARKS):
        module, quick_args = BENCHMARKS[name]
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            code = importlib.import_module(module).main(list(quick_args) if args.quick else [])
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            print(f"{name} failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            code = 1
        print(f"=== {name}: {'ok' if code == 0 else f'exit {code}'} "
              f"in {time.perf_counter() - started:.1f} s ===", flush=True)  # fmt: skip
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed or unavailable: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
