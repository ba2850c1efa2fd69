"""Reading text in pictures: Tesseract through tesserocr, and the layout step that turns its word
boxes back into what the picture showed, a table (rows and columns) or lines of text.

A photographed roster is still a roster: rows are recovered by grouping words whose boxes share a
line, cells by the wide gaps between words, and columns by the vertical strips of the picture that
no cell crosses. The result goes through the same detectors as any other `Table` or `Passage`,
in the `ocr` layer, with the box each value came from.

Tesseract is an optional system dependency (`make setup` installs it); `unavailable_reason()` says
why it cannot run, and callers fail closed on pictures that may hold text.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Any

from spillguard.model import Box, Location, Passage, Table

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGES = ("eng", "spa")  # English and Spanish rosters; the first must be installed
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",  # Debian, Ubuntu
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # built from source, Homebrew on Intel
    "/opt/homebrew/share/tessdata",
)
MAX_THREADS = 4  # tesserocr releases the GIL while recognising, so pages run in parallel threads
MIN_WORD_CONFIDENCE = 30.0  # below this Tesseract is guessing at texture (photos, grid lines)
CELL_GAP = 0.9  # a gap wider than this many line heights starts a new cell (word spaces are ~0.3)
SAME_ROW = 0.5  # two lines are one row when they overlap vertically by this share of the smaller
ROW_BREAK = 2.5  # a vertical gap of this many line heights ends a table
MIN_TABLE_ROWS = 3  # fewer aligned lines are text with wide spaces, not a table
MIN_TABLE_COLUMNS = 2


class OcrError(Exception):
    """OCR could not read a picture; the message says why (shown to users as the reason)."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    box: Box  # left, top, right, bottom in pixels of the picture read
    confidence: float
    line: int  # Tesseract's text line; words of one line share it
    after_rule: bool = False  # a table's grid line stands just left of the word


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    box: Box


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    box: Box

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    def text(self) -> str:
        # Two spaces keep the cell breaks visible to the text detector's table-line reading.
        return "  ".join(cell.text for cell in self.cells)


# --- the engine ----------------------------------------------------------------------------


def unavailable_reason() -> str | None:
    """Why OCR cannot run on this machine, or None when it can."""
    return _probe()[1]


def languages() -> str:
    """The Tesseract language string in use ("eng+spa"), or "" when OCR is unavailable."""
    return _probe()[0]


@functools.cache
def _probe() -> tuple[str, str | None]:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "", "OCR not available (install spillguard[ocr] and tesseract-ocr)"
    datapath = tessdata_dir()
    if datapath is None:
        return "", "OCR not available (no Tesseract language data: install tesseract-ocr-eng)"
    found = [lang for lang in LANGUAGES if os.path.isfile(os.path.join(datapath, f"{lang}.traineddata"))]
    if LANGUAGES[0] not in found:
        return "", f"OCR not available (no {LANGUAGES[0]}.traineddata in {datapath})"
    return "+".join(found), None


def tessdata_dir() -> str | None:
    configured = os.environ.get("TESSDATA_PREFIX")
    for folder in (configured, *TESSDATA_DIRS):
        if folder and os.path.isfile(os.path.join(folder, f"{LANGUAGES[0]}.traineddata")):
            return folder
    return None


class _Engines:
    """Initialised Tesseract handles for one process, lent to one thread at a time: loading the
    language models costs about 0.1 s, so a worker that reads many pictures keeps them."""

    def __init__(self, datapath: str, langs: str) -> None:
        self.datapath = datapath
        self.langs = langs
        self.free: list[Any] = []
        self.lock = threading.Lock()

    @contextmanager
    def borrowed(self) -> Iterator[Any]:
        from tesserocr import PSM, PyTessBaseAPI

        with self.lock:
            api = self.free.pop() if self.free else None
        if api is None:
            api = PyTessBaseAPI(path=self.datapath, lang=self.langs, psm=PSM.AUTO)
        try:
            yield api
        finally:
            api.Clear()
            with self.lock:
                self.free.append(api)


