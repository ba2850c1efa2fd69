"""OpenDocument text extractor on documents built here: odfpy for an ordinary document,
hand-written ODF XML for the layers odfpy has no convenient call for."""

from __future__ import annotations

import io
import zipfile

import pytest
from odf import meta, table, text
from odf.opendocument import OpenDocumentText

from spillguard.extract.base import Limits, Source
from spillguard.extract.opendocument import extract_odt
from spillguard.model import Content, Embedded, Passage, Table, Uninspectable

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)
MIMETYPE = "application/vnd.oasis.opendocument.text"


def content(body: str, automatic_styles: str = "") -> str:
    return (
        f'<office:document-content {NS} office:version="1.3">'
        f"<office:automatic-styles>{automatic_styles}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )


def manifest(extra: str = "") -> str:
    return (
        f'<manifest:manifest {NS} manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" '
        f'manifest:media-type="text/xml">{extra}'
        "</manifest:file-entry></manifest:manifest>"
    )


def package(body: str, parts: dict[str, str | bytes] | None = None, styles: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content(body, styles))
        all_parts = {"META-INF/manifest.xml": manifest()}
        all_parts.update(parts or {})
        for name, data in all_parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def extract(data: bytes) -> list[Content]:
    return list(extract_odt(Source.from_bytes("test.odt", data), Limits()))


def passages(data: bytes) -> set[tuple[str, str, bool, str]]:
    return {
        (c.location.part, c.location.layer, c.location.hidden, c.text)
        for c in extract(data)
        if isinstance(c, Passage)
    }


def built_with_odfpy() -> bytes:
    doc = OpenDocumentText()
    doc.text.addElement(text.H(outlinelevel=1, text="Heading Placeholder"))
    paragraph = text.P(text="Case worker: ")
    paragraph.addElement(text.Span(text="Ana"))
    paragraph.addElement(text.Span(text="lia Placeholder"))
    doc.text.addElement(paragraph)
    grid = table.Table(name="Roster")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=2))
    for values in (("Name", "Number"), ("Testperson Example", "A000000000")):
        row = table.TableRow()
        for value in values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    doc.text.addElement(grid)
    doc.meta.addElement(meta.InitialCreator(text="Author Placeholder"))
    doc.meta.addElement(meta.UserDefined(name="CaseOwner", text="Owner Placeholder"))
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def test_paragraphs_headings_and_offsets() -> None:
    found = [c for c in extract(built_with_odfpy()) if isinstance(c, Passage) and c.location.part == "body"]
    assert [(c.text, c.location.offset) for c in found] == [
        ("Heading Placeholder", 0),
        ("Case worker: Analia Placeholder", 20),
    ]


def test_tables_are_raw_grids() -> None:
    found = [c for c in extract(built_with_odfpy()) if isinstance(c, Table)]
    assert [(t.part, [list(r) for r in t.rows]) for t in found] == [
        ("body:table1", [["Name", "Number"], ["Testperson Example", "A000000000"]])
    ]


def test_meta_properties() -> None:
    found = passages(built_with_odfpy())
    assert ("metadata:initial-creator", "metadata", True, "Author Placeholder") in found
    assert ("metadata:CaseOwner", "metadata", True, "Owner Placeholder") in found


def test_spaces_tabs_and_line_breaks() -> None:
    body = '<text:p>Left<text:s text:c="3"/>gap<text:tab/>tab<text:line-break/>next</text:p>'
    assert ("body", "text", False, "Left   gap\ttab\nnext") in passages(package(body))


def test_annotations_are_hidden_comments_with_author() -> None:
    body = (
        "<text:p>Visible <office:annotation><dc:creator>Reviewer Placeholder</dc:creator>"
        "<dc:date>2020-01-01T00:00:00</dc:date><text:p>Note about Testperson Example</text:p>"
        "</office:annotation>text</text:p>"
    )
    found = passages(package(body))
    assert ("comment", "comment", True, "Note about Testperson Example") in found
    assert ("body", "text", False, "Visible text") in found
    assert ("metadata:author", "metadata", True, "Reviewer Placeholder") in found


def test_tracked_deletions_are_hidden_and_insertions_marked() -> None:
    body = (
        "<text:tracked-changes>"
        '<text:changed-region text:id="ct1"><text:deletion><office:change-info>'
        "<dc:creator>Editor Placeholder</dc:creator><dc:date>2020-01-01T00:00:00</dc:date>"
        "</office:change-info><text:p>Deleted Surname</text:p></text:deletion>"
        "</text:changed-region>"
        '<text:changed-region text:id="ct2"><text:insertion><office:change-info>'
        "<dc:creator>Editor Placeholder</dc:creator><dc:date>2020-01-01T00:00:00</dc:date>"
        "</office:change-info></text:insertion></text:changed-region>"
        "</text:tracked-changes>"
        '<text:p>Applicant <text:change text:change-id="ct1"/>'
        '<text:change-start text:change-id="ct2"/>Inserted Name<text:change-end '
        'text:change-id="ct2"/></text:p>'
    )
    found = passages(package(body))
    assert ("body", "tracked_change", True, "Deleted Surname") in found
    assert ("body", "tracked_change", False, "Applicant Inserted Name") in found
    assert ("metadata:author", "metadata", True, "Editor Placeholder") in found


def test_hidden_text_field() -> None:
    body = (
        '<text:p>Shown <text:hidden-text text:condition="ooow:1==1" '
        'text:string-value="Secret Placeholder" text:is-hidden="true"/>after</text:p>'
    )
    found = passages(package(body))
    assert ("body", "hidden_text", True, "Secret Placeholder") in found
    assert ("body", "text", False, "Shown after") in found


