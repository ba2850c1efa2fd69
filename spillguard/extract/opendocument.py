"""OpenDocument text (odt): body paragraphs, tables, headers and footers a reader sees, and
what they do not: annotations, tracked deletions, hidden text and paragraphs, hidden
sections, hidden character and paragraph styles, conditional text, embedded objects,
document properties and the names of commenters and editors.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from spillguard.extract.base import (
    Limits,
    Source,
    column_letter,
    document_table,
    inherited_true,
    local,
    open_zip,
)
from spillguard.extract.ooxml import Package, attribute, media_pictures, metadata_location
from spillguard.model import Content, Embedded, Location, Passage, Uninspectable

DRAWING_NS = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG_NS = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
MANIFEST = "META-INF/manifest.xml"
CONTENT = "content.xml"

# Members of the package that are the document itself or its plumbing; any other file is an
# embedded object or attachment and is scanned on its own.
PACKAGE_FILES = frozenset(
    {"mimetype", "content.xml", "styles.xml", "meta.xml", "settings.xml", "manifest.rdf"}
)
PACKAGE_FOLDERS = (
    "meta-inf/",
    "thumbnails/",
    "pictures/",
    "objectreplacements/",
    "configurations2/",
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".svm", ".wmf", ".emf", ".bmp", ".tif")

# Master page children that hold header and footer text, by the label they get.
HEADER_FOOTER = {
    "header": "header",
    "header-left": "header",
    "header-first": "header",
    "footer": "footer",
    "footer-left": "footer",
    "footer-first": "footer",
}

# Block-level elements that carry declarations or layout, never text of the document.
SKIPPED_BLOCKS = frozenset(
    {
        "sequence-decls",
        "variable-decls",
        "user-field-decls",
        "dde-connection-decls",
        "forms",
        "soft-page-break",
        "table-columns",
        "table-column",
        "table-column-group",
        "table-header-columns",
        "index-source",  # TOC templates; the generated text is in index-body
        "change-info",
    }
)
MAX_SPACES = 1_000  # text:s/@text:c is a count; a hostile file could ask for billions
MAX_REPEAT = 1_000  # repeated rows or cells in a text table
CHECK_EVERY = 200

PLAIN, HIDDEN = "plain", "hidden"


@dataclass
class _Part:
    label: str
    layer: str
    hidden: bool
    hidden_styles: frozenset[str]
    insertions: frozenset[str]
    source: Source
    offset: int = 0
    tables: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    frames: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    paragraphs: list[int] = field(default_factory=lambda: [0])  # shared with child parts


@dataclass
class _Paragraph:
    segments: list[tuple[str, str]] = field(default_factory=list)
    nested: list[tuple[str, Element]] = field(default_factory=list)  # (kind, element)
    hidden: bool = False  # text:hidden-paragraph
    inserted: bool = False

    def add(self, kind: str, text: str | None) -> None:
        if text:
            self.segments.append((kind, text))

    def visible(self) -> str:
        return "".join(text for kind, text in self.segments if kind == PLAIN)

    def unseen(self) -> Iterator[tuple[str, int]]:
        position = 0
        for kind, group in itertools.groupby(self.segments, key=lambda seg: seg[0]):
            text = "".join(piece for _, piece in group)
            if kind == PLAIN:
                position += len(text)
            else:
                yield text, position


def extract_odt(source: Source, limits: Limits) -> Iterator[Content]:
    with open_zip(source, limits) as zf:
        package = Package(zf, source, limits)
        _refuse_encrypted(package)
        content = package.xml(CONTENT)
        if content is None:
            raise Uninspectable("not a complete OpenDocument file: content.xml missing")
        try:
            yield from _read_document(package, content)
        except RecursionError:
            # Elements nested thousands deep: no real document does that.
            raise Uninspectable("XML nested too deeply") from None


def _refuse_encrypted(package: Package) -> None:
    # ODF encrypts members itself, without the zip flag open_zip looks at.
    manifest = package.xml(MANIFEST)
    if manifest is None:
        return
    if any(local(element.tag) == "encryption-data" for element in manifest.iter()):
        raise Uninspectable("encrypted")


def _read_document(package: Package, content: Element) -> Iterator[Content]:
    styles = package.xml("styles.xml")
    hidden_styles = _hidden_styles([root for root in (styles, content) if root is not None])
    insertions = _insertion_ids(content)

    body = _Part("body", "text", False, hidden_styles, insertions, package.source)
    for container in _children(content, "body"):
        yield from _blocks(container, body)
    yield from _alt_texts(content, "body")
    if styles is not None:
        yield from _headers_footers(styles, body)
    yield from _authors([root for root in (content, styles) if root is not None])
    yield from _properties(package)
    yield from _objects(package, body)
    yield from _attachments(package)
    yield from media_pictures(package.zf, "Pictures/", package.limits)


def _children(root: Element, name: str) -> Iterator[Element]:
    for child in root:
        if local(child.tag) == name:
            yield child


def _hidden_styles(roots: list[Element]) -> frozenset[str]:
    """Names of styles whose text properties hide text (text:display="none"), following
    parent styles: text can be hidden by its style without a mark of its own."""
    display: dict[str, bool | None] = {}
    parents: dict[str, str] = {}
    for root in roots:
        for style in root.iter():
            if local(style.tag) != "style":
                continue
            name = attribute(style, "name")
            parent = attribute(style, "parent-style-name")
            if parent:
                parents[name] = parent
            display.setdefault(name, None)
            for props in style:
                if local(props.tag) == "text-properties":
                    value = attribute(props, "display")
                    if value:
                        display[name] = value == "none"
    return inherited_true(display, parents)


def _insertion_ids(content: Element) -> frozenset[str]:
    ids = set()
    for region in content.iter():
        is_region = local(region.tag) == "changed-region"
        if is_region and any(local(child.tag) == "insertion" for child in region):
            ids.add(attribute(region, "id"))
    return frozenset(ids)


def _blocks(container: Element, part: _Part) -> Iterator[Content]:
    for child in container:
        yield from _block(child, part)


def _block(element: Element, part: _Part) -> Iterator[Content]:
    name = local(element.tag)
    if name in ("p", "h"):
        yield from _emit_paragraph(element, part)
    elif name == "table":
        yield from _table(element, part)
    elif name == "tracked-changes":
        yield from _deletions(element, part)
    elif name == "annotation":
        yield from _annotation(element, part)
    elif name == "section" and attribute(element, "display") in ("none", "condition"):
        # A hidden section, or one hidden when a condition holds: stored, maybe not shown.
        yield from _blocks(element, dataclasses.replace(part, layer="hidden_text", hidden=True))
    elif element.tag.startswith(DRAWING_NS):
        yield from _frame(element, part)
    elif name not in SKIPPED_BLOCKS:
        # lists, list items, sections, indexes and their bodies, table of contents
        yield from _blocks(element, part)


def _emit_paragraph(p: Element, part: _Part) -> Iterator[Content]:
    part.paragraphs[0] += 1
    if part.paragraphs[0] % CHECK_EVERY == 0:
        part.source.check_time()
    paragraph = _read_paragraph(p, part)
    text = paragraph.visible()
    start = part.offset
    if text.strip():
        if paragraph.hidden:
            location = Location(part.label, "hidden_text", True, offset=start)
        elif paragraph.inserted and part.layer == "text":
            location = Location(part.label, "tracked_change", part.hidden, offset=start)
        else:
            location = Location(part.label, part.layer, part.hidden, offset=start)
        yield Passage(text, location)
    yield from _unseen(paragraph, part.label, start, None, None)
    part.offset += len(text) + 1
    yield from _nested(paragraph, part)


def _unseen(
    paragraph: _Paragraph, label: str, start: int | None, row: int | None, column: str | None
) -> Iterator[Passage]:
    for text, position in paragraph.unseen():
        if text.strip():
            offset = None if start is None else start + position
            location = Location(label, "hidden_text", True, row=row, column=column, offset=offset)
            yield Passage(text, location)


def _nested(paragraph: _Paragraph, part: _Part) -> Iterator[Content]:
    for kind, element in paragraph.nested:
        if kind == "annotation":
            yield from _annotation(element, part)
        elif kind == "note":
            yield from _note(element, part)
        else:
            yield from _frame(element, part)


def _read_paragraph(p: Element, part: _Part) -> _Paragraph:
    paragraph = _Paragraph()
    hidden = attribute(p, "style-name") in part.hidden_styles
    _collect(p, paragraph, part, HIDDEN if hidden else PLAIN)
    return paragraph


def _collect(element: Element, paragraph: _Paragraph, part: _Part, kind: str) -> None:
    """Walk a paragraph's inline content in order: text, tails, spans, fields."""
    paragraph.add(kind, element.text)
    for child in element:
        _inline(child, paragraph, part, kind)
        paragraph.add(kind, child.tail)


