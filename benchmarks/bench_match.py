"""Repost matching at scale: build and load a 1,000,000-person index, and match text beside a
plain scan of the same file.

    python -m benchmarks match [--quick]

Goals (issue 15): index of 1,000,000 people built in under a minute and loaded in under a
second, memory in proportion; matching at >= 50 MB/s per core once the text is extracted.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks import main_guard
from spillguard.match.index import Index, build_index, fingerprint_key
from spillguard.people.identity import Person
from spillguard.people.records import PersonRecord, read_records

SYLLABLES = ("ka", "vo", "ren", "lu", "mi", "dor", "sa", "tel", "bri", "nox", "ul", "fen", "qua", "zi", "pa")


def invented(rng: random.Random, n: int, prefix: str = "A2") -> list[Person]:
    out = []
    for _ in range(n):
        name = " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)).upper() for _ in range(2))
        fields = {
            "person_name": name,
            "a_number": f"{prefix}{rng.randrange(10**8):08d}",
            "date_of_birth": f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(9)}",
            "nationality": "HONDURAS",
            "detention_facility": "OTERO PROCESSING CENTER",
        }
        out.append(Person(fields=fields))
    return out


def main(argv: list[str] | None = None) -> int:
    return main_guard(_main, argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks match", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 people, a smaller paste")
    args = parser.parse_args(argv)
    size = 100_000 if args.quick else 1_000_000
    rng = random.Random(15)
    key = fingerprint_key(os.urandom(32))
    people = invented(rng, size)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leak.index"
        started = time.perf_counter()
        build_index(key, people, path)
        built = time.perf_counter() - started
        started = time.perf_counter()
        index = Index.load(path)
        loaded = time.perf_counter() - started
        mb = path.stat().st_size / 1e6
        print(f"index: {size:,} people, {len(index):,} fingerprints, {mb:.1f} MB on disk and in memory")
        print(f"  built in {built:.1f} s (goal < 60 s), loaded in {loaded * 1000:.0f} ms (goal < 1 s)")

        # A paste: one leaked person in ten among other people's lines.
        lines = []
        for i, person in enumerate(invented(random.Random(16), 20_000 if args.quick else 100_000, "A3")):
            source = people[i] if i % 10 == 0 else person
            f = source.fields
            lines.append(
                f"{f['person_name'].title()} ({f['a_number']}), born {f['date_of_birth']}, held at Otero"
            )
        paste = Path(folder) / "paste.txt"
        paste.write_text("\n".join(lines) + "\n")
        text_mb = paste.stat().st_size / 1e6

        started = time.perf_counter()
        records: list[PersonRecord] = list(read_records(str(paste)))
        extract_seconds = time.perf_counter() - started
        started = time.perf_counter()
        found = {n for r in records for n in index.people_in(key, r)}
        match_seconds = time.perf_counter() - started
        from spillguard import scan

        started = time.perf_counter()
        scan([str(paste)], jobs=1)
        scan_seconds = time.perf_counter() - started
    print(f"paste: {text_mb:.1f} MB, {len(lines):,} lines, {len(found):,} leaked people found")
    for label, seconds, goal in (
        ("reading and detecting records", extract_seconds, ""),
        ("fingerprint and look up", match_seconds, " (goal >= 50)"),
        ("plain scan of the same file", scan_seconds, ""),
    ):
        print(f"  {label:<32} {seconds:6.2f} s  {text_mb / seconds:8.1f} MB/s{goal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
