"""10,000 small mixed documents in one directory: files per second with --jobs 1 and 2.

    python -m benchmarks many_files [--quick] [--files N]

Mostly routine files (counts, statistics, press text), one in ten carrying a few people.
Formats: csv, txt, html, json, xlsx, docx. The xlsx and docx files are minimal but valid
OOXML packages written directly with zipfile, so 10,000 of them take seconds to build.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks import (
    goal,
    main_guard,
    out_dir,
    print_table,
    require_scanner,
    require_testdata,
    spillguard_cli,
)

DEFAULT_FILES = 10_000
QUICK_FILES = 500
PEOPLE_SHARE = 0.10
FORMATS = ("csv", "txt", "html", "json", "xlsx", "docx")
FORMAT_WEIGHTS = (30, 25, 15, 10, 10, 10)

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _package(path: Path, parts: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)


def _root_rels(target: str) -> str:
    return (f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
            f'Type="{DOC_REL}/officeDocument" Target="{target}"/></Relationships>')  # fmt: skip


def write_min_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> None:
    """One sheet of inline strings and numbers: the smallest workbook Excel opens."""
    from spillguard.extract.base import column_letter

    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    _package(path, {
        "[Content_Types].xml": (
            f'<Types xmlns="{CT_NS}"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT_XLSX}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{CT_XLSX}.worksheet+xml"/></Types>'),
        "_rels/.rels": _root_rels("xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SHEET_NS}" xmlns:r="{DOC_REL}"><sheets>'
            f'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
            f'Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{SHEET_NS}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'),
    })  # fmt: skip


def write_min_docx(path: Path, paragraphs: Sequence[str]) -> None:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
                   for p in paragraphs)  # fmt: skip
    _package(path, {
        "[Content_Types].xml": (
            f'<Types xmlns="{CT_NS}"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{CT_DOCX}"/></Types>'),
        "_rels/.rels": _root_rels("word/document.xml"),
        "word/document.xml": f'<w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>',
    })  # fmt: skip


def routine_text(rng: random.Random, officials: Sequence[str]) -> list[str]:
    return [
        f"Secretary {rng.choice(officials)} announced weekly detention statistics today.",
        f"The agency held an average of {rng.randrange(20000, 32000):,} people this week, "
        f"with {rng.randrange(1000, 6000):,} book-ins and {rng.randrange(500, 4000):,} removals.",
        "Statistics are updated every Friday and are available on the agency website.",
    ]


def write_mixed_files(directory: Path, n: int, seed: int = 3) -> tuple[dict[str, int], int]:
    """Write `n` files; return counts by format and how many carry people."""
    from testing import synth as td

    rng = random.Random(seed)
    factory = td.PeopleFactory(seed)
    pool = factory.people(2000)
    officials = [td.official_name(factory) for _ in range(100)]
    counts = dict.fromkeys(FORMATS, 0)
    with_people = 0
    for i in range(n):
        ext = rng.choices(FORMATS, weights=FORMAT_WEIGHTS)[0]
        counts[ext] += 1
        people = rng.sample(pool, rng.randint(2, 15)) if rng.random() < PEOPLE_SHARE else []
        with_people += bool(people)
        path = directory / f"f{i:05d}.{ext}"
        if people:
            style = td.random_style(rng, native_dates=False)
            rows: list[list[td.CellValue]] = td.roster_rows(people, style)
            passages = td.prose_passages(people, rng)[0]
        else:
            rows = td.facility_count_rows(rng.sample(factory.facilities, 6), i)
            passages = routine_text(rng, officials)
        if ext == "csv":
            td.write_delimited(path, rows)
        elif ext == "txt":
            path.write_text("\n\n".join(passages) + "\n", encoding="utf-8")
        elif ext == "html":
            body = (td.html_table(rows) if rng.random() < 0.5
                    else "".join(f"<p>{html.escape(p)}</p>" for p in passages))  # fmt: skip
            td.write_html(path, "Weekly statistics", visible=body)
        elif ext == "json":
            path.write_text(json.dumps(td.records_json(rows)), encoding="utf-8")
        elif ext == "xlsx":
            write_min_xlsx(path, [[v if isinstance(v, int) else td.cell_text(v) for v in r]
                                  for r in rows])  # fmt: skip
        else:
            write_min_docx(path, passages)
    return counts, with_people


def scan_dir(directory: Path, jobs: int, report_path: Path) -> tuple[float, dict[str, object]]:
    cmd = [str(spillguard_cli()), "scan", str(directory), "--format", "json", "--jobs", str(jobs)]
    started = time.perf_counter()
    with report_path.open("w") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"spillguard exited {proc.returncode}: {proc.stderr[-400:]}")
    return seconds, json.loads(report_path.read_text())


def run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks many_files", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES:,} files")
    parser.add_argument("--files", type=int, default=None, help=f"default {DEFAULT_FILES:,}")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    require_scanner()
    require_testdata()
    n = args.files or (QUICK_FILES if args.quick else DEFAULT_FILES)
    base = out_dir("many_files", args.out)
    directory = base / f"docs-{n}"
    if directory.exists():
        for old in directory.iterdir():
            old.unlink()
    directory.mkdir(exist_ok=True)
    started = time.perf_counter()
    counts, with_people = write_mixed_files(directory, n)
    print(f"wrote {n:,} files in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items())
          + f"; {with_people:,} carry people")  # fmt: skip
    rows = []
    for jobs in (1, 2):
        seconds, report = scan_dir(directory, jobs, base / f"report-jobs{jobs}.json")
        files = [f for f in report["files"] if isinstance(f, dict)]  # type: ignore[union-attr]
        blocked = sum(f["verdict"] == "block" for f in files)
        rows.append([f"--jobs {jobs}", seconds, round(n / seconds), len(files), blocked,
                     with_people, goal(blocked == with_people)])  # fmt: skip
    print_table(
        "Many small files through `spillguard scan DIR` (one run each)",
        ["jobs", "seconds", "files/s", "reported", "blocked", "with people", "blocked = people"],
        rows,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return main_guard(run, argv)


if __name__ == "__main__":
    sys.exit(main())
