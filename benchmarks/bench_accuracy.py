"""Accuracy on the labelled corpus (`testing.synth.build_corpus`), beside Presidio.

    python -m benchmarks accuracy [--quick] [--scale N] [--seed N] [--no-presidio]

spillguard scans the corpus files themselves, every format and hidden layer. Presidio has no
document readers, so it is given each file's ground-truth text from the generator (what a
reader of every layer would see, one table row or passage per line): that is the most
favourable input it could get. Goals: person records found >= 99.5%; clean files blocked 0.

Per-kind counts are compared as counts, not positions: for each file and kind,
true positives = min(found, expected); false positives = found beyond expected plus the
label's `benign` allowance (an official's name, a sample A-number); misses = expected not found.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import (
    goal,
    main_guard,
    out_dir,
    presidio_analyze_lines,
    presidio_analyzer,
    print_table,
    require_scanner,
    require_testdata,
)

RECORDS_GOAL = 0.995
# Presidio entity -> our kind. Presidio has no recognizer for A-numbers or USCIS receipts.
PRESIDIO_KINDS: dict[str, str] = {
    "PERSON": "person_name",
    "DATE_TIME": "date_of_birth",
    "NRP": "nationality",
    "ORGANIZATION": "detention_facility",
    "LOCATION": "street_address",
    "US_SSN": "ssn",
    "US_PASSPORT": "passport_number",
    "PHONE_NUMBER": "phone_number",
    "EMAIL_ADDRESS": "email_address",
}
PRESIDIO_FLAG_SCORE = 0.5  # a file is "flagged" by Presidio when it sees a PERSON this sure


@dataclass
class Outcome:
    """One tool's result for one corpus file."""

    blocked: bool = False
    records: int = 0
    individuals: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class KindScore:
    expected: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: int, found: int, benign: int) -> None:
        self.expected += expected
        self.tp += min(found, expected)
        self.fp += max(0, found - expected - benign)
        self.fn += max(0, expected - found)

    def precision(self) -> str:
        return f"{self.tp / (self.tp + self.fp):.3f}" if self.tp + self.fp else "-"

    def recall(self) -> str:
        return f"{self.tp / self.expected:.3f}" if self.expected else "-"


def spillguard_outcomes(root: Path, labels: Sequence[Any], jobs: int) -> tuple[dict[str, Outcome], float]:
    """Scan the corpus; fold archive members (`OUTER!inner`) into their top-level file."""
    import spillguard

    started = time.perf_counter()
    report = spillguard.scan([str(root / "files")], jobs=jobs)
    seconds = time.perf_counter() - started
    outcomes = {label.path: Outcome() for label in labels}
    for entry in report.files:
        top = Path(entry.path.split("!", 1)[0]).resolve()
        try:
            key = top.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        outcome = outcomes.setdefault(key, Outcome())
        outcome.blocked |= entry.verdict == "block"
        outcome.records += entry.records
        outcome.individuals += entry.individuals
        for kind, n in entry.counts.items():
            outcome.counts[kind] += n
    return outcomes, seconds


def presidio_outcomes(root: Path, labels: Sequence[Any], every: int) -> tuple[dict[str, Outcome], float, int]:
    """Run Presidio over the ground-truth text of every `every`-th file, one line at a time."""
    analyzer = presidio_analyzer()
    chosen = list(labels)[::every]
    lines: list[str] = []
    owner: list[str] = []
    for label in chosen:
        for line in (root / label.truth).read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line)
                owner.append(label.path)
    started = time.perf_counter()
    results = presidio_analyze_lines(analyzer, lines)
    seconds = time.perf_counter() - started
    outcomes = {label.path: Outcome() for label in chosen}
    for path, found in zip(owner, results, strict=True):
        outcome = outcomes[path]
        person = any(r.entity_type == "PERSON" and r.score >= PRESIDIO_FLAG_SCORE for r in found)
        outcome.blocked |= person
        outcome.records += person
        for result in found:
            kind = PRESIDIO_KINDS.get(result.entity_type)
            if kind:
                outcome.counts[kind] += 1
    return outcomes, seconds, len(lines)


