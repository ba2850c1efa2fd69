"""HTML, XML and JSON: the text a reader sees, and what a page or data file carries that nobody
sees (hidden elements, comments, attributes, data islands in scripts, records in data files).

Record-shaped data (repeated XML elements, JSON arrays of objects, HTML tables) comes out as a
`Table`, header included, so the column classifier sees whole columns; everything else comes out
as `Passage`s that keep their key or tag name in the text for context ("dob: 1990-01-02").
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import gc
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from spillguard.extract.base import Limits, Source, local
from spillguard.model import Content, Embedded, Location, Passage, Table, Uninspectable

MAX_DEPTH = 64  # deeper nesting is not data anyone publishes on purpose; fail closed
PASSAGE_CHARS = 4000  # body text is cut into passages about this long, at line breaks
MAX_SCRIPT_CHARS = 1_000_000  # a larger script is code, not a data island worth scanning whole
MAX_CELL_JSON = 10_000  # nested values in a record cell are kept as JSON up to this length

# Elements a reader never sees as text on the page.
HIDDEN_TAGS = frozenset({"template", "noscript"})
SKIPPED_TAGS = frozenset({"style", "link", "base"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "option",
        "p", "pre", "section", "summary", "td", "th", "tr", "ul", "label", "legend", "select",
        "textarea", "button",
    }
)  # fmt: skip
# Attributes that carry words rather than markup mechanics.
TEXT_ATTRIBUTES = frozenset(
    {"title", "alt", "value", "placeholder", "aria-label", "aria-description", "label",
     "summary", "abbr", "content", "download", "data"}
)  # fmt: skip
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(hidden|collapse)", re.I)
JSON_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json", "importmap"})
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


# --- HTML ------------------------------------------------------------------------------------


@dataclass
class Page:
    """What one walk over an HTML tree collects, before it is turned into content."""

    hidden: list[tuple[str, str]] = field(default_factory=list)  # (part, text)
    comments: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    json_islands: list[Any] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    pictures: list[tuple[str, bytes]] = field(default_factory=list)  # data: URIs, by type


def extract_html(source: Source, limits: Limits) -> Iterator[Content]:
    import lxml.html
    from lxml import etree

    data = read_bounded(source, limits)
    text = XML_DECLARATION.sub("", decode(data, declared_charset(data)))
    if not text.strip():
        return
    parser = lxml.html.HTMLParser(remove_comments=False, no_network=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise Uninspectable("corrupt HTML (cannot parse)") from None
    page = Page()
    body: list[str] = []
    walk_html(root, body, page, hidden=False, depth=0)
    yield from html_content(page, body)


def html_content(page: Page, body: list[str]) -> Iterator[Content]:
    for title in page.title:
        yield Passage(title, Location(part="metadata:title", layer="metadata"))
    yield from chunked(tidy("".join(body)), "body", "text", hidden=False)
    yield from page.tables
    for part, text in page.hidden:
        yield from chunked(tidy(text), part, "hidden_text", hidden=True)
    for text in page.comments:
        yield from chunked(tidy(text), "comment", "comment", hidden=True)
    for text in page.attributes:
        yield Passage(text, Location(part="attribute", layer="attribute", hidden=True))
    for number, script in enumerate(page.scripts, 1):
        yield from chunked(script, f"script:{number}", "hidden_text", hidden=True)
    for number, island in enumerate(page.json_islands, 1):
        yield from json_content(island, f"script:{number}:json:", hidden=True)
    for number, (subtype, data) in enumerate(page.pictures, 1):
        yield Embedded(f"picture-{number}.{subtype}", data, layer="text", hidden=False)


def walk_html(element: Any, out: list[str], page: Page, hidden: bool, depth: int) -> None:
    """Collect `element`'s visible text into `out` and everything else into `page`.

    The caller adds `element.tail`: the tail is text after the element, in its parent."""
    if depth > MAX_DEPTH:
        raise Uninspectable(f"over limit: HTML nested deeper than {MAX_DEPTH}")
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag:
        if "Comment" in type(element).__name__ and element.text and element.text.strip():
            page.comments.append(element.text)
        return
    tag = local(tag).lower()
    collect_attributes(element, tag, page)
    if tag == "title":
        if element.text_content().strip():
            page.title.append(" ".join(element.text_content().split()))
        return
    if tag == "script":
        collect_script(element, page)
        return
    if tag in SKIPPED_TAGS:
        return
    if not hidden and is_hidden(element, tag):
        inner: list[str] = []
        walk_children(element, inner, page, True, depth)
        if "".join(inner).strip():
            page.hidden.append(("body", "".join(inner)))
        return
    if tag == "table":
        page.tables.append(html_table(element, len(page.tables) + 1, page, hidden, depth))
        out.append("\n")
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n")
    walk_children(element, out, page, hidden, depth)
    if block:
        out.append("\n")


def walk_children(element: Any, out: list[str], page: Page, hidden: bool, depth: int) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        walk_html(child, out, page, hidden, depth + 1)
        if child.tail:
            out.append(child.tail)


def is_hidden(element: Any, tag: str) -> bool:
    if tag in HIDDEN_TAGS or element.get("hidden") is not None:
        return True
    if (element.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if tag == "input" and (element.get("type") or "").lower() == "hidden":
        return True
    return bool(HIDDEN_STYLE.search(element.get("style") or ""))


def collect_attributes(element: Any, tag: str, page: Page) -> None:
    """Words kept in attributes: tooltips, alt text, form values, meta content, data-*."""
    name_hint = element.get("name") or element.get("property") or element.get("id") or ""
    for name, value in element.attrib.items():
        name = name.lower()
        if not value.strip():
            continue
        if "data:image/" in value[:4096].lower():
            page.pictures.extend(data_uri_pictures(value))
            continue
        if name in TEXT_ATTRIBUTES or name.startswith("data-") or is_contact_link(name, value):
            if tag == "input" and (element.get("type") or "").lower() == "hidden":
                # A hidden input's value is hidden text, not a tooltip.
                page.hidden.append(("form", f"{name_hint or name}: {value}"))
                continue
            label = f"{name_hint} {name}".strip() if tag in ("meta", "input") else name
            page.attributes.append(f"{label}: {value}")


DATA_URI_PICTURE = re.compile(r"data:image/([\w.+-]{1,40})((?:;[\w=.+-]*)*),([^\s\"')]+)", re.I)


def data_uri_pictures(value: str) -> Iterator[tuple[str, bytes]]:
    """Pictures written into the page itself (`<img src="data:image/png;base64,...">`, CSS
    `url(data:...)`): (subtype, bytes) for each, scanned as its own entry so its text is read."""
    import base64
    import binascii
    from urllib.parse import unquote_to_bytes

    for match in DATA_URI_PICTURE.finditer(value):
        subtype, params, payload = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if ";base64" in params:
            try:
                data = base64.b64decode(payload + "=" * (-len(payload) % 4))
            except (binascii.Error, ValueError):
                raise Uninspectable("corrupt picture in a data: URI (bad base64)") from None
        else:
            data = unquote_to_bytes(payload)
        if data:
            yield subtype.replace("svg+xml", "svg").replace("jpeg", "jpg"), data


def extract_svg(source: Source, limits: Limits) -> Iterator[Content]:
    """SVG is XML (its text, `<title>`, `<desc>` and metadata are read as such), and may carry
    pictures written into it as `data:` URIs (a scanned page traced into a logo)."""
    yield from extract_xml(source, limits)
    yield from inline_pictures(decode(read_bounded(source, limits)))


def extract_web_text(source: Source, limits: Limits) -> Iterator[Content]:
    """Stylesheets and scripts: text, and the `data:` pictures written into them."""
    from spillguard.extract.plaintext import extract_text

    yield from extract_text(source, limits)
    yield from inline_pictures(decode(read_bounded(source, limits)))


def inline_pictures(text: str) -> Iterator[Embedded]:
    for number, (subtype, data) in enumerate(data_uri_pictures(text), 1):
        yield Embedded(f"picture-{number}.{subtype}", data, layer="text", hidden=False)


def is_contact_link(name: str, value: str) -> bool:
    return name in ("href", "src") and value.lower().startswith(("mailto:", "tel:"))


def collect_script(element: Any, page: Page) -> None:
    """Scripts are code a reader never sees; data islands in them often carry whole records."""
    code = element.text or ""
    if not code.strip() or element.get("src"):
        return
    kind = (element.get("type") or "").strip().lower()
    if kind in JSON_SCRIPT_TYPES or kind.endswith("+json"):
        try:
            page.json_islands.append(json.loads(code, object_pairs_hook=Pairs))
            return
        except (ValueError, RecursionError):
            pass  # not valid JSON after all: scan it as text below
    page.scripts.append(code[:MAX_SCRIPT_CHARS])


def html_table(element: Any, number: int, page: Page, hidden: bool, depth: int) -> Table:
    """The table as a raw grid: one row per <tr> (in <thead>, <tbody>, <tfoot> or bare), cells
    padded under a colspan so columns stay aligned; nested tables become tables of their own."""
    rows: list[list[str]] = []
    hidden_rows: set[int] = set()
    for tr in table_rows(element):
        cells: list[str] = []
        for cell in tr:
            if not isinstance(cell.tag, str) or local(cell.tag).lower() not in ("td", "th"):
                continue
            inner: list[str] = []
            walk_children(cell, inner, page, hidden, depth + 1)
            cells.append(" ".join("".join(inner).split()))
            cells.extend("" for _ in range(colspan(cell) - 1))
        rows.append(cells)
        if is_hidden(tr, "tr"):
            hidden_rows.add(len(rows))
    return Table(
        part=f"table:{number}",
        rows=rows,
        hidden=hidden,
        hidden_rows=frozenset(hidden_rows),
    )


def table_rows(table: Any) -> Iterator[Any]:
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = local(child.tag).lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if isinstance(row.tag, str) and row.tag == "tr")


def colspan(cell: Any) -> int:
    try:
        return max(1, min(int(cell.get("colspan") or 1), 1000))
    except ValueError:
        return 1


def declared_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def decode(data: bytes, declared: str | None = None) -> str:
    """BOM first, then the charset the document declares, then UTF-8, then a guess."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for candidate in (declared, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    return data.decode(best.encoding if best else "cp1252", errors="replace")


