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
from spillguard.extract.metafile import extract_emf, extract_wmf
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


def memo(path: Path, media: dict[str, bytes]) -> Path:
    """A routine Word memo with these pictures in its media folder."""
    document = Document()
    document.add_paragraph("Weekly detention statistics.")
    document.save(path)
    with zipfile.ZipFile(path, "a") as package:
        for name, data in media.items():
            package.writestr(f"word/media/{name}", data)
    return path


def test_a_table_pasted_as_picture_into_word_blocks(tmp_path: Path) -> None:
    path = memo(tmp_path / "memo.docx", {"image1.emf": metafile()})
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


# --- WMF, built record by record after [MS-WMF] ------------------------------------------------


def wmf_record(function: int, body: bytes) -> bytes:
    body += b"\0" * (len(body) % 2)
    return struct.pack("<IH", (6 + len(body)) // 2, function) + body


def wmf(*records: bytes, placeable: bool = True) -> bytes:
    head = b"\xd7\xcd\xc6\x9a" + b"\0" * 18 if placeable else b""
    body = b"".join(records) + wmf_record(0x0000, b"")
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, (18 + len(body)) // 2, 0, 0, 0)
    return head + header + body


def ext_text_out(x: int, y: int, value: str, clipped: bool = False) -> bytes:
    encoded = value.encode("cp1252")
    options = 0x0004 if clipped else 0
    rectangle = struct.pack("<hhhh", 0, 0, 10, 10) if clipped else b""
    return wmf_record(0x0A32, struct.pack("<hhHH", y, x, len(encoded), options) + rectangle + encoded)


def text_out(x: int, y: int, value: str) -> bytes:
    encoded = value.encode("cp1252")
    return wmf_record(
        0x0521,
        struct.pack("<H", len(encoded)) + encoded + b"\0" * (len(encoded) % 2) + struct.pack("<hh", y, x),
    )


def stretch_dib(width: int, height: int) -> bytes:
    picture = Image.new("P", (width, height), 0)
    raw = io.BytesIO()
    picture.save(raw, "BMP")
    dib = raw.getvalue()[14:]
    return wmf_record(
        0x0F43, struct.pack("<IH8h", 0x00CC0020, 0, height, width, 0, 0, height, width, 0, 0) + dib
    )


def wmf_table() -> bytes:
    runs = [
        (ext_text_out if col % 2 else text_out)(100 + 400 * col, 200 + 40 * row, cell)
        for row, cells in enumerate(ROWS)
        for col, cell in enumerate(cells)
    ]
    return wmf(*runs)


def test_wmf_text_records_come_out_as_one_line_per_table_row() -> None:
    data = wmf_table()
    assert sniff(Source.from_bytes("clip.wmf", data)) == "wmf"
    (passage,) = [
        c for c in extract_wmf(Source.from_bytes("clip.wmf", data), Limits()) if isinstance(c, Passage)
    ]
    assert [line.split("  ") for line in passage.text.splitlines()] == [list(r) for r in ROWS]


def test_wmf_text_behind_a_clipping_rectangle_is_read() -> None:
    data = wmf(ext_text_out(10, 10, "KOVRANEZ, TELUMI A212345622", clipped=True))
    (passage,) = list(extract_wmf(Source.from_bytes("clip.wmf", data), Limits()))
    assert isinstance(passage, Passage) and passage.text == "KOVRANEZ, TELUMI A212345622"


def test_wmf_bitmaps_are_handed_on_as_pictures() -> None:
    contents = list(
        extract_wmf(Source.from_bytes("clip.wmf", wmf(stretch_dib(64, 48), placeable=False)), Limits())
    )
    (picture,) = [c for c in contents if isinstance(c, Embedded)]
    assert Image.open(io.BytesIO(picture.data)).size == (64, 48)


def test_a_wmf_table_in_a_word_file_blocks_and_vector_clip_art_passes(tmp_path: Path) -> None:
    polygon = wmf_record(0x0324, struct.pack("<h6h", 3, 0, 0, 10, 0, 5, 8))
    path = memo(tmp_path / "memo.docx", {"image1.wmf": wmf_table(), "image2.wmf": wmf(polygon)})
    report = {f.path.rsplit("!", 1)[-1]: f for f in scan([str(path)], jobs=0).files}
    assert (report["word/media/image1.wmf"].verdict, report["word/media/image1.wmf"].individuals) == (
        "block",
        2,
    )
    assert report["word/media/image2.wmf"].verdict == "pass"
    assert report[str(path)].verdict == "block"


def test_broken_wmf_pictures_are_uninspectable(tmp_path: Path) -> None:
    (tmp_path / "cut.wmf").write_bytes(wmf_table()[:-9])
    (tmp_path / "bad-header.wmf").write_bytes(b"\xd7\xcd\xc6\x9a" + b"\0" * 60)
    reports = {Path(f.path).name: f for f in scan([str(tmp_path)], jobs=0).files}
    for name in ("cut.wmf", "bad-header.wmf"):
        assert reports[name].type == "wmf"
        assert reports[name].verdict == "block" and "corrupt WMF" in (reports[name].uninspectable or "")


def test_svm_pictures_are_pictures_not_read(tmp_path: Path) -> None:
    path = tmp_path / "clip.svm"
    path.write_bytes(b"VCLMTF" + b"\0" * 60)
    (report,) = scan([str(path)], jobs=0).files
    assert report.type == "svm"
    assert report.verdict == "block" and "SVM" in (report.uninspectable or "")


def test_pictures_in_a_spreadsheet_are_read_and_svm_ones_fail_closed(tmp_path: Path) -> None:
    """OpenDocument keeps pictures under Pictures/: a WMF table there is read; LibreOffice's own
    SVM metafile is not decoded, so an ODT or ODS carrying one blocks unless a policy accepts
    unread pictures."""
    from spillguard.policy import PathRule, Policy
    from testing.synth import facility_counts, write_ods_rows

    sheet = write_ods_rows(tmp_path / "stats.ods", facility_counts())
    with zipfile.ZipFile(sheet, "a") as package:
        package.writestr("Pictures/table.wmf", wmf_table())
    clip = write_ods_rows(tmp_path / "clip.ods", facility_counts())
    with zipfile.ZipFile(clip, "a") as package:
        package.writestr("Pictures/logo.svm", b"VCLMTF" + b"\0" * 60)
    reports = {f.path[len(str(tmp_path)) + 1 :]: f for f in scan([str(sheet), str(clip)], jobs=0).files}
    assert (reports["stats.ods"].verdict, reports["stats.ods!Pictures/table.wmf"].individuals) == ("block", 2)
    assert reports["clip.ods"].verdict == "block"
    assert "SVM" in (reports["clip.ods!Pictures/logo.svm"].uninspectable or "")
    relaxed = Policy(paths=(PathRule(pattern="*", unread_pictures="warn"),))
    (outer, _) = scan([str(clip)], relaxed, jobs=0).files
    assert outer.verdict == "warn"
