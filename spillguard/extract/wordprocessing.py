"""Word documents (docx, docm): every part a reader sees and every part they do not.

The body, headers, footers, notes and text boxes are what a reader sees. Comments, tracked
deletions, hidden runs (`w:vanish`), field codes, the glossary, alt text, document
properties and the names of reviewers are not, and are reported with `hidden=True`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from spillguard.extract.base import Limits, Source, column_letter, document_table, inherited_true, local
from spillguard.extract.ooxml import (
    Package,
    alt_texts,
    attribute,
    external_links,
    first_choice,
    package_wide_parts,
    read_package,
)
from spillguard.model import Content, Embedded, Location, Passage, Uninspectable

DEFAULT_MAIN_PART = "word/document.xml"

# Parts reached from the main document, by relationship type, with how a reader meets them.
# (relationship type, part label, layer, hidden)
LINKED_PARTS = (
    ("header", "header", "text", False),
    ("footer", "footer", "text", False),
    ("footnotes", "footnotes", "text", False),
    ("endnotes", "endnotes", "text", False),
    ("comments", "comment", "comment", True),
    # Building blocks are stored with the document but shown only when someone inserts them.
    ("glossaryDocument", "glossary", "text", True),
)

# Footnote entries that are only the separator line, never text a person wrote.
NOTE_SEPARATOR_TYPES = frozenset({"separator", "continuationSeparator", "continuationNotice"})

# Inline content an alternative-format chunk brings in (HTML, RTF, another docx).
ALT_CHUNK = "aFChunk"

# Segment kinds inside one paragraph.
PLAIN, INSERTED, DELETED, HIDDEN = "plain", "inserted", "deleted", "hidden"
VISIBLE_KINDS = (PLAIN, INSERTED)
CHECK_EVERY = 200  # paragraphs between deadline checks


@dataclass
class _Part:
    """Where the paragraphs being read go, and the running state of that part."""

    label: str
    layer: str
    hidden: bool
    hidden_styles: frozenset[str]
    source: Source
    offset: int = 0
    tables: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    textboxes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    paragraphs: int = 0

    def child(self, label: str) -> _Part:
        return _Part(label, self.layer, self.hidden, self.hidden_styles, self.source)


@dataclass
class _Paragraph:
    """One paragraph split by what a reader sees: segments of (kind, text) in order."""

    segments: list[tuple[str, str]] = field(default_factory=list)
    textboxes: list[Element] = field(default_factory=list)
    tables: list[Element] = field(default_factory=list)

    def add(self, kind: str, text: str) -> None:
        if text:
            self.segments.append((kind, text))

    def visible(self) -> str:
        return "".join(text for kind, text in self.segments if kind in VISIBLE_KINDS)

    def has_insertions(self) -> bool:
        return any(kind == INSERTED for kind, _ in self.segments)

    def unseen(self) -> Iterator[tuple[str, str, int]]:
        """Runs of deleted or hidden text, each joined whole, with the visible offset where
        they sit: (kind, text, offset)."""
        position = 0
        for kind, group in itertools.groupby(self.segments, key=lambda seg: seg[0]):
            text = "".join(piece for _, piece in group)
            if kind in VISIBLE_KINDS:
                position += len(text)
            else:
                yield kind, text, position


def extract_docx(source: Source, limits: Limits) -> Iterator[Content]:
    yield from read_package(source, limits, DEFAULT_MAIN_PART, _read_document)


def _read_document(package: Package, main: str) -> Iterator[Content]:
    hidden_styles = _hidden_styles(package, main)
    roots: list[Element] = []
    handled = {main}

    body = package.xml(main)
    if body is None:
        raise Uninspectable("not a complete Office document: main part missing")
    roots.append(body)
    yield from _read_part(body, _Part("body", "text", False, hidden_styles, package.source))
    yield from alt_texts(body, "body")
    yield from external_links(package, main, "body")

    for rel in package.relationships(main):
        if rel.external:
            continue
        if rel.type == ALT_CHUNK:
            data = package.read(rel.target)
            if data:
                handled.add(rel.target)
                yield Embedded(rel.target, data, layer="text", hidden=False)
        for kind, label, layer, hidden in LINKED_PARTS:
            if rel.type != kind:
                continue
            root = package.xml(rel.target)
            if root is None:
                continue
            handled.add(rel.target)
            roots.append(root)
            part = _Part(label, layer, hidden, hidden_styles, package.source)
            yield from _read_part(root, part)
            yield from alt_texts(root, label)
            yield from external_links(package, rel.target, label)

    for people in _people_parts(package):
        root = package.xml(people)
        if root is not None:
            handled.add(people)
            roots.append(root)
    yield from package_wide_parts(package, handled, roots, "word/media/")


def _people_parts(package: Package) -> list[str]:
    return [name for name in package.zf.namelist() if name.lower().endswith("/people.xml")]


def _hidden_styles(package: Package, main: str) -> frozenset[str]:
    """Ids of paragraph and character styles that hide their text (w:vanish), following
    basedOn chains: text can be hidden by its style without a mark on the run itself."""
    styles_part = next(iter(package.targets(main, "styles")), "word/styles.xml")
    root = package.xml(styles_part)
    if root is None:
        return frozenset()
    vanish: dict[str, bool | None] = {}
    based_on: dict[str, str] = {}
    for style in root.iter():
        if local(style.tag) != "style":
            continue
        style_id = attribute(style, "styleId")
        for child in style:
            if local(child.tag) == "basedOn":
                based_on[style_id] = attribute(child, "val")
            elif local(child.tag) == "rPr":
                vanish[style_id] = _vanish_setting(child)
        vanish.setdefault(style_id, None)
    return inherited_true(vanish, based_on)


def _vanish_setting(run_properties: Element) -> bool | None:
    """True or False when the properties set hidden text, None when they leave it alone."""
    for child in run_properties:
        if local(child.tag) in ("vanish", "specVanish"):
            return attribute(child, "val").lower() not in ("0", "false", "off")
    return None


def _read_part(root: Element, part: _Part) -> Iterator[Content]:
    for child in root:
        name = local(child.tag)
        if name in ("footnote", "endnote") and attribute(child, "type") in NOTE_SEPARATOR_TYPES:
            continue
        yield from _block(child, part)


def _read_blocks(container: Element, part: _Part, deleted: bool = False) -> Iterator[Content]:
    """Paragraphs and tables in a body, cell, note, comment or text box, wherever wrapped
    (content controls, custom XML, block-level revisions)."""
    for child in container:
        yield from _block(child, part, deleted)


def _block(element: Element, part: _Part, deleted: bool = False) -> Iterator[Content]:
    name = local(element.tag)
    if name == "p":
        yield from _emit_paragraph(_read_paragraph(element, part, deleted), part)
    elif name == "tbl":
        yield from _read_table(element, part, deleted)
    elif name == "AlternateContent":
        choice = first_choice(element)
        if choice is not None:
            yield from _read_blocks(choice, part, deleted)
    elif name in ("del", "moveFrom"):
        yield from _read_blocks(element, part, True)
    elif name not in ("sectPr", "sdtPr", "sdtEndPr", "tblPr", "tblGrid"):
        yield from _read_blocks(element, part, deleted)


def _emit_paragraph(paragraph: _Paragraph, part: _Part) -> Iterator[Content]:
    part.paragraphs += 1
    if part.paragraphs % CHECK_EVERY == 0:
        part.source.check_time()
    text = paragraph.visible()
    start = part.offset
    if text.strip():
        layer = "tracked_change" if paragraph.has_insertions() and part.layer == "text" else part.layer
        yield Passage(text, Location(part.label, layer, part.hidden, offset=start))
    yield from _unseen_passages(paragraph, part.label, start, None, None)
    part.offset += len(text) + 1  # paragraphs are separated by one newline
    yield from _nested(paragraph, part)


def _unseen_passages(
    paragraph: _Paragraph, label: str, start: int | None, row: int | None, column: str | None
) -> Iterator[Passage]:
    for kind, text, position in paragraph.unseen():
        if not text.strip():
            continue
        layer = "tracked_change" if kind == DELETED else "hidden_text"
        offset = None if start is None else start + position
        yield Passage(text, Location(label, layer, True, row=row, column=column, offset=offset))


def _nested(paragraph: _Paragraph, part: _Part) -> Iterator[Content]:
    for box in paragraph.textboxes:
        yield from _read_blocks(box, part.child(f"{part.label}:textbox{next(part.textboxes)}"))
    for table in paragraph.tables:
        yield from _read_table(table, part, False)


def _read_paragraph(p: Element, part: _Part, deleted: bool) -> _Paragraph:
    paragraph = _Paragraph()
    style_hidden = _paragraph_style_hidden(p, part)
    _collect(p, paragraph, part, deleted=deleted, inserted=False, hidden=style_hidden)
    return paragraph


def _paragraph_style_hidden(p: Element, part: _Part) -> bool:
    for child in p:
        if local(child.tag) == "pPr":
            for prop in child:
                if local(prop.tag) == "pStyle":
                    return attribute(prop, "val") in part.hidden_styles
    return False


def _collect(
    element: Element,
    paragraph: _Paragraph,
    part: _Part,
    *,
    deleted: bool,
    inserted: bool,
    hidden: bool,
) -> None:
    """Walk a paragraph's content in order, sorting text into what a reader sees and not."""
    for child in element:
        _collect_element(child, paragraph, part, deleted=deleted, inserted=inserted, hidden=hidden)