def _inline(element: Element, paragraph: _Paragraph, part: _Part, kind: str) -> None:
    name = local(element.tag)
    if name == "s":
        paragraph.add(kind, " " * min(_count(attribute(element, "c")), MAX_SPACES))
    elif name == "tab":
        paragraph.add(kind, "\t")
    elif name == "line-break":
        paragraph.add(kind, "\n")
    elif name in ("annotation", "note"):
        paragraph.nested.append((name, element))
    elif element.tag.startswith(DRAWING_NS):
        paragraph.nested.append(("frame", element))
    elif name == "hidden-text":
        # A field that shows its text only when a condition is false; the text is stored.
        paragraph.add(HIDDEN, attribute(element, "string-value"))
    elif name == "hidden-paragraph":
        paragraph.hidden = True
    elif name == "conditional-text":
        _conditional(element, paragraph, part, kind)
    elif name in ("change-start", "change"):
        if attribute(element, "change-id") in part.insertions:
            paragraph.inserted = True
    elif name in ("annotation-end", "change-end", "soft-page-break", "bookmark-start"):
        return
    else:
        hidden = name == "span" and attribute(element, "style-name") in part.hidden_styles
        _collect(element, paragraph, part, HIDDEN if hidden else kind)


def _conditional(element: Element, paragraph: _Paragraph, part: _Part, kind: str) -> None:
    """Conditional text stores the text for both outcomes; the one not shown is hidden."""
    _collect(element, paragraph, part, kind)
    shown = "".join(element.itertext())
    for attr in ("string-value-if-true", "string-value-if-false"):
        value = attribute(element, attr)
        if value and value != shown:
            paragraph.add(HIDDEN, value)


