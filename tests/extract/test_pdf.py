"""PDF extraction, on documents built here with reportlab (and pypdfium2 for attachments).

All names and numbers are invented placeholders."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from spillguard.extract.base import Limits, Source
from spillguard.extract.pdf import extract_pdf
from spillguard.model import Content, Embedded, Passage, Uninspectable

RECORD = "TESTPERSON, ALEX A012345678"
SECRET = "QUIMBY, PAT A098765432"

Draw = Callable[[canvas.Canvas], None]


def build(draw: Draw, **options: object) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(612, 792), **options)  # type: ignore[arg-type]
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def extract(data: bytes) -> list[Content]:
    return list(extract_pdf(Source.from_bytes("test.pdf", data), Limits()))


def passages(contents: list[Content], layer: str) -> list[Passage]:
    return [c for c in contents if isinstance(c, Passage) and c.location.layer == layer]


def keys(contents: list[Content]) -> set[tuple[str, str, bool, str]]:
    """(part, layer, hidden, text) for every passage: the golden form."""
    return {
        (c.location.part, c.location.layer, c.location.hidden, c.text.strip())
        for c in contents
        if isinstance(c, Passage)
    }


def test_page_text_keeps_a_record_on_one_line_and_one_passage() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.drawString(72, 700, "Detainee roster")
        pdf.drawString(72, 680, RECORD)

    (text,) = passages(extract(build(draw)), "text")
    assert text.location.part == "page:1"
    assert text.location.page == 1
    assert not text.location.hidden
    assert text.text.splitlines() == ["Detainee roster", RECORD]


def test_text_under_a_black_box_is_reported_hidden_and_left_out_of_page_text() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.drawString(72, 700, "Visible heading")
        pdf.drawString(72, 680, SECRET)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.rect(70, 676, 200, 14, fill=1, stroke=0)

    contents = extract(build(draw))
    (hidden,) = passages(contents, "under_redaction")
    assert (hidden.location.part, hidden.location.hidden, hidden.text) == ("page:1", True, SECRET)
    (text,) = passages(contents, "text")
    assert "Visible heading" in text.text
    assert "QUIMBY" not in text.text


def test_text_drawn_on_top_of_a_box_is_visible_not_redacted() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.setFillColorRGB(0, 0, 0)
        pdf.rect(70, 676, 200, 14, fill=1, stroke=0)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.drawString(72, 680, RECORD)  # white on black: a label a reader can read

    contents = extract(build(draw))
    assert passages(contents, "under_redaction") == []
    assert RECORD in passages(contents, "text")[0].text


def test_a_light_box_or_a_placeholder_under_a_box_is_not_a_leak() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.drawString(72, 680, SECRET)
        pdf.setFillColorRGB(0.9, 0.9, 0.2)  # a yellow design element, not a bar
        pdf.rect(70, 676, 200, 14, fill=1, stroke=0)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.drawString(72, 600, "XXXXXXXX")
        pdf.drawString(72, 560, "REDACTED")
        pdf.rect(70, 556, 100, 14, fill=1, stroke=0)
        pdf.rect(70, 596, 100, 14, fill=1, stroke=0)

    assert passages(extract(build(draw)), "under_redaction") == []


def test_sticky_note_and_free_text_annotations() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.drawString(72, 700, "Body")
        pdf.textAnnotation("Reviewer note: check A012345678", Rect=(72, 600, 92, 620))
        pdf.freeTextAnnotation("Typed on page", DA="/Helv 10 Tf 0 g", Rect=(72, 500, 272, 520))

    found = keys(extract(build(draw)))
    assert ("page:1", "annotation", True, "Reviewer note: check A012345678") in found
    assert ("page:1", "annotation", False, "Typed on page") in found


def test_form_field_value() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.drawString(72, 700, "Name:")
        pdf.acroForm.textfield(name="applicant", value="ALEX TESTPERSON", x=120, y=690)

    assert ("form", "form_field", False, "applicant: ALEX TESTPERSON") in keys(extract(build(draw)))


def test_document_metadata() -> None:
    def draw(pdf: canvas.Canvas) -> None:
        pdf.setAuthor("Pat Quimby")
        pdf.setTitle("Roster FY99")
        pdf.setSubject("Placeholder subject")
        pdf.setKeywords("alpha beta")
        pdf.drawString(72, 700, "Body")

    found = keys(extract(build(draw)))
    assert ("metadata:author", "metadata", True, "Pat Quimby") in found
    assert ("metadata:title", "metadata", True, "Roster FY99") in found
    assert ("metadata:subject", "metadata", True, "Placeholder subject") in found


def test_attachment_is_embedded_as_its_own_file() -> None:
    data = build(lambda pdf: pdf.drawString(72, 700, "Cover page"))
    doc = pdfium.PdfDocument(data)
    doc.new_attachment("roster.csv").set_data(b"name,a_number\nTESTPERSON,A012345678\n")
    out = io.BytesIO()
    doc.save(out)
    doc.close()

    embedded = [c for c in extract(out.getvalue()) if isinstance(c, Embedded)]
    assert [(e.name, e.data) for e in embedded] == [("roster.csv", b"name,a_number\nTESTPERSON,A012345678\n")]


def test_password_protected_pdf_is_uninspectable() -> None:
    data = build(
        lambda pdf: pdf.drawString(72, 700, RECORD),
        encrypt=StandardEncryption("user-secret", "owner-secret"),
    )
    with pytest.raises(Uninspectable, match="encrypted"):
        extract(data)


def test_owner_only_encryption_still_opens() -> None:
    # An empty user password means any reader opens it, so the scanner must read it too.
    data = build(
        lambda pdf: pdf.drawString(72, 700, RECORD),
        encrypt=StandardEncryption("", "owner-secret"),
    )
    assert RECORD in passages(extract(data), "text")[0].text


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\nnot really a pdf",
        b"\x00\x01garbage" * 100,
    ],
    ids=["empty", "header-only", "garbage"],
)
def test_corrupt_pdf_is_uninspectable(data: bytes) -> None:
    with pytest.raises(Uninspectable, match="corrupt PDF"):
        extract(data)


def test_truncated_pdf_is_uninspectable() -> None:
    data = build(lambda pdf: pdf.drawString(72, 700, RECORD))
    with pytest.raises(Uninspectable, match="corrupt PDF"):
        extract(data[: len(data) * 2 // 3])


def test_timeout_is_honoured_per_page() -> None:
    data = build(lambda pdf: pdf.drawString(72, 700, RECORD))
    source = Source.from_bytes("test.pdf", data, deadline=0.0)
    with pytest.raises(Uninspectable, match="timed out"):
        list(extract_pdf(source, Limits()))
