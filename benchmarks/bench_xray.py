"""Covered text on Free Law Project's x-ray test PDFs (../shared/corpora/x-ray/tests/assets),
beside what x-ray itself expects of each file.

x-ray's expectations: the counts its own tests assert (tests/test_utils.py, which the corpus
folder does not carry, listed below); the other files by their naming, as x-ray's tests use
them: `rectangles_yes*` and `bad_*` hold bad redactions, the rest none.

    python -m benchmarks xray
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks import REPO, BenchUnavailable

# x-ray tests/test_utils.py: test_bad_redactions_on_single_page (3 on rectangles_yes.pdf),
# test_cross_hatched_redactions (16); test_we_find_rectangles_when_we_should only asks for some.
XRAY_COUNTS = {"rectangles_yes.pdf": 3, "bad_cross_hatched_redactions.pdf": 16}


def default_folder() -> Path:
    env = os.environ.get("SPILLGUARD_CORPORA")
    root = Path(env) if env else REPO.parent / "shared" / "corpora"
    return root / "x-ray" / "tests" / "assets"


def xray_expects(name: str) -> str:
    if name in XRAY_COUNTS:
        return f"{XRAY_COUNTS[name]} bad"
    if name.startswith(("rectangles_yes", "bad_")):
        return "some bad"
    if name.startswith("hidden_text_on_visible"):
        return "(not in its tests)"
    return "none"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks xray")
    parser.add_argument("--folder", type=Path, default=default_folder())
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        raise BenchUnavailable(f"x-ray corpus not found at {args.folder}")
    from spillguard.pipeline import scan_bytes

    paths = sorted(args.folder.glob("*.pdf"))
    header = ("file", "x-ray expects", "covered_text", "high", "low", "verdict", "ms")
    print("{:40s} {:>18s} {:>12s} {:>5s} {:>4s} {:>7s} {:>6s}".format(*header))
    agree = total = 0
    for path in paths:
        data = path.read_bytes()
        started = time.perf_counter()
        report = scan_bytes(path.name, data)[0]
        elapsed = (time.perf_counter() - started) * 1000
        found = [f for f in report.findings if f.kind == "covered_text"]
        high = sum(f.severity == "high" for f in found)
        expected = xray_expects(path.name)
        if expected != "(not in its tests)":
            total += 1
            agree += (expected == "none") == (not found)
        print(
            f"{path.name:40s} {expected:>18s} {len(found):>12d} {high:>5d} {len(found) - high:>4d} "
            f"{report.verdict:>7s} {elapsed:>6.0f}"
        )
    print(f"\nagree with x-ray on whether a file has covered text: {agree} of {total}")
    return 0