@functools.cache
def _engines(datapath: str, langs: str) -> _Engines:
    return _Engines(datapath, langs)


def read_words(image: Image, deadline: float | None, page_seconds: float) -> list[Word]:
    """Words Tesseract reads in `image`, with their boxes in the picture's pixels. Raises
    OcrError when OCR is not available or runs past `deadline` (a time.monotonic() value) or
    `page_seconds`."""
    reason = unavailable_reason()
    if reason is not None:
        raise OcrError(reason)
    budget = page_seconds if deadline is None else min(page_seconds, deadline - time.monotonic())
    if budget <= 0:
        raise OcrError("OCR timed out")
    grey, factor = prepared(image)
    datapath = tessdata_dir()
    assert datapath is not None  # unavailable_reason() checked it
    with _engines(datapath, languages()).borrowed() as api:
        api.SetImage(grey)
        if not api.Recognize(timeout=max(1, int(budget * 1000))):
            raise OcrError("OCR timed out")
        raw = list(_recognised(api))
    return [
        Word(text, _unscaled(box, factor), confidence, line, ruled)
        for text, box, confidence, line, ruled in _with_rules(grey, raw)
        if not RULE_GLYPHS.issuperset(text)
    ]


RawWord = tuple[str, Box, float, int]
RULE_GLYPHS = frozenset("|¦[]")  # what Tesseract reads a table's grid line as


def _recognised(api: Any) -> Iterator[RawWord]:
    from tesserocr import RIL, iterate_level

    line = 0
    for item in iterate_level(api.GetIterator(), RIL.WORD):
        if item.IsAtBeginningOf(RIL.TEXTLINE):
            line += 1
        try:
            text = (item.GetUTF8Text(RIL.WORD) or "").strip()
        except RuntimeError:  # "No text returned": a picture without any text
            continue
        if text and item.Confidence(RIL.WORD) >= MIN_WORD_CONFIDENCE:
            yield text, item.BoundingBox(RIL.WORD), item.Confidence(RIL.WORD), line


def _with_rules(grey: Image, words: list[RawWord]) -> Iterator[tuple[str, Box, float, int, bool]]:
    """Each word, and whether a grid line stands just left of it: a spreadsheet screenshot's
    cells are often closer together than words in a sentence, and only the grid tells them
    apart. A grid line is a column of darker pixels that runs past the word above and below
    (a letter never does), or a word Tesseract read as a bar ("|")."""
    previous: RawWord | None = None
    after_bar = False
    for word in words:
        text, box, confidence, line = word
        same_line = previous is not None and previous[3] == line
        if RULE_GLYPHS.issuperset(text):
            after_bar = True
            yield text, box, confidence, line, False
            continue
        height = box[3] - box[1]
        left = max(0, box[0] - int(1.5 * height))
        if same_line and previous is not None:
            left = max(left, previous[1][2] + 1)
        ruled = (after_bar and same_line) or _grid_line_between(grey, left, box[0], box[1], box[3])
        yield text, box, confidence, line, ruled
        previous, after_bar = word, False


GRID_CONTRAST = 20  # grey levels a grid line is darker than the paper around it
GRID_COVER = 0.9  # share of the band's height a grid line darkens