def tidy(text: str) -> str:
    """Collapse runs of spaces inside lines and drop empty lines; line breaks stay."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def chunked(text: str, part: str, layer: str, hidden: bool) -> Iterator[Passage]:
    """Passages of about PASSAGE_CHARS, cut at line breaks, with their offset in `text`."""
    start = 0
    while start < len(text):
        end = min(start + PASSAGE_CHARS, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        piece = text[start:end]
        if piece.strip():
            yield Passage(piece, Location(part=part, layer=layer, hidden=hidden, offset=start))
        start = end


def read_bounded(source: Source, limits: Limits) -> bytes:
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    return source.read()


# --- XML -------------------------------------------------------------------------------------


def extract_xml(source: Source, limits: Limits) -> Iterator[Content]:
    root = parse_data_xml(read_bounded(source, limits))
    name = local(root.tag)
    yield from xml_content(root, f"/{name}", 0, source)


def parse_data_xml(data: bytes) -> Any:
    """A plain DOCTYPE is allowed; entity declarations and external references are refused
    (billion laughs, XXE), and the file then blocks as hostile. Parsed with lxml (libxml2, in
    C: four times the speed of the pure-Python parser defusedxml must use) with entities left
    unexpanded, no DTD loaded and no network; the DTD is then checked for declared entities."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc).lower()
        if "entity" in message or "nested too deep" in message or "depth" in message:
            kind = "hostile" if "entity" in message else "over limit: nested"
            raise Uninspectable(f"{kind} XML ({exc.__class__.__name__})") from None
        raise Uninspectable(f"corrupt XML ({exc.__class__.__name__})") from None
    except ValueError as exc:
        raise Uninspectable(f"corrupt XML ({exc.__class__.__name__})") from None
    if root is None:
        raise Uninspectable("corrupt XML (empty)")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:  # type: ignore[union-attr]
        raise Uninspectable("hostile XML (EntitiesForbidden)")
    return root


