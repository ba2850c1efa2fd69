"""Enhanced Metafiles (EMF): what Office stores when a table is pasted "as picture". The text
a reader sees is kept as text records, so it is read directly, laid out in lines by position;
bitmaps inside the metafile are handed on as BMP pictures, which OCR reads like any other.

Record layouts are those of [MS-EMF]: every record starts with its type and size (uint32 LE);
offsets inside a record count from its start.
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


def extract_emf(source: Source, limits: Limits) -> Iterator[Content]:
    data = source.read()
    runs: list[tuple[int, int, str]] = []  # y, x, text
    bitmaps = 0
    for kind, start, size in _records(data):
        if kind in (EMR_EXTTEXTOUTW, EMR_EXTTEXTOUTA):
            run = _text_run(data, start, size, wide=kind == EMR_EXTTEXTOUTW)
            if run is not None:
                runs.append(run)
        elif kind in BITMAP_FIELDS:
            picture = _bitmap(data, start, size, BITMAP_FIELDS[kind])
            if picture is not None:
                bitmaps += 1
                yield Embedded(f"bitmap{bitmaps}.bmp", picture, "text", False)
        if kind == EMR_EOF:
            break
    text = "\n".join(_lines(runs))
    if text.strip():
        yield Passage(text, Location("metafile", "text", False, offset=0))


def extract_unread_metafile(source: Source, limits: Limits) -> Iterator[Content]:
    """WMF and LibreOffice SVM pictures are not decoded yet. They may hold text, so they are
    pictures not read: blocking by default, relaxed where a policy accepts unread pictures."""
    raise PictureNotRead("picture not read: WMF/SVM metafiles are not decoded")
    yield  # a generator, like every extractor


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
