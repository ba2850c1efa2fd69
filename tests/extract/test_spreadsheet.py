"""Workbook cells through calamine, read in the caller's thread (small workbooks) or on a
background thread (big ones): both ways give the same tables and fail the same way."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from spillguard.extract import cells, spreadsheet
from spillguard.extract.base import Limits, Source
from spillguard.model import Table, Uninspectable


@pytest.fixture(params=["in the caller's thread", "on a background thread"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    size = 10**12 if request.param.startswith("in") else 0
    monkeypatch.setattr(cells, "BACKGROUND_BYTES", size)
    return str(request.param)


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Facility", "Count"])
    book.active.append(["North", 12])
    hidden = book.create_sheet("Detainees")
    hidden.sheet_state = "hidden"
    hidden.append(["Name", "A-Number"])
    hidden.append(["GARCIA, ANA", "A212345622"])
    book.save(path)
    return path


def tables(path: Path) -> list[Table]:
    source = Source.from_path(str(path), path.stat().st_size)
    return [t for t in spreadsheet.extract_xlsx(source, Limits()) if isinstance(t, Table)]


def test_every_sheet_with_its_visibility(tmp_path: Path, reading: str) -> None:
    found = {t.part: (t.hidden, [list(r) for r in t.rows]) for t in tables(workbook(tmp_path / "b.xlsx"))}
    assert found == {
        "sheet:Summary": (False, [["Facility", "Count"], ["North", "12"]]),
        "sheet:Detainees": (True, [["Name", "A-Number"], ["GARCIA, ANA", "A212345622"]]),
    }


def test_a_sheet_calamine_cannot_read_makes_the_file_uninspectable(tmp_path: Path, reading: str) -> None:
    good = workbook(tmp_path / "good.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # cut mid-element
            out.writestr(info, data)
    with pytest.raises(Uninspectable, match="corrupt workbook"):
        tables(broken)


def test_a_reader_let_go_early_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cells, "BACKGROUND_BYTES", 0)
    path = workbook(tmp_path / "b.xlsx")
    source = Source.from_bytes("b.xlsx", path.read_bytes())
    with cells.CellReader(source) as reader:
        first = next(reader.sheets())
        assert first[0] == "Summary"
    assert reader.thread is not None
    reader.thread.join(timeout=5)  # it would otherwise wait forever to hand over sheet two
    assert not reader.thread.is_alive()


def test_in_memory_workbooks_read_both_ways(reading: str, tmp_path: Path) -> None:
    data = workbook(tmp_path / "b.xlsx").read_bytes()
    source = Source.from_bytes("outer.zip!b.xlsx", data)
    parts = [t.part for t in spreadsheet.extract_xlsx(source, Limits()) if isinstance(t, Table)]
    assert parts == ["sheet:Summary", "sheet:Detainees"]


@pytest.mark.parametrize("chunk", [97, 4096, 1024 * 1024])
def test_hidden_rows_and_columns_are_found_across_chunk_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from spillguard.extract import base

    monkeypatch.setattr(base, "READ_CHUNK", chunk)
    hidden = {n for n in range(1, 20_001) if n % 997 == 0 or n in (1, 2, 20_000)}
    mark = ' hidden="1"'
    rows = "".join(
        f'<row r="{n}" spans="1:2"{mark if n in hidden else ""}><c r="A{n}"><v>{n}</v></c></row>'
        for n in range(1, 20_001)
    )
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cols><col min="2" max="3" width="0" hidden="true"/></cols>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(path) as zf:
        found_rows, found_cols = spreadsheet._hidden_rows_columns(zf, "xl/worksheets/sheet1.xml", Limits())
    assert (set(found_rows), set(found_cols)) == (hidden, {1, 2})
