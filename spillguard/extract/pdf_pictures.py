"""PDF pages and regions that are pictures without a text layer (a roster printed and scanned, a
screenshot pasted into a report): rendered with pdfium and read with OCR.

OCR runs only where there is no text to read: a page whose pictures are covered by text (a scan
that was already OCR'd, a logo under its caption) costs nothing more. pdfium is not thread-safe,
so pages are rendered one at a time in this thread and read a few at a time in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from spillguard import ocr
from spillguard.extract.base import Limits, Source
from spillguard.model import Content

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_FORM_DEPTH = 8
MIN_PICTURE_SIDE = 24.0  # points: a third of an inch; smaller pictures are bullets and rules
TEXT_LAYER_CHARS = 12  # fewer characters over a picture means it has no text layer of its own
MIN_DPI, MAX_DPI = 150.0, 300.0  # render at the picture's own resolution, within these bounds
LOW_DPI = 72.0  # enough to tell a blank picture from one with marks, when OCR cannot run
MAX_RENDER_PIXELS = 25_000_000

PdfBox = tuple[float, float, float, float]  # left, bottom, right, top in page points


@dataclass(frozen=True)
class Region:
    """A part of a page to read: its box in page points and the resolution to render it at."""

    page: int
    box: PdfBox
    dpi: float


def picture_regions(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, number: int) -> list[Region]:
    """Where the page shows pictures without a text layer. A page that is almost all picture
    (a scan) is read whole; otherwise each picture (overlapping ones merged) is read alone."""
    width, height = page.get_size()
    found: list[tuple[PdfBox, float]] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=MAX_FORM_DEPTH):
        try:
            left, bottom, right, top = obj.get_bounds()
        except pdfium.PdfiumError:
            continue
        left, bottom, right, top = max(left, 0.0), max(bottom, 0.0), min(right, width), min(top, height)
        if right - left < MIN_PICTURE_SIDE or top - bottom < MIN_PICTURE_SIDE / 3:
            continue
        if len(textpage.get_text_bounded(left, bottom, right, top).strip()) >= TEXT_LAYER_CHARS:
            continue  # already read as page text
        found.append(((left, bottom, right, top), _picture_dpi(obj, right - left)))
    if not found:
        return []
    merged = _merge(found)
    page_text = len(textpage.get_text_range().strip())
    if page_text < TEXT_LAYER_CHARS or page.get_rotation():
        # A scanned page, or a rotated one (crop boxes would not match what is drawn): whole.
        return [Region(number, (0.0, 0.0, width, height), max(dpi for _, dpi in merged))]
    return [Region(number, box, dpi) for box, dpi in merged]


def _picture_dpi(obj: pdfium.PdfObject, width_points: float) -> float:
    try:
        pixels, _ = obj.get_px_size()
    except (pdfium.PdfiumError, AttributeError):
        return MIN_DPI
    return min(MAX_DPI, max(MIN_DPI, pixels / max(width_points, 1.0) * 72.0))


def _merge(boxes: list[tuple[PdfBox, float]]) -> list[tuple[PdfBox, float]]:
    """Overlapping pictures as one region (a scan is often stored as strips or tiles)."""
    merged: list[tuple[PdfBox, float]] = []
    for box, dpi in sorted(boxes):
        for i, (other, other_dpi) in enumerate(merged):
            if box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]:
                union = (
                    min(box[0], other[0]),
                    min(box[1], other[1]),
                    max(box[2], other[2]),
                    max(box[3], other[3]),
                )
                merged[i] = (union, max(dpi, other_dpi))
                break
        else:
            merged.append((box, dpi))
    return merged


def render(page: pdfium.PdfPage, region: Region, dpi: float | None = None) -> tuple[Image, ocr.Placement]:
    """The region as a grey picture, and where its pixels sit on the page (points from the
    top-left corner, the way a reader points at a page)."""
    width, height = page.get_size()
    left, bottom, right, top = region.box
    scale = (dpi or region.dpi) / 72.0
    area = (right - left) * (top - bottom) * scale * scale
    if area > MAX_RENDER_PIXELS:
        scale *= (MAX_RENDER_PIXELS / area) ** 0.5
    bitmap = page.render(
        scale=scale, crop=(left, bottom, width - right, height - top), grayscale=True, may_draw_forms=False
    )
    try:
        picture = bitmap.to_pil().copy()  # the bitmap's memory goes when it is closed
    finally:
        bitmap.close()
    where = ocr.Placement(
        f"page:{region.page}", page=region.page, scale=1.0 / scale, origin=(left, height - top)
    )
    return picture, where


def read_regions(
    pending: list[tuple[Image, ocr.Placement]], source: Source, limits: Limits
) -> Iterator[Content]:
    """OCR over rendered regions in parallel; what they show, page by page."""
    if not pending:
        return
    readings = ocr.read_many([picture for picture, _ in pending], source.deadline, limits.ocr_page_seconds)
    for (_, where), words in zip(pending, readings, strict=True):
        yield from ocr.contents(words, where)
