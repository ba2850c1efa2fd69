"""Notices for 150 exposed people (and their attorneys): DOCX, then PDF converted from the same
documents by LibreOffice, timed end to end through the library call the command makes.

    python -m benchmarks notices [--quick]
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
import time
from pathlib import Path

from benchmarks import BenchUnavailable, main_guard


def main(argv: list[str] | None = None) -> int:
    return main_guard(_main, argv)


def _main(argv: list[str] | None) -> int:
    from spillguard.extract.legacy import converter

    parser = argparse.ArgumentParser(prog="python -m benchmarks notices", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="30 people")
    args = parser.parse_args(argv)
    if converter() is None:
        raise BenchUnavailable("LibreOffice is not installed (make setup installs it)")
    from spillguard.people.notices import Sender
    from spillguard.people.workflow import draft_notices, extract_people, join_cases
    from spillguard.respond.workflow import open_incident
    from spillguard.timefmt import parse_instant
    from testing import synth as td

    count = 30 if args.quick else 150
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        people = td.make_people(count, seed=150)
        leaked = work / "leak.xlsx"
        td.write_xlsx(leaked, [td.Sheet("Detained", td.roster_rows(people, td.RosterStyle()))])
        lines = ["A-Number,Attorney Name,Attorney Email,Language"]
        lines += [
            f"A{p.a_number},Counsel {i % 10},c{i % 10}@law.example,{'Spanish' if i % 2 else 'English'}"
            for i, p in enumerate(people)
        ]
        (work / "cases.csv").write_text("\n".join(lines) + "\n")
        store, key = str(work / "s.db"), work / "k.key"
        key.write_text(base64.b64encode(os.urandom(32)).decode())
        open_incident(
            leaked,
            ["https://x.example/f.xlsx"],
            parse_instant("2022-11-28T09:00:00Z", None),
            None,
            None,
            None,
            store,
        )
        extract_people(1, [leaked], str(key), store)
        join_cases(1, str(work / "cases.csv"), str(key), store)
        sender = Sender(
            "Agency", "1 Main St; City", "privacy@agency.example", "A. Officer", "Privacy Officer"
        )
        for pdf in (False, True):
            started = time.perf_counter()
            result = draft_notices(1, work / ("pdf" if pdf else "docx"), str(key), store, sender, pdf=pdf)
            seconds = time.perf_counter() - started
            total = result.people + result.attorneys
            what = "DOCX and PDF" if pdf else "DOCX only"
            rate = total / seconds
            print(f"{what:<13} {result.people}+{result.attorneys} notices: {seconds:.1f} s, {rate:.1f}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
