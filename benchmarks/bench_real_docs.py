"""Accuracy on real documents nobody on the project wrote: `../shared/corpora/public-docs` (123
publications agencies put online: every one must pass) and `public-people` (real people lists:
every one must block, with `individuals` within 2% of expected.json). Beside it, Presidio with
spaCy's small English model on the same files' extracted text, judged as a user would gate with
it: a file is flagged when Presidio finds a PERSON, a birth date next to one, or an identifier.

    python -m benchmarks real_docs [--quick] [--no-presidio]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from benchmarks import BenchUnavailable, main_guard, presidio_analyzer

FOLDERS = ("public-docs", "public-people")
INDIVIDUALS_TOLERANCE = 0.02
PRESIDIO_CHARS = 20_000  # per file: Presidio on a whole workbook's text takes minutes
PRESIDIO_FLAGS = frozenset({"PERSON", "US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE"})
PRESIDIO_SCORE = 0.5


def corpora_root() -> Path:
    env = os.environ.get("SPILLGUARD_CORPORA")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
    if not root.is_dir():
        raise BenchUnavailable(f"{root} is absent")
    return root


def expected(folder: Path) -> list[dict[str, Any]]:
    return list(json.loads((folder / "expected.json").read_text())["files"])


def extracted_text(path: Path) -> str:
    """What a user would hand Presidio: the text our extractors read, tables as tab-separated
    lines (Presidio reads no spreadsheet or PDF itself)."""
    from spillguard.extract import extract
    from spillguard.extract.base import Source
    from spillguard.extract.sniff import sniff
    from spillguard.model import Passage, Table
    from spillguard.policy import DEFAULT_POLICY

    source = Source.from_path(str(path), path.stat().st_size, time.monotonic() + 120)
    parts: list[str] = []
    size = 0
    try:
        for item in extract(sniff(source), source, DEFAULT_POLICY.limits):
            if isinstance(item, Passage):
                parts.append(item.text)
            elif isinstance(item, Table):
                parts.extend("\t".join(row) for row in item.rows)
            size = sum(len(p) for p in parts)
            if size >= PRESIDIO_CHARS:
                break
    except Exception as exc:  # a file our extractors cannot read: Presidio gets nothing either
        return f"[unreadable: {exc.__class__.__name__}]"
    return "\n".join(parts)[:PRESIDIO_CHARS]


def presidio_flags(analyzer: Any, text: str) -> bool:
    if not text.strip():
        return False
    results = analyzer.analyze(text=text, language="en")
    return any(r.entity_type in PRESIDIO_FLAGS and r.score >= PRESIDIO_SCORE for r in results)


def main(argv: list[str] | None = None) -> int:
    return main_guard(_main, argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks real_docs", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every fourth file")
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args(argv)
    return run(args.quick, args.no_presidio)


def run(quick: bool, no_presidio: bool) -> int:
    from spillguard import scan

    root = corpora_root()
    analyzer = None if no_presidio else presidio_analyzer()
    failures = 0
    print(f"{'folder':<14} {'files':>5} {'expect':>7} {'blocked':>7} {'passed':>6} {'wrong':>5}   "
          f"{'presidio flagged':>16} {'presidio wrong':>14}")  # fmt: skip
    wrong_lines: list[str] = []
    for name in FOLDERS:
        folder = root / name
        entries = expected(folder)[:: 4 if quick else 1]
        paths = [str(folder / e["out"]) for e in entries]
        started = time.perf_counter()
        report = scan(paths, jobs=2)
        seconds = time.perf_counter() - started
        by_path = {f.path: f for f in report.files}
        blocked = passed = wrong = p_flagged = p_wrong = 0
        for entry, path in zip(entries, paths, strict=True):
            result = by_path[path]
            if result.verdict == "block":
                blocked += 1
            else:
                passed += 1
            verdict_ok = (result.verdict == "block") == (entry["expect"] == "block")
            want = entry.get("individuals")
            count_ok = not want or abs(result.individuals - want) <= want * INDIVIDUALS_TOLERANCE
            if not (verdict_ok and count_ok):
                wrong += 1
                wrong_lines.append(
                    f"  WRONG {name}/{entry['out']}: expected {entry['expect']}"
                    f"{f' ({want} individuals)' if want else ''}, got {result.verdict}"
                    f" ({result.individuals} individuals): {result.reason}"
                )
            if analyzer is not None:
                flagged = presidio_flags(analyzer, extracted_text(Path(path)))
                p_flagged += flagged
                p_wrong += flagged != (entry["expect"] == "block")
        failures += wrong
        presidio = f"{p_flagged:>16} {p_wrong:>14}" if analyzer is not None else f"{'-':>16} {'-':>14}"
        expect = "pass" if name == "public-docs" else "block"
        print(f"{name:<14} {len(entries):>5} {expect:>7} {blocked:>7} {passed:>6} {wrong:>5}   {presidio}"
              f"   ({seconds:.1f} s)")  # fmt: skip
    for line in wrong_lines:
        print(line)
    if analyzer is not None:
        rule = f"{', '.join(sorted(PRESIDIO_FLAGS))} with score >= {PRESIDIO_SCORE}"
        print(f"presidio: flagged when it finds {rule} in the first {PRESIDIO_CHARS:,} characters")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
