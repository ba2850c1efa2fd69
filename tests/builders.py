"""Small document builders shared by the scanner tests: invented people and the files that
carry them (rosters, routine publications). Every value here is made up at test time."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

# Romanized name parts the way agency rosters write them; combined at random, so nobody real.
FAMILIES = {
    "spanish": ["GARCIA LOPEZ", "HERNANDEZ CRUZ", "RAMIREZ DE LA ROSA", "MARTINEZ VASQUEZ", "PEREZ DIAZ"],
    "russian": ["IVANOV", "SMIRNOVA", "KUZNETSOV", "POPOVA", "VOLKOV"],
    "persian": ["HOSSEINI", "RAHIMI", "MOHAMMADI", "KARIMI", "TEHRANI"],
    "chinese": ["WANG", "ZHANG", "LIU", "CHEN", "HUANG"],
    "haitian": ["JEAN-BAPTISTE", "PIERRE-LOUIS", "SAINT-FLEUR", "DORVIL", "JOSEPH"],
    "indian": ["PATEL", "VENKATARAMAN", "SHARMA", "REDDY", "CHATTERJEE"],
}
GIVENS = {
    "spanish": ["MARIA JOSE", "JUAN CARLOS", "ANA LUCIA", "JOSE LUIS", "ROSA ELENA"],
    "russian": ["DMITRI", "OLGA", "SERGEI", "TATIANA", "ALEKSANDR"],
    "persian": ["FARSHID", "MARYAM", "REZA", "SHIRIN", "MEHDI"],
    "chinese": ["XIAOMING", "LI NA", "WEI", "JIANGUO", "MEILING"],
    "haitian": ["WILNER", "MARIE-ANGE", "JEAN ROBERT", "NADEGE", "FRANTZ"],
    "indian": ["PRIYANKA", "SURESH", "ANANYA", "RAJESH", "DEEPIKA"],
}
COUNTRIES = {
    "spanish": "GUATEMALA",
    "russian": "RUSSIA",
    "persian": "IRAN",
    "chinese": "CHINA, PEOPLES REPUBLIC OF",
    "haitian": "HAITI",
    "indian": "INDIA",
}
FACILITIES = [
    "Otero County Processing Center",
    "Krome North Service Processing Center",
    "Adelanto ICE Processing Center",
    "Stewart Detention Center",
]
ONSETS = ["k", "v", "t", "l", "m", "r", "z", "n", "d", "sh", "b", "g"]
VOWELS = ["a", "e", "i", "o", "u"]
CODAS = ["", "", "n", "r", "z", "l"]
ROSTER_HEADER = ["A-Number", "Name", "Date of Birth", "Nationality", "Detention Facility", "Book-in Date"]


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    a_number: str  # 9 digits
    born: dt.date
    country: str
    facility: str

    @property
    def roster_name(self) -> str:
        return f"{self.family}, {self.given}"


def invented_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))


def invented_name(rng: random.Random) -> tuple[str, str]:
    """(family, given) from random syllables: no name table has seen them."""
    return invented_word(rng, rng.randint(3, 4)).upper(), invented_word(rng, rng.randint(2, 3)).upper()


def a_number(rng: random.Random) -> str:
    while True:
        value = str(rng.randint(200_000_000, 249_999_999))
        if len(set(value)) > 3:
            return value


def make_people(n: int, seed: int, invented: bool = False) -> list[Person]:
    rng = random.Random(seed)
    people: list[Person] = []
    used: set[str] = set()
    origins = sorted(FAMILIES)
    while len(people) < n:
        origin = origins[len(people) % len(origins)]
        if invented:
            family, given = invented_name(rng)
        else:
            family, given = rng.choice(FAMILIES[origin]), rng.choice(GIVENS[origin])
        number = a_number(rng)
        if number in used:
            continue
        used.add(number)
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
        people.append(Person(family, given, number, born, COUNTRIES[origin], rng.choice(FACILITIES)))
    return people


def with_repeats(people: Sequence[Person], extra: int, seed: int) -> list[Person]:
    """The people plus `extra` repeated rows (the same person booked twice)."""
    rng = random.Random(seed)
    rows = list(people) + [rng.choice(people) for _ in range(extra)]
    rng.shuffle(rows)
    return rows


def roster_rows(people: Sequence[Person], spelling: str = "A{}") -> list[list[str]]:
    rows = [list(ROSTER_HEADER)]
    for p in people:
        rows.append(
            [
                spelling.format(p.a_number),
                p.roster_name,
                p.born.strftime("%m/%d/%Y"),
                p.country,
                p.facility,
                "03/14/2022",
            ]
        )
    return rows


def write_xlsx(
    path: Path, sheets: dict[str, Sequence[Sequence[object]]], states: dict[str, str] | None = None
) -> Path:
    """A workbook with one sheet per entry; `states` sets sheet_state (hidden, veryHidden)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        if states and title in states:
            ws.sheet_state = states[title]
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.create_sheet("Cover").append(["Fiscal year 2022 summary"])
    wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)
    return path


