"""Metafiles: what Office stores when a table is pasted "as picture" (EMF), and the older
Windows Metafiles (WMF) of clip art and documents converted from older Office. The text a reader
sees is kept as text records, so it is read directly, laid out in lines by position; bitmaps
inside the metafile are handed on as BMP pictures, which OCR reads like any other.

Record layouts are those of [MS-EMF] (every record starts with its type and size, uint32 LE) and
[MS-WMF] (its size in 16-bit words, uint32, then its function, uint16); offsets inside a record
count from its start.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.model import Content, Embedded, Location, Passage, PictureNotRead, Uninspectable

EMR_HEADER = 1
EMR_EOF = 14
EMR_EXTTEXTOUTA = 83
EMR_EXTTEXTOUTW = 84
# Bitmap records and where their (offBmi, cbBmi, offBits, cbBits) fields start.
BITMAP_FIELDS = {76: 84, 77: 84, 80: 48, 81: 48}  # BITBLT, STRETCHBLT, SETDIBITSTODEVICE, STRETCHDIBITS
EMF_SIGNATURE = b" EMF"
MAX_RECORDS = 2_000_000
LINE_TOLERANCE = 4  # logical units: text runs this close vertically share a line


def is_emf(head: bytes) -> bool:
    return (
        len(head) >= 44
        and struct.unpack_from("<I", head, 0)[0] == EMR_HEADER
        and head[40:44] == EMF_SIGNATURE
    )


Run = tuple[int, int, str]  # y, x, text


def extract_emf(source: Source, limits: Limits) -> Iterator[Content]:
    return _contents(_emf_items(source.read()))


def extract_wmf(source: Source, limits: Limits) -> Iterator[Content]:
    return _contents(_wmf_items(source.read()))


def _contents(items: Iterator[Run | bytes]) -> Iterator[Content]:
    """Bitmaps (BMP files) as pictures of their own, as they come; text runs as one passage,
    laid out in lines."""
    runs: list[Run] = []
    bitmaps = 0
    for item in items:
        if isinstance(item, bytes):
            bitmaps += 1
            yield Embedded(f"bitmap{bitmaps}.bmp", item, "text", False)
        else:
            runs.append(item)
    text = "\n".join(_lines(runs))
    if text.strip():
        yield Passage(text, Location("metafile", "text", False, offset=0))


def _emf_items(data: bytes) -> Iterator[Run | bytes]:
    for kind, start, size in _records(data):
        item: Run | bytes | None = None
        if kind in (EMR_EXTTEXTOUTW, EMR_EXTTEXTOUTA):
            item = _text_run(data, start, size, wide=kind == EMR_EXTTEXTOUTW)
        elif kind in BITMAP_FIELDS:
            item = _bitmap(data, start, size, BITMAP_FIELDS[kind])
        if item is not None:
            yield item
        if kind == EMR_EOF:
            break


def _wmf_items(data: bytes) -> Iterator[Run | bytes]:
    for function, start, size in _wmf_records(data):
        item: Run | bytes | None = None
        if function in (META_TEXTOUT, META_EXTTEXTOUT):
            item = _wmf_text_run(data, start, size, function)
        elif function in WMF_BITMAP_AT:
            item = _wmf_bitmap(data, start, size, function)
        if item is not None:
            yield item


def extract_unread_metafile(source: Source, limits: Limits) -> Iterator[Content]:
    """LibreOffice SVM pictures are not decoded yet. They may hold text, so they are pictures
    not read: blocking by default, relaxed where a policy accepts unread pictures."""
    raise PictureNotRead("picture not read: SVM metafiles are not decoded")
    yield  # a generator, like every extractor


WMF_PLACEABLE = b"\xd7\xcd\xc6\x9a"
META_EOF = 0x0000
META_TEXTOUT = 0x0521
META_EXTTEXTOUT = 0x0A32
ETO_OPAQUE, ETO_CLIPPED = 0x0002, 0x0004  # an ExtTextOut with either carries a rectangle
# Bitmap records and where their DIB starts (bytes from the record's start), when they have one.
WMF_BITMAP_AT = {0x0940: 22, 0x0B41: 26, 0x0F43: 28, 0x0D33: 24}  # DIBBITBLT, DIBSTRETCHBLT,
# STRETCHDIB, SETDIBTODEV
BI_BITFIELDS = 3


def _wmf_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    at = 22 if data[:4] == WMF_PLACEABLE else 0
    if at + 18 > len(data):
        raise Uninspectable("corrupt WMF (no header)")
    kind, header_words = struct.unpack_from("<HH", data, at)
    if kind not in (1, 2) or header_words != 9:
        raise Uninspectable("corrupt WMF (bad header)")
    at += 18
    for _ in range(MAX_RECORDS):
        if at + 6 > len(data):
            return  # no META_EOF: what is there was read
        words, function = struct.unpack_from("<IH", data, at)
        size = words * 2
        if size < 6 or at + size > len(data):
            raise Uninspectable("corrupt WMF (bad record size)")
        if function == META_EOF:
            return
        yield function, at, size
        at += size
    raise Uninspectable("over limit: WMF records")


def _wmf_text_run(data: bytes, start: int, size: int, function: int) -> tuple[int, int, str] | None:
    body = data[start + 6 : start + size]
    if function == META_TEXTOUT:
        if len(body) < 2:
            return None
        (length,) = struct.unpack_from("<H", body, 0)
        padded = length + length % 2
        if 2 + padded + 4 > len(body):
            return None
        raw = body[2 : 2 + length]
        y, x = struct.unpack_from("<hh", body, 2 + padded)
    else:
        if len(body) < 8:
            return None
        y, x, length, options = struct.unpack_from("<hhHH", body, 0)
        at = 8 + (8 if options & (ETO_OPAQUE | ETO_CLIPPED) else 0)
        if at + length > len(body):
            return None
        raw = body[at : at + length]
    if not raw:
        return None
    return y, x, raw.decode("cp1252", errors="replace")


def _wmf_bitmap(data: bytes, start: int, size: int, function: int) -> bytes | None:
    """The DIB inside a bitmap record, as a BMP file; None for a record without one."""
    at = WMF_BITMAP_AT[function]
    if size == ((function >> 8) + 3) * 2 or at + 40 > size:
        return None  # the record's form without a bitmap
    dib = data[start + at : start + size]
    header_size, _, _, _, bits_per_pixel, compression = struct.unpack_from("<IiiHHI", dib, 0)
    (colors_used,) = struct.unpack_from("<I", dib, 32)
    if header_size < 40 or header_size > len(dib):
        return None
    colors = colors_used or (1 << bits_per_pixel if bits_per_pixel <= 8 else 0)
    masks = 12 if compression == BI_BITFIELDS and header_size == 40 else 0
    offset = 14 + header_size + masks + colors * 4
    if offset - 14 > len(dib):
        return None
    return b"BM" + struct.pack("<IHHI", 14 + len(dib), 0, 0, offset) + dib


def _records(data: bytes) -> Iterator[tuple[int, int, int]]:
    if not is_emf(data[:44]):
        raise Uninspectable("corrupt EMF (no header)")
    at = 0
    for _ in range(MAX_RECORDS):
        if at + 8 > len(data):
            return
        kind, size = struct.unpack_from("<II", data, at)
        if size < 8 or size % 4 or at + size > len(data):
            raise Uninspectable("corrupt EMF (bad record size)")
        yield kind, at, size
        at += size
    raise Uninspectable("over limit: EMF records")


def _text_run(data: bytes, start: int, size: int, wide: bool) -> tuple[int, int, str] | None:
    if size < 76:
        return None
    x, y, chars, offset = struct.unpack_from("<iiII", data, start + 36)
    width = 2 if wide else 1
    if chars == 0 or offset + chars * width > size:
        return None
    raw = data[start + offset : start + offset + chars * width]
    text = raw.decode("utf-16-le" if wide else "cp1252", errors="replace")
    return y, x, text


def _lines(runs: list[tuple[int, int, str]]) -> Iterator[str]:
    """Runs on (about) the same baseline make one line, left to right: a pasted table comes
    out one row per line, the shape the text detector reads rosters in."""
    line: list[tuple[int, str]] = []
    line_y: int | None = None
    for y, x, text in sorted(runs):
        if line_y is not None and abs(y - line_y) > LINE_TOLERANCE:
            yield "  ".join(t for _, t in sorted(line))
            line = []
        line_y = y if line_y is None or not line else line_y
        line.append((x, text))
    if line:
        yield "  ".join(t for _, t in sorted(line))


def _bitmap(data: bytes, start: int, size: int, fields: int) -> bytes | None:
    """A device-independent bitmap inside the record, as a BMP file (file header prepended)."""
    if fields + 16 > size:
        return None
    off_bmi, cb_bmi, off_bits, cb_bits = struct.unpack_from("<IIII", data, start + fields)
    if not cb_bmi or not cb_bits or off_bmi + cb_bmi > size or off_bits + cb_bits > size:
        return None
    info = data[start + off_bmi : start + off_bmi + cb_bmi]
    bits = data[start + off_bits : start + off_bits + cb_bits]
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(bits), 0, 0, 14 + len(info))
    return header + info + bits
