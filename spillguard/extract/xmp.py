"""XMP: the XML metadata packet PDF files and pictures carry (creator, description, rights,
the software's history), read as (name, value) pairs."""

from __future__ import annotations

from collections.abc import Iterator

XMP_MAX_BYTES = 4 * 1024 * 1024


def xmp_values(data: bytes) -> Iterator[tuple[str, str]]:
    """Leaf values of an XMP packet stored uncompressed in a file's bytes (the usual way, so
    tools can find it). In a PDF a compressed packet mostly repeats the Info dictionary, which
    pdfium gives already."""
    start = data.find(b"<x:xmpmeta")
    end = data.find(b"</x:xmpmeta>", start)
    if start < 0 or end < 0 or end - start > XMP_MAX_BYTES:
        return
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data[start : end + len(b"</x:xmpmeta>")], parser)
    except etree.XMLSyntaxError:
        return
    if root is None:
        return
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        key = etree.QName(element).localname
        if element.text and element.text.strip() and len(element) == 0:
            parent = element.getparent()
            while parent is not None and etree.QName(parent).localname in (
                "li",
                "Alt",
                "Seq",
                "Bag",
            ):
                parent = parent.getparent()
            name = etree.QName(parent).localname if key == "li" and parent is not None else key
            yield name, element.text.strip()
