"""Pictures end to end: a roster rendered at test time, saved in every picture format, scanned
to an image-only PDF and pasted into Word, PowerPoint, Excel, OpenDocument and HTML. The people
in it must be found and counted; decorative pictures pass; without OCR a picture that may hold
text fails closed; EXIF metadata that places or names people is reported."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import openpyxl
import pptx
import pytest
from docx import Document
from openpyxl.drawing.image import Image as SheetImage
from pictures import (
    encoded,
    image_only_pdf,
    logo,
    people,
    render_table,
    require_ocr,
    roster_cells,
    roster_picture,
)
from PIL import Image
from pptx.util import Inches
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from spillguard import ocr
from spillguard.extract.base import Limits, Source
from spillguard.extract.image import extract_image
from spillguard.model import FileReport, Passage, PictureNotRead
from spillguard.pipeline import scan_bytes
from spillguard.policy import Policy, load_policy

N = 5


def scan_one(name: str, data: bytes, policy: Policy | None = None) -> list[FileReport]:
    return scan_bytes(name, data, policy)


def assert_roster_found(report: FileReport, n: int = N) -> None:
    assert report.verdict == "block", report.reason
    assert report.uninspectable is None
    assert report.individuals == n
    assert report.records >= n
    assert report.counts["a_number"] >= n and report.counts["person_name"] >= n
    assert report.counts["date_of_birth"] >= n
    assert all(f.location.layer == "ocr" and not f.location.hidden for f in report.findings)
    assert all(f.location.box is not None for f in report.findings)


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("PNG", {}),
        ("JPEG", {"quality": 95}),
        ("GIF", {}),
        ("BMP", {}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_a_roster_picture_is_read_in_every_format(kind: str, options: dict[str, object]) -> None:
    require_ocr()
    (report,) = scan_one(f"roster.{kind.lower()}", encoded(roster_picture(N), kind, **options))
    assert_roster_found(report)
    assert report.findings[0].location.part == "image"
    assert report.findings[0].as_dict()["location"]["box"]  # type: ignore[index]


def test_every_page_of_a_multi_page_tiff_is_read() -> None:
    require_ocr()
    first, second = roster_picture(3, seed=1), roster_picture(3, seed=2)
    data = encoded(first, "TIFF", save_all=True, append_images=[second])
    (report,) = scan_one("scan.tiff", data)
    assert_roster_found(report, 6)
    assert {f.location.part for f in report.findings} == {"page:1", "page:2"}


def test_an_image_only_pdf_is_read_page_by_page() -> None:
    require_ocr()
    data = image_only_pdf([roster_picture(3, seed=1), roster_picture(3, seed=2)])
    (report,) = scan_one("scanned-roster.pdf", data)
    assert_roster_found(report, 6)
    assert {f.location.part for f in report.findings} == {"page:1", "page:2"}


def test_a_picture_on_a_pdf_page_with_text_is_read_where_it_has_no_text_layer() -> None:
    require_ocr()
    picture = roster_picture(N)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(612, 792))
    pdf.drawString(72, 740, "Weekly statistics: bed space by facility, see the table below.")
    width = 540
    pdf.drawImage(ImageReader(picture), 36, 400, width=width, height=width * picture.height / picture.width)
    pdf.showPage()
    pdf.save()
    (report,) = scan_one("stats.pdf", out.getvalue())
    assert_roster_found(report)
    left, top, right, bottom = report.findings[0].location.box or (0, 0, 0, 0)
    assert 36 <= left < right <= 576 and 792 - 400 - 300 < top < bottom <= 792 - 400  # page points


def docx_with(picture: Image.Image) -> bytes:
    document = Document()
    document.add_paragraph("Weekly update. The roster is pasted below.")
    document.add_picture(io.BytesIO(encoded(picture)), width=Inches(6))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_with(picture: Image.Image) -> bytes:
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide.shapes.add_picture(io.BytesIO(encoded(picture)), Inches(0.5), Inches(1), width=Inches(9))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def xlsx_with(picture: Image.Image) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Facility", "Population"])
    sheet.append(["Otero County Processing Center", 812])
    sheet.add_image(SheetImage(io.BytesIO(encoded(picture))), "D2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt_with(picture: Image.Image) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Weekly update."))
    document.addPictureFromString(encoded(picture), "image/png")
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def html_with(picture: Image.Image) -> bytes:
    uri = "data:image/png;base64," + base64.b64encode(encoded(picture)).decode("ascii")
    return f'<!doctype html><html><body><p>Weekly update</p><img src="{uri}" alt=""></body></html>'.encode()


@pytest.mark.parametrize(
    ("name", "build", "member"),
    [
        ("update.docx", docx_with, "word/media/image1.png"),
        ("update.pptx", pptx_with, "ppt/media/image1.png"),
        ("stats.xlsx", xlsx_with, "xl/media/image1.png"),
        ("update.odt", odt_with, "Pictures/"),
        ("update.html", html_with, "picture-1.png"),
    ],
)
def test_a_screenshot_pasted_into_a_document_is_read_as_its_own_entry(name: str, build, member: str) -> None:  # type: ignore[no-untyped-def]
    require_ocr()
    container, *members = scan_one(name, build(roster_picture(N)))
    pictures = [m for m in members if m.path.startswith(f"{name}!{member}")]
    assert len(pictures) == 1, [m.path for m in members]
    assert_roster_found(pictures[0])
    assert container.verdict == "block"
    assert "1 member block" in container.reason


def test_decorative_pictures_pass() -> None:
    require_ocr()
    icon = Image.new("RGB", (48, 48), "navy")
    blank = Image.new("L", (800, 600), 250)
    for name, picture in (("logo.png", logo()), ("icon.png", icon), ("blank.png", blank)):
        (report,) = scan_one(name, encoded(picture))
        assert (report.verdict, report.uninspectable) == ("pass", None), (name, report.reason)


def test_a_picture_of_text_without_people_passes() -> None:
    require_ocr()
    rows = [["Facility", "Population"], ["Otero County Processing Center", "812"], ["Stewart", "1,204"]]
    rows.append(["Krome North Service Processing Center", "655"])
    (report,) = scan_one("counts.png", encoded(render_table(rows)))
    assert report.verdict == "pass", report.reason


def without_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ocr, "_probe", lambda: ("", "OCR not available (install spillguard[ocr] and tesseract-ocr)")
    )


def test_without_ocr_a_picture_that_may_hold_text_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ocr(monkeypatch)
    for name, picture in (("roster.png", roster_picture(2)), ("photo.jpg", logo())):
        (report,) = scan_one(name, encoded(picture, "JPEG" if name.endswith("jpg") else "PNG"))
        assert report.verdict == "block"
        assert report.uninspectable and "OCR not available" in report.uninspectable
        assert report.as_dict()["uninspectable"] == {"reason": report.uninspectable}


def test_without_ocr_icons_and_blank_pictures_still_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ocr(monkeypatch)
    for picture in (Image.new("RGB", (32, 32), "red"), Image.new("RGB", (1200, 800), "white")):
        (report,) = scan_one("decor.png", encoded(picture))
        assert report.verdict == "pass", report.reason


def test_without_ocr_scans_and_pasted_screenshots_fail_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ocr(monkeypatch)
    (pdf,) = scan_one("scan.pdf", image_only_pdf([roster_picture(2)]))
    assert pdf.verdict == "block" and pdf.uninspectable == "picture not read on page 1: " + (
        "OCR not available (install spillguard[ocr] and tesseract-ocr)"
    )
    container, picture = scan_one("update.docx", docx_with(roster_picture(2)))
    assert picture.uninspectable and container.verdict == "block"


def test_ocr_turned_off_by_the_limits_fails_closed() -> None:
    policy = Policy(limits=Limits(ocr=False))
    (report,) = scan_one("roster.png", encoded(roster_picture(2)), policy)
    assert report.verdict == "block" and report.uninspectable == "picture not read: OCR is turned off"


def test_a_policy_may_accept_unread_pictures_for_a_folder_of_photos(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    without_ocr(monkeypatch)
    policy_file = tmp_path / "spillguard.toml"
    policy_file.write_text('[[paths]]\npattern = "photos/*"\nunread_pictures = "warn"\n')
    policy = load_policy(str(policy_file)).for_path(str(tmp_path / "photos" / "team.jpg"))
    assert load_policy(str(policy_file)).for_path(str(tmp_path / "docs" / "a.jpg")).unread_pictures == "block"
    (report,) = scan_one("photos/team.jpg", encoded(logo(), "JPEG"), policy)
    assert (report.verdict, report.uninspectable) == ("warn", None)
    assert "OCR not available" in report.reason
    assert report.as_dict()["pictures_not_read"]


def photo_with_exif() -> bytes:
    picture = logo()
    exif = Image.Exif()
    exif[0x013B] = "Telumi Kovranez"  # Artist
    exif[0x9C9C] = "Taken outside the shelter".encode("utf-16-le")  # XPComment
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 45.0, 42.76), 3: "W", 4: (106.0, 29.0, 6.08)})
    return encoded(picture, "JPEG", exif=exif)


def test_exif_metadata_that_places_or_names_people_is_reported() -> None:
    contents: list[object] = []
    with pytest.raises(PictureNotRead):  # raised last, once the metadata has been given
        contents.extend(extract_image(Source.from_bytes("photo.jpg", photo_with_exif()), Limits(ocr=False)))
    metadata = {c.location.part: c.text for c in contents if isinstance(c, Passage)}
    assert metadata["metadata:Artist"] == "Telumi Kovranez"
    assert metadata["metadata:XPComment"] == "Taken outside the shelter"
    assert metadata["metadata:GPS"] == "GPS position: 31.761878, -106.485022"
    assert all(
        c.location.hidden and c.location.layer == "metadata" for c in contents if isinstance(c, Passage)
    )


def test_a_photo_with_a_gps_position_warns() -> None:
    require_ocr()
    (report,) = scan_one("photo.jpg", photo_with_exif())
    assert report.counts.get("gps_location") == 1
    assert report.verdict == "warn", report.reason
    (gps,) = [f for f in report.findings if f.kind == "gps_location"]
    assert gps.location.part == "metadata:GPS" and gps.as_dict()["value"] != gps.value


def test_a_truncated_picture_is_uninspectable() -> None:
    data = encoded(roster_picture(2))
    (report,) = scan_one("broken.png", data[: len(data) // 2])
    assert report.verdict == "block" and report.uninspectable


def test_a_zip_of_pictures_reports_each_one() -> None:
    require_ocr()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("photos/roster.png", encoded(roster_picture(3)))
        zf.writestr("photos/logo.png", encoded(logo()))
    reports = {r.path: r for r in scan_one("photos.zip", out.getvalue())}
    assert reports["photos.zip!photos/roster.png"].individuals == 3
    assert reports["photos.zip!photos/logo.png"].verdict == "pass"
    assert reports["photos.zip"].verdict == "block"


def test_people_are_counted_once_across_pictures_of_the_same_roster() -> None:
    require_ocr()
    persons = people(3, seed=4)
    picture = render_table(roster_cells(persons))
    (report,) = scan_one(
        "twice.tiff", encoded(picture, "TIFF", save_all=True, append_images=[picture.rotate(0)])
    )
    assert report.individuals == 3  # identical frames are read once
