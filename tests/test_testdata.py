"""The generator of labelled test documents checks itself here; the scanner is tested elsewhere."""

from __future__ import annotations

import json
import random
import re
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from testing import synth as td

pytest.importorskip("faker")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[td.Label]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, td.build_corpus(root, seed=11)


def test_make_people_is_deterministic_in_the_seed() -> None:
    assert td.make_people(30, seed=5) == td.make_people(30, seed=5)
    assert td.make_people(30, seed=5) != td.make_people(30, seed=6)


def test_duplicates_repeat_people_and_keep_their_a_number() -> None:
    rows = td.make_people(200, seed=3, duplicate_share=0.05)
    assert len(rows) == 210
    assert td.individuals(rows) == 200
    repeated = [a for a, n in Counter(p.a_number for p in rows).items() if n > 1]
    assert len(repeated) == 10
    for a_number in repeated:
        same = [p for p in rows if p.a_number == a_number]
        assert {(p.given, p.family, p.date_of_birth) for p in same} == {
            (same[0].given, same[0].family, same[0].date_of_birth)
        }


def test_distinct_people_are_never_identical_records() -> None:
    people = td.make_people(500, seed=9)
    assert len({p.a_number for p in people}) == 500
    assert len(set(people)) == 500
    assert all(re.fullmatch(r"\d{9}", p.a_number) for p in people)


def test_leak_sized_roster_has_the_2022_counts() -> None:
    people = td.leak_sized_people(seed=1)
    assert (len(people), td.individuals(people)) == (td.LEAK_ROWS, td.LEAK_PEOPLE)


def test_names_come_from_many_origins_and_scripts() -> None:
    people = td.make_people(400, seed=2)
    origins = Counter(p.origin for p in people)
    assert {"synthetic", "es_MX", "zh_CN", "ru_RU", "ht", "fa_IR"} <= set(origins)
    assert any(not p.latin for p in people)  # some left in Cyrillic, Arabic or Persian script
    assert any(" " in p.family for p in people if p.origin.startswith("es"))  # double surnames


def test_synthetic_name_is_roster_shaped() -> None:
    rng = random.Random(4)
    names = {td.synthetic_name(rng) for _ in range(50)}
    assert len(names) == 50
    assert all(re.fullmatch(r"[A-Z]+, [A-Z]+", n) for n in names)


