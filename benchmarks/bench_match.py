"""Repost matching at scale: build and load a 1,000,000-person index, and match text beside a
plain scan of the same file.

    python -m benchmarks match [--quick]

Goals (issue 15): index of 1,000,000 people built in under a minute and loaded in under a
second, memory in proportion; matching at >= 50 MB/s per core once the text is extracted.

Matching text is measured on two kinds of text: what a watcher mostly reads (agency pages and
pastes with a few leaked lines among press releases, FAQs and weekly tables) and a repost that
is nothing but people (every line read closely). Beside each, the scanner's own reading of the
same text (the text detector, then the lookup: how `match` read text before) and a plain scan.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks import main_guard
from spillguard import scan
from spillguard.match.index import Index, build_index, fingerprint_key
from spillguard.match.text import people_in_text
from spillguard.people.identity import Person
from spillguard.people.records import PersonRecord, read_records
from testing import synth

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

        pastes = {
            "mostly other text": publications_with_leaked_lines(people, 5 if args.quick else 20),
            "every line a person": people_paste(people, 20_000 if args.quick else 100_000),
        }
        for label, text in pastes.items():
            measure(label, text, index, key, Path(folder))
    return 0


def leaked_line(person: Person) -> str:
    f = person.fields
    return f"{f['person_name'].title()} ({f['a_number']}), born {f['date_of_birth']}, held at Otero"


def people_paste(people: list[Person], lines: int) -> str:
    """One leaked person in ten among other people's lines."""
    others = invented(random.Random(16), lines, "A3")
    return "\n".join(leaked_line(people[i] if i % 10 == 0 else p) for i, p in enumerate(others)) + "\n"


def publications_with_leaked_lines(people: list[Person], megabytes: int) -> str:
    """Agency pages as a watcher reads them: weekly tables and tables by nationality (dates and
    counts), press releases naming officials with dates, now and then the A-number FAQ; and
    among them the lines of fifty leaked people."""
    rng = random.Random(17)
    factory = synth.PeopleFactory(17)
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        roll = rng.random()
        if roll < 0.3:
            block = "\n\n".join(synth.press_release(factory, rng)[0])
        elif roll < 0.32:
            block = "\n\n".join(synth.a_number_faq()[0])
        elif roll < 0.66:
            block = synth.rows_text(synth.weekly_rows(rng))
        else:
            block = synth.rows_text(synth.nationality_count_rows(rng, "plain"))
        parts.append(block)
        size += len(block) + 2
    for number, at in enumerate(sorted(rng.sample(range(len(parts)), 50))):
        parts[at] += "\n" + leaked_line(people[number])
    return "\n\n".join(parts) + "\n"


def measure(label: str, text: str, index: Index, key: bytes, folder: Path) -> None:
    path = folder / "paste.txt"
    path.write_text(text)
    mb = len(text.encode()) / 1e6
    started = time.perf_counter()
    found = {n for _, people in people_in_text(index, key, text) for n in people}
    rows = [("match's text reader", time.perf_counter() - started, " (goal >= 50)")]
    started = time.perf_counter()
    records = [r for r in read_records(str(path)) if isinstance(r, PersonRecord)]
    before = {n for r in records for n in index.people_in(key, r)}
    seconds = time.perf_counter() - started
    rows.append(("before: scanner's records, lookup", seconds, f" ({len(before):,} found)"))
    started = time.perf_counter()
    scan([str(path)], jobs=1)
    rows.append(("plain scan of the same file", time.perf_counter() - started, ""))
    print(f"text, {label}: {mb:.1f} MB, {text.count(chr(10)):,} lines, {len(found):,} leaked people found")
    for name, seconds, note in rows:
        print(f"  {name:<34} {seconds:6.2f} s  {mb / seconds:8.1f} MB/s{note}")


if __name__ == "__main__":
    raise SystemExit(main())
