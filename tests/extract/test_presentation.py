"""PowerPoint extractor on presentations built here: python-pptx makes slides, tables and
notes; hidden slides, hidden shapes, comments and alt text are written into its output."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pptx
import pytest
from pptx.util import Inches

from spillguard.extract.base import Limits, Source
from spillguard.extract.presentation import extract_pptx
from spillguard.model import Content, Embedded, Passage, Table, Uninspectable

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MODERN_COMMENTS_REL = "http://schemas.microsoft.com/office/2018/10/relationships/comments"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P188 = "http://schemas.microsoft.com/office/powerpoint/2018/8/main"


def built_with_python_pptx() -> bytes:
    """Three slides: text and notes, a table, and one that tests make hidden."""
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Quarterly Placeholder"
    body = first.placeholders[1].text_frame.paragraphs[0]
    body.add_run().text = "Contact: Ana"
    body.add_run().text = "lia Placeholder"  # a name split over runs must stay whole
    first.notes_slide.notes_text_frame.text = "Speaker note about Testperson Example"

    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Roster"
    grid = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    grid.cell(0, 0).text = "Name"
    grid.cell(0, 1).text = "Number"
    grid.cell(1, 0).text = "Testperson Example"
    grid.cell(1, 1).text = "A000000000"

    third = deck.slides.add_slide(deck.slide_layouts[5])
    third.shapes.title.text = "Backup Slide Placeholder"
    box = third.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1))
    box.text_frame.text = "Detail on the hidden slide"

    deck.core_properties.author = "Author Placeholder"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def rewrite(data: bytes, edits: dict[str, Callable[[str], str]], add: dict[str, str] | None = None) -> bytes:
    """Copy a package, passing named parts through an edit, and adding parts."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            payload = src.read(name)
            if name in edits:
                payload = edits[name](payload.decode("utf-8")).encode("utf-8")
            dst.writestr(name, payload)
        for name, text in (add or {}).items():
            dst.writestr(name, text)
    return out.getvalue()


def add_relationship(kind: str, target: str) -> Callable[[str], str]:
    return lambda xml: xml.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{kind}" Target="{target}"/></Relationships>',
    )


def extract(data: bytes) -> list[Content]:
    return list(extract_pptx(Source.from_bytes("test.pptx", data), Limits()))


def passages(data: bytes) -> set[tuple[str, str, bool, str]]:
    return {
        (c.location.part, c.location.layer, c.location.hidden, c.text)
        for c in extract(data)
        if isinstance(c, Passage)
    }


def test_slide_text_in_presentation_order() -> None:
    found = passages(built_with_python_pptx())
    assert ("slide:1", "text", False, "Quarterly Placeholder") in found
    assert ("slide:1", "text", False, "Contact: Analia Placeholder") in found
    assert ("slide:3", "text", False, "Detail on the hidden slide") in found


def test_slide_numbers_follow_the_slide_list_not_file_names() -> None:
    # Swap the order of the first two slides in sldIdLst; slide:1 must now be the roster.
    def swap(xml: str) -> str:
        ids = re.findall(r"<p:sldId [^>]*/>", xml)
        return xml.replace(ids[0], "@@").replace(ids[1], ids[0]).replace("@@", ids[1])

    data = rewrite(built_with_python_pptx(), {"ppt/presentation.xml": swap})
    found = passages(data)
    assert ("slide:1", "text", False, "Roster") in found
    assert ("slide:2", "text", False, "Quarterly Placeholder") in found


def test_tables_in_graphic_frames() -> None:
    found = [c for c in extract(built_with_python_pptx()) if isinstance(c, Table)]
    assert [(t.part, [list(r) for r in t.rows], t.hidden) for t in found] == [
        ("slide:2:table1", [["Name", "Number"], ["Testperson Example", "A000000000"]], False)
    ]


def test_speaker_notes_are_hidden() -> None:
    found = passages(built_with_python_pptx())
    assert ("notes:1", "notes", True, "Speaker note about Testperson Example") in found


def test_hidden_slide_marks_everything_on_it_hidden() -> None:
    data = rewrite(
        built_with_python_pptx(),
        {"ppt/slides/slide3.xml": lambda xml: xml.replace("<p:sld ", '<p:sld show="0" ', 1)},
    )
    found = passages(data)
    assert ("slide:3", "text", True, "Detail on the hidden slide") in found
    assert ("slide:3", "text", True, "Backup Slide Placeholder") in found
    assert ("slide:1", "text", False, "Quarterly Placeholder") in found


def test_hidden_shape_is_hidden() -> None:
    def hide_textbox(xml: str) -> str:
        return re.sub(r'(<p:cNvPr id="\d+" name="TextBox[^"]*")', r'\1 hidden="1"', xml)

    data = rewrite(built_with_python_pptx(), {"ppt/slides/slide3.xml": hide_textbox})
    found = passages(data)
    assert ("slide:3", "text", True, "Detail on the hidden slide") in found
    assert ("slide:3", "text", False, "Backup Slide Placeholder") in found


