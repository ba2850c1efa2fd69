"""PDF: page text, text hidden under drawn boxes, annotations, form fields, attachments and
document metadata, read with pdfium (pypdfium2).

The redaction check follows Free Law Project's x-ray: find filled shapes big enough to cover a
word, find the characters they cover (drawn before the box, or in the box's own colour), group
those characters by box, drop text that is only placeholders ("XXXX", "REDACTED", blanks), and
finally render the page and keep only boxes that really look like a solid dark bar to a reader.
The rendering step is what tells a black bar apart from a shaded table cell with visible text on
it, a clipped shape, or a rectangle whose inside is left unfilled by the winding rule.

pdfium is not thread-safe; spillguard runs one file per worker process.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from spillguard import ocr
from spillguard.extract import pdf_pictures
from spillguard.extract.base import Limits, Source
from spillguard.extract.image import may_hold_text
from spillguard.extract.xmp import xmp_values
from spillguard.model import Content, Covered, Embedded, Location, Passage, PictureNotRead, Uninspectable

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PAGES = 10_000  # more pages than any publishable document we expect; fail closed beyond
MIN_BOX_SIDE = 4.0  # points; thinner filled shapes are rules and borders, not redaction bars
CHAR_COVERED = 0.8  # share of a character's box a bar must cover for the character to be hidden
DARK_LUMINANCE = 100  # 0-255; redaction bars are black, dark grey or navy, not design colours
RENDER_SCALE = 1.0  # 72 dpi is enough to tell a solid bar from text drawn on a box
MAX_RENDER_PIXELS = 16_000_000  # a poster-sized page is rendered coarser, not with gigabytes
MAX_FORM_DEPTH = 8  # Form XObjects nested deeper than this are not looked into for boxes
BAND_HEIGHT = 24.0  # points; boxes are bucketed by vertical band so each char checks few boxes
ANNOT_KEYS = ("Contents", "T", "Subj", "RC")

# Annotation kinds a reader has to open (a note icon, a popup) before seeing their text.
FOLDED_ANNOTATIONS = frozenset(
    {
        pdfium_c.FPDF_ANNOT_TEXT,
        pdfium_c.FPDF_ANNOT_POPUP,
        pdfium_c.FPDF_ANNOT_HIGHLIGHT,
        pdfium_c.FPDF_ANNOT_UNDERLINE,
        pdfium_c.FPDF_ANNOT_SQUIGGLY,
        pdfium_c.FPDF_ANNOT_STRIKEOUT,
        pdfium_c.FPDF_ANNOT_SQUARE,
        pdfium_c.FPDF_ANNOT_CIRCLE,
        pdfium_c.FPDF_ANNOT_LINE,
        pdfium_c.FPDF_ANNOT_POLYGON,
        pdfium_c.FPDF_ANNOT_POLYLINE,
        pdfium_c.FPDF_ANNOT_INK,
        pdfium_c.FPDF_ANNOT_STAMP,
        pdfium_c.FPDF_ANNOT_CARET,
        pdfium_c.FPDF_ANNOT_FILEATTACHMENT,
        pdfium_c.FPDF_ANNOT_REDACT,
    }
)
METADATA_KEYS = ("Title", "Author", "Subject", "Keywords", "Creator", "Producer")

# Placeholder text redaction tools leave under their bars; not a leak (x-ray's list).
OK_WORDS = re.compile(
    r"redacted +and +publicly +filed|name +redacted|confidential|privileged?|"
    r"redacted|redacte|redact|redac|reda|red|re",
    re.IGNORECASE,
)

Box = tuple[float, float, float, float]  # left, bottom, right, top in page coordinates
Matrix = tuple[float, float, float, float, float, float]


@dataclass
class Bar:
    """A filled shape that may hide text: its box, its place in drawing order, its fill."""

    box: Box
    seq: int
    fill: tuple[int, int, int]
    group: int | None  # the Form XObject that draws it, None on the page itself
    chars: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Redaction:
    """A bar that hides characters: what they say ("" when they cannot be decoded), the bar's
    box in page coordinates, and the characters' indices."""

    text: str
    box: Box
    chars: list[int]

    @property
    def readable(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class Glyph:
    index: int
    box: Box
    seq: int
    fill: tuple[int, int, int]
    group: int | None


def extract_pdf(source: Source, limits: Limits) -> Iterator[Content]:
    data = source.read()
    if len(data) > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {len(data)} bytes")
    doc = open_document(data)
    try:
        unread = yield from document_content(doc, source, limits)
        yield from metadata_passages(doc, data)
    finally:
        doc.close()
    if unread:
        raise PictureNotRead(unread)


def open_document(data: bytes) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise Uninspectable("encrypted") from None
        raise Uninspectable(f"corrupt PDF ({pdfium_error_name(code)})") from None
    if b"%%EOF" not in data[-4096:]:
        # pdfium quietly rebuilds a truncated file and shows whatever pages survived; a scanner
        # must not pass a document it saw only part of.
        doc.close()
        raise Uninspectable("corrupt PDF (truncated: no end-of-file marker)")
    return doc


def pdfium_error_name(code: int | None) -> str:
    names = {
        pdfium_c.FPDF_ERR_FILE: "cannot read file",
        pdfium_c.FPDF_ERR_FORMAT: "not a PDF or damaged",
        pdfium_c.FPDF_ERR_PAGE: "page not found or damaged",
    }
    return names.get(code or -1, "unreadable")


def document_content(
    doc: pdfium.PdfDocument, source: Source, limits: Limits
) -> Generator[Content, None, str]:
    """Every page's content, then attachments. Pictures without a text layer are read with OCR
    a few pages at a time; returns why some were not read ("" when all were)."""
    # Forms must be initialised before any page is loaded, or field values are not reachable.
    doc.init_forms()
    n_pages = len(doc)
    if n_pages > MAX_PAGES:
        raise Uninspectable(f"over limit: {n_pages} pages (limit {MAX_PAGES})")
    seen_fields: set[tuple[str, str]] = set()
    cannot_read = "OCR is turned off" if not limits.ocr else ocr.unavailable_reason()
    pending: list[tuple[Image, ocr.Placement]] = []
    unread: dict[int, str] = {}
    for index in range(n_pages):
        source.check_time()
        try:
            page = doc[index]
        except pdfium.PdfiumError:
            raise Uninspectable(f"corrupt PDF (page {index + 1} unreadable)") from None
        regions: list[pdf_pictures.Region] = []
        try:
            yield from page_content(doc, page, index + 1, limits, seen_fields, regions)
            for region in regions:
                if cannot_read is None:
                    pending.append(pdf_pictures.render(page, region))
                elif region.page not in unread:
                    blank = pdf_pictures.render(page, region, pdf_pictures.LOW_DPI)[0]
                    if may_hold_text(blank):
                        unread[region.page] = cannot_read
        finally:
            page.close()
        if len(pending) >= ocr.MAX_THREADS:
            yield from _read_pictures(pending, source, limits, unread)
            pending = []
    yield from _read_pictures(pending, source, limits, unread)
    yield from attachments(doc, limits)
    if not unread:
        return ""
    pages = sorted(unread)
    shown = ", ".join(map(str, pages[:5])) + (f" and {len(pages) - 5} more" if len(pages) > 5 else "")
    return f"picture not read on page{'s' if len(pages) > 1 else ''} {shown}: {unread[pages[0]]}"


def _read_pictures(
    pending: list[tuple[Image, ocr.Placement]], source: Source, limits: Limits, unread: dict[int, str]
) -> Iterator[Content]:
    try:
        yield from pdf_pictures.read_regions(pending, source, limits)
    except ocr.OcrError as exc:  # timed out: these pages were not read; later ones may be
        for _, where in pending:
            unread.setdefault(where.page or 0, str(exc))


def page_content(
    doc: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    number: int,
    limits: Limits,
    seen_fields: set[tuple[str, str]],
    pictures: list[pdf_pictures.Region] | None = None,
) -> Iterator[Content]:
    """The page's text, covered text and annotations; the pictures on it that have no text
    layer go to `pictures`, to be read with OCR."""
    textpage = page.get_textpage()
    try:
        if pictures is not None:
            pictures.extend(pdf_pictures.picture_regions(page, textpage, number))
        hidden: set[int] = set()
        covered: list[Covered] = []
        height = page.get_height()
        for bar in redacted_text(page, textpage):
            if bar.readable:
                hidden.update(bar.chars)
            start = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, min(bar.chars))
            where = under_redaction(number, start, top_left(bar.box, height))
            covered.append(Covered(bar.text, where, len(bar.chars)))
        for text, box in annotated_redactions(page, textpage):
            yield Passage(text, under_redaction(number, None))
            where = under_redaction(number, None, top_left(box, height))
            covered.append(Covered(text, where, len(re.sub(r"\s", "", text))))
        text, covered_lines = split_covered_lines(textpage, hidden)
        # Visible text first: its header line tells what the covered lines' columns are.
        if text.strip():
            yield Passage(text, Location(part=f"page:{number}", layer="text", page=number, offset=0))
        # A line with a covered name keeps its visible A-number and birth date: the whole line
        # is one record, reported in the under_redaction layer.
        for line, offset in covered_lines:
            yield Passage(line, under_redaction(number, offset))
        # Then what each box hides, alone: a finding of its own whatever it says.
        yield from covered
        yield from annotation_content(doc, page, number, limits, seen_fields)
    finally:
        textpage.close()


