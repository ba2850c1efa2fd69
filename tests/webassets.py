"""Web assets made at test time: fonts (ttf, otf, woff, woff2, eot), an icon, SVG, JavaScript,
CSS, a source map, a WebAssembly module, a short WAV and a minimal MP4, each able to carry a
string of our choosing in its metadata."""

from __future__ import annotations

import io
import json
import struct
import wave
from pathlib import Path

from gatekit import write_roster

PERSON = "Maria Gonzalez-Ruiz"  # invented
PHONE = "(202) 745-1234"


def font(names: dict[str, str], flavor: str | None = None, cff: bool = False) -> bytes:
    """A one-glyph font with this name table, as TrueType (or CFF: .otf), woff or woff2."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    builder = FontBuilder(1000, isTTF=not cff)
    builder.setupGlyphOrder([".notdef"])
    builder.setupCharacterMap({})
    if cff:
        pen = T2CharStringPen(500, None)
        builder.setupCFF("TestFont", {"FullName": "TestFont"}, {".notdef": pen.getCharString()}, {})
    else:
        builder.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable(names)
    builder.setupOS2()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    if flavor is None:
        return out.getvalue()
    flavored = TTFont(io.BytesIO(out.getvalue()))
    flavored.flavor = flavor
    again = io.BytesIO()
    flavored.save(again)
    return again.getvalue()


def eot(names: dict[str, str]) -> bytes:
    """Embedded OpenType v2.1 around an uncompressed TrueType font."""
    data = font(names)

    def string(text: str) -> bytes:
        raw = text.encode("utf-16-le")
        return b"\0\0" + struct.pack("<H", len(raw)) + raw

    strings = b"".join(string(names.get(k, "")) for k in ("familyName", "styleName", "version", "fullName"))
    root = b"\0\0" + struct.pack("<H", 0)  # Padding5, RootStringSize
    fixed_size = 80 + len(strings) + len(root)
    header = struct.pack("<IIII", fixed_size + len(data), len(data), 0x00020001, 0)
    header += bytes(10) + bytes([1, 0]) + struct.pack("<IHH", 400, 0, 0x504C)
    header += bytes(16 + 8 + 4 + 16)
    assert len(header) == 80
    return header + strings + root + data


def icon() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (200, 30, 30, 255)).save(out, format="ICO", sizes=[(16, 16), (32, 32)])
    return out.getvalue()


def icon_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 24), (30, 60, 200)).save(out, format="PNG")
    return out.getvalue()


def wasm(custom: str, data: str) -> bytes:
    """A module with a `producers`-like custom section and one data segment."""

    def leb(n: int) -> bytes:
        out = b""
        while True:
            byte, n = n & 0x7F, n >> 7
            out += bytes([byte | (0x80 if n else 0)])
            if not n:
                return out

    def section(kind: int, body: bytes) -> bytes:
        return bytes([kind]) + leb(len(body)) + body

    name = b"producers"
    custom_body = leb(len(name)) + name + custom.encode()
    memory = section(5, b"\x01\x00\x01")  # one memory of one page
    payload = data.encode()
    segment = b"\x01\x00\x41\x00\x0b" + leb(len(payload)) + payload  # active, i32.const 0
    return b"\x00asm\x01\x00\x00\x00" + memory + section(11, segment) + section(0, custom_body)


def wav(info: dict[bytes, str]) -> bytes:
    """A tenth of a second of silence, with a LIST/INFO chunk (INAM, IART, ICMT...)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    data = out.getvalue()
    chunks = b""
    for tag, text in info.items():
        raw = text.encode() + b"\0"
        chunks += tag + struct.pack("<I", len(raw)) + raw + (b"\0" if len(raw) % 2 else b"")
    listing = b"LIST" + struct.pack("<I", 4 + len(chunks)) + b"INFO" + chunks
    body = data[12:] + listing
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(title: str, artist: str, position: str | None = None) -> bytes:
    """The smallest MP4 mutagen reads: ftyp, moov (mvhd; udta with iTunes-style tags and a
    `©xyz` position as phones write it) and an empty mdat."""
    mvhd = _box(
        b"mvhd",
        bytes(4)
        + struct.pack(">IIII", 0, 0, 1000, 0)
        + struct.pack(">IH", 0x00010000, 0x0100)
        + bytes(10)
        + struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
        + bytes(24)
        + struct.pack(">I", 2),
    )

    def tag(kind: bytes, text: str) -> bytes:
        return _box(kind, _box(b"data", struct.pack(">II", 1, 0) + text.encode()))

    ilst = _box(b"ilst", tag(b"\xa9nam", title) + tag(b"\xa9ART", artist))
    meta = _box(b"meta", bytes(4) + _box(b"hdlr", bytes(8) + b"mdirappl" + bytes(9)) + ilst)
    udta = meta
    if position is not None:
        udta = _box(b"\xa9xyz", struct.pack(">HH", len(position), 0x15C7) + position.encode()) + meta
    moov = _box(b"moov", mvhd + _box(b"udta", udta))
    return _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41") + moov + _box(b"mdat", b"")


SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <title>Agency logo</title>
  <desc>Seal of the Office of Public Affairs</desc>
  <rect width="120" height="40" fill="#123"/>
  <text x="10" y="25" fill="#fff">Public Affairs</text>
</svg>
"""
JS = """"use strict";
// Site navigation
const menu = document.querySelector("#menu");
function toggle() { menu.classList.toggle("open"); }
window.addEventListener("load", toggle);
//# sourceMappingURL=app.js.map
"""
CSS = """/* site styles */
@charset "utf-8";
body { font-family: "Agency Sans", sans-serif; color: #222; }
.menu.open { display: block; }
"""


def source_map() -> bytes:
    return json.dumps(
        {
            "version": 3,
            "file": "app.js",
            "sources": ["src/app.ts"],
            "sourcesContent": ["const menu = document.querySelector('#menu');\n"],
            "names": ["menu", "toggle"],
            "mappings": "AAAA,MAAM,IAAI",
        }
    ).encode()


CLEAN_NAMES = {
    "familyName": "Agency Sans",
    "styleName": "Regular",
    "copyright": "Copyright 2024 The Agency Sans Project Authors",
    "version": "Version 1.002",
    "fullName": "Agency Sans Regular",
    "licenseDescription": "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
}


def web_root(root: Path) -> dict[str, Path]:
    """A web root with one of every ordinary web file, clean, and one roster."""
    files: dict[str, bytes] = {
        "assets/fonts/agency.ttf": font(CLEAN_NAMES),
        "assets/fonts/agency.otf": font(CLEAN_NAMES, cff=True),
        "assets/fonts/agency.woff": font(CLEAN_NAMES, flavor="woff"),
        "assets/fonts/agency.woff2": font(CLEAN_NAMES, flavor="woff2"),
        "assets/fonts/agency.eot": eot(CLEAN_NAMES),
        "favicon.ico": icon(),
        "assets/logo.svg": SVG.encode(),
        "assets/app.js": JS.encode(),
        "assets/app.js.map": source_map(),
        "assets/site.css": CSS.encode(),
        "assets/app.wasm": wasm("clang 17.0.1", "menu toggled\nready"),
        "media/briefing.wav": wav({b"INAM": "Weekly briefing", b"IART": "Office of Public Affairs"}),
        "media/briefing.mp4": mp4("Weekly briefing", "Office of Public Affairs"),
        "index.html": b"<html><body><h1>Public Affairs</h1><p>Weekly briefing.</p></body></html>\n",
    }
    out = {}
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out[name] = path
    out["files/roster.xlsx"] = write_roster(root / "files" / "roster.xlsx")
    return out