def xml_content(element: Any, path: str, depth: int, source: Source) -> Iterator[Content]:
    """Passages for this element's own text and attributes; repeated children as one Table,
    other children recursively."""
    if depth > MAX_DEPTH:
        raise Uninspectable(f"over limit: XML nested deeper than {MAX_DEPTH}")
    if depth % 16 == 0:
        source.check_time()
    name = local(element.tag)
    for attr, value in element.attrib.items():
        if value.strip():
            where = Location(part=f"xml:{path}/@{local(attr)}", layer="attribute")
            yield Passage(f"{local(attr)}: {value}", where)
    text = (element.text or "").strip()
    if text:
        yield Passage(f"{name}: {text}", Location(part=f"xml:{path}"))
    children = [child for child in element if isinstance(child.tag, str)]
    tails = " ".join((child.tail or "").strip() for child in element).strip()
    if tails:  # mixed content: text between child elements belongs to this element
        yield Passage(f"{name}: {tails}", Location(part=f"xml:{path}"))
    groups: dict[str, list[Any]] = {}
    for child in children:
        groups.setdefault(tag_name(child.tag), []).append(child)
    tabled: set[str] = set()
    for child in children:
        tag = tag_name(child.tag)
        group = groups[tag]
        if len(group) > 1:
            if tag not in tabled:
                tabled.add(tag)
                yield xml_table(group, f"xml:{path}/{tag}")
            continue
        yield from xml_content(child, f"{path}/{tag}", depth + 1, source)


