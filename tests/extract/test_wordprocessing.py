"""Word extractor: every layer a reader sees and every layer they do not, on documents built
here (python-docx where it can make the feature, hand-written WordprocessingML where not)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import docx
import pytest

from spillguard.extract.base import Limits, Source
from spillguard.extract.wordprocessing import extract_docx
from spillguard.model import Content, Embedded, Passage, Table, Uninspectable

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS = f'xmlns:w="{W}" xmlns:r="{R}" xmlns:wp="{WP}"'

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def rels(*targets: tuple[str, str]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=10)
    )
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}</Relationships>"
    )


def document(body: str) -> str:
    return f"<w:document {NS}><w:body>{body}</w:body></w:document>"


def package(
    body: str, parts: dict[str, str | bytes] | None = None, links: Iterable[tuple[str, str]] = ()
) -> bytes:
    """A minimal docx: the body given, extra parts, and relationships from the document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", PACKAGE_RELS)
        zf.writestr("word/document.xml", document(body))
        parts = dict(parts or {})
        parts.setdefault("word/_rels/document.xml.rels", rels(*links))
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def run(text: str, props: str = "") -> str:
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def extract(data: bytes) -> list[Content]:
    return list(extract_docx(Source.from_bytes("test.docx", data), Limits()))


def passages(data: bytes) -> set[tuple[str, str, bool, str]]:
    return {
        (c.location.part, c.location.layer, c.location.hidden, c.text)
        for c in extract(data)
        if isinstance(c, Passage)
    }


def tables(data: bytes) -> dict[str, list[list[str]]]:
    return {c.part: [list(row) for row in c.rows] for c in extract(data) if isinstance(c, Table)}


def built_with_python_docx() -> bytes:
    doc = docx.Document()
    paragraph = doc.add_paragraph("Case worker: ")
    paragraph.add_run("Ana")
    paragraph.add_run("lia Placeholder")  # a name split over runs must stay whole
    grid = doc.add_table(rows=2, cols=2)
    grid.cell(0, 0).text = "Name"
    grid.cell(0, 1).text = "Number"
    grid.cell(1, 0).text = "Testperson Example"
    grid.cell(1, 1).text = "A000000000"
    doc.sections[0].header.paragraphs[0].text = "Header placeholder text"
    doc.sections[0].footer.paragraphs[0].text = "Footer placeholder text"
    doc.core_properties.author = "Author Placeholder"
    doc.core_properties.title = "Title Placeholder"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_body_paragraphs_keep_runs_whole_and_carry_offsets() -> None:
    content = extract(built_with_python_docx())
    body = [c for c in content if isinstance(c, Passage) and c.location.part == "body"]
    assert [(c.location.layer, c.location.hidden, c.text) for c in body] == [
        ("text", False, "Case worker: Analia Placeholder")
    ]
    assert body[0].location.offset == 0


def test_tables_are_raw_grids_with_header_row() -> None:
    assert tables(built_with_python_docx()) == {
        "body:table1": [["Name", "Number"], ["Testperson Example", "A000000000"]]
    }


def test_headers_footers_and_core_properties() -> None:
    found = passages(built_with_python_docx())
    assert ("header", "text", False, "Header placeholder text") in found
    assert ("footer", "text", False, "Footer placeholder text") in found
    assert ("metadata:creator", "metadata", True, "Author Placeholder") in found
    assert ("metadata:title", "metadata", True, "Title Placeholder") in found


def test_offsets_count_characters_within_the_part() -> None:
    data = package(para(run("First line")) + para(run("Second line")))
    offsets = [(c.text, c.location.offset) for c in extract(data) if isinstance(c, Passage)]
    assert offsets == [("First line", 0), ("Second line", 11)]


def test_tabs_and_breaks_become_whitespace() -> None:
    body = para("<w:r><w:t>Left</w:t><w:tab/><w:t>Right</w:t><w:br/><w:t>Below</w:t></w:r>")
    assert ("body", "text", False, "Left\tRight\nBelow") in passages(package(body))


def test_comments_are_hidden_with_their_author() -> None:
    comments = (
        f'<w:comments {NS}><w:comment w:id="0" w:author="Reviewer Placeholder">'
        f"{para(run('Note about the placeholder person'))}</w:comment></w:comments>"
    )
    data = package(
        para(run("Visible text")),
        {"word/comments.xml": comments},
        [("comments", "comments.xml")],
    )
    found = passages(data)
    assert ("comment", "comment", True, "Note about the placeholder person") in found
    assert ("metadata:author", "metadata", True, "Reviewer Placeholder") in found