def _count(value: str) -> int:
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1


def _table(table: Element, part: _Part) -> Iterator[Content]:
    label = f"{part.label}:table{next(part.tables)}"
    rows: list[list[str]] = []
    hidden_rows: set[int] = set()
    nested: list[Content] = []
    for row in _rows(table):
        part.source.check_time()
        cells = _row_cells(row, part, label, len(rows) + 1, nested)
        repeat = 1 if not any(cells) else min(_count(attribute(row, "number-rows-repeated")), MAX_REPEAT)
        for _ in range(repeat):
            rows.append(cells)
            if attribute(row, "visibility") in ("collapse", "filter"):
                hidden_rows.add(len(rows))
    grid = document_table(label, rows, part.hidden, hidden_rows, _hidden_columns(table))
    if grid is not None:
        yield grid
    yield from nested


def _rows(table: Element) -> Iterator[Element]:
    for child in table:
        name = local(child.tag)
        if name == "table-row":
            yield child
        elif name in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _rows(child)


def _hidden_columns(table: Element) -> frozenset[int]:
    hidden: set[int] = set()
    index = 0
    for column in table.iter():
        if local(column.tag) != "table-column":
            continue
        repeat = min(_count(attribute(column, "number-columns-repeated")), MAX_REPEAT)
        if attribute(column, "visibility") in ("collapse", "filter"):
            hidden.update(range(index, index + repeat))
        index += repeat
    return frozenset(hidden)


def _row_cells(row: Element, part: _Part, label: str, number: int, nested: list[Content]) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if local(cell.tag) not in ("table-cell", "covered-table-cell"):
            continue
        text = _cell_text(cell, part, label, number, column_letter(len(cells)), nested)
        repeat = 1 if not text else min(_count(attribute(cell, "number-columns-repeated")), MAX_REPEAT)
        cells.extend([text] * repeat)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _cell_text(cell: Element, part: _Part, label: str, row: int, column: str, nested: list[Content]) -> str:
    texts: list[str] = []
    for p in _cell_paragraphs(cell, part, nested):
        paragraph = _read_paragraph(p, part)
        if paragraph.hidden:
            nested.extend(_hidden_whole(paragraph.visible(), label, row, column))
        else:
            texts.append(paragraph.visible())
        nested.extend(_unseen(paragraph, label, None, row, column))
        nested.extend(_nested(paragraph, part))
    return "\n".join(texts).strip("\n")


def _hidden_whole(text: str, label: str, row: int, column: str) -> Iterator[Passage]:
    if text.strip():
        yield Passage(text, Location(label, "hidden_text", True, row=row, column=column))


def _cell_paragraphs(container: Element, part: _Part, nested: list[Content]) -> Iterator[Element]:
    for child in container:
        name = local(child.tag)
        if name in ("p", "h"):
            yield child
        elif name == "table":
            nested.extend(_table(child, part))
        elif name == "annotation":
            nested.extend(_annotation(child, part))
        elif name not in SKIPPED_BLOCKS:
            yield from _cell_paragraphs(child, part, nested)


