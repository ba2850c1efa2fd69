"""PowerPoint presentations (pptx, pptm): slide text and tables a reader sees, and what they
do not: speaker notes, hidden slides and shapes, comments (legacy and modern), slides left
out of the slide list, alt text, document properties and the names of commenters.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from spillguard.extract.base import Limits, Source, local
from spillguard.extract.ooxml import (
    Package,
    alt_texts,
    drawing_paragraph_text,
    external_links,
    first_choice,
    package_wide_parts,
    part_texts,
    read_package,
)
from spillguard.model import Content, Location, Passage, Table

DEFAULT_MAIN_PART = "ppt/presentation.xml"
SLIDE_FOLDER = "ppt/slides/"

# Elements that are one shape on a slide; each may be hidden on its own (cNvPr/@hidden).
SHAPES = frozenset({"sp", "pic", "graphicFrame", "grpSp", "cxnSp", "contentPart"})
FALSE_VALUES = ("0", "false", "off")
TRUE_VALUES = ("1", "true", "on")

# Parts a slide points to that hold text shown with it (charts, SmartArt data). SmartArt's
# other parts are its layout and a cached drawing that repeats the data's text.
SLIDE_DRAWING_READ = frozenset({"chart", "diagramData"})
SLIDE_DRAWING_SKIP = frozenset({"diagramDrawing", "diagramLayout", "diagramQuickStyle", "diagramColors"})
SLIDE_PARTS_READ = SLIDE_DRAWING_READ | SLIDE_DRAWING_SKIP | {"notesSlide", "comments"}
AUTHOR_PARTS = ("ppt/commentAuthors.xml", "ppt/authors.xml")


@dataclass
class _Part:
    """Where a slide's or notes page's text goes, and the running offset within it."""

    label: str
    layer: str
    hidden: bool
    page: int | None
    source: Source
    offset: int = 0
    tables: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def extract_pptx(source: Source, limits: Limits) -> Iterator[Content]:
    yield from read_package(source, limits, DEFAULT_MAIN_PART, _read_presentation)


def _read_presentation(package: Package, main: str) -> Iterator[Content]:
    handled: set[str] = {main}
    listed = _slide_order(package, main)
    for number, slide in enumerate(listed, start=1):
        yield from _read_slide(package, slide, f"slide:{number}", number, False, handled)
    # A slide part nobody lists is never shown, but it is published with the file.
    for slide in _unlisted_slides(package, listed):
        label = f"slide:unlisted:{posixpath.basename(slide)}"
        yield from _read_slide(package, slide, label, None, True, handled)
    yield from _unreached_comments(package, handled)

    roots = []
    for name in AUTHOR_PARTS:
        root = package.xml(name)
        if root is not None:
            handled.add(name)
            roots.append(root)
    yield from package_wide_parts(package, handled, roots, "ppt/media/")


def _slide_order(package: Package, main: str) -> list[str]:
    """Slide parts in presentation order (sldIdLst), which is what slide numbers mean."""
    root = package.xml(main)
    if root is None:
        return []
    targets = {rel.id: rel.target for rel in package.relationships(main) if not rel.external}
    slides: list[str] = []
    for element in root.iter():
        if local(element.tag) != "sldId":
            continue
        target = targets.get(_relationship_id(element))
        if target and package.member(target) and target not in slides:
            slides.append(target)
    return slides


def _relationship_id(element: Element) -> str:
    # sldId carries both a numeric `id` and the namespaced `r:id` that names the part.
    for key, value in element.attrib.items():
        if key.startswith("{") and local(key) == "id":
            return value
    return ""


def _unlisted_slides(package: Package, listed: list[str]) -> list[str]:
    known = {name.lower() for name in listed}
    return sorted(
        name
        for name in package.zf.namelist()
        if name.lower().startswith(SLIDE_FOLDER)
        and name.lower().endswith(".xml")
        and posixpath.dirname(name.lower()) + "/" == SLIDE_FOLDER
        and name.lower() not in known
    )


def _read_slide(
    package: Package,
    member: str,
    label: str,
    page: int | None,
    forced_hidden: bool,
    handled: set[str],
) -> Iterator[Content]:
    root = package.xml(member)
    if root is None:
        return
    handled.add(member)
    package.source.check_time()
    hidden = forced_hidden or root.get("show", "1").lower() in FALSE_VALUES
    yield from _shapes(root, _Part(label, "text", hidden, page, package.source), hidden)
    yield from _located(alt_texts(root, label), page)
    yield from _located(external_links(package, member, label), page)
    for rel in package.relationships(member):
        if rel.external or rel.type not in SLIDE_PARTS_READ:
            continue
        if rel.type in SLIDE_DRAWING_SKIP:
            handled.add(rel.target)
            continue
        part = package.xml(rel.target)
        if part is None:
            continue
        if rel.type == "notesSlide":
            handled.add(rel.target)
            notes_label = f"notes:{page}" if page is not None else f"notes:{label}"
            notes = _Part(notes_label, "notes", True, page, package.source)
            yield from _shapes(part, notes, True)
            yield from _located(alt_texts(part, notes_label), page)
        elif rel.type == "comments":  # legacy and modern comments share the last segment
            handled.add(rel.target)
            yield from _comments(part, page)
        elif rel.type in SLIDE_DRAWING_READ:
            handled.add(rel.target)
            for passage in part_texts(part, rel.target, f"{label}:{rel.type}"):
                yield _on_slide(passage, page, hidden)


def _located(passages: Iterator[Passage], page: int | None) -> Iterator[Passage]:
    for passage in passages:
        yield _on_slide(passage, page, passage.location.hidden)


def _on_slide(passage: Passage, page: int | None, hidden: bool) -> Passage:
    location = dataclasses.replace(passage.location, page=page, hidden=passage.location.hidden or hidden)
    return Passage(passage.text, location)


def _shapes(element: Element, part: _Part, hidden: bool) -> Iterator[Content]:
    """Text bodies and tables under `element`, in order, with each shape's own hiding."""
    for child in element:
        name = local(child.tag)
        if name == "AlternateContent":
            choice = first_choice(child)
            if choice is not None:
                yield from _shapes(choice, part, hidden)
        elif name in SHAPES:
            yield from _shapes(child, part, hidden or _shape_hidden(child))
        elif name == "txBody":
            yield from _paragraphs(child, part, hidden)
        elif name == "tbl":
            yield from _table(child, part, hidden)
        else:
            yield from _shapes(child, part, hidden)