def under_redaction(page: int, offset: int | None, box: tuple[int, int, int, int] | None = None) -> Location:
    return Location(
        part=f"page:{page}", layer="under_redaction", hidden=True, page=page, offset=offset, box=box
    )


def top_left(box: Box, page_height: float) -> tuple[int, int, int, int]:
    """A box in page coordinates (origin bottom-left) as reports give boxes: whole points from
    the page's top-left corner, left, top, right, bottom."""
    left, bottom, right, top = box
    return (round(left), round(page_height - top), round(right), round(page_height - bottom))


def split_covered_lines(textpage: pdfium.PdfTextPage, hidden: set[int]) -> tuple[str, list[tuple[str, int]]]:
    """The page's text in pdfium's reading order, line breaks kept, with every line that has
    characters under a bar taken out (blanked, so offsets hold) and returned on its own, whole:
    (visible text, [(covered line, offset)])."""
    text = textpage.get_text_range()
    if not hidden:
        return _unify_newlines(text), []
    positions = {pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, index) for index in hidden}
    chars = list(text)
    covered: list[tuple[str, int]] = []
    start = 0
    for end in [m.start() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text)]:
        if any(start <= at < end for at in positions):
            covered.append((text[start:end], start))
            chars[start:end] = " " * (end - start)
        start = end + (2 if text[end : end + 2] == "\r\n" else 1)
    return _unify_newlines("".join(chars)), covered


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- text under drawn boxes ------------------------------------------------------------------


