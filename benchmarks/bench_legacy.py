"""Legacy Office files through LibreOffice: which hidden layers come out of the conversion, how
long a conversion takes, and what fails. Read in place from ../shared/corpora/poi (the .doc,
.ppt, .rtf, .wpd and Visio files there).

    python -m benchmarks legacy [--sample N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from pathlib import Path

from benchmarks import REPO, BenchUnavailable

SUFFIXES = (".doc", ".ppt", ".rtf", ".wpd", ".vsd", ".vsdx")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks legacy")
    env = os.environ.get("SPILLGUARD_CORPORA")
    parser.add_argument(
        "--folder", type=Path, default=(Path(env) if env else REPO.parent / "shared" / "corpora") / "poi"
    )
    parser.add_argument("--sample", type=int, default=0, help="every Nth file only (0: all)")
    parser.add_argument("--quick", action="store_true", help="a sample of 10")
    args = parser.parse_args(argv)
    from spillguard.extract.base import Limits, Source
    from spillguard.extract.legacy import converter, extract_legacy
    from spillguard.extract.sniff import sniff
    from spillguard.model import Embedded, Passage, Table, Uninspectable

    if converter() is None:
        raise BenchUnavailable("LibreOffice is not installed (make setup installs it)")
    if not args.folder.is_dir():
        raise BenchUnavailable(f"corpus not found at {args.folder}")
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    if args.quick:
        paths = paths[:: max(1, len(paths) // 10)][:10]
    elif args.sample:
        paths = paths[:: args.sample]
    layers: Counter[str] = Counter()  # passages and tables per layer, over all files
    files_with: Counter[str] = Counter()  # files with at least one piece in the layer
    outcomes: Counter[str] = Counter()
    seconds: list[float] = []
    for path in paths:
        source = Source.from_path(str(path), path.stat().st_size)
        kind = sniff(source)
        started = time.perf_counter()
        try:
            if kind not in ("doc", "ppt", "rtf", "wpd", "vsd", "vsdx"):
                raise Uninspectable(f"sniffed as {kind}")
            contents = list(extract_legacy(source, Limits()))
        except Uninspectable as exc:
            outcomes[f"uninspectable: {str(exc)[:60]}"] += 1
            continue
        finally:
            seconds.append(time.perf_counter() - started)
        outcomes["converted"] += 1
        seen = set()
        for item in contents:
            if isinstance(item, Passage | Table):
                layer = item.location.layer if isinstance(item, Passage) else item.layer
                if isinstance(item, Passage) and item.location.part.startswith("metadata"):
                    layer = "metadata"
            elif isinstance(item, Embedded):
                layer = "embedded file"
            else:
                continue
            layers[layer] += 1
            seen.add(layer)
        files_with.update(seen)
    print(f"{len(paths)} legacy files from {args.folder}")
    for outcome, count in outcomes.most_common():
        print(f"  {count:4d}  {outcome}")
    if seconds:
        median, worst = statistics.median(seconds), max(seconds)
        print(f"conversion and extraction: median {median:.2f} s, worst {worst:.2f} s")
    print(f"{'layer':20s} {'files':>6s} {'pieces':>7s}")
    for layer, count in files_with.most_common():
        print(f"{layer:20s} {count:6d} {layers[layer]:7d}")
    return 0