def xml_table(records: Sequence[Any], part: str) -> Table:
    """Repeated sibling elements as rows; columns are the leaf paths inside each record."""
    flat = [flatten_xml(record) for record in records]
    return records_table(flat, part, hidden=False)


@functools.lru_cache(maxsize=4096)
def tag_name(tag: str) -> str:
    """`local`, remembered: a data export repeats a handful of tags a million times."""
    return local(tag)


SIMPLE_TEXT = re.compile(r"\S+(?: \S+)*")  # already single-spaced: no need to split and join


def flatten_xml(record: Any) -> dict[str, str]:
    """{relative leaf path: text} for one record; a path that repeats joins with '; '. Leaf
    elements without attributes (most fields of a data export) take a short way."""
    from lxml.etree import Element

    out: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        value = value.strip()
        if value:
            out[key] = f"{out[key]}; {value}" if key in out else value

    def visit(element: Any, prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise Uninspectable(f"over limit: XML nested deeper than {MAX_DEPTH}")
        attributes = element.attrib
        if attributes:
            for attr, value in attributes.items():
                add(f"{prefix}@{local(attr)}", value)
        children = list(element.iterchildren(Element))  # elements only, filtered in C
        own = element.text or ""
        tails = [tail for child in children if (tail := child.tail) and not tail.isspace()]
        if tails:
            own = f"{own} {' '.join(tails)}"
        if own and not own.isspace():
            add(prefix.rstrip("/") or local(element.tag), " ".join(own.split()))
        for child in children:
            name = tag_name(child.tag)
            if not len(child) and not child.attrib:
                text = child.text
                if text and not text.isspace():
                    add(f"{prefix}{name}", text if SIMPLE_TEXT.fullmatch(text) else " ".join(text.split()))
                continue
            visit(child, f"{prefix}{name}/", depth + 1)

    visit(record, "", 0)
    return out


# --- JSON ------------------------------------------------------------------------------------


class Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its list of (key, value) pairs: a key given twice keeps both values,
    where a dict would silently drop the first (which no reader of the parsed data sees)."""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a parser builds millions of containers: each
    new list of pairs counts towards a collection that walks everything built so far, and
    for a document of many small objects those walks cost three times the parse. Nothing a
    parser builds is garbage until it returns."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_json(text: str) -> Any:
    with gc_paused():
        return json.loads(text, object_pairs_hook=Pairs)


def extract_json(source: Source, limits: Limits) -> Iterator[Content]:
    data = read_bounded(source, limits)
    text = decode(data)
    try:
        value = parse_json(text)
    except RecursionError:
        raise Uninspectable(f"over limit: JSON nested deeper than {MAX_DEPTH}") from None
    except ValueError as exc:
        lines = json_lines(text)
        if lines is None:
            raise Uninspectable(f"corrupt JSON (line {getattr(exc, 'lineno', '?')})") from None
        value = lines
    yield from json_content(value, "json:", hidden=False)


def json_lines(text: str) -> list[Any] | None:
    """JSON Lines: one value per line. None when any non-empty line is not JSON. Read as one
    array in one call to the parser (a call per line cost more than the parsing), and line by
    line only when that does not give one value per line."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        values = parse_json(f"[{','.join(lines)}]")
        if len(values) == len(lines):
            return values if len(values) > 1 else None
    except (ValueError, RecursionError):
        pass
    values = []
    for line in lines:
        try:
            values.append(json.loads(line, object_pairs_hook=Pairs))
        except (ValueError, RecursionError):
            return None
    return values if len(values) > 1 else None


def json_content(value: Any, prefix: str, hidden: bool) -> Iterator[Content]:
    layer = "hidden_text" if hidden else "text"
    for pointer, key, item in json_walk(value, "", "", 0):
        if isinstance(item, Rows):
            part = f"{prefix}{pointer or '/'}"
            yield Table(part=part, rows=[[scalar(v) for v in row] for row in item], hidden=hidden, key=part)
        elif isinstance(item, list) and not isinstance(item, Pairs):
            rows = [flatten_json(record) for record in item]
            yield records_table(rows, f"{prefix}{pointer or '/'}", hidden=hidden)
        else:
            text = f"{key}: {scalar(item)}" if key else scalar(item)
            yield Passage(text, Location(part=f"{prefix}{pointer}", layer=layer, hidden=hidden))


def json_walk(value: Any, pointer: str, key: str, depth: int) -> Iterator[tuple[str, str, Any]]:
    """(pointer, key, value) for each scalar worth reading, and for each array of records or
    rows (yielded whole, to become a table), in document order. An explicit stack rather than
    recursion: a deeply nested document has as many nodes as values, and a generator per node
    cost more than reading them. Plain numbers, booleans and nulls hold nobody and are passed
    over without building their pointer."""
    stack: list[tuple[Any, str, str, int]] = [(value, pointer, key, depth)]
    while stack:
        value, pointer, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Uninspectable(f"over limit: JSON nested deeper than {MAX_DEPTH}")
        kind = type(value)
        if kind is Pairs:
            children = [
                (item, f"{pointer}/{escape_pointer(name)}", name, depth + 1)
                for name, item in value
                if worth_reading(item)
            ]
            stack.extend(reversed(children))
        elif kind is list:
            if is_records(value):
                yield pointer, key, value
            elif numeric_block(value):
                continue  # measurements, coordinates: no number in it can be an identifier
            elif is_rows(value):
                yield pointer, key, Rows(value)  # an array of arrays is a table: judged by column
            else:
                stack.extend(
                    (item, f"{pointer}/{index}", key, depth + 1)
                    for index, item in reversed(list(enumerate(value)))
                    if worth_reading(item)
                )
        elif kind is str:
            if value.strip():
                yield pointer, key, value
        elif value is not None and value is not True and value is not False and not plain_number(value):
            yield pointer, key, value


# Numbers below this many (six) digits cannot be any identifier the rules know (A-numbers
# have 8-9 digits, SSNs 9, phones 10, passports 6-9, a birth date written as a number 8), nor
# can a number with a fractional part: such numbers are measurements, counts and coordinates.
IDENTIFIER_FLOOR = 100_000
NUMBER_TYPES = frozenset({int, float})


def worth_reading(value: Any) -> bool:
    """False for what holds nobody: null, booleans and plain numbers (the type tests come
    first: most values of a big document are strings, objects or arrays, or numbers)."""
    kind = type(value)
    if kind is str or kind is Pairs or kind is list:
        return True
    return not (value is None or kind is bool or plain_number(value))


def plain_number(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return -IDENTIFIER_FLOOR < value < IDENTIFIER_FLOOR or not value.is_integer()
    return kind is int and -IDENTIFIER_FLOOR < value < IDENTIFIER_FLOOR


def plain_numbers(items: list[Any]) -> bool:
    """A non-empty array of numbers none of which can be an identifier, judged by its shape at
    the speed of the built-ins (the set of types, then the range); only the numbers outside
    the range are looked at one by one."""
    if not items or not set(map(type, items)) <= NUMBER_TYPES:
        return False
    if min(items) > -IDENTIFIER_FLOOR and max(items) < IDENTIFIER_FLOOR:
        return True
    return all(map(plain_number, items))


def numeric_block(value: list[Any]) -> bool:
    """An array, or an array of arrays at any depth (GeoJSON coordinates, a matrix), of plain
    numbers only."""
    if not value or isinstance(value, Pairs):
        return False
    if type(value[0]) is list:
        return all(type(item) is list and numeric_block(item) for item in value)
    return plain_numbers(value)


def is_rows(items: list[Any]) -> bool:
    """An array of two or more arrays of plain values (strings, numbers): rows of a table, as
    DataTables, spreadsheets exported to JSON and matrices with labels hold them."""
    return len(items) >= 2 and all(
        type(item) is list and all(not isinstance(cell, list | Pairs) for cell in item) for item in items
    )


class Rows(list):  # type: ignore[type-arg]
    """An array of arrays taken as table rows (see `is_rows`)."""


def is_records(items: list[Any]) -> bool:
    """An array is a set of records when most of its members are objects."""
    objects = sum(1 for item in items if isinstance(item, Pairs))
    return objects > 0 and objects * 2 >= len(items)


def flatten_json(record: Any, depth: int = 0) -> dict[str, str]:
    """One record as {column: text}; nested objects give `outer/inner` columns, arrays of
    plain values join with '; ', anything deeper stays as compact JSON."""
    if not isinstance(record, Pairs):
        return {"value": scalar(record)}
    out: dict[str, str] = {}
    for name, item in record:
        kind = type(item)
        if kind is str or kind is int or kind is float:  # most values: the short way
            text = item if kind is str else str(item)
            out[name] = f"{out[name]}; {text}" if name in out and text else text or out.get(name, "")
        elif isinstance(item, Pairs) and depth < 3:
            for inner, text in flatten_json(item, depth + 1).items():
                out[f"{name}/{inner}"] = text
        elif isinstance(item, list) and numeric_block(item):
            continue  # a feature's coordinates, a series of measurements
        elif isinstance(item, list) and all(not isinstance(x, list | Pairs) for x in item):
            out[name] = "; ".join(scalar(x) for x in item if x is not None)
        else:
            text = scalar(item)
            out[name] = f"{out[name]}; {text}" if name in out and text else text or out.get(name, "")
    return out


def scalar(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return compact_json(value)[:MAX_CELL_JSON]


def compact_json(value: Any) -> str:
    def plain(item: Any) -> Any:
        if isinstance(item, Pairs):
            return {key: plain(inner) for key, inner in item}
        if isinstance(item, list):
            return [plain(inner) for inner in item]
        return item

    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))


def escape_pointer(name: str) -> str:
    if "~" not in name and "/" not in name:
        return name
    return name.replace("~", "~0").replace("/", "~1")


# --- shared ----------------------------------------------------------------------------------


def records_table(records: Sequence[dict[str, str]], part: str, hidden: bool) -> Table:
    """Header row = the union of keys in first-seen order; one row per record."""
    header: dict[str, None] = {}
    for record in records:
        header.update(dict.fromkeys(record))
    columns = list(header)
    rows = [columns] + [[record.get(column, "") for column in columns] for record in records]
    return Table(part=part, rows=rows, hidden=hidden)
