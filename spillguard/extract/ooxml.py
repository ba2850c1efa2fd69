"""What the Office Open XML formats (docx, pptx, xlsx) share: the package structure
(relationships, document properties, embedded packages) and the parts of DrawingML that
appear in all three (alt text, chart and diagram text).

Every reader here goes through `read_member` and `parse_xml`, so the limits and the refusal
of hostile XML hold for all of them.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from spillguard.extract.base import Limits, Source, local, open_zip, parse_xml, read_member
from spillguard.model import Content, Embedded, Location, Passage, Uninspectable

# Relationship types are URIs that differ between transitional, strict and Microsoft's own
# namespaces; the last path segment is what identifies the kind of part.
OFFICE_DOCUMENT = "officeDocument"
CORE_PROPERTIES = "core-properties"
EXTENDED_PROPERTIES = "extended-properties"
CUSTOM_PROPERTIES = "custom-properties"
HYPERLINK = "hyperlink"

# Where properties live when the package relationships do not say (some writers omit them).
DEFAULT_PROPERTY_PARTS = {
    CORE_PROPERTIES: "docProps/core.xml",
    EXTENDED_PROPERTIES: "docProps/app.xml",
    CUSTOM_PROPERTIES: "docProps/custom.xml",
}

# Parts that hold formatting, settings or package plumbing and no text a person wrote.
# Everything else that is XML is either read by a format's extractor or swept for text.
PLUMBING_NAMES = frozenset(
    {
        "[content_types].xml",
        "styles.xml",
        "styleswitheffects.xml",
        "fonttable.xml",
        "settings.xml",
        "websettings.xml",
        "numbering.xml",
        "tablestyles.xml",
        "presprops.xml",
        "viewprops.xml",
        "commentsids.xml",
        "commentsextensible.xml",
        "commentsextended.xml",
        "calcchain.xml",
    }
)
PLUMBING_FOLDERS = ("theme/", "customxml/itemprops", "fonts/", "printersettings/")

# Parts whose text a reader sees rendered (charts, SmartArt, masters and layouts).
VISIBLE_DRAWING_FOLDERS = ("charts/", "diagrams/", "slidemasters/", "slidelayouts/", "drawings/")

# Extended properties that are counts and switches, never anyone's words: left out so the
# metadata a reviewer reads is the part that can name people.
STATISTIC_PROPERTIES = frozenset(
    {
        "TotalTime", "Pages", "Words", "Characters", "CharactersWithSpaces", "Lines",
        "Paragraphs", "Slides", "Notes", "HiddenSlides", "MMClips", "DocSecurity",
        "ScaleCrop", "LinksUpToDate", "SharedDoc", "HyperlinksChanged", "AppVersion",
        "Application",  # the program that wrote the file ("Microsoft Excel"), never a person
    }
)  # fmt: skip

DRAWING_NAME_ELEMENTS = frozenset({"docPr", "cNvPr"})
ALT_TEXT_ATTRIBUTES = ("descr", "title")
VML_SHAPES = frozenset({"shape", "rect", "roundrect", "oval"})


@dataclass(frozen=True, slots=True)
class Relationship:
    id: str
    type: str  # last segment of the type URI: "header", "comments", "slide"...
    target: str  # zip member name for internal targets, the raw URI for external ones
    external: bool


class Package:
    """A zip opened as an OPC package: case-insensitive member lookup and relationships.

    Some writers differ in case between a relationship target and the member name; Office
    opens such files, so we must too, or we would silently skip a part.
    """

    def __init__(self, zf: zipfile.ZipFile, source: Source, limits: Limits) -> None:
        self.zf = zf
        self.source = source
        self.limits = limits
        self.names = {name.lower(): name for name in zf.namelist()}

    def member(self, name: str) -> str | None:
        return self.names.get(name.lstrip("/").lower())

    def read(self, name: str) -> bytes | None:
        real = self.member(name)
        if real is None:
            return None
        return read_member(self.zf, real, self.limits)

    def xml(self, name: str) -> Element | None:
        """The parsed part, or None when the package has no such member."""
        data = self.read(name)
        if data is None:
            return None
        return parse_xml(data, name)  # type: ignore[no-any-return]

    def relationships(self, part: str) -> list[Relationship]:
        root = self.xml(rels_name(part))
        if root is None:
            return []
        base = posixpath.dirname(part.lstrip("/"))
        found = []
        for rel in root:
            target = rel.get("Target", "")
            external = rel.get("TargetMode", "") == "External"
            if not external:
                target = resolve_target(base, target)
            found.append(Relationship(rel.get("Id", ""), rel_type(rel), target, external))
        return found

    def targets(self, part: str, kind: str) -> list[str]:
        return [r.target for r in self.relationships(part) if r.type == kind and not r.external]

    def main_part(self, default: str) -> str:
        """The document part named by the package relationships; its absence is fatal."""
        for target in self.targets("", OFFICE_DOCUMENT):
            if self.member(target):
                return target
        if self.member(default):
            return default
        raise Uninspectable("not a complete Office document: main part missing")


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part.lstrip("/"))
    return posixpath.join(folder, "_rels", f"{name}.rels")


def rel_type(rel: Element) -> str:
    return rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1]


def resolve_target(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def metadata_location(name: str) -> Location:
    return Location(f"metadata:{name}", "metadata", hidden=True)


def read_properties(zf: zipfile.ZipFile, limits: Limits) -> Iterator[Passage]:
    """One Passage per document property value (core, extended/app, custom), part
    `metadata:NAME`. Author names, managers, companies and custom fields ride along with a
    published file without anyone seeing them, so every value is hidden metadata."""
    package = Package(zf, Source.from_bytes("", b""), limits)
    parts = dict(DEFAULT_PROPERTY_PARTS)
    for rel in package.relationships(""):
        if rel.type in parts and not rel.external:
            parts[rel.type] = rel.target
    for kind in (CORE_PROPERTIES, EXTENDED_PROPERTIES, CUSTOM_PROPERTIES):
        root = package.xml(parts[kind])
        if root is None:
            continue
        for prop in root:
            # Custom properties are named by attribute; vectors (TitlesOfParts) nest values.
            name = prop.get("name") or local(prop.tag)
            if kind == EXTENDED_PROPERTIES and name in STATISTIC_PROPERTIES:
                continue
            for text in element_texts(prop):
                yield Passage(text, metadata_location(name))


def element_texts(root: Element) -> Iterator[str]:
    """The non-blank text content of every element under `root`, in document order."""
    for element in root.iter():
        for text in (element.text, element.tail if element is not root else None):
            if text and text.strip():
                yield text.strip()


def alt_texts(root: Element, part: str, hidden: bool = True) -> Iterator[Passage]:
    """Descriptions and titles of pictures, shapes and tables: a screen reader reads them, a
    sighted reader never sees them. Fallback copies repeat them, so each is given once."""
    seen: set[str] = set()
    for element in root.iter():
        name = local(element.tag)
        values: list[str] = []
        if name in DRAWING_NAME_ELEMENTS:
            values = [element.get(attr, "") for attr in ALT_TEXT_ATTRIBUTES]
        elif name in ("tblCaption", "tblDescription"):
            values = [attribute(element, "val")]
        elif name in VML_SHAPES:
            values = [element.get("alt", "")]
        for value in values:
            value = value.strip()
            if value and value not in seen:
                seen.add(value)
                yield Passage(value, Location(part, "attribute", hidden=hidden))


def attribute(element: Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (w:val, val, s:val)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return ""


def authors(roots: Iterable[Element]) -> Iterator[Passage]:
    """Names of the people who commented on or changed the document, once each.

    They sit in attributes (w:author, p:cmAuthor/@name, w15:person/@w15:author) that no view
    of the document shows as text.
    """
    seen: set[str] = set()
    for root in roots:
        for element in root.iter():
            name = local(element.tag)
            for key, value in element.attrib.items():
                key = local(key)
                is_author = key == "author" or (key == "name" and name in ("cmAuthor", "author", "person"))
                value = value.strip()
                if is_author and value and value not in seen:
                    seen.add(value)
                    yield Passage(value, metadata_location("author"))


def external_links(package: Package, part: str, label: str) -> Iterator[Passage]:
    """Hyperlink targets (mailto: addresses, URLs with query strings) behind display text."""
    seen: set[str] = set()
    for rel in package.relationships(part):
        if rel.external and rel.type == HYPERLINK and rel.target not in seen:
            seen.add(rel.target)
            yield Passage(rel.target, Location(label, "attribute", hidden=True))


def member_label(member: str) -> str:
    return f"member:{member}"


def embedded_files(package: Package) -> Iterator[Embedded]:
    """Workbooks, documents and OLE objects stored anywhere in the package under an
    `embeddings` folder: each is scanned as its own file, because a chart or an icon shows
    only a sliver of what they hold."""
    for name in package.zf.namelist():
        package.source.check_time()
        if "/embeddings/" in f"/{name.lower()}" and not name.endswith("/"):
            data = package.read(name)
            if data:
                yield Embedded(name, data, layer="attachment", hidden=True)


# Pictures a document shows (pasted screenshots, scanned pages, photos, metafiles), scanned as
# their own entries so the text in them is read; the package thumbnail only repeats the
# document, which is read in full.
PICTURE_SUFFIXES = (
    *(".png", ".jpg", ".jpeg", ".jpe", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".svg"),
    *(".emf", ".wmf", ".svm"),  # SVM: LibreOffice's metafile, not read: a picture not read
)


def media_pictures(zf: zipfile.ZipFile, folder: str, limits: Limits) -> Iterator[Embedded]:
    """Pictures stored under `folder` (`word/media/`, `ppt/media/`, `xl/media/`, `Pictures/`),
    each as its own entry named by its path in the package."""
    prefix = folder.lower()
    for name in zf.namelist():
        lowered = name.lower()
        if lowered.startswith(prefix) and lowered.endswith(PICTURE_SUFFIXES):
            data = read_member(zf, name, limits)
            if data:
                yield Embedded(name, data, layer="text", hidden=False)


def embedded_packages(zf: zipfile.ZipFile, folder: str, limits: Limits) -> Iterator[Embedded]:
    """Embedded files under `folder` (an xlsx inside a docx, an OLE object), named relative
    to it: each is scanned as its own entry. For callers that hold a bare ZipFile."""
    for name in zf.namelist():
        if name.startswith(folder) and not name.endswith("/"):
            data = read_member(zf, name, limits)
            yield Embedded(posixpath.relpath(name, folder), data, "attachment", True)


def is_plumbing(member: str) -> bool:
    lowered = member.lower()
    if lowered.endswith(".rels") or not lowered.endswith(".xml"):
        return True
    if lowered.startswith("docprops/"):
        return True  # read by read_properties
    if posixpath.basename(lowered) in PLUMBING_NAMES:
        return True
    return any(f"/{folder}" in f"/{lowered}" for folder in PLUMBING_FOLDERS)


def sweep_remaining_parts(package: Package, handled: set[str]) -> Iterator[Passage]:
    """Text of every XML part no extractor read: charts, SmartArt, custom XML data stores,
    masters, parts a writer invented. Failing closed means not trusting a list of known parts
    to be complete, so whatever holds text is reported."""
    done = {name.lower() for name in handled}
    for member in package.zf.namelist():
        package.source.check_time()
        lowered = member.lower()
        if lowered in done or is_plumbing(member) or "/embeddings/" in f"/{lowered}":
            continue
        root = package.xml(member)
        if root is not None:
            yield from part_texts(root, member)


def part_texts(root: Element, member: str, label: str | None = None) -> Iterator[Passage]:
    """Each text node of a part as its own passage. Drawing parts (charts, SmartArt) render
    their text; anything else swept up is stored data a reader does not see."""
    lowered = member.lower()
    visible = any(f"/{folder}" in f"/{lowered}" for folder in VISIBLE_DRAWING_FOLDERS)
    layer = "text" if visible else "metadata"
    label = label or member_label(member)
    for text in element_texts(root):
        yield Passage(text, Location(label, layer, hidden=not visible))
    for element in root.iter():
        # Presentation tags keep their data in attributes rather than text.
        if local(element.tag) == "tag" and element.get("val", "").strip():
            yield Passage(element.get("val", "").strip(), Location(label, "metadata", True))
    yield from alt_texts(root, label)


def drawing_paragraph_text(paragraph: Element) -> str:
    """A DrawingML paragraph (a:p) as one string: runs and fields joined, breaks as newlines,
    so a name split over runs stays whole."""
    pieces: list[str] = []
    for element in paragraph.iter():
        name = local(element.tag)
        if name == "t" and element.text:
            pieces.append(element.text)
        elif name == "br":
            pieces.append("\n")
    return "".join(pieces)


def first_choice(alternate: Element) -> Element | None:
    """mc:AlternateContent carries one content in several encodings; the first Choice is the
    one Office renders, and reading the Fallback too would report every value twice."""
    for wanted in ("Choice", "Fallback"):
        for child in alternate:
            if local(child.tag) == wanted:
                return child
    return None


def read_package(
    source: Source,
    limits: Limits,
    default_main: str,
    reader: Callable[[Package, str], Iterator[Content]],
) -> Iterator[Content]:
    """Open an Office package and hand its main part to `reader`, bounded by the limits."""
    with open_zip(source, limits) as zf:
        package = Package(zf, source, limits)
        main = package.main_part(default_main)
        try:
            yield from reader(package, main)
        except RecursionError:
            # Elements nested thousands deep: no real document does that.
            raise Uninspectable("XML nested too deeply") from None


def package_wide_parts(
    package: Package, handled: set[str], author_roots: list[Element], media_folder: str
) -> Iterator[Content]:
    """What every Office document carries beside its main text: reviewers' names, properties,
    embedded files, pictures, and any part no reader claimed."""
    yield from authors(author_roots)
    yield from read_properties(package.zf, package.limits)
    yield from embedded_files(package)
    yield from media_pictures(package.zf, media_folder, package.limits)
    yield from sweep_remaining_parts(package, handled)