def _grid_line_between(grey: Image, left: int, right: int, top: int, bottom: int) -> bool:
    pad = max(2, (bottom - top) // 4)
    band_top, band_bottom = max(0, top - pad), min(grey.height, bottom + pad)
    if right - left < 1 or band_bottom - band_top < 4:
        return False
    band = grey.crop((left, band_top, right, band_bottom))
    paper = band.getextrema()[1]
    if not isinstance(paper, int):
        return False
    from PIL.Image import Resampling

    dark = band.point(lambda v: 255 if v < paper - GRID_CONTRAST else 0)
    columns = dark.resize((band.width, 1), resample=Resampling.BOX).tobytes()
    return any(value >= GRID_COVER * 255 for value in columns)


def _unscaled(box: Box, factor: int) -> Box:
    return (box[0] // factor, box[1] // factor, -(-box[2] // factor), -(-box[3] // factor))


def read_many(images: Sequence[Image], deadline: float | None, page_seconds: float) -> list[list[Word]]:
    """`read_words` over several pictures (pages) in parallel threads, results in order."""
    if len(images) <= 1:
        return [read_words(image, deadline, page_seconds) for image in images]
    threads = min(MAX_THREADS, len(images), len(os.sched_getaffinity(0)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ocr") as pool:
        futures = [pool.submit(read_words, image, deadline, page_seconds) for image in images]
        return [future.result() for future in futures]


UPSCALE_BELOW_PIXELS = 2_500_000  # screenshots and web pictures: small text, read at 2x
UPSCALE = 2


def prepared(image: Image) -> tuple[Image, int]:
    """The picture as Tesseract reads it, and the factor it was enlarged by: small pictures
    are enlarged because Tesseract misreads text under about 20 pixels high (an 'A' becomes a
    quote mark)."""
    from PIL.Image import Resampling

    grey = prepared_grey(image)
    if grey.width * grey.height <= UPSCALE_BELOW_PIXELS:
        size = (grey.width * UPSCALE, grey.height * UPSCALE)
        return grey.resize(size, resample=Resampling.LANCZOS), UPSCALE
    return grey, 1


def prepared_grey(image: Image) -> Image:
    """Grey pixels on white: a transparent PNG's text is often black on transparent black."""
    from PIL import Image as PILImage

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        return background.convert("L")
    return image if image.mode == "L" else image.convert("L")


# --- layout: words -> rows -> tables and text ----------------------------------------------


def rows_of(words: Sequence[Word]) -> list[Row]:
    """Words grouped into rows top to bottom: Tesseract's lines, joined when they share a band
    of the picture without overlapping (its layout analysis cuts a table row into one line per
    column block, and may join blocks of two rows into one line's neighbourhood)."""
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    merged: list[list[Word]] = []
    for line in sorted(lines.values(), key=lambda ws: union(w.box for w in ws)[1]):
        for row in reversed(merged[-RECENT_ROWS:]):
            if _same_row(row, line):
                row.extend(line)
                break
        else:
            merged.append(list(line))
    rows = [_row(sorted(row, key=lambda w: w.box[0])) for row in merged]
    return sorted(rows, key=lambda r: (r.box[1], r.box[0]))


RECENT_ROWS = 4  # a line is only joined to one of the rows just above or beside it


def _same_row(row: Sequence[Word], line: Sequence[Word]) -> bool:
    one, two = union(w.box for w in row), union(w.box for w in line)
    overlap = min(one[3], two[3]) - max(one[1], two[1])
    smaller = min(one[3] - one[1], two[3] - two[1])
    if smaller <= 0 or overlap < SAME_ROW * smaller:
        return False
    return not any(a.box[0] < b.box[2] and b.box[0] < a.box[2] for a in row for b in line)


def _row(words: list[Word]) -> Row:
    height = median(w.box[3] - w.box[1] for w in words)
    cells: list[list[Word]] = [[words[0]]]
    for previous, word in itertools.pairwise(words):
        if word.after_rule or word.box[0] - previous.box[2] > CELL_GAP * height:
            cells.append([word])
        else:
            cells[-1].append(word)
    out = tuple(Cell(_tidy(" ".join(w.text for w in cell)), union(w.box for w in cell)) for cell in cells)
    return Row(out, union(c.box for c in out))


EDGE_NOISE = "‘’‚“”„'\"`|¦_~—–"  # specks Tesseract reads at a cell's edges: a grid line, a shadow


def _tidy(text: str) -> str:
    return text.strip(EDGE_NOISE + " ")


def union(boxes: Iterator[Box] | Sequence[Box]) -> Box:
    items = list(boxes)
    return (
        min(b[0] for b in items),
        min(b[1] for b in items),
        max(b[2] for b in items),
        max(b[3] for b in items),
    )


def column_bounds(rows: Sequence[Row]) -> list[tuple[int, int]]:
    """Columns as x intervals: the strips every cell of these rows falls in, separated by
    strips no cell crosses."""
    spans = sorted((cell.box[0], cell.box[2]) for row in rows for cell in row.cells)
    columns: list[tuple[int, int]] = []
    for left, right in spans:
        if columns and left <= columns[-1][1]:
            columns[-1] = (columns[-1][0], max(columns[-1][1], right))
        else:
            columns.append((left, right))
    return columns


def table_runs(rows: Sequence[Row]) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of rows that reads as a table: consecutive rows of several
    cells, close together, at least MIN_TABLE_ROWS of them, in at least two columns."""
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and len(rows[end].cells) >= MIN_TABLE_COLUMNS:
            if end > start and _row_gap(rows[end - 1], rows[end]) > ROW_BREAK * rows[end - 1].height:
                break
            end += 1
        if end - start >= MIN_TABLE_ROWS and len(column_bounds(rows[start:end])) >= MIN_TABLE_COLUMNS:
            yield start, end
            start = end
        else:
            start = max(end, start + 1)


def _row_gap(upper: Row, lower: Row) -> int:
    return lower.box[1] - upper.box[3]


def grid(rows: Sequence[Row]) -> tuple[list[list[str]], dict[tuple[int, int], Box]]:
    """Rows of a table run as a grid of strings, and each non-empty cell's box keyed by
    (1-based row, 0-based column). Cells that fall in one column are joined with a space."""
    columns = column_bounds(rows)
    texts: list[list[str]] = []
    boxes: dict[tuple[int, int], Box] = {}
    for number, row in enumerate(rows, 1):
        cells: list[list[Cell]] = [[] for _ in columns]
        for cell in row.cells:
            middle = (cell.box[0] + cell.box[2]) / 2
            index = next((i for i, (lo, hi) in enumerate(columns) if lo <= middle <= hi), 0)
            cells[index].append(cell)
        texts.append([" ".join(c.text for c in group) for group in cells])
        for index, group in enumerate(cells):
            if group:
                boxes[(number, index)] = union(c.box for c in group)
    return texts, boxes


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a picture sits, for the locations of what is read in it: the report part
    (`image`, `page:3`), the page number if any, and how to map picture pixels to the box
    reported (identity for a picture; pixels to page points for a rendered PDF page)."""

    part: str
    page: int | None = None
    scale: float = 1.0  # reported units per pixel
    origin: tuple[float, float] = (0.0, 0.0)  # where the picture's top-left sits, reported units

    def box(self, box: Box) -> Box:
        x, y = self.origin
        s = self.scale
        return (
            round(x + box[0] * s),
            round(y + box[1] * s),
            round(x + box[2] * s),
            round(y + box[3] * s),
        )


def contents(words: Sequence[Word], where: Placement) -> Iterator[Table | Passage]:
    """What a picture shows, as detector input: a `Table` for each run of aligned rows (a
    roster, a spreadsheet screenshot), a `Passage` for each stretch of other lines."""
    rows = rows_of(words)
    text_start = 0
    for tables, (start, end) in enumerate(table_runs(rows), 1):
        yield from _passage(rows[text_start:start], where)
        cells, boxes = grid(rows[start:end])
        yield Table(
            part=where.part,
            rows=cells,
            layer="ocr",
            key=f"{where.part}#ocr-table-{tables}",
            boxes={key: where.box(box) for key, box in boxes.items()},
        )
        text_start = end
    yield from _passage(rows[text_start:], where)


def _passage(rows: Sequence[Row], where: Placement) -> Iterator[Passage]:
    if not rows:
        return
    text = "\n".join(row.text() for row in rows)
    box = where.box(union(row.box for row in rows))
    yield Passage(text, Location(where.part, "ocr", False, page=where.page, offset=0, box=box))