def test_transliteration_and_a_number_formats() -> None:
    assert td.transliterate_cyrillic("Щукина Юлия") == "Shchukina Yuliya"
    assert td.to_ascii("García López") == "Garcia Lopez"
    digits = "212345622"
    rendered = {td.format_a_number(digits, s) for s in td.A_NUMBER_STYLES}
    assert {"A212345622", "A-212-345-622", "A# 212 345 622", "212345622"} <= rendered


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_roster_workbook_really_hides_the_sheet(tmp_path: Path, state: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    people = td.make_people(12, seed=1)
    path = tmp_path / "stats.xlsx"
    td.write_roster_xlsx(path, people, hidden=True if state == "hidden" else "veryHidden")
    wb = openpyxl.load_workbook(path)
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states == {"Summary": "visible", "Detained Population": state}
    assert wb["Detained Population"].max_row == 13


def test_hidden_rows_columns_and_comments_are_set(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rows = [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]
    sheet = td.Sheet("S", rows, hidden_rows=frozenset({3}), hidden_columns=frozenset({1}),
                     comments={(2, 1): "note"})  # fmt: skip
    td.write_xlsx(tmp_path / "h.xlsx", [sheet])
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["S"]
    assert ws.row_dimensions[3].hidden and ws.column_dimensions["B"].hidden
    assert ws["A2"].comment.text == "note"


def test_pivot_cache_keeps_rows_of_a_deleted_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    people = td.make_people(7, seed=8)
    style = td.RosterStyle(columns=("name", "a_number", "dob"), headers=("Name", "A#", "DOB"),
                           dates="native")  # fmt: skip
    header, *rows = td.roster_rows(people, style)
    path = tmp_path / "pivot.xlsx"
    td.write_xlsx(path, [td.Sheet("Pivot", [["Country", "Count"], ["X", 1]])])
    td.add_pivot_cache(path, "Roster", [str(h) for h in header], rows)
    with zipfile.ZipFile(path) as zf:
        records = zf.read("xl/pivotCache/pivotCacheRecords1.xml").decode()
        definition = zf.read("xl/pivotCache/pivotCacheDefinition1.xml").decode()
        workbook = zf.read("xl/workbook.xml").decode()
    assert records.count("<r>") == 7
    assert people[0].a_number in definition  # shared items hold the values
    assert 'sheet="Roster"' in definition and "<pivotCache " in workbook
    assert openpyxl.load_workbook(path).sheetnames == ["Pivot"]


def test_corpus_covers_every_format_and_layer(corpus: tuple[Path, list[td.Label]]) -> None:
    _, labels = corpus
    formats = {label.format for label in labels}
    assert {"xlsx", "csv", "tsv", "ods", "docx", "pptx", "pdf", "html", "json", "xml", "txt",
            "md", "zip", "gz"} <= formats  # fmt: skip
    layers = {label.layer for label in labels if label.expect_block}
    assert {"visible", "hidden_sheet", "very_hidden_sheet", "hidden_rows", "hidden_columns",
            "comment", "pivot_cache", "defined_name", "metadata", "tracked_change",
            "hidden_text", "header_footer", "notes", "hidden_slide", "under_redaction",
            "hidden_element", "html_comment", "archive", "nested_archive"} <= layers  # fmt: skip
    assert 150 <= len(labels) <= 400
    assert sum(not label.expect_block for label in labels) >= 50


def test_labels_are_consistent_and_written(corpus: tuple[Path, list[td.Label]]) -> None:
    root, labels = corpus
    assert td.load_labels(root) == labels
    for label in labels:
        assert (root / label.path).is_file() and (root / label.truth).is_file()
        assert set(label.kinds) <= set(td.KINDS) and set(label.benign) <= set(td.KINDS)
        if label.expect_block:
            assert label.person_records > 0 and label.kinds
            assert label.individuals is not None and 0 < label.individuals <= label.person_records
        else:
            assert label.person_records == 0 and not label.kinds


def test_corpus_is_deterministic(corpus: tuple[Path, list[td.Label]], tmp_path: Path) -> None:
    root, labels = corpus
    again = td.build_corpus(tmp_path, seed=11)
    assert again == labels
    for label in labels:
        if label.format in ("csv", "txt", "json", "html", "md", "xml", "tsv"):
            assert (tmp_path / label.path).read_bytes() == (root / label.path).read_bytes()


def test_hidden_layers_are_really_in_the_files(corpus: tuple[Path, list[td.Label]]) -> None:
    root, labels = corpus

    def first(layer: str, fmt: str) -> Path:
        return root / next(lb.path for lb in labels if lb.layer == layer and lb.format == fmt)

    with zipfile.ZipFile(first("tracked_change", "docx")) as zf:
        assert "<w:delText" in zf.read("word/document.xml").decode()
    with zipfile.ZipFile(first("hidden_text", "docx")) as zf:
        assert "<w:vanish/>" in zf.read("word/document.xml").decode()
    with zipfile.ZipFile(first("comment", "docx")) as zf:
        assert "word/comments.xml" in zf.namelist()
    with zipfile.ZipFile(first("hidden_slide", "pptx")) as zf:
        slides = [zf.read(n).decode() for n in zf.namelist() if re.match(r"ppt/slides/slide\d", n)]
        assert any('show="0"' in s for s in slides)
    assert "display:none" in first("hidden_element", "html").read_text() or " hidden>" in (
        first("hidden_element", "html").read_text()
    )
    with tarfile.open(first("archive", "gz")) as tf:
        assert "data/detail.csv" in tf.getnames()
    with zipfile.ZipFile(first("nested_archive", "zip")) as zf:
        assert "archive/older.zip" in zf.namelist()


def test_covered_pdf_keeps_text_under_the_boxes(corpus: tuple[Path, list[td.Label]]) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    root, labels = corpus
    covered = next(lb for lb in labels if lb.layer == "under_redaction")
    redacted = next(lb for lb in labels if lb.layer == "properly_redacted")
    truth_first_row = (root / covered.truth).read_text().splitlines()[1]
    name = truth_first_row[:12].strip()
    text = pdfium.PdfDocument(root / covered.path)[0].get_textpage().get_text_range()
    assert name and name in text
    clean = pdfium.PdfDocument(root / redacted.path)[0].get_textpage().get_text_range()
    assert not re.search(r"A-?\d{3}-?\d{3}-?\d{3}|\b\d{9}\b", clean)


def test_delimited_encodings_round_trip(corpus: tuple[Path, list[td.Label]]) -> None:
    root, labels = corpus
    utf16 = [lb for lb in labels if lb.path.endswith("utf-16.tsv")]
    assert utf16
    raw = (root / utf16[0].path).read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    cp1252 = next(lb for lb in labels if "cp1252" in lb.path)
    (root / cp1252.path).read_bytes().decode("cp1252")


def test_roster_csv_drops_names_the_encoding_cannot_hold(tmp_path: Path) -> None:
    people = td.make_people(300, seed=12)
    written = td.write_roster_csv(tmp_path / "r.csv", people, delimiter=";", encoding="cp1252")
    assert 0 < len(written) < len(people)
    lines = (tmp_path / "r.csv").read_bytes().decode("cp1252").splitlines()
    assert len(lines) == len(written) + 1 and lines[0].startswith("Name;A-Number")


def test_labels_json_is_plain_json(corpus: tuple[Path, list[td.Label]]) -> None:
    root, labels = corpus
    data = json.loads((root / "labels.json").read_text())
    assert data["seed"] == 11 and len(data["files"]) == len(labels)