def redacted_text(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> Iterator[Redaction]:
    """Each bar that hides real text, or characters that cannot be decoded (their text "")."""
    order: dict[int | None, tuple[int, int | None]] = {}
    bars: list[Bar] = []
    for seq, obj in enumerate(page.get_objects(max_depth=MAX_FORM_DEPTH)):
        group = address(obj.container.raw) if obj.container is not None else None
        order[address(obj.raw)] = (seq, group)
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            bars.extend(b for b in filled_boxes(obj, seq, group) if not background(b, page))
    if not bars:
        return
    assign_covered_chars(bars, glyphs(textpage, order))
    candidates = []
    for bar in bars:
        if not bar.chars:
            continue
        text = covered_text(textpage, bar.chars)
        if undecodable(text):
            candidates.append(Redaction("", bar.box, bar.chars))
        elif looks_like_real_text(text):
            candidates.append(Redaction(text, bar.box, bar.chars))
    if not candidates:
        return
    looks_solid = render_checker(page)
    for candidate in candidates:
        if looks_solid(candidate.box):
            yield candidate


PAGE_BACKGROUND = 0.5  # of the page's area
MAX_BAR_CHANNEL = 96  # a redaction bar is black or dark grey ...
MAX_BAR_TINT = 48  # ... not a coloured panel (largest minus smallest channel)


def background(bar: Bar, page: pdfium.PdfPage) -> bool:
    """A page's background or a coloured design panel, not a redaction bar: a box over most of
    the page (a divider page's full-bleed colour drawn over a stray running header), or a fill
    in colour (a green callout laid over the text frame). Redaction tools draw black or dark
    grey; a white box is a whitespace redaction that hides nothing it should not."""
    width, height = page.get_size()
    area = (bar.box[2] - bar.box[0]) * (bar.box[3] - bar.box[1])
    if area >= PAGE_BACKGROUND * width * height:
        return True
    return max(bar.fill) > MAX_BAR_CHANNEL or max(bar.fill) - min(bar.fill) > MAX_BAR_TINT


def address(raw: object) -> int | None:
    return ctypes.cast(raw, ctypes.c_void_p).value  # type: ignore[arg-type]


def filled_boxes(obj: pdfium.PdfObject, seq: int, group: int | None) -> list[Bar]:
    """One box per sub-path of an opaque filled path (a multi-line redaction is one path with a
    bar per line; its overall bounds would wrongly cover the visible words beside the bars)."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj.raw, fill_mode, stroke):
        return []
    if fill_mode.value == pdfium_c.FPDF_FILLMODE_NONE:
        return []
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a) or a.value != 255:
        return []  # translucent: a highlight, not a cover
    matrix = page_matrix(obj)
    fill = (r.value, g.value, b.value)
    return [
        Bar(box, seq, fill, group)
        for box in subpath_boxes(obj, matrix)
        if box[2] - box[0] > MIN_BOX_SIDE and box[3] - box[1] > MIN_BOX_SIDE
    ]


def page_matrix(obj: pdfium.PdfObject) -> Matrix:
    """The transform from the path's own coordinates to the page, through any Form XObjects."""
    matrix = object_matrix(obj)
    container = obj.container
    while container is not None:
        matrix = compose(matrix, object_matrix(container))
        container = container.container
    return matrix


def object_matrix(obj: pdfium.PdfObject) -> Matrix:
    raw = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj.raw, raw):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (raw.a, raw.b, raw.c, raw.d, raw.e, raw.f)


