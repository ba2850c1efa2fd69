"""Fonts and WebAssembly: files a web root serves that carry no records, only a few strings
someone wrote into them (a font's name table: family, designer, copyright, licence; a
WebAssembly module's names, producers and data strings). Those strings go through the text
detectors like any passage; the file itself passes unless they expose someone.

Fonts are read with fontTools (the `assets` extra; woff2 also needs brotli). An EOT font
compressed with MicroType Express, or a font fontTools cannot parse, fails closed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.model import Content, Location, Passage, Uninspectable

# OpenType name IDs (the `name` table), for the part label a reviewer reads.
NAME_IDS = {
    0: "copyright",
    1: "family",
    2: "subfamily",
    3: "unique id",
    4: "full name",
    5: "version",
    6: "postscript name",
    7: "trademark",
    8: "manufacturer",
    9: "designer",
    10: "description",
    11: "vendor url",
    12: "designer url",
    13: "license",
    14: "license url",
    16: "typographic family",
    17: "typographic subfamily",
    18: "compatible full name",
    19: "sample text",
}
EOT_COMPRESSED = 0x4  # TTEMBED_TTCOMPRESSED: font data in MicroType Express
EOT_XORED = 0x10000000  # TTEMBED_XORENCRYPTDATA: font data XOR 0x50
MIN_STRING = 6  # printable runs shorter than this in a WebAssembly data segment are noise
MAX_STRINGS_BYTES = 4 * 1024 * 1024  # strings taken from one module; more is not a web asset
PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{%d,}" % MIN_STRING)


def metadata(label: str, text: str) -> Passage:
    return Passage(text, Location(f"metadata:{label}", "metadata", hidden=True))


# --- fonts ------------------------------------------------------------------------------------


def extract_font(source: Source, limits: Limits) -> Iterator[Content]:
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    data = source.read()
    if data[:4] == b"ttcf":
        count = int.from_bytes(data[8:12], "big")
        for number in range(min(count, 256)):
            yield from font_strings(data, number)
        return
    yield from font_strings(data, None)


def extract_eot(source: Source, limits: Limits) -> Iterator[Content]:
    """Embedded OpenType (old Internet Explorer): a header with the names, then the font."""
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    data = source.read()
    try:
        names, font = parse_eot(data)
    except (IndexError, ValueError):
        raise Uninspectable("corrupt EOT font header") from None
    for label, value in names:
        if value.strip():
            yield metadata(f"eot {label}", value)
    yield from font_strings(font, None)


def parse_eot(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """The header's name strings, and the TrueType data it wraps (un-XORed). Raises
    Uninspectable for MicroType Express compression, which nothing here decompresses."""
    eot_size, font_size = _u32(data, 0), _u32(data, 4)
    flags = _u32(data, 12)
    if eot_size > len(data) or font_size > eot_size:
        raise ValueError("sizes")
    offset = 80  # the fixed header fields, through Reserved4
    names = []
    for label in ("family", "style", "version", "full name"):
        offset += 2  # padding before each string
        size = int.from_bytes(data[offset : offset + 2], "little")
        offset += 2
        names.append((label, data[offset : offset + size].decode("utf-16-le", errors="replace")))
        offset += size
    if flags & EOT_COMPRESSED:
        raise Uninspectable("EOT font compressed with MicroType Express: its name table cannot be read")
    font = data[eot_size - font_size : eot_size]
    if flags & EOT_XORED:
        font = bytes(b ^ 0x50 for b in font)
    return names, font


def _u32(data: bytes, offset: int) -> int:
    if offset + 4 > len(data):
        raise IndexError(offset)
    return int.from_bytes(data[offset : offset + 4], "little")


def font_strings(data: bytes, number: int | None) -> Iterator[Passage]:
    """The name table's strings and a WOFF's metadata and private blocks."""
    try:
        from fontTools.ttLib import TTFont, TTLibError
    except ImportError:
        raise Uninspectable("font not read: install spillguard[assets] (fontTools)") from None
    prefix = f"font {number} " if number is not None else "font "
    try:
        font = TTFont(io.BytesIO(data), lazy=True, fontNumber=number if number is not None else -1)
        records = font["name"].names if "name" in font else []
        seen: set[str] = set()
        for record in records:
            text = " ".join(record.toUnicode(errors="replace").split())
            if text and text not in seen:
                seen.add(text)
                label = NAME_IDS.get(record.nameID, f"name {record.nameID}")
                yield metadata(prefix + label, text)
        flavor = getattr(font, "flavorData", None)
        if flavor is not None:
            if flavor.metaData:
                yield metadata(prefix + "woff metadata", flavor.metaData.decode("utf-8", errors="replace"))
            if flavor.privData:
                strings = printable_strings(flavor.privData)
                if strings:
                    yield metadata(prefix + "woff private data", strings)
    except ImportError as exc:  # woff2 without brotli
        raise Uninspectable(f"font not read: install spillguard[assets] ({exc.name})") from None
    except (TTLibError, AssertionError, KeyError, ValueError, IndexError, EOFError, OSError) as exc:
        raise Uninspectable(f"corrupt font ({exc.__class__.__name__})") from None
    except Exception as exc:  # fontTools and brotli raise assorted errors on damaged tables
        raise Uninspectable(f"corrupt font ({exc.__class__.__name__})") from None


def printable_strings(data: bytes) -> str:
    """Runs of printable ASCII, one per line."""
    return "\n".join(run.decode("ascii").strip() for run in PRINTABLE_RUN.findall(data))


# --- WebAssembly -----------------------------------------------------------------------------

WASM_CUSTOM, WASM_DATA = 0, 11


def extract_wasm(source: Source, limits: Limits) -> Iterator[Content]:
    """The strings of a module's custom sections (names, producers, source map URL) and data
    segments (the constant text the program carries)."""
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    data = source.read()
    taken = 0
    for label, payload in wasm_sections(data):
        source.check_time()
        strings = printable_strings(payload)
        if not strings:
            continue
        taken += len(strings)
        if taken > MAX_STRINGS_BYTES:
            raise Uninspectable(f"over limit: more than {MAX_STRINGS_BYTES} bytes of strings in a module")
        yield metadata(label, strings)


def wasm_sections(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(label, payload) of each custom and data section."""
    if data[:4] != b"\x00asm" or len(data) < 8:
        raise Uninspectable("corrupt WebAssembly module")
    offset = 8
    while offset < len(data):
        section = data[offset]
        size, offset = _leb128(data, offset + 1)
        end = offset + size
        if end > len(data):
            raise Uninspectable("corrupt WebAssembly module (section past the end)")
        if section == WASM_CUSTOM:
            length, start = _leb128(data, offset)
            name = data[start : start + length].decode("utf-8", errors="replace")
            yield f"wasm custom {name}", data[start + length : end]
        elif section == WASM_DATA:
            yield "wasm data", data[offset:end]
        offset = end


def _leb128(data: bytes, offset: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if offset >= len(data) or shift > 35:
            raise Uninspectable("corrupt WebAssembly module (bad length)")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, offset