def score_kinds(labels: Sequence[Any], outcomes: Mapping[str, Outcome]) -> dict[str, KindScore]:
    from testing.synth import KINDS

    scores = {kind: KindScore() for kind in KINDS}
    for label in labels:
        outcome = outcomes.get(label.path)
        if outcome is None:
            continue
        for kind in KINDS:
            scores[kind].add(label.kinds.get(kind, 0), outcome.counts.get(kind, 0),
                             label.benign.get(kind, 0))  # fmt: skip
    return scores


def summary_row(
    name: str, labels: Sequence[Any], outcomes: Mapping[str, Outcome], counts_people: bool = True
) -> list[object]:
    scored = [lb for lb in labels if lb.path in outcomes]
    leaks = [lb for lb in scored if lb.expect_block]
    clean = [lb for lb in scored if not lb.expect_block]
    wanted = sum(lb.person_records for lb in leaks)
    found = sum(min(outcomes[lb.path].records, lb.person_records) for lb in leaks)
    blocked = sum(outcomes[lb.path].blocked for lb in leaks)
    false_alarms = sum(outcomes[lb.path].blocked for lb in clean)
    share = found / wanted if wanted else 1.0
    exact = sum(outcomes[lb.path].individuals == lb.individuals for lb in leaks)
    exact_text = f"{exact}/{len(leaks)}" if counts_people else "-"
    return [name, len(scored), f"{blocked}/{len(leaks)}", f"{found:,}/{wanted:,}",
            f"{share:.2%}", f"{false_alarms}/{len(clean)}", exact_text]  # fmt: skip


def layer_rows(
    labels: Sequence[Any], mine: Mapping[str, Outcome], theirs: Mapping[str, Outcome]
) -> list[list[object]]:
    by_layer: dict[str, list[Any]] = defaultdict(list)
    for label in labels:
        by_layer[label.layer].append(label)
    rows: list[list[object]] = []
    for layer, group in sorted(by_layer.items()):
        wanted = sum(lb.person_records for lb in group)
        found = sum(min(mine[lb.path].records, lb.person_records) for lb in group)
        sampled = [lb for lb in group if lb.path in theirs]
        rows.append([
            layer, len(group), sum(lb.expect_block for lb in group),
            sum(mine[lb.path].blocked for lb in group),
            f"{found / wanted:.1%}" if wanted else "-",
            f"{sum(theirs[lb.path].blocked for lb in sampled)}/{len(sampled)}" if sampled else "-",
        ])  # fmt: skip
    return rows


def misses(labels: Sequence[Any], outcomes: Mapping[str, Outcome], limit: int = 15) -> None:
    missed = [lb for lb in labels if lb.expect_block and not outcomes[lb.path].blocked]
    alarms = [lb for lb in labels if not lb.expect_block and outcomes[lb.path].blocked]
    short = [lb for lb in labels if lb.expect_block and outcomes[lb.path].records < lb.person_records]
    for title, group, note in (
        ("leaks not blocked", missed, lambda lb: lb.layer),
        ("clean files blocked", alarms, lambda lb: lb.content),
        ("leaks with records missed", short,
         lambda lb: f"{outcomes[lb.path].records}/{lb.person_records} ({lb.layer})"),
    ):  # fmt: skip
        if group:
            print(f"\nspillguard {title} ({len(group)}):")
            for lb in group[:limit]:
                print(f"  {lb.path}  {note(lb)}")
            if len(group) > limit:
                print(f"  ... {len(group) - limit} more")


