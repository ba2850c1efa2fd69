"""Pictures built at test time for the OCR tests: a roster rendered as a screenshot (grid lines,
like a spreadsheet) or as a printed list, and the documents that carry such a picture. Every
person is invented by testing/synth.py."""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Sequence
from functools import cache

import pytest
from PIL import Image, ImageDraw, ImageFont

from spillguard import ocr
from testing.synth import Person, roster_people

FONT_GLOB = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HEADER = ["A-Number", "Name", "Date of Birth", "Nationality", "Detention Facility"]


def require_ocr() -> None:
    """Skip where Tesseract is missing on a developer's machine; under CI (which installs it
    through `make setup`) its absence is a failure, not a skip."""
    reason = ocr.unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"OCR must run in CI: {reason}")
    pytest.skip(reason)


@cache
def font_path() -> str:
    found = sorted(glob.glob(FONT_GLOB)) or sorted(
        glob.glob("/usr/share/fonts/**/DejaVuSans.ttf", recursive=True)
    )
    if not found:
        if os.environ.get("CI"):
            pytest.fail("DejaVu fonts missing (fonts-dejavu-core)")
        pytest.skip("DejaVu fonts missing (fonts-dejavu-core)")
    return found[0]


def people(n: int = 5, seed: int = 6) -> list[Person]:
    return roster_people(n, seed, invented=True)


def roster_cells(persons: Sequence[Person]) -> list[list[str]]:
    rows = [list(HEADER)]
    for p in persons:
        rows.append(
            [
                f"A{p.a_number}",
                p.roster_name,
                p.born.strftime("%m/%d/%Y"),
                p.nationality("agency"),
                p.facility,
            ]
        )
    return rows


def render_table(
    rows: Sequence[Sequence[str]], size: int = 16, grid: bool = True, title: str = ""
) -> Image.Image:
    """The rows drawn as a spreadsheet screenshot (grey grid, tight columns) or, without the
    grid, as a printed list with wide gaps."""
    font = ImageFont.truetype(font_path(), size)
    pad = 4 if grid else size * 2
    widths = [max(int(font.getlength(row[i])) for row in rows) + 2 * pad for i in range(len(rows[0]))]
    height = int(size * 1.7)
    top = height if title else 0
    picture = Image.new("RGB", (sum(widths) + 20, top + height * len(rows) + 20), "white")
    draw = ImageDraw.Draw(picture)
    if title:
        draw.text((10, 6), title, fill="black", font=font)
    for r, row in enumerate(rows):
        x = 10
        y = 10 + top + r * height
        for width, text in zip(widths, row, strict=True):
            if grid:
                draw.rectangle((x, y, x + width, y + height), outline=(190, 190, 190))
            draw.text((x + pad, y + (height - size) // 2), text, fill="black", font=font)
            x += width
    return picture


def roster_picture(n: int = 5, grid: bool = True, seed: int = 6) -> Image.Image:
    return render_table(roster_cells(people(n, seed)), grid=grid, title="Detained population (weekly)")


def encoded(picture: Image.Image, kind: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()


def logo() -> Image.Image:
    """A decorative picture: coloured shapes, no text."""
    picture = Image.new("RGB", (240, 120), (20, 60, 120))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((20, 10, 120, 110), fill=(230, 190, 40))
    draw.polygon([(140, 100), (180, 20), (220, 100)], fill=(200, 40, 40))
    return picture


def image_only_pdf(pictures: Sequence[Image.Image], dpi: int = 150) -> bytes:
    """A scan: each picture one page, no text layer."""
    pages = [p.convert("RGB") for p in pictures]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()