def _collect_element(
    element: Element,
    paragraph: _Paragraph,
    part: _Part,
    *,
    deleted: bool,
    inserted: bool,
    hidden: bool,
) -> None:
    name = local(element.tag)
    if name in ("pPr", "rPr", "sdtPr", "sdtEndPr"):
        return  # properties; revision marks inside pPr concern the paragraph mark only
    if name == "r":
        _collect_run(element, paragraph, part, deleted=deleted, inserted=inserted, hidden=hidden)
    elif name in ("del", "moveFrom"):
        _collect(element, paragraph, part, deleted=True, inserted=inserted, hidden=hidden)
    elif name in ("ins", "moveTo"):
        _collect(element, paragraph, part, deleted=deleted, inserted=True, hidden=hidden)
    elif name == "fldSimple":
        # The field instruction (MERGEFIELD, HYPERLINK "mailto:...") hides behind its result.
        paragraph.add(DELETED if deleted else HIDDEN, attribute(element, "instr").strip())
        _collect(element, paragraph, part, deleted=deleted, inserted=inserted, hidden=hidden)
    elif name == "AlternateContent":
        choice = first_choice(element)
        if choice is not None:
            _collect(choice, paragraph, part, deleted=deleted, inserted=inserted, hidden=hidden)
    elif name == "txbxContent":
        paragraph.textboxes.append(element)
    elif name == "tbl":
        paragraph.tables.append(element)
    else:
        # hyperlink, smartTag, customXml, sdt, drawing, pict, object, math: text inside
        _collect(element, paragraph, part, deleted=deleted, inserted=inserted, hidden=hidden)