def test_tracked_deletions_are_hidden_and_insertions_marked() -> None:
    body = para(
        run("Applicant "),
        '<w:del w:id="1" w:author="Editor Placeholder"><w:r><w:delText>Deleted </w:delText></w:r>'
        "<w:r><w:delText>Surname</w:delText></w:r></w:del>",
        '<w:ins w:id="2" w:author="Editor Placeholder">' + run("Inserted Name") + "</w:ins>",
    )
    found = passages(package(body))
    assert ("body", "tracked_change", True, "Deleted Surname") in found
    assert ("body", "tracked_change", False, "Applicant Inserted Name") in found
    assert ("metadata:author", "metadata", True, "Editor Placeholder") in found
    assert not any("Deleted" in text for _, layer, _, text in found if layer != "tracked_change")


def test_deletion_offset_points_into_the_visible_text() -> None:
    body = para(run("Before "), '<w:del w:id="1"><w:r><w:delText>gone</w:delText></w:r></w:del>')
    deleted = [c for c in extract(package(body)) if isinstance(c, Passage) and c.location.hidden]
    assert [(c.text, c.location.offset) for c in deleted] == [("gone", 7)]


def test_vanished_runs_are_hidden_text() -> None:
    body = para(run("Shown. "), run("Secret Placeholder", "<w:vanish/>"), run(" Also shown."))
    found = passages(package(body))
    assert ("body", "hidden_text", True, "Secret Placeholder") in found
    assert ("body", "text", False, "Shown.  Also shown.") in found


def test_vanish_switched_off_is_visible() -> None:
    body = para(run("Plain Placeholder", '<w:vanish w:val="false"/>'))
    assert ("body", "text", False, "Plain Placeholder") in passages(package(body))


def test_text_hidden_by_character_style() -> None:
    styles = (
        f'<w:styles {NS}><w:style w:type="character" w:styleId="Base">'
        "<w:rPr><w:vanish/></w:rPr></w:style>"
        '<w:style w:type="character" w:styleId="Quiet"><w:basedOn w:val="Base"/></w:style>'
        "</w:styles>"
    )
    body = para(run("Styled Secret", '<w:rStyle w:val="Quiet"/>'))
    data = package(body, {"word/styles.xml": styles}, [("styles", "styles.xml")])
    assert ("body", "hidden_text", True, "Styled Secret") in passages(data)


def test_field_codes_are_hidden_text() -> None:
    body = para(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> HYPERLINK "mailto:placeholder@example.invalid" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        run("write to us"),
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    )
    found = passages(package(body))
    assert (
        "body",
        "hidden_text",
        True,
        ' HYPERLINK "mailto:placeholder@example.invalid" ',
    ) in found
    assert ("body", "text", False, "write to us") in found


def test_text_boxes_are_read() -> None:
    box = (
        '<w:r><w:drawing><wp:anchor><wp:docPr id="1" name="Box"/>'
        "<w:txbxContent>" + para(run("Boxed Placeholder")) + "</w:txbxContent>"
        "</wp:anchor></w:drawing></w:r>"
    )
    assert ("body:textbox1", "text", False, "Boxed Placeholder") in passages(package(para(box)))


def test_alternate_content_is_read_once() -> None:
    choice = "<w:txbxContent>" + para(run("Boxed Once")) + "</w:txbxContent>"
    body = para(
        "<w:r>"
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:Choice Requires="wps">{choice}</mc:Choice><mc:Fallback>{choice}</mc:Fallback>'
        "</mc:AlternateContent></w:r>"
    )
    texts = [c.text for c in extract(package(body)) if isinstance(c, Passage)]
    assert texts.count("Boxed Once") == 1


def test_alt_text_of_drawings_is_hidden_attribute() -> None:
    drawing = (
        '<w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1" '
        'descr="Photo of Testperson Example"/></wp:inline></w:drawing></w:r>'
    )
    found = passages(package(para(drawing)))
    assert ("body", "attribute", True, "Photo of Testperson Example") in found


def test_footnotes_endnotes_and_glossary() -> None:
    footnotes = (
        f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="-1">'
        "<w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
        f'<w:footnote w:id="1">{para(run("Footnote Placeholder"))}</w:footnote></w:footnotes>'
    )
    endnotes = (
        f'<w:endnotes {NS}><w:endnote w:id="1">{para(run("Endnote Placeholder"))}</w:endnote></w:endnotes>'
    )
    glossary = document(para(run("Building Block Placeholder"))).replace("w:document", "w:glossaryDocument")
    data = package(
        para(run("Body")),
        {
            "word/footnotes.xml": footnotes,
            "word/endnotes.xml": endnotes,
            "word/glossary/document.xml": glossary,
        },
        [
            ("footnotes", "footnotes.xml"),
            ("endnotes", "endnotes.xml"),
            ("glossaryDocument", "glossary/document.xml"),
        ],
    )
    found = passages(data)
    assert ("footnotes", "text", False, "Footnote Placeholder") in found
    assert ("endnotes", "text", False, "Endnote Placeholder") in found
    assert ("glossary", "text", True, "Building Block Placeholder") in found