def _shape_hidden(shape: Element) -> bool:
    for properties in shape:
        if not local(properties.tag).startswith("nv"):
            continue
        for child in properties:
            if local(child.tag) == "cNvPr":
                return child.get("hidden", "0").lower() in TRUE_VALUES
    return False


def _paragraphs(body: Element, part: _Part, hidden: bool) -> Iterator[Passage]:
    for paragraph in body:
        if local(paragraph.tag) != "p":
            continue
        text = drawing_paragraph_text(paragraph)
        if text.strip():
            location = Location(part.label, part.layer, hidden, page=part.page, offset=part.offset)
            yield Passage(text, location)
        part.offset += len(text) + 1


def _table(tbl: Element, part: _Part, hidden: bool) -> Iterator[Table]:
    label = f"{part.label}:table{next(part.tables)}"
    rows: list[list[str]] = []
    for row in tbl:
        if local(row.tag) != "tr":
            continue
        part.source.check_time()
        rows.append([_cell_text(cell) for cell in row if local(cell.tag) == "tc"])
    if any(any(cell.strip() for cell in row) for row in rows):
        yield Table(
            part=label,
            rows=rows,
            layer="cell",
            hidden=hidden,
            row_numbers=list(range(1, len(rows) + 1)),
            key=label,
        )


def _cell_text(cell: Element) -> str:
    return "\n".join(drawing_paragraph_text(p) for p in cell.iter() if local(p.tag) == "p")


def _comments(root: Element, page: int | None) -> Iterator[Passage]:
    """Legacy comments keep their text in p:text; modern ones (and their replies) in a
    DrawingML text body."""
    location = Location("comment", "comment", True, page=page)
    for element in root.iter():
        name = local(element.tag)
        if name == "text" and (element.text or "").strip():
            yield Passage(element.text or "", location)
        elif name == "txBody":
            for paragraph in element:
                if local(paragraph.tag) == "p":
                    text = drawing_paragraph_text(paragraph)
                    if text.strip():
                        yield Passage(text, location)


def _unreached_comments(package: Package, handled: set[str]) -> Iterator[Passage]:
    """Comment parts no listed slide points to are still in the file."""
    done = {name.lower() for name in handled}
    for name in package.zf.namelist():
        lowered = name.lower()
        if lowered.startswith("ppt/comments/") and lowered.endswith(".xml") and lowered not in done:
            root = package.xml(name)
            if root is not None:
                handled.add(name)
                yield from _comments(root, None)