def write_rows(path: Path, rows: Sequence[Sequence[object]], sep: str = ",", encoding: str = "utf-8") -> Path:
    def quote(value: object) -> str:
        text = str(value)
        return f'"{text}"' if sep in text or '"' in text else text

    text = "\r\n".join(sep.join(quote(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    return (
        "\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in rows) + "\n"
    ).encode()


# --- routine publications: must pass ---------------------------------------------------------


def facility_counts() -> list[list[object]]:
    rows: list[list[object]] = [["Facility Name", "City", "State", "ADP", "Total Book-ins"]]
    for i, name in enumerate(FACILITIES):
        rows.append([name, "Sierra Blanca", "TX", 812 + 37 * i, 12_345 + 1_001 * i])
    return rows


def nationality_counts() -> list[list[object]]:
    rows: list[list[object]] = [["Country of Citizenship", "Book-ins", "Releases", "Removals"]]
    for i, country in enumerate([*COUNTRIES.values(), "MEXICO", "HONDURAS", "EL SALVADOR"]):
        rows.append([country, 20_000 - 1_234 * i, 8_000 - 321 * i, 5_000 - 111 * i])
    return rows


def contract_rows() -> list[list[object]]:
    rows: list[list[object]] = [
        ["Contract Number", "Award ID", "Vendor", "DUNS", "Facility", "Obligated Amount", "FY"]
    ]
    vendors = ["Sierra Holdings LLC", "Northgate Services Inc", "Blue Mesa Corrections Corp"]
    for i, vendor in enumerate(vendors):
        rows.append(
            [
                f"70CDCR2{i}D00000{i + 1}",
                str(212_345_622 + 7_919 * i),
                vendor,
                str(614_872_391 + 13 * i),
                FACILITIES[i],
                f"${12_345_678 + 1_000 * i:,}.00",
                "2022",
            ]
        )
    return rows


def weekly_statistics() -> dict[str, list[list[object]]]:
    weeks = [["Week Ending", "Book-ins", "Book-outs", "ADP", "ALOS"]]
    for i in range(12):
        day = dt.date(2022, 10, 1) + dt.timedelta(days=7 * i)
        weeks.append([day.strftime("%m/%d/%Y"), 5_000 + 13 * i, 4_800 + 11 * i, 25_000 + 97 * i, 38.2])
    return {"Weekly": weeks, "By Facility": facility_counts(), "By Nationality": nationality_counts()}


def office_directory() -> list[list[object]]:
    return [
        ["Field Office", "Address", "Phone", "Email"],
        ["Atlanta Field Office", "180 Ted Turner Drive SW", "(404) 893-1210", "atlanta.outreach@example.gov"],
        ["Boston Field Office", "1000 District Avenue", "(781) 359-7500", "boston.outreach@example.gov"],
        [
            "Chicago Field Office",
            "101 West Congress Parkway",
            "(312) 347-2400",
            "chicago.outreach@example.gov",
        ],
    ]


PRESS_RELEASE = (
    "FOR IMMEDIATE RELEASE\n\n"
    "WASHINGTON - Secretary Jane Whitfield said on Monday that the department will expand legal "
    'orientation programs at 12 detention facilities. "Everyone deserves to understand their '
    'rights," said Secretary Whitfield.\n\n'
    "Acting Director Marcus Oyelaran added that the Otero County Processing Center and the Stewart "
    "Detention Center will start in January. Deputy Director Elena Brightwater will lead the effort.\n\n"
    "Media contact: Office of Public Affairs, (202) 732-4242, press@example.gov\n"
)

A_NUMBER_FAQ = (
    "Frequently Asked Questions\n\n"
    "What is an A-number? An Alien Registration Number is a 7, 8 or 9 digit number that the "
    "department assigns. It looks like this: A-123-456-789 or A123456789.\n\n"
    "Where do I find it? On your notice, after the letters A# (for example A# 000 000 000).\n"
)


# --- hidden layers -----------------------------------------------------------------------------

PIVOT_DEFINITION = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"
 refreshOnLoad="1" recordCount="{count}">
<cacheSource type="worksheet"><worksheetSource ref="A1:C{last}" sheet="Detainees"/></cacheSource>
<cacheFields count="3">
<cacheField name="A-Number" numFmtId="0"><sharedItems/></cacheField>
<cacheField name="Name" numFmtId="0"><sharedItems/></cacheField>
<cacheField name="Facility" numFmtId="0"><sharedItems count="{n_fac}">{facilities}</sharedItems></cacheField>
</cacheFields></pivotCacheDefinition>"""
PIVOT_RECORDS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheRecords xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}">
{records}</pivotCacheRecords>"""
PIVOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/>
</Relationships>""".replace(
    "{RELATIONSHIPS}", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)


def pivot_cache_parts(people: Sequence[Person]) -> dict[str, bytes]:
    """The parts a pivot table leaves in a workbook: its cache keeps every source row even after
    the source sheet ('Detainees') is deleted."""
    from xml.sax.saxutils import escape, quoteattr

    facilities = sorted({p.facility for p in people})
    records = "".join(
        f'<r><s v="A{p.a_number}"/><s v={quoteattr(p.roster_name)}/>'
        f'<x v="{facilities.index(p.facility)}"/></r>\n'
        for p in people
    )
    items = "".join(f"<s v={quoteattr(escape(f))}/>" for f in facilities)
    return {
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_DEFINITION.format(
            count=len(people), last=len(people) + 1, n_fac=len(facilities), facilities=items
        ).encode(),
        "xl/pivotCache/pivotCacheRecords1.xml": PIVOT_RECORDS.format(
            count=len(people), records=records
        ).encode(),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": PIVOT_RELS.encode(),
    }


def add_zip_parts(path: Path, parts: dict[str, bytes], replace: bool = False) -> Path:
    """Add (or with `replace`, overwrite) parts of an OOXML package."""
    with zipfile.ZipFile(path) as zf:
        existing = {name: zf.read(name) for name in zf.namelist()}
    if replace:
        existing.update(parts)
    else:
        existing = {**existing, **parts}
    path.write_bytes(zip_bytes(existing))
    return path


def roster_lines(people: Sequence[Person]) -> list[str]:
    return [f"{p.roster_name} A{p.a_number} DOB {p.born:%m/%d/%Y} {p.country}" for p in people]


def write_docx_layers(path: Path, comment: str, deleted: str, hidden: str) -> Path:
    """A Word file whose visible text is harmless; people sit in a comment, a tracked deletion
    and a run formatted hidden."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    first = document.add_paragraph("Quarterly report on legal orientation programs.")
    document.add_comment(first.runs, text=comment, author="Reviewer", initials="R")
    paragraph = document.add_paragraph("Program participation grew in every region. ")
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="91" w:author="Editor" w:date="2022-11-28T00:00:00Z">'
            f'<w:r><w:delText xml:space="preserve">{deleted}</w:delText></w:r></w:del>'
        )
    )
    run = document.add_paragraph("See the annex. ").add_run(hidden)
    run.font.hidden = True
    document.save(path)
    return path


def write_pptx_layers(path: Path, notes: str, hidden_slide: str) -> Path:
    import pptx

    deck = pptx.Presentation()
    layout = deck.slide_layouts[1]
    first = deck.slides.add_slide(layout)
    first.shapes.title.text = "Detention statistics"
    first.placeholders[1].text = "Average daily population rose 4 percent."
    first.notes_slide.notes_text_frame.text = notes
    second = deck.slides.add_slide(layout)
    second.shapes.title.text = "Backup"
    second.placeholders[1].text = hidden_slide
    second._element.set("show", "0")
    deck.save(path)
    return path


def write_pdf_under_box(path: Path, visible: str, covered: str) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 720, visible)
    pdf.drawString(72, 690, covered)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.rect(66, 684, 470, 20, fill=1, stroke=0)
    pdf.showPage()
    pdf.save()
    return path


def write_pdf_text(path: Path, lines: Sequence[str], encrypt: str | None = None) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, encrypt=encrypt)
    pdf.setFont("Helvetica", 10)
    y = 740
    for line in lines:
        pdf.drawString(50, y, line)
        y -= 14
        if y < 60:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = 740
    pdf.showPage()
    pdf.save()
    return path


def write_ods(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Roster")
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def laughs_workbook(path: Path) -> Path:
    """A workbook whose shared strings carry a DOCTYPE with entities (billion laughs, cut short)."""
    write_xlsx(path, {"R": [["a", "b"], ["1", "2"]]})
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&lol2;</t></si></sst>"
    )
    add_zip_parts(path, {"xl/sharedStrings.xml": entity}, replace=True)
    return path
