"""`make demo`: build a small agency website folder in which one routine statistics workbook
hides a detainee roster in a hidden sheet, scan it, and show the block.

Everything is generated here, from random syllables: no real person's data is involved.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
from pathlib import Path

SITE = Path("demo-site")
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "zen",
    "tu",
    "vo",
    "sha",
    "ne",
    "di",
    "bar",
    "quel",
    "ori",
    "ast",
    "ven",
    "ma",
    "lu",
]
FACILITIES = ("Northfield Processing Center", "Otero Bay County Jail", "Marlow Service Processing Center")
COUNTRIES = ("GUATEMALA", "HONDURAS", "CHINA, PEOPLES REPUBLIC OF", "HAITI", "VENEZUELA", "RUSSIA")


def invented_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).upper()


def build_site(root: Path, people: int = 250, seed: int = 7) -> None:
    try:
        from openpyxl import Workbook
    except ImportError:
        sys.exit("spillguard demo: needs openpyxl (run `make setup`)")
    rng = random.Random(seed)
    (root / "files").mkdir(parents=True, exist_ok=True)

    book = Workbook()
    stats = book.active
    assert stats is not None
    stats.title = "Detention Statistics"
    stats.append(["FY2023 Detention Statistics"])
    stats.append([])
    stats.append(["Facility", "Average Daily Population", "Book-ins"])
    for facility in FACILITIES:
        stats.append([facility, rng.randint(200, 1500), rng.randint(1000, 9000)])
    roster = book.create_sheet("Detained Population")
    roster.sheet_state = "hidden"  # the mistake in the story: nobody sees it when opening
    roster.append(["Name", "A-Number", "Date of Birth", "Nationality", "Facility", "Book-in Date"])
    for _ in range(people):
        roster.append(
            [
                f"{invented_word(rng)}, {invented_word(rng)}",
                f"A{rng.randint(200_000_000, 249_999_999)}",
                dt.date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice(COUNTRIES),
                rng.choice(FACILITIES),
                dt.date(2022, rng.randint(1, 11), rng.randint(1, 28)),
            ]
        )
    book.save(root / "files" / "fy23-detention-stats.xlsx")

    (root / "files" / "facility-counts.csv").write_text(
        "Facility,State,Population\n" + "".join(f"{f},NM,{rng.randint(100, 900)}\n" for f in FACILITIES)
    )
    (root / "files" / "nationality-counts.csv").write_text(
        "Nationality,Book-ins\n" + "".join(f'"{c}",{rng.randint(50, 5000)}\n' for c in COUNTRIES)
    )
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
