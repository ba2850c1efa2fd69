"""Covered text is a finding of its own (`covered-text`): whatever a drawn box hides, located
by page and box, masked, graded (a word of 4+ letters or digits: high; fragments: low), with
the person detectors run on it and undecodable glyphs reported as text that could not be read.
PDFs are built here with reportlab, or written by hand where a font must lack a text mapping;
x-ray's test PDFs are read in place (corpus marker)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from spillguard.model import FileReport, Finding
from spillguard.pipeline import scan_bytes
from testing.synth import write_pdf_under_box

PAGE_HEIGHT = 792


def pdf_with_box(covered: str, visible: str = "Quarterly report") -> bytes:
    """A letter page: `visible` on one line, `covered` on the next under a black bar from
    (66, 684) to (536, 704) in page coordinates."""
    with tempfile.TemporaryDirectory() as folder:
        return write_pdf_under_box(Path(folder) / "r.pdf", visible, covered).read_bytes()


def covered(report: FileReport) -> list[Finding]:
    return [f for f in report.findings if f.kind == "covered_text"]


def test_a_word_under_a_box_is_high_and_blocks_with_page_and_box() -> None:
    report = scan_bytes("r.pdf", pdf_with_box("the informant lives near the river"))[0]
    (finding,) = covered(report)
    assert finding.severity == "high" and report.verdict == "block"
    assert finding.value == "the informant lives near the river"  # only what the box covers
    where = finding.location
    assert (where.page, where.layer, where.hidden) == (1, "under_redaction", True)
    assert where.box == (66, PAGE_HEIGHT - 704, 536, PAGE_HEIGHT - 684)  # points from the top-left
    shown = finding.as_dict()
    assert shown["value"] != finding.value and "informant" not in str(shown)  # masked
    assert "covered text" in report.reason


def test_fragments_under_a_box_are_low_and_pass() -> None:
    report = scan_bytes("r.pdf", pdf_with_box("b) 12"))[0]
    (finding,) = covered(report)
    assert finding.severity == "low" and report.verdict == "pass"


@pytest.mark.parametrize("placeholder", ["XXXXXXXX", "REDACTED", "     "])
def test_placeholders_under_a_box_are_not_reported(placeholder: str) -> None:
    assert covered(scan_bytes("r.pdf", pdf_with_box(placeholder))[0]) == []


def test_a_shaded_cell_with_text_on_it_is_not_covered_text() -> None:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(612, PAGE_HEIGHT))
    pdf.setFillColorRGB(0.85, 0.85, 0.85)
    pdf.rect(70, 684, 300, 20, fill=1, stroke=0)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawString(72, 690, "Total detention beds by facility")
    pdf.showPage()
    pdf.save()
    assert covered(scan_bytes("r.pdf", buf.getvalue())[0]) == []


def test_a_name_under_a_box_is_a_name_with_no_other_sign_of_a_person() -> None:
    invented = "Telumi Kovranez"  # in no name table: nothing but the box says person
    seen = scan_bytes("r.pdf", pdf_with_box("Meeting notes", visible=invented))[0]
    assert not [f for f in seen.findings if f.kind == "person_name"]
    report = scan_bytes("r.pdf", pdf_with_box(invented, visible="Meeting notes"))[0]
    names = [f for f in report.findings if f.kind == "person_name"]
    assert [f.value for f in names] == [invented]
    assert names[0].location.layer == "under_redaction" and names[0].location.box is not None
    assert report.verdict == "block"  # by the covered text: a name is a word of four letters


def pdf_type3(codes: bytes) -> bytes:
    """A page whose text uses a Type3 font without a text mapping (glyph names /g1, /g2 ...,
    no ToUnicode): the characters cannot be decoded. A black bar is drawn over them."""
    glyph = b"0 0 0 0 500 700 d1 0 0 500 700 re f"
    content = b"BT /F1 12 Tf 72 700 Td <" + codes.hex().encode() + b"> Tj ET 0 0 0 rg 66 690 200 30 re f"
    names = b" ".join(b"/g%d" % c for c in codes)
    widths = b" ".join(b"500" for _ in range(max(codes) - min(codes) + 1))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 700] /FontMatrix [0.001 0 0 0.001 0 0]"
        b" /CharProcs 6 0 R /Encoding << /Type /Encoding /Differences [%d %s] >>"
        b" /FirstChar %d /LastChar %d /Widths [%s] >>" % (codes[0], names, min(codes), max(codes), widths),
        b"<< " + b" ".join(b"/g%d 7 0 R" % c for c in codes) + b" >>",
        b"<< /Length %d >>\nstream\n" % len(glyph) + glyph + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_undecodable_covered_glyphs_are_covered_text_that_could_not_be_read() -> None:
    report = scan_bytes("r.pdf", pdf_type3(bytes([1, 2, 3, 4, 5, 6])))[0]
    (finding,) = covered(report)
    assert finding.value == "[6 characters that could not be read]"
    assert finding.severity == "high" and report.verdict == "block"
    short = covered(scan_bytes("r.pdf", pdf_type3(bytes([1, 2])))[0])
    assert [f.severity for f in short] == ["low"]


def test_policy_can_allow_the_kind(tmp_path: Path) -> None:
    from spillguard.policy import load_policy

    (tmp_path / "spillguard.toml").write_text('allow_kinds = ["covered_text"]\n')
    policy = load_policy(str(tmp_path / "spillguard.toml"))
    report = scan_bytes(str(tmp_path / "r.pdf"), pdf_with_box("the informant lives near"), policy)[0]
    assert covered(report) == [] and report.verdict == "pass"


# --- x-ray's test PDFs ---------------------------------------------------------------------

XRAY_FLAGGED = ("rectangles_yes.pdf", "rectangles_yes_2.pdf", "bad_cross_hatched_redactions.pdf")
XRAY_CLEAN_PREFIXES = ("rectangles_no", "no_bad_redactions", "whitespace_redaction", "ok_words")


@pytest.mark.corpus
def test_covered_text_on_x_rays_files_exactly_where_it_belongs(corpora: Path) -> None:
    folder = corpora / "x-ray" / "tests" / "assets"
    if not folder.is_dir():
        pytest.skip("x-ray corpus is absent")
    flagged, clean = [], []
    for path in sorted(folder.glob("*.pdf")):
        found = covered(scan_bytes(path.name, path.read_bytes())[0])
        if path.name.startswith("rectangles_yes") or path.name in XRAY_FLAGGED:
            flagged.append(path.name)
            assert found, path.name
        elif path.name.startswith(XRAY_CLEAN_PREFIXES):
            clean.append(path.name)
            assert found == [], path.name
    assert len(flagged) >= 3 and len(clean) >= 12