def _annotation(element: Element, part: _Part) -> Iterator[Content]:
    comment = dataclasses.replace(part, label="comment", layer="comment", hidden=True, offset=0)
    for child in element:
        if local(child.tag) not in ("creator", "date", "initials", "creator-initials"):
            yield from _block(child, comment)


def _note(element: Element, part: _Part) -> Iterator[Content]:
    label = "endnotes" if attribute(element, "note-class") == "endnote" else "footnotes"
    for child in element:
        if local(child.tag) == "note-body":
            yield from _blocks(child, dataclasses.replace(part, label=label, offset=0))


def _frame(element: Element, part: _Part) -> Iterator[Content]:
    """Text boxes and shapes hold their own paragraphs; alt text is read document-wide."""
    box = dataclasses.replace(part, label=f"{part.label}:frame{next(part.frames)}", offset=0)
    yield from _frame_contents(element, box)


def _frame_contents(element: Element, box: _Part) -> Iterator[Content]:
    for child in element:
        if local(child.tag) in ("title", "desc"):
            continue
        if child.tag.startswith(DRAWING_NS):
            # text-box inside frame, shapes inside groups: the same box on the page
            yield from _frame_contents(child, box)
        else:
            yield from _block(child, box)


def _alt_texts(root: Element, label: str) -> Iterator[Passage]:
    """Titles and descriptions of frames and shapes, read aloud but never shown."""
    seen: set[str] = set()
    for element in root.iter():
        if not element.tag.startswith(SVG_NS) or local(element.tag) not in ("title", "desc"):
            continue
        text = "".join(element.itertext()).strip()
        if text and text not in seen:
            seen.add(text)
            yield Passage(text, Location(label, "attribute", True))


def _deletions(tracked: Element, part: _Part) -> Iterator[Content]:
    """Deleted text lives only here, out of the flow of the document."""
    deleted = dataclasses.replace(part, layer="tracked_change", hidden=True, offset=0)
    for region in tracked:
        for change in region:
            if local(change.tag) == "deletion":
                yield from _blocks(change, deleted)


def _fresh(base: _Part, label: str, layer: str = "text", hidden: bool = False) -> _Part:
    """A new part with its own offsets and counters, same styles and change records."""
    return _Part(label, layer, hidden, base.hidden_styles, base.insertions, base.source)


def _headers_footers(styles: Element, body: _Part) -> Iterator[Content]:
    for master in styles.iter():
        if local(master.tag) != "master-page":
            continue
        for child in master:
            label = HEADER_FOOTER.get(local(child.tag))
            if label is not None:
                yield from _blocks(child, _fresh(body, label))


def _authors(roots: list[Element]) -> Iterator[Passage]:
    """Who commented and who changed what (dc:creator in annotations and change records)."""
    seen: set[str] = set()
    for root in roots:
        for element in root.iter():
            text = (element.text or "").strip()
            if local(element.tag) == "creator" and text and text not in seen:
                seen.add(text)
                yield Passage(text, metadata_location("author"))


def _properties(package: Package) -> Iterator[Passage]:
    meta = package.xml("meta.xml")
    if meta is None:
        return
    for container in meta:
        for prop in container:
            name = attribute(prop, "name") or local(prop.tag)
            text = "".join(prop.itertext()).strip()
            if text:
                yield Passage(text, metadata_location(name))


def _objects(package: Package, body: _Part) -> Iterator[Content]:
    """Embedded ODF objects (charts, formulas, spreadsheets) are folders in the package with
    their own content.xml; a chart's data table is stored there though only a picture shows."""
    for name in package.zf.namelist():
        folder, base = posixpath.split(name)
        if folder and base == CONTENT:
            package.source.check_time()
            root = package.xml(name)
            if root is not None:
                yield from _blocks(root, _fresh(body, f"object:{folder}", "text", True))


def _attachments(package: Package) -> Iterator[Embedded]:
    """Other files in the package (OLE objects, attached documents), scanned on their own."""
    object_folders = {
        posixpath.dirname(name).lower() + "/"
        for name in package.zf.namelist()
        if posixpath.dirname(name) and posixpath.basename(name) == CONTENT
    }
    for name in package.zf.namelist():
        lowered = name.lower()
        if (
            name.endswith("/")
            or lowered in PACKAGE_FILES
            or lowered.startswith(PACKAGE_FOLDERS)
            or lowered.endswith(IMAGE_SUFFIXES)
            or any(lowered.startswith(folder) for folder in object_folders)
        ):
            continue
        data = package.read(name)
        if data:
            yield Embedded(name, data, layer="attachment", hidden=True)
