"""The OCR layer: Tesseract reads a roster picture built here, and the layout step recovers its
rows and columns from the word boxes (grid lines or wide gaps), so the column classifier sees
a table. Layout is also checked on word boxes made by hand, without Tesseract."""

from __future__ import annotations

import time

import pytest
from pictures import people, render_table, require_ocr, roster_cells, roster_picture

from spillguard import ocr
from spillguard.model import Passage, Table


def word(text: str, left: int, top: int, line: int, width: int | None = None) -> ocr.Word:
    return ocr.Word(text, (left, top, left + (width or 10 * len(text)), top + 16), 90.0, line)


def test_rows_and_columns_come_back_from_word_boxes_alone() -> None:
    words = [
        word("A-Number", 10, 10, 1),
        word("Name", 200, 10, 1),
        word("Country", 420, 10, 1),
        *(
            w
            for r, (number, family, given, country) in enumerate(
                [
                    ("A212345622", "KOVRANEZ,", "TELUMI", "HONDURAS"),
                    ("A213456733", "VELDORIN,", "MASUKE", "EL SALVADOR"),
                    ("A214567844", "TRASKOVIL,", "ANEMO", "MEXICO"),
                ]
            )
            for w in (
                word(number, 10, 40 + 30 * r, 2 + r),
                word(family, 200, 40 + 30 * r, 2 + r),
                word(given, 200 + 10 * len(family) + 6, 40 + 30 * r, 2 + r),
                word(country, 420, 40 + 30 * r, 10 + r),  # Tesseract's own line: another block
            )
        ),
    ]
    (table,) = ocr.contents(words, ocr.Placement("image"))
    assert isinstance(table, Table)
    assert table.layer == "ocr"
    assert [list(row) for row in table.rows] == [
        ["A-Number", "Name", "Country"],
        ["A212345622", "KOVRANEZ, TELUMI", "HONDURAS"],
        ["A213456733", "VELDORIN, MASUKE", "EL SALVADOR"],
        ["A214567844", "TRASKOVIL, ANEMO", "MEXICO"],
    ]
    assert table.box(2, 1) == (200, 40, 356, 56)


def test_lines_that_do_not_line_up_are_text() -> None:
    words = [word("Dear", 10, 10, 1), word("colleagues,", 60, 10, 1), word("thank", 10, 40, 2)]
    (passage,) = ocr.contents(words, ocr.Placement("page:2", page=2))
    assert isinstance(passage, Passage)
    assert passage.text == "Dear colleagues,\nthank"
    assert (passage.location.part, passage.location.layer, passage.location.page) == ("page:2", "ocr", 2)
    assert passage.location.box == (10, 10, 170, 56)


def test_placement_maps_pixels_to_page_points() -> None:
    where = ocr.Placement("page:1", page=1, scale=0.5, origin=(36.0, 100.0))
    assert where.box((10, 20, 30, 40)) == (41, 110, 51, 120)


def test_tesseract_reads_a_spreadsheet_screenshot_as_a_table() -> None:
    require_ocr()
    persons = people(4)
    words = ocr.read_words(render_table(roster_cells(persons), size=13), None, 30)
    tables = [c for c in ocr.contents(words, ocr.Placement("image")) if isinstance(c, Table)]
    assert len(tables) == 1
    rows = [list(row) for row in tables[0].rows]
    assert rows[0][:2] == ["A-Number", "Name"]
    assert [row[0] for row in rows[1:]] == [f"A{p.a_number}" for p in persons]
    assert [row[1] for row in rows[1:]] == [p.roster_name for p in persons]


def test_tesseract_reads_a_printed_list_without_grid_lines() -> None:
    require_ocr()
    persons = people(4, seed=9)
    words = ocr.read_words(roster_picture(4, grid=False, seed=9), None, 30)
    contents = list(ocr.contents(words, ocr.Placement("image")))
    tables = [c for c in contents if isinstance(c, Table)]
    assert len(tables) == 1
    read = {row[0] for row in tables[0].rows}
    assert {f"A{p.a_number}" for p in persons} <= read
    titles = [c for c in contents if isinstance(c, Passage)]
    assert titles and "Detained population" in titles[0].text


def test_pictures_are_read_in_parallel_in_order() -> None:
    require_ocr()
    first, second = people(3, seed=1), people(3, seed=2)
    pictures = [render_table(roster_cells(first)), render_table(roster_cells(second))]
    readings = ocr.read_many(pictures, time.monotonic() + 60, 30)
    texts = [" ".join(w.text for w in words) for words in readings]
    assert f"A{first[0].a_number}" in texts[0] and f"A{second[0].a_number}" in texts[1]


def test_a_deadline_already_past_is_a_timeout() -> None:
    require_ocr()
    with pytest.raises(ocr.OcrError, match="timed out"):
        ocr.read_words(roster_picture(2), time.monotonic() - 1, 30)


def test_unavailable_ocr_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_probe", lambda: ("", "OCR not available (test)"))
    assert ocr.unavailable_reason() == "OCR not available (test)"
    with pytest.raises(ocr.OcrError, match="not available"):
        ocr.read_words(roster_picture(2), None, 30)