def test_unlisted_slide_is_read_as_hidden() -> None:
    def drop_third(xml: str) -> str:
        return xml.replace(re.findall(r"<p:sldId [^>]*/>", xml)[2], "")

    data = rewrite(built_with_python_pptx(), {"ppt/presentation.xml": drop_third})
    found = passages(data)
    assert ("slide:unlisted:slide3.xml", "text", True, "Detail on the hidden slide") in found


def test_legacy_comments_are_hidden_with_their_author() -> None:
    comments = (
        f'<p:cmLst xmlns:p="{P}"><p:cm authorId="0" idx="1"><p:pos x="0" y="0"/>'
        "<p:text>Comment about Testperson Example</p:text></p:cm></p:cmLst>"
    )
    authors = (
        f'<p:cmAuthorLst xmlns:p="{P}">'
        f'<p:cmAuthor id="0" name="Reviewer Placeholder" initials="RP"/></p:cmAuthorLst>'
    )
    data = rewrite(
        built_with_python_pptx(),
        {"ppt/slides/_rels/slide2.xml.rels": add_relationship(f"{REL}/comments", "../comments/comment1.xml")},
        {"ppt/comments/comment1.xml": comments, "ppt/commentAuthors.xml": authors},
    )
    content = extract(data)
    comments_found = [c for c in content if isinstance(c, Passage) and c.location.layer == "comment"]
    assert [(c.location.part, c.location.hidden, c.location.page, c.text) for c in comments_found] == [
        ("comment", True, 2, "Comment about Testperson Example")
    ]
    assert ("metadata:author", "metadata", True, "Reviewer Placeholder") in passages(data)


def test_modern_comments_and_replies() -> None:
    comments = (
        f'<p188:cmLst xmlns:p188="{P188}" xmlns:a="{A}"><p188:cm id="{{0}}" authorId="{{1}}">'
        '<p188:replyLst><p188:reply id="{2}" authorId="{1}"><p188:txBody><a:bodyPr/>'
        "<a:p><a:r><a:t>Reply Placeholder</a:t></a:r></a:p></p188:txBody>"
        "</p188:reply></p188:replyLst>"
        "<p188:txBody><a:bodyPr/><a:p><a:r><a:t>Modern </a:t></a:r><a:r>"
        "<a:t>Comment Placeholder</a:t></a:r></a:p>"
        "</p188:txBody></p188:cm></p188:cmLst>"
    )
    authors = (
        f'<p188:authorLst xmlns:p188="{P188}">'
        f'<p188:author id="{{1}}" name="Modern Reviewer" initials="MR" userId="x"/>'
        "</p188:authorLst>"
    )
    data = rewrite(
        built_with_python_pptx(),
        {
            "ppt/slides/_rels/slide1.xml.rels": add_relationship(
                MODERN_COMMENTS_REL, "../comments/modernComment_1.xml"
            )
        },
        {"ppt/comments/modernComment_1.xml": comments, "ppt/authors.xml": authors},
    )
    found = passages(data)
    assert ("comment", "comment", True, "Modern Comment Placeholder") in found
    assert ("comment", "comment", True, "Reply Placeholder") in found
    assert ("metadata:author", "metadata", True, "Modern Reviewer") in found


def test_comments_no_slide_points_to_are_still_read() -> None:
    comments = (
        f'<p:cmLst xmlns:p="{P}"><p:cm authorId="0" idx="1"><p:text>Orphan Comment</p:text></p:cm></p:cmLst>'
    )
    data = rewrite(built_with_python_pptx(), {}, {"ppt/comments/comment7.xml": comments})
    assert ("comment", "comment", True, "Orphan Comment") in passages(data)


def test_alt_text_is_hidden_attribute() -> None:
    def describe(xml: str) -> str:
        return re.sub(
            r'(<p:cNvPr id="\d+" name="TextBox[^"]*")',
            r'\1 descr="Photo of Testperson Example"',
            xml,
        )

    data = rewrite(built_with_python_pptx(), {"ppt/slides/slide3.xml": describe})
    assert ("slide:3", "attribute", True, "Photo of Testperson Example") in passages(data)


def test_document_properties() -> None:
    assert ("metadata:creator", "metadata", True, "Author Placeholder") in passages(built_with_python_pptx())


def test_embedded_objects_are_handed_on() -> None:
    data = rewrite(built_with_python_pptx(), {}, {"ppt/embeddings/oleObject1.bin": "OLE-ish"})
    embedded = [(c.name, c.hidden) for c in extract(data) if isinstance(c, Embedded)]
    assert embedded == [("ppt/embeddings/oleObject1.bin", True)]


def test_corrupt_and_truncated_files_are_uninspectable() -> None:
    data = built_with_python_pptx()
    for broken in (
        data[: len(data) // 3],
        b"PK\x03\x04garbage",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    ):
        with pytest.raises(Uninspectable):
            extract(broken)


def test_xml_bomb_in_a_slide_is_uninspectable() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<p:sld xmlns:p="{P}"><p:cSld><p:spTree>&lol2;</p:spTree></p:cSld></p:sld>'
    )
    data = rewrite(built_with_python_pptx(), {"ppt/slides/slide1.xml": lambda _: bomb})
    with pytest.raises(Uninspectable, match="hostile XML"):
        extract(data)
