"""EMF pictures (Office's "paste as picture"): text records read as lines, bitmaps handed on as
BMP pictures. The metafiles are built here record by record, after [MS-EMF]."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from docx import Document
from PIL import Image

from spillguard.extract.base import Limits, Source
from spillguard.extract.metafile import extract_emf
from spillguard.extract.sniff import sniff
from spillguard.model import Embedded, Passage
from spillguard.scan import scan

ROWS = [
    ("KOVRANEZ, TELUMI", "A212345622", "03/04/1988", "HONDURAS"),
    ("VELASKO PRUNDA, MIREL", "A213456733", "11/21/1979", "GUATEMALA"),
]


def record(kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", kind, 8 + len(body)) + body


def header() -> bytes:
    body = bytearray(80)  # bounds, frame, then the signature at offset 40 of the record
    body[32:36] = b" EMF"
    return record(1, bytes(body))


def text(x: int, y: int, value: str) -> bytes:
    encoded = value.encode("utf-16-le")
    fixed = bytearray(68)  # bounds(16), mode, xScale, yScale, then EMRTEXT
    struct.pack_into("<iiII", fixed, 28, x, y, len(value), 76)
    return record(84, bytes(fixed) + encoded)


def bitmap(width: int, height: int) -> bytes:
    picture = Image.new("RGB", (width, height), "white")
    raw = io.BytesIO()
    picture.save(raw, "BMP")
    dib = raw.getvalue()[14:]
    info_size = struct.unpack_from("<I", dib, 0)[0]
    fixed = bytearray(72)  # STRETCHDIBITS up to cyDest
    struct.pack_into("<IIII", fixed, 40, 80, info_size, 80 + info_size, len(dib) - info_size)
    return record(81, bytes(fixed) + dib)


def metafile(with_bitmap: bool = False) -> bytes:
    records = [header()]
    for row, cells in enumerate(ROWS):
        records += [text(100 + 400 * col, 200 + 40 * row, cell) for col, cell in enumerate(cells)]
    if with_bitmap:
        records.append(bitmap(120, 90))
    records.append(record(14, b"\0" * 12))
    return b"".join(records)


def test_text_records_come_out_as_one_line_per_table_row() -> None:
    data = metafile()
    assert sniff(Source.from_bytes("paste.emf", data)) == "emf"
    passages = [
        c for c in extract_emf(Source.from_bytes("paste.emf", data), Limits()) if isinstance(c, Passage)
    ]
    assert len(passages) == 1
    lines = passages[0].text.splitlines()
    assert lines[0].split("  ") == list(ROWS[0])
    assert lines[1].split("  ") == list(ROWS[1])


def test_bitmaps_inside_are_handed_on_as_pictures() -> None:
    contents = list(extract_emf(Source.from_bytes("paste.emf", metafile(with_bitmap=True)), Limits()))
    (picture,) = [c for c in contents if isinstance(c, Embedded)]
    assert Image.open(io.BytesIO(picture.data)).size == (120, 90)


def test_a_table_pasted_as_picture_into_word_blocks(tmp_path: Path) -> None:
    path = tmp_path / "memo.docx"
    document = Document()
    document.add_paragraph("Weekly detention statistics.")
    document.save(path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("word/media/image1.emf", metafile())
    report = scan([str(path)], jobs=0)
    outer = report.files[0]
    inner = next(f for f in report.files if f.path.endswith("!word/media/image1.emf"))
    assert (inner.type, inner.verdict, inner.individuals) == ("emf", "block", 2)
    assert outer.verdict == "block"


def test_a_truncated_metafile_is_uninspectable(tmp_path: Path) -> None:
    path = tmp_path / "cut.emf"
    path.write_bytes(metafile()[:-30])
    (report,) = scan([str(path)], jobs=0).files
    assert report.verdict == "block" and report.uninspectable


def test_wmf_pictures_are_pictures_not_read_not_unknown_binaries(tmp_path: Path) -> None:
    path = tmp_path / "clip.wmf"
    path.write_bytes(b"\xd7\xcd\xc6\x9a" + b"\0" * 60)
    (report,) = scan([str(path)], jobs=0).files
    assert report.type == "wmf"
    assert report.verdict == "block" and "WMF/SVM" in (report.uninspectable or "")