def _collect_run(
    run: Element,
    paragraph: _Paragraph,
    part: _Part,
    *,
    deleted: bool,
    inserted: bool,
    hidden: bool,
) -> None:
    run_hidden = _run_hidden(run, part, hidden)
    kind = DELETED if deleted else HIDDEN if run_hidden else INSERTED if inserted else PLAIN
    for child in run:
        name = local(child.tag)
        if name in ("t", "delText"):
            paragraph.add(kind, child.text or "")
        elif name in ("instrText", "delInstrText"):
            paragraph.add(DELETED if deleted else HIDDEN, child.text or "")
        elif name in ("tab", "ptab"):
            paragraph.add(kind, "\t")
        elif name in ("br", "cr"):
            paragraph.add(kind, "\n")
        elif name == "noBreakHyphen":
            paragraph.add(kind, "-")
        else:
            _collect_element(child, paragraph, part, deleted=deleted, inserted=inserted, hidden=run_hidden)


def _run_hidden(run: Element, part: _Part, inherited: bool) -> bool:
    for child in run:
        if local(child.tag) != "rPr":
            continue
        direct = _vanish_setting(child)
        if direct is not None:
            return direct
        for prop in child:
            if local(prop.tag) == "rStyle" and attribute(prop, "val") in part.hidden_styles:
                return True
    return inherited


def _read_table(tbl: Element, part: _Part, deleted: bool) -> Iterator[Content]:
    label = f"{part.label}:table{next(part.tables)}"
    rows: list[list[str]] = []
    hidden_rows: set[int] = set()
    nested: list[Content] = []
    for number, row in enumerate(_rows(tbl), start=1):
        part.source.check_time()
        row_deleted = deleted or _row_marked(row, ("del",))
        if _row_marked(row, ("hidden",)):
            hidden_rows.add(number)
        cells: list[str] = []
        for index, cell in enumerate(_cells(row)):
            cells.append(_read_cell(cell, part, label, number, index, row_deleted, nested))
        rows.append(cells)
    grid = document_table(label, rows, part.hidden, hidden_rows)
    if grid is not None:
        yield grid
    yield from nested


def _read_cell(
    cell: Element,
    part: _Part,
    label: str,
    row: int,
    index: int,
    deleted: bool,
    nested: list[Content],
) -> str:
    """A cell's visible text, paragraphs joined by newlines; what is not visible in it, and
    tables or text boxes inside it, go to `nested`."""
    texts: list[str] = []
    column = column_letter(index)
    for p in _cell_paragraphs(cell, nested, part, deleted):
        paragraph = _read_paragraph(p, part, deleted)
        texts.append(paragraph.visible())
        nested.extend(_unseen_passages(paragraph, label, None, row, column))
        nested.extend(_nested(paragraph, part))
    return "\n".join(texts)


def _cell_paragraphs(
    container: Element, nested: list[Content], part: _Part, deleted: bool
) -> Iterator[Element]:
    for child in container:
        name = local(child.tag)
        if name == "p":
            yield child
        elif name == "tbl":
            nested.extend(_read_table(child, part, deleted))
        elif name not in ("tcPr",):
            yield from _cell_paragraphs(child, nested, part, deleted)


def _rows(tbl: Element) -> Iterator[Element]:
    """Rows of this table, not of tables nested in its cells; rows may be wrapped in
    content controls or custom XML."""
    for child in tbl:
        name = local(child.tag)
        if name == "tr":
            yield child
        elif name in ("sdt", "sdtContent", "customXml", "ins", "del"):
            yield from _rows(child)


def _cells(row: Element) -> Iterator[Element]:
    for child in row:
        name = local(child.tag)
        if name == "tc":
            yield child
        elif name in ("sdt", "sdtContent", "customXml", "ins", "del"):
            yield from _cells(child)


def _row_marked(row: Element, marks: tuple[str, ...]) -> bool:
    """Row properties: `w:del` (a deleted row, still stored) or `w:hidden`."""
    for child in row:
        if local(child.tag) == "trPr":
            for prop in child:
                if local(prop.tag) in marks:
                    return attribute(prop, "val").lower() not in ("0", "false", "off")
    return False