def test_hidden_and_deleted_text_in_table_cells_keeps_the_cell() -> None:
    cell = "<w:tc>" + para(run("Seen"), run("Unseen Placeholder", "<w:vanish/>")) + "</w:tc>"
    body = f"<w:tbl><w:tr>{cell}</w:tr></w:tbl>"
    content = extract(package(body))
    assert tables(package(body)) == {"body:table1": [["Seen"]]}
    hidden = [c for c in content if isinstance(c, Passage) and c.location.hidden]
    assert [(c.location.part, c.location.row, c.location.column, c.text) for c in hidden] == [
        ("body:table1", 1, "A", "Unseen Placeholder")
    ]


def test_deleted_and_hidden_table_rows() -> None:
    row = "<w:tr><w:trPr>{mark}</w:trPr><w:tc>" + "{p}" + "</w:tc></w:tr>"
    body = (
        "<w:tbl>"
        + row.format(mark="", p=para(run("Header")))
        + row.format(mark="<w:hidden/>", p=para(run("Hidden Row Placeholder")))
        + row.format(
            mark='<w:del w:id="5"/>',
            p=para('<w:del w:id="6"><w:r><w:delText>Removed Row</w:delText></w:r></w:del>'),
        )
        + "</w:tbl>"
    )
    content = extract(package(body))
    table = next(c for c in content if isinstance(c, Table))
    assert table.hidden_rows == frozenset({2})
    assert ("body:table1", "tracked_change", True, "Removed Row") in passages(package(body))


def test_document_properties_app_and_custom() -> None:
    app = (
        "<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Manager>Manager Placeholder</Manager><Company>Agency Placeholder</Company>"
        "<Words>3</Words></Properties>"
    )
    custom = (
        "<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="CaseOwner">'
        "<vt:lpwstr>Owner Placeholder</vt:lpwstr></property></Properties>"
    )
    data = package(para(run("Body")), {"docProps/app.xml": app, "docProps/custom.xml": custom})
    found = passages(data)
    assert ("metadata:Manager", "metadata", True, "Manager Placeholder") in found
    assert ("metadata:Company", "metadata", True, "Agency Placeholder") in found
    assert ("metadata:CaseOwner", "metadata", True, "Owner Placeholder") in found
    assert not any(part == "metadata:Words" for part, *_ in found)


def test_embedded_workbooks_are_handed_on() -> None:
    data = package(para(run("Body")), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": b"PK-fake"})
    embedded = [c for c in extract(data) if isinstance(c, Embedded)]
    assert [(e.name, e.data, e.hidden) for e in embedded] == [
        ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK-fake", True)
    ]


def test_custom_xml_data_is_swept_up() -> None:
    item = "<root><applicant>Stored Placeholder</applicant></root>"
    found = passages(package(para(run("Body")), {"customXml/item1.xml": item}))
    assert ("member:customXml/item1.xml", "metadata", True, "Stored Placeholder") in found


def test_hyperlink_targets_are_reported() -> None:
    links = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{REL}/hyperlink" '
        f'Target="mailto:placeholder@example.invalid" '
        'TargetMode="External"/></Relationships>'
    )
    data = package(para(run("mail us")), {"word/_rels/document.xml.rels": links})
    assert ("body", "attribute", True, "mailto:placeholder@example.invalid") in passages(data)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 this is not really a zip",
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # OLE2: what encrypted OOXML is
    ],
    ids=["corrupt", "empty", "ole2"],
)
def test_not_a_zip_is_uninspectable(data: bytes) -> None:
    with pytest.raises(Uninspectable):
        extract(data)


def test_truncated_file_is_uninspectable() -> None:
    data = built_with_python_docx()
    with pytest.raises(Uninspectable):
        extract(data[: len(data) // 2])


def test_missing_main_part_is_uninspectable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", PACKAGE_RELS)
    with pytest.raises(Uninspectable, match="main part missing"):
        extract(buffer.getvalue())


def test_corrupt_xml_is_uninspectable() -> None:
    data = package(para(run("Body")))
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            payload = src.read(name)
            dst.writestr(name, payload[:-20] if name == "word/document.xml" else payload)
    with pytest.raises(Uninspectable, match="corrupt XML"):
        extract(broken.getvalue())


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    f"<w:document {NS}><w:body><w:p><w:r><w:t>&lol4;</w:t></w:r></w:p></w:body></w:document>"
)


def test_xml_bomb_is_uninspectable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", PACKAGE_RELS)
        zf.writestr("word/document.xml", BILLION_LAUGHS)
    with pytest.raises(Uninspectable, match="hostile XML"):
        extract(buffer.getvalue())


def test_absurd_nesting_is_uninspectable() -> None:
    depth = 5000
    body = "<w:p>" + "<w:hyperlink>" * depth + run("deep") + "</w:hyperlink>" * depth + "</w:p>"
    with pytest.raises(Uninspectable, match="nested too deeply"):
        extract(package(body))