def kind_details(labels: Sequence[Any], outcomes: Mapping[str, Outcome]) -> None:
    """Every file where a kind was under- or over-counted: where to look when recall drops."""
    print("\nper-file kind differences (expected -> found; benign allowance in brackets):")
    for label in labels:
        counts = outcomes[label.path].counts
        diffs = [
            f"{kind} {label.kinds.get(kind, 0)}->{counts.get(kind, 0)}"
            + (f" [{label.benign[kind]}]" if label.benign.get(kind) else "")
            for kind in sorted(set(label.kinds) | set(counts))
            if counts.get(kind, 0) < label.kinds.get(kind, 0)
            or counts.get(kind, 0) > label.kinds.get(kind, 0) + label.benign.get(kind, 0)
        ]
        if diffs:
            print(f"  {label.path} ({label.layer}): " + ", ".join(diffs))


def run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks accuracy", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Presidio on every 3rd file")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--details", action="store_true", help="per-file kind differences")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    require_scanner()
    require_testdata()
    from testing.synth import build_corpus

    root = out_dir(f"accuracy-s{args.seed}x{args.scale}", args.out)
    started = time.perf_counter()
    labels = build_corpus(root, seed=args.seed, scale=args.scale)
    print(f"corpus: {root} ({len(labels)} files, {sum(lb.expect_block for lb in labels)} must "
          f"block) built in {time.perf_counter() - started:.1f} s")  # fmt: skip
    mine, seconds = spillguard_outcomes(root, labels, args.jobs)
    print(f"spillguard scanned the files in {seconds:.1f} s (jobs={args.jobs})")
    theirs: dict[str, Outcome] = {}
    if not args.no_presidio:
        every = 3 if args.quick else 1
        theirs, p_seconds, n_lines = presidio_outcomes(root, labels, every)
        sampled = "every file" if every == 1 else f"every {every}rd file"
        print(f"presidio analysed {n_lines:,} lines of ground-truth text ({sampled}) "
              f"in {p_seconds:.1f} s; a file counts as flagged when it holds a PERSON "
              f"scored >= {PRESIDIO_FLAG_SCORE}")  # fmt: skip

    rows = [summary_row("spillguard (files)", labels, mine)]
    if theirs:
        rows.append(summary_row("presidio (truth text)", labels, theirs, counts_people=False))
    print_table(
        "Files and person records",
        [
            "tool",
            "files",
            "leaks blocked",
            "person records found",
            "share",
            "clean blocked",
            "individuals exact",
        ],
        rows,
    )
    leaks = [lb for lb in labels if lb.expect_block]
    wanted = sum(lb.person_records for lb in leaks)
    found = sum(min(mine[lb.path].records, lb.person_records) for lb in leaks)
    clean_blocked = sum(mine[lb.path].blocked for lb in labels if not lb.expect_block)
    print(f"goals: person records >= {RECORDS_GOAL:.1%}: {goal(found >= RECORDS_GOAL * wanted)}; "
          f"clean files blocked = 0: {goal(clean_blocked == 0)}")  # fmt: skip

    ours, others = score_kinds(labels, mine), score_kinds(labels, theirs) if theirs else {}
    kind_rows = []
    for kind, score in ours.items():
        other = others.get(kind)
        kind_rows.append([kind, score.expected, score.precision(), score.recall(), score.fp,
                          other.precision() if other else "", other.recall() if other else "",
                          other.fp if other else ""])  # fmt: skip
    print_table(
        "Per kind (counts; presidio on sampled files only)",
        ["kind", "expected", "sg prec", "sg recall", "sg fp", "pr prec", "pr recall", "pr fp"],
        kind_rows,
    )
    print("presidio kinds: " + ", ".join(f"{k}->{v}" for k, v in PRESIDIO_KINDS.items())
          + "; no recognizer for a_number or immigration_case_number")  # fmt: skip
    print_table(
        "By layer",
        ["layer", "files", "must block", "sg blocked", "sg records", "presidio flagged"],
        layer_rows(labels, mine, theirs),
    )
    misses(labels, mine)
    if args.details:
        kind_details(labels, mine)
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_guard(run, argv)


if __name__ == "__main__":
    sys.exit(main())
