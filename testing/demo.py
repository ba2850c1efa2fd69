"""`make demo`: build a small agency website folder in which one routine statistics workbook
hides a detainee roster in a hidden sheet, scan it, and show the block.

The people are invented by `testing.synth` (random combinations of common name parts, random
A-numbers and birth dates): no real person's data is involved.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from testing.synth import (
    facility_counts,
    nationality_counts,
    roster_people,
    simple_roster_rows,
    write_rows,
    write_workbook,
)

SITE = Path("demo-site")
PEOPLE = 250


def build_site(root: Path, people: int = PEOPLE, seed: int = 7) -> None:
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    statistics = facility_counts()
    roster = simple_roster_rows(roster_people(people, seed=seed))
    write_workbook(
        files / "fy23-detention-stats.xlsx",
        {"Detention Statistics": statistics, "Detained Population": roster},
        # The mistake in the story: nobody sees the roster when they open the workbook.
        {"Detained Population": "hidden"},
    )
    write_rows(files / "facility-counts.csv", statistics)
    write_rows(files / "nationality-counts.csv", nationality_counts())
    (root / "index.html").write_text(
        "<html><head><title>Detention statistics</title></head><body>"
        "<h1>Detention statistics</h1><p>Weekly figures are published every Friday.</p>"
        "<p>Press office: (202) 732-4242</p>"
        '<a href="files/fy23-detention-stats.xlsx">FY2023 statistics</a></body></html>'
    )
    (root / "faq.md").write_text(
        "# FAQ\n\nWhat does an A-number look like? An A followed by eight or nine digits, "
        "for example A-123-456-789.\n"
    )


def main() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    build_site(SITE)
    print(f"Built an example website in ./{SITE}: a statistics workbook with a hidden roster sheet,")
    print("among routine files. Scanning it the way a publishing pipeline would:\n")
    print(f"$ spillguard scan {SITE}\n", flush=True)
    exe = Path(sys.executable).with_name("spillguard")
    code = os.spawnv(os.P_WAIT, str(exe), [str(exe), "scan", str(SITE)])
    print(f"\nexit status {code}: ", end="")
    print("the workbook is blocked; nothing else is." if code == 1 else "unexpected: see above.")
    sys.exit(0 if code == 1 else 1)


if __name__ == "__main__":
    main()