def test_hidden_paragraph() -> None:
    body = (
        "<text:p>"
        '<text:hidden-paragraph text:condition="ooow:1==1" text:is-hidden="true"/>'
        "Hidden Paragraph Placeholder</text:p>"
    )
    assert ("body", "hidden_text", True, "Hidden Paragraph Placeholder") in passages(package(body))


def test_hidden_section() -> None:
    body = (
        '<text:section text:name="S1" text:display="none"><text:p>Section Placeholder</text:p></text:section>'
    )
    assert ("body", "hidden_text", True, "Section Placeholder") in passages(package(body))


def test_text_hidden_by_style() -> None:
    styles = (
        '<style:style style:name="T1" style:family="text">'
        '<style:text-properties text:display="none"/></style:style>'
        '<style:style style:name="T2" style:family="text" style:parent-style-name="T1"/>'
    )
    body = '<text:p>Seen <text:span text:style-name="T2">Styled Secret</text:span></text:p>'
    found = passages(package(body, styles=styles))
    assert ("body", "hidden_text", True, "Styled Secret") in found
    assert ("body", "text", False, "Seen ") in found


def test_conditional_text_reports_the_unshown_branch() -> None:
    body = (
        "<text:p>"
        '<text:conditional-text text:condition="ooow:x" text:string-value-if-true="Shown Branch" '
        'text:string-value-if-false="Other Branch Placeholder">Shown '
        "Branch</text:conditional-text></text:p>"
    )
    found = passages(package(body))
    assert ("body", "hidden_text", True, "Other Branch Placeholder") in found
    assert ("body", "text", False, "Shown Branch") in found


def test_footnotes_and_text_boxes() -> None:
    body = (
        '<text:p>Body<text:note text:note-class="footnote">'
        "<text:note-citation>1</text:note-citation>"
        "<text:note-body><text:p>Footnote Placeholder</text:p></text:note-body></text:note>"
        '<draw:frame draw:name="Frame1"><svg:desc>Photo of Testperson Example</svg:desc>'
        "<draw:text-box><text:p>Boxed Placeholder</text:p></draw:text-box></draw:frame></text:p>"
    )
    found = passages(package(body))
    assert ("footnotes", "text", False, "Footnote Placeholder") in found
    assert ("body:frame1", "text", False, "Boxed Placeholder") in found
    assert ("body", "attribute", True, "Photo of Testperson Example") in found
    assert ("body", "text", False, "Body") in found


def test_headers_and_footers_from_styles() -> None:
    styles_xml = (
        f"<office:document-styles {NS}><office:master-styles>"
        '<style:master-page style:name="Standard"><style:header>'
        "<text:p>Header Placeholder</text:p></style:header>"
        "<style:footer><text:p>Footer Placeholder</text:p></style:footer></style:master-page>"
        "</office:master-styles></office:document-styles>"
    )
    found = passages(package("<text:p>Body</text:p>", {"styles.xml": styles_xml}))
    assert ("header", "text", False, "Header Placeholder") in found
    assert ("footer", "text", False, "Footer Placeholder") in found


def test_hidden_rows_and_hidden_text_in_cells() -> None:
    body = (
        "<table:table><table:table-column/><table:table-row><table:table-cell><text:p>Name</text:p>"
        '</table:table-cell></table:table-row><table:table-row table:visibility="collapse">'
        "<table:table-cell>"
        '<text:p>Collapsed <text:hidden-text text:string-value="Cell Secret"/></text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    content = extract(package(body))
    grid = next(c for c in content if isinstance(c, Table))
    assert [list(r) for r in grid.rows] == [["Name"], ["Collapsed "]]
    assert grid.hidden_rows == frozenset({2})
    hidden = [c for c in content if isinstance(c, Passage) and c.location.hidden]
    assert [(c.location.part, c.location.row, c.location.column, c.text) for c in hidden] == [
        ("body:table1", 2, "A", "Cell Secret")
    ]


def test_embedded_objects_are_read_or_handed_on() -> None:
    chart = (
        f"<office:document-content {NS}><office:body><office:chart><table:table>"
        "<table:table-row><table:table-cell><text:p>Chart Data Placeholder</text:p>"
        "</table:table-cell>"
        "</table:table-row></table:table></office:chart></office:body></office:document-content>"
    )
    data = package(
        "<text:p>Body</text:p>",
        {
            "Object 1/content.xml": chart,
            "Object 2": b"\xd0\xcf\x11\xe0ole",
            "Pictures/a.png": b"png",
        },
    )
    content = extract(data)
    tables = [(t.part, [list(r) for r in t.rows], t.hidden) for t in content if isinstance(t, Table)]
    assert tables == [("object:Object 1:table1", [["Chart Data Placeholder"]], True)]
    # Pictures are handed on too, so the text in them is read with OCR.
    embedded = [(e.name, e.hidden) for e in content if isinstance(e, Embedded)]
    assert embedded == [("Object 2", True), ("Pictures/a.png", False)]


def test_encrypted_document_is_uninspectable() -> None:
    encrypted = manifest('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>')
    with pytest.raises(Uninspectable, match="encrypted"):
        extract(package("<text:p>x</text:p>", {"META-INF/manifest.xml": encrypted}))


def test_missing_content_is_uninspectable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
    with pytest.raises(Uninspectable, match=r"content\.xml missing"):
        extract(buffer.getvalue())


def test_corrupt_truncated_and_hostile_files_are_uninspectable() -> None:
    data = built_with_odfpy()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f"<office:document-content {NS}><office:body><office:text><text:p>&lol2;</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
        zf.writestr("content.xml", bomb)
    for broken in (data[: len(data) // 2], b"PK\x03\x04garbage", hostile.getvalue()):
        with pytest.raises(Uninspectable):
            extract(broken)