def compose(inner: Matrix, outer: Matrix) -> Matrix:
    """Apply `inner` first, then `outer` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def subpath_boxes(obj: pdfium.PdfObject, matrix: Matrix) -> list[Box]:
    boxes: list[Box] = []
    points: list[tuple[float, float]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO and points:
            boxes.append(bounds(points))
            points = []
        points.append((a * x.value + c * y.value + e, b * x.value + d * y.value + f))
    if points:
        boxes.append(bounds(points))
    return boxes


def bounds(points: list[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def glyphs(textpage: pdfium.PdfTextPage, order: dict[int | None, tuple[int, int | None]]) -> Iterator[Glyph]:
    """Every visible-shaped character with its box, drawing order and fill colour."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if code == 0 or chr(code).isspace():
            continue
        try:
            box = textpage.get_charbox(index)
        except pdfium.PdfiumError:
            continue
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        seq, group = order.get(address(pdfium_c.FPDFText_GetTextObject(textpage, index)), (-1, None))
        pdfium_c.FPDFText_GetFillColor(textpage, index, r, g, b, a)
        yield Glyph(index, box, seq, (r.value, g.value, b.value), group)


def assign_covered_chars(bars: list[Bar], chars: Iterator[Glyph]) -> None:
    """Give each hidden character to the topmost bar that hides it: a character is hidden when
    a bar drawn after it covers most of it, or a bar of its own colour does.

    Text drawn on top of a box inside the same Form XObject is the box's own label (redaction
    tools stamp a date or code into each box they draw), not document text the box hides."""
    bands: dict[int, list[Bar]] = {}
    for bar in sorted(bars, key=lambda bar: bar.seq, reverse=True):
        for band in range(int(bar.box[1] // BAND_HEIGHT), int(bar.box[3] // BAND_HEIGHT) + 1):
            bands.setdefault(band, []).append(bar)
    for glyph in chars:
        area = (glyph.box[2] - glyph.box[0]) * (glyph.box[3] - glyph.box[1])
        middle = (glyph.box[1] + glyph.box[3]) / 2
        for bar in bands.get(int(middle // BAND_HEIGHT), ()):
            if bar.seq <= glyph.seq and (bar.fill != glyph.fill or is_label(glyph, bar)):
                continue  # drawn on the box in another colour (it shows), or the box's label
            if overlap(glyph.box, bar.box) >= CHAR_COVERED * area:
                bar.chars.append(glyph.index)
                break


def is_label(glyph: Glyph, bar: Bar) -> bool:
    return bar.group is not None and glyph.group == bar.group


def overlap(one: Box, two: Box) -> float:
    width = min(one[2], two[2]) - max(one[0], two[0])
    height = min(one[3], two[3]) - max(one[1], two[1])
    return width * height if width > 0 and height > 0 else 0.0


def covered_text(textpage: pdfium.PdfTextPage, indices: list[int]) -> str:
    """The hidden characters in reading order; a gap of only spaces or line breaks between two
    of them becomes one space or line break, so words stay words."""
    out: list[str] = []
    previous = -1
    for index in sorted(indices):
        if previous >= 0 and index > previous + 1:
            gap = textpage.get_text_range(previous + 1, index - previous - 1)
            if gap.strip() == "":
                out.append("\n" if "\n" in gap or "\r" in gap else " ")
            else:
                out.append(" ")
        out.append(chr(pdfium_c.FPDFText_GetUnicode(textpage, index)))
        previous = index
    return "".join(out)


def undecodable(text: str) -> bool:
    """Characters with no text mapping: pdfium gives U+FFFD, control codes or private-use code
    points for glyphs a font does not map to Unicode (a subset font without ToUnicode)."""
    return any(
        ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cs") and not ch.isspace()) for ch in text
    )


def looks_like_real_text(text: str) -> bool:
    """False for what redaction tools leave under their bars: blanks, one stray character,
    a run of one placeholder character, the word REDACTED, or undecodable glyphs."""
    alnum = re.sub(r"[\W_]", "", text)
    if len(alnum) <= 1 or "\ufffd" in text:
        return False
    if len(set(alnum.lower())) == 1:
        return False
    leftover = OK_WORDS.sub("", " ".join(text.split()))
    return bool(re.search(r"\w", leftover))


def render_checker(page: pdfium.PdfPage) -> Callable[[Box], bool]:
    """Render the page once, and answer for a box whether a reader sees one solid dark area."""
    page_width, page_height = page.get_size()
    scale = min(RENDER_SCALE, (MAX_RENDER_PIXELS / max(page_width * page_height, 1.0)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True, no_smoothpath=True, no_smoothtext=True)
    conv = bitmap.get_posconv(page)
    pixels = bytes(bitmap.buffer)
    width, height, stride, channels = bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels

    def looks_solid(box: Box) -> bool:
        x0, y0 = conv.to_bitmap(box[0], box[3])
        x1, y1 = conv.to_bitmap(box[2], box[1])
        left, right = sorted((x0, x1))
        top, bottom = sorted((y0, y1))
        # Skip a one-pixel border: edges pick up neighbours and rounding from the renderer.
        left, top = max(left + 1, 0), max(top + 1, 0)
        right, bottom = min(right - 1, width), min(bottom - 1, height)
        if right <= left or bottom <= top:
            return False
        # Every pixel dark, not merely one colour: a cross-hatched bar is black and dark grey,
        # while any text a reader can make out on a box needs light pixels to show.
        for row in range(top, bottom):
            start = row * stride
            for col in range(left, right):
                at = start + col * channels
                # Grey, or BGR(A) when the page has transparency: take the mean as luminance.
                value = pixels[at] if channels == 1 else sum(pixels[at : at + 3]) // 3
                if value > DARK_LUMINANCE:
                    return False
        return True

    bitmap.close()
    return looks_solid


def annotated_redactions(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> Iterator[tuple[str, Box]]:
    """Text marked for redaction but never redacted (an unapplied Redact annotation), or covered
    with a dark highlight or a dark filled square comment: still in the file, still extractable."""
    for annot in page_annotations(page):
        kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
        if kind == pdfium_c.FPDF_ANNOT_REDACT or is_dark_cover(annot, kind):
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                left, right = sorted((rect.left, rect.right))
                bottom, top = sorted((rect.bottom, rect.top))
                text = textpage.get_text_bounded(left, bottom, right, top)
                text = " ".join(text.split())
                if looks_like_real_text(text):
                    yield text, (left, bottom, right, top)
        pdfium_c.FPDFPage_CloseAnnot(annot)


def is_dark_cover(annot: object, kind: int) -> bool:
    if kind == pdfium_c.FPDF_ANNOT_HIGHLIGHT:
        which = pdfium_c.FPDFANNOT_COLORTYPE_Color
    elif kind == pdfium_c.FPDF_ANNOT_SQUARE:
        which = pdfium_c.FPDFANNOT_COLORTYPE_InteriorColor
    else:
        return False
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFAnnot_GetColor(annot, which, r, g, b, a):
        return False
    luminance = 0.299 * r.value + 0.587 * g.value + 0.114 * b.value
    return a.value == 255 and luminance <= DARK_LUMINANCE


def page_annotations(page: pdfium.PdfPage) -> Iterator[object]:
    """Each annotation handle of the page; the caller closes it."""
    for i in range(max(pdfium_c.FPDFPage_GetAnnotCount(page), 0)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        if annot:
            yield annot


# --- annotations, form fields, attachments, metadata -----------------------------------------


def annotation_content(
    doc: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    number: int,
    limits: Limits,
    seen_fields: set[tuple[str, str]],
) -> Iterator[Content]:
    for annot in page_annotations(page):
        try:
            kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
            flags = pdfium_c.FPDFAnnot_GetFlags(annot)
            invisible = bool(flags & (pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_INVISIBLE))
            if kind == pdfium_c.FPDF_ANNOT_WIDGET:
                yield from form_field(doc, annot, number, invisible, seen_fields)
                continue
            if kind == pdfium_c.FPDF_ANNOT_POPUP:
                continue  # shows its parent's text, which the parent already gave
            hidden = invisible or kind in FOLDED_ANNOTATIONS
            location = Location(part=f"page:{number}", layer="annotation", hidden=hidden, page=number)
            for key in ANNOT_KEYS:
                value = annot_string(annot, key)
                if value.strip():
                    yield Passage(value, location)
            if kind == pdfium_c.FPDF_ANNOT_FILEATTACHMENT:
                attached = pdfium_c.FPDFAnnot_GetFileAttachment(annot)
                if attached:
                    yield from attachment(attached, f"page{number}-attachment", limits)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)


def form_field(
    doc: pdfium.PdfDocument,
    annot: object,
    number: int,
    invisible: bool,
    seen: set[tuple[str, str]],
) -> Iterator[Passage]:
    formenv = doc.formenv
    if formenv is None:
        return
    name = wide_string(pdfium_c.FPDFAnnot_GetFormFieldName, formenv, annot)
    value = wide_string(pdfium_c.FPDFAnnot_GetFormFieldValue, formenv, annot)
    tooltip = wide_string(pdfium_c.FPDFAnnot_GetFormFieldAlternateName, formenv, annot)
    location = Location(part="form", layer="form_field", hidden=invisible, page=number)
    # A field shown by several widgets (on several pages, or radio buttons) is one value.
    if value.strip() and (name, value) not in seen:
        seen.add((name, value))
        yield Passage(f"{name}: {value}" if name else value, location)
    if tooltip.strip() and (name, tooltip) not in seen:
        seen.add((name, tooltip))
        yield Passage(tooltip, Location("form", "form_field", True, page=number))


def annot_string(annot: object, key: str) -> str:
    return wide_string(pdfium_c.FPDFAnnot_GetStringValue, annot, key.encode("ascii"))


def wide_string(getter: Callable[..., int], *args: object) -> str:
    """Call a pdfium getter that fills a UTF-16 buffer: once for the size, once for the text."""
    n_bytes = getter(*args, None, 0)
    if n_bytes <= 2:
        return ""
    buffer = (ctypes.c_ushort * (n_bytes // 2))()
    getter(*args, buffer, n_bytes)
    return bytes(buffer).decode("utf-16-le", errors="replace").rstrip("\x00")


def attachments(doc: pdfium.PdfDocument, limits: Limits) -> Iterator[Embedded]:
    for index in range(max(doc.count_attachments(), 0)):
        raw = pdfium_c.FPDFDoc_GetAttachment(doc, index)
        if raw:
            yield from attachment(raw, f"attachment-{index + 1}", limits)


def attachment(raw: object, fallback: str, limits: Limits) -> Iterator[Embedded]:
    name = wide_string(pdfium_c.FPDFAttachment_GetName, raw) or fallback
    size = ctypes.c_ulong()
    if not pdfium_c.FPDFAttachment_GetFile(raw, None, 0, size):
        raise Uninspectable(f"corrupt PDF (attachment {name} unreadable)")
    if size.value > limits.max_member_bytes:
        raise Uninspectable(f"over limit: attachment {size.value} bytes")
    buffer = ctypes.create_string_buffer(max(size.value, 1))
    out = ctypes.c_ulong()
    if size.value and not pdfium_c.FPDFAttachment_GetFile(raw, buffer, size.value, out):
        raise Uninspectable(f"corrupt PDF (attachment {name} unreadable)")
    yield Embedded(name.replace("/", "_"), buffer.raw[: out.value])


def metadata_passages(doc: pdfium.PdfDocument, data: bytes) -> Iterator[Passage]:
    seen: set[str] = set()
    for key in METADATA_KEYS:
        value = doc.get_metadata_value(key).strip()
        if value:
            seen.add(value)
            yield Passage(value, metadata_location(key))
    for key, value in xmp_values(data):
        if value not in seen:
            seen.add(value)
            yield Passage(value, metadata_location(f"xmp:{key}"))


def metadata_location(key: str) -> Location:
    return Location(part=f"metadata:{key.lower()}", layer="metadata", hidden=True)
