"""Text in pictures: OCR pages per second on a scanned roster, and what OCR adds to a scan of
the routine statistics files (it should add nothing: they have a text layer and no pictures).

    python -m benchmarks ocr [--quick] [--pages N] [--rows N]

1. An image-only PDF of N Letter pages at 200 dpi, each a printed roster of `--rows` invented
   people, scanned in this process with OCR threads as configured and with one thread.
2. A folder of routine statistics (facility counts as csv, xlsx, docx and a text PDF) scanned
   with OCR available and with it made unavailable; the difference is OCR's cost there.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import (
    BenchUnavailable,
    goal,
    main_guard,
    median_seconds,
    out_dir,
    print_table,
    require_testdata,
)
from spillguard.model import Report

DEFAULT_PAGES, QUICK_PAGES = 10, 3
DEFAULT_ROWS = 25
DPI = 200
STATS_FILES = 40  # routine files in the statistics folder (a quarter of each format)
RUNS = 3
OVERHEAD_GOAL = 0.05  # OCR may add at most 5% to scanning files that have no pictures


def main(argv: list[str] | None = None) -> int:
    return main_guard(_main, argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ocr", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pages", type=int)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args(argv)
    require_testdata()
    from spillguard import ocr

    reason = ocr.unavailable_reason()
    if reason is not None:
        raise BenchUnavailable(reason)
    pages = args.pages or (QUICK_PAGES if args.quick else DEFAULT_PAGES)
    folder = out_dir("ocr")
    scanned = write_scanned_roster(folder / "scanned-roster.pdf", pages, args.rows)
    rates = []
    for label, threads in (("parallel", ocr.MAX_THREADS), ("1 thread", 1)):
        with ocr_threads(threads):
            seconds, report = timed_scan([str(scanned)])
        found = report.files[0]
        rates.append([label, pages, round(seconds, 2), round(pages / seconds, 2), found.individuals])
    print_table(
        f"image-only PDF, {pages} pages at {DPI} dpi, {args.rows} people a page",
        ["OCR threads", "pages", "seconds", "pages/s", "people found"],
        rates,
    )
    stats = write_statistics(folder / "statistics", STATS_FILES)
    with_ocr, _ = median_seconds(lambda: timed_scan([str(stats)]), RUNS)
    with ocr_unavailable():
        without_ocr, _ = median_seconds(lambda: timed_scan([str(stats)]), RUNS)
    overhead = (with_ocr - without_ocr) / without_ocr if without_ocr else 0.0
    print_table(
        f"routine statistics folder ({STATS_FILES} files: csv, xlsx, docx, pdf), median of {RUNS}",
        ["OCR", "seconds", "overhead", f"goal <= {OVERHEAD_GOAL:.0%}"],
        [
            ["available", round(with_ocr, 3), f"{overhead:+.1%}", goal(overhead <= OVERHEAD_GOAL)],
            ["unavailable", round(without_ocr, 3), "", ""],
        ],
    )
    return 0


def timed_scan(paths: list[str]) -> tuple[float, Report]:
    import spillguard

    started = time.perf_counter()
    report = spillguard.scan(paths, jobs=0)  # in this process: no worker start-up in the number
    return time.perf_counter() - started, report


@contextmanager
def ocr_threads(threads: int) -> Iterator[None]:
    from spillguard import ocr

    saved = ocr.MAX_THREADS
    ocr.MAX_THREADS = threads
    try:
        yield
    finally:
        ocr.MAX_THREADS = saved


@contextmanager
def ocr_unavailable() -> Iterator[None]:
    from spillguard import ocr

    saved: Callable[[], tuple[str, str | None]] = ocr._probe
    ocr._probe = lambda: ("", "OCR made unavailable by the benchmark")  # type: ignore[assignment]
    try:
        yield
    finally:
        ocr._probe = saved  # type: ignore[assignment]


def write_scanned_roster(path: Path, pages: int, rows: int) -> Path:
    """Letter pages at DPI with a roster printed in 11 pt type, saved as pictures only."""
    from PIL import Image, ImageDraw, ImageFont

    from testing import synth

    font = ImageFont.truetype(_font(), int(11 * DPI / 72))
    width, height = int(8.5 * DPI), int(11 * DPI)
    columns = [0.0, 1.15, 3.3, 4.45, 5.6]  # inches from the left margin
    sheets = []
    for number in range(pages):
        people = synth.make_people(rows, seed=number)
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        y = DPI
        draw.text((DPI // 2, y), "A-Number", font=font, fill=0)
        for x, title in zip(columns[1:], ["Name", "Date of Birth", "Nationality", "Facility"], strict=True):
            draw.text((DPI // 2 + int(x * DPI), y), title, font=font, fill=0)
        for person in people:
            y += int(0.3 * DPI)
            name = synth.to_ascii(f"{person.family}, {person.given}").upper()[:26]
            cells = [f"A{person.a_number}", name, person.date_of_birth.strftime("%m/%d/%Y")]
            cells += [person.country.upper()[:14], person.facility[:30]]
            for x, text in zip(columns, cells, strict=True):
                draw.text((DPI // 2 + int(x * DPI), y), text, font=font, fill=0)
        sheets.append(page)
    sheets[0].save(path, "PDF", save_all=True, append_images=sheets[1:], resolution=DPI)
    return path


def write_statistics(folder: Path, files: int) -> Path:
    from docx import Document
    from reportlab.pdfgen import canvas

    from testing import synth

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    for index in range(files // 4):
        rows = synth.facility_count_rows(synth.invent_facilities(rng, 30), seed=index)
        text_rows = [[str(cell) for cell in row] for row in rows]
        with open(folder / f"counts-{index}.csv", "w", newline="") as fh:
            csv.writer(fh).writerows(text_rows)
        synth.write_xlsx(folder / f"counts-{index}.xlsx", [synth.Sheet("Counts", rows)])
        document = Document()
        document.add_paragraph("Average daily population by facility")
        table = document.add_table(rows=0, cols=3)
        for row in text_rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value
        document.save(str(folder / f"counts-{index}.docx"))
        out = io.BytesIO()
        pdf = canvas.Canvas(out, pagesize=(612, 792))
        for line, row in enumerate(text_rows):
            pdf.drawString(72, 740 - 14 * line, "   ".join(row))
        pdf.showPage()
        pdf.save()
        (folder / f"counts-{index}.pdf").write_bytes(out.getvalue())
    return folder


def _font() -> str:
    import glob

    found = sorted(glob.glob("/usr/share/fonts/**/DejaVuSans.ttf", recursive=True))
    if not found:
        raise BenchUnavailable("DejaVu fonts missing (apt-get install fonts-dejavu-core)")
    return found[0]


if __name__ == "__main__":
    raise SystemExit(main())
