"""The pipeline end to end: files built here, scanned with `spillguard.scan`, judged by what the
report says (individuals, severity, verdict, where each finding sits)."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from spillguard import FileReport, Policy, scan
from spillguard.extract.base import Limits
from spillguard.model import Finding
from testing.synth import (
    A_NUMBER_FAQ,
    PRESS_RELEASE,
    Person,
    add_zip_parts,
    csv_bytes,
    facility_counts,
    fixed_contract_rows,
    laughs_workbook,
    nationality_counts,
    office_directory,
    pivot_cache_for,
    roster_lines,
    roster_people,
    simple_roster_rows,
    weekly_statistics,
    with_repeats,
    write_docx_layers,
    write_ods_rows,
    write_pdf_text,
    write_pdf_under_box,
    write_pptx_layers,
    write_rows,
    write_workbook,
    zip_bytes,
)


def scan_one(path: Path, policy: Policy | None = None) -> FileReport:
    report = scan([str(path)], policy, jobs=0)
    assert report.files[0].path == str(path)
    return report.files[0]


def by_path(paths: list[Path], jobs: int = 0) -> dict[str, FileReport]:
    return {os.path.basename(f.path): f for f in scan([str(p) for p in paths], jobs=jobs).files}


def kinds_at(report: FileReport, **where: object) -> set[str]:
    """Kinds of the findings whose location has all the given attribute values."""
    return {f.kind for f in report.findings if all(getattr(f.location, k) == v for k, v in where.items())}


def values(report: FileReport, kind: str) -> list[str]:
    return [f.value for f in report.findings if f.kind == kind]


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return roster_people(12, seed=21)


# --- conclusions -------------------------------------------------------------------------------


def test_roster_with_repeated_rows_counts_people_once(tmp_path: Path) -> None:
    people = roster_people(625, seed=1)
    rows = with_repeats(people, 25, seed=2)
    report = scan_one(
        write_workbook(tmp_path / "fy23.xlsx", {"Detained Population": simple_roster_rows(rows)})
    )
    assert report.type == "xlsx"
    assert report.records == 650
    assert report.individuals == 625
    assert report.counts["a_number"] == 650
    assert report.severity == "critical"
    assert report.verdict == "block"
    assert "625 people" in report.reason
    assert report.uninspectable is None


def test_people_without_a_numbers_are_told_apart_by_name_and_birth_date(tmp_path: Path) -> None:
    people = roster_people(625, seed=3)
    # Names repeat across people (the name lists are short); name + birth date does not.
    assert len({p.roster_name for p in people}) < 625
    rows = with_repeats(people, 25, seed=4)
    table = [["Full Name", "Date of Birth", "Country of Citizenship"]]
    table += [[p.roster_name, p.born.isoformat(), p.nationality("agency")] for p in rows]
    report = scan_one(write_rows(tmp_path / "list.csv", table))
    assert report.records == 650
    assert report.individuals == len({(p.roster_name, p.born) for p in people})
    assert report.severity == "critical"  # a named person linked to a nationality


def test_name_with_birth_date_only_is_high_and_blocks(tmp_path: Path) -> None:
    table = [["Name", "Birth Date"]] + [[p.roster_name, p.born.isoformat()] for p in roster_people(8, 5)]
    report = scan_one(write_workbook(tmp_path / "members.xlsx", {"Members": table}))
    assert report.severity == "high"
    assert report.verdict == "block"


def test_never_seen_names_under_respondent_header_block(tmp_path: Path) -> None:
    people = roster_people(30, seed=6, invented=True)
    table = [["Respondent", "Book-in Date", "Housing"]]
    table += [[p.roster_name, "03/14/2022", "Unit C"] for p in people]
    report = scan_one(write_workbook(tmp_path / "docket.xlsx", {"Docket": table}))
    assert report.counts.get("person_name") == 30
    assert report.counts.get("date_of_birth", 0) == 0  # book-in date is not a birth date
    assert report.verdict == "block"


def test_policy_decides_what_blocks(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "r.xlsx", {"R": simple_roster_rows(roster_people(5, 7))})
    assert scan_one(path, Policy(block=frozenset({"critical"}))).verdict == "block"
    assert scan_one(path, Policy(block=frozenset(), warn=frozenset({"critical"}))).verdict == "warn"


# --- routine publications pass -----------------------------------------------------------------


def test_routine_publications_pass(tmp_path: Path) -> None:
    import docx

    paths = [
        write_workbook(tmp_path / "facilities.xlsx", {"Facilities": facility_counts()}),
        write_workbook(tmp_path / "nationalities.xlsx", {"FY2022": nationality_counts()}),
        write_rows(tmp_path / "nationalities.csv", nationality_counts()),
        write_workbook(tmp_path / "contracts.xlsx", {"Awards": fixed_contract_rows()}),
        write_rows(tmp_path / "contracts.csv", fixed_contract_rows()),
        write_workbook(tmp_path / "directory.xlsx", {"Offices": office_directory()}),
        write_workbook(tmp_path / "weekly.xlsx", weekly_statistics()),
    ]
    faq = tmp_path / "faq.html"
    body = "".join(f"<p>{p}</p>" for p in A_NUMBER_FAQ.split("\n\n"))
    faq.write_text(f"<html><body><h1>A-numbers</h1>{body}</body></html>")
    press_txt = tmp_path / "press.txt"
    press_txt.write_text(PRESS_RELEASE)
    press_docx = tmp_path / "press.docx"
    document = docx.Document()
    for paragraph in PRESS_RELEASE.split("\n\n"):
        document.add_paragraph(paragraph)
    document.core_properties.author = "Office of Public Affairs"
    document.save(press_docx)
    press_pdf = write_pdf_text(tmp_path / "press.pdf", PRESS_RELEASE.replace("\n\n", "\n").split("\n"))
    paths += [faq, press_txt, press_docx, press_pdf]
    reports = by_path(paths)
    for name, report in reports.items():
        assert report.verdict == "pass", (
            name,
            report.reason,
            [(f.kind, f.location.label()) for f in report.findings],
        )
        assert report.records == 0, name
        assert report.uninspectable is None, name
    assert len(reports) == len(paths)


def test_contract_numbers_and_duns_are_never_a_numbers(tmp_path: Path) -> None:
    report = scan_one(write_workbook(tmp_path / "awards.xlsx", {"Awards": fixed_contract_rows()}))
    assert "a_number" not in report.counts
    assert report.findings == ()


# --- hidden layers -----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet(tmp_path: Path, people: list[Person], state: str) -> None:
    path = write_workbook(
        tmp_path / "stats.xlsx",
        {"Summary": facility_counts(), "Detainees": simple_roster_rows(people)},
        {"Detainees": state},
    )
    report = scan_one(path)
    assert report.verdict == "block"
    assert report.individuals == len(people)
    assert kinds_at(report, part="sheet:Detainees", layer="cell", hidden=True) >= {
        "a_number",
        "person_name",
        "date_of_birth",
        "nationality",
        "detention_facility",
    }
    assert not kinds_at(report, part="sheet:Summary")
    assert all(f.location.hidden for f in report.findings)
    assert "hidden" in report.reason


def test_hidden_rows_columns_comments_and_defined_names(tmp_path: Path, people: list[Person]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    for row in simple_roster_rows(people):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["A"].hidden = True
    ws["F1"].comment = Comment("Detainee KOVRANEZ, TELUMI A212345622 DOB 03/04/1988", "clerk")
    wb.defined_names["Contact"] = DefinedName(
        "Contact", attr_text='"Respondent HERNANDEZ CRUZ, JUAN CARLOS A223456781"'
    )
    wb.save(tmp_path / "r.xlsx")
    report = scan_one(tmp_path / "r.xlsx")
    cells = [f for f in report.findings if f.location.layer == "cell"]
    assert {f.location.hidden for f in cells if f.kind == "a_number"} == {True}  # column A hidden
    hidden_row = {f.kind for f in cells if f.location.row == 3 and f.location.hidden}
    assert hidden_row >= {"person_name", "date_of_birth", "nationality"}
    assert not any(f.location.hidden for f in cells if f.location.row == 4 and f.kind == "person_name")
    comment = kinds_at(report, part="sheet:Roster", layer="comment", hidden=True, row=1, column="F")
    assert comment >= {"person_name", "a_number", "date_of_birth"}
    assert kinds_at(report, layer="defined_name", hidden=True) >= {"person_name", "a_number"}
    assert report.individuals == len(people) + 2


def test_pivot_cache_of_a_deleted_sheet(tmp_path: Path, people: list[Person]) -> None:
    path = write_workbook(tmp_path / "pivot.xlsx", {"Summary": facility_counts()})
    add_zip_parts(path, pivot_cache_for(people))
    report = scan_one(path)
    assert report.verdict == "block"
    assert report.individuals == len(people)
    found = [f for f in report.findings if f.location.layer == "pivot_cache"]
    assert {f.kind for f in found} >= {"a_number", "person_name", "detention_facility"}
    assert all(f.location.hidden and f.location.part.startswith("pivot_cache:") for f in found)
    assert len(found) == len(report.findings)


def test_word_comment_tracked_deletion_and_hidden_text(tmp_path: Path, people: list[Person]) -> None:
    lines = roster_lines(people)
    report = scan_one(write_docx_layers(tmp_path / "w.docx", "Detainee " + lines[0], lines[1], lines[2]))
    assert report.type == "docx" and report.verdict == "block"
    assert report.individuals == 3
    for layer in ("comment", "tracked_change", "hidden_text"):
        assert kinds_at(report, layer=layer, hidden=True) >= {"person_name", "a_number"}, layer
    assert not [f for f in report.findings if not f.location.hidden]


def test_slide_notes_and_hidden_slide(tmp_path: Path, people: list[Person]) -> None:
    lines = roster_lines(people)
    report = scan_one(write_pptx_layers(tmp_path / "deck.pptx", "Respondent " + lines[3], lines[4]))
    assert report.type == "pptx" and report.verdict == "block"
    assert kinds_at(report, layer="notes", hidden=True) >= {"person_name", "a_number"}
    assert kinds_at(report, part="slide:2", hidden=True) >= {"person_name", "a_number"}
    assert values(report, "a_number") and not kinds_at(report, part="slide:1")


def test_pdf_text_under_a_black_box(tmp_path: Path, people: list[Person]) -> None:
    path = write_pdf_under_box(
        tmp_path / "redacted.pdf", "Weekly detention statistics", roster_lines(people)[5]
    )
    report = scan_one(path)
    assert report.type == "pdf" and report.verdict == "block"
    found = kinds_at(report, layer="under_redaction", hidden=True, page=1)
    assert found >= {"person_name", "a_number", "date_of_birth"}


def test_pdf_roster_in_plain_sight(tmp_path: Path) -> None:
    people = roster_people(60, seed=8)
    report = scan_one(write_pdf_text(tmp_path / "list.pdf", ["Detained population", *roster_lines(people)]))
    assert report.verdict == "block"
    assert report.individuals == 60
    assert {f.location.page for f in report.findings} == {1, 2}


def test_html_comment_and_hidden_div(tmp_path: Path, people: list[Person]) -> None:
    lines = roster_lines(people)
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><body><h1>Facilities</h1><!-- {lines[6]} -->"
        f"<div style='display:none'>{lines[7]}</div><p>Book-ins rose 4 percent.</p></body></html>"
    )
    report = scan_one(path)
    assert report.type == "html" and report.verdict == "block"
    assert report.individuals == 2
    assert kinds_at(report, layer="comment", hidden=True) >= {"person_name", "a_number"}
    assert kinds_at(report, layer="hidden_text", hidden=True) >= {"person_name", "a_number"}


def test_json_array_of_records(tmp_path: Path, people: list[Person]) -> None:
    records = [
        {
            "anumber": f"A{p.a_number}",
            "name": p.roster_name,
            "dob": p.born.isoformat(),
            "country": p.nationality("agency"),
        }
        for p in people
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records))
    report = scan_one(path)
    assert report.type == "json" and report.verdict == "block"
    assert report.individuals == len(people)
    assert {"a_number", "person_name", "date_of_birth", "nationality"} <= set(report.counts)


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]
DELIMITERS = [",", ";", "\t", "|"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS, ids=["comma", "semicolon", "tab", "pipe"])
def test_delimited_text_in_any_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    people = roster_people(12, seed=9)
    # An accented name checks the decoding: mojibake would not match the value.
    accented = replace(people[0], family="PEÑA NÚÑEZ", given="JOSÉ ÁNGEL", a_number="231456782")
    path = write_rows(tmp_path / "export.csv", simple_roster_rows([accented, *people]), delimiter, encoding)
    report = scan_one(path)
    assert report.type in ("csv", "tsv")
    assert report.individuals == 13
    assert report.counts["a_number"] == 13
    assert "PEÑA NÚÑEZ, JOSÉ ÁNGEL" in values(report, "person_name")
    assert report.verdict == "block"


def test_ods_roster(tmp_path: Path, people: list[Person]) -> None:
    report = scan_one(write_ods_rows(tmp_path / "r.ods", simple_roster_rows(people)))
    assert report.type == "ods"
    assert report.individuals == len(people)
    assert report.verdict == "block"


# --- archives and sniffing ---------------------------------------------------------------------


def test_zip_members_are_their_own_entries(tmp_path: Path, people: list[Person]) -> None:
    path = tmp_path / "site.zip"
    path.write_bytes(
        zip_bytes({"data/roster.csv": csv_bytes(simple_roster_rows(people)), "readme.txt": b"Hello"})
    )
    reports = {f.path: f for f in scan([str(path)], jobs=0).files}
    assert set(reports) == {str(path), f"{path}!data/roster.csv", f"{path}!readme.txt"}
    assert reports[f"{path}!data/roster.csv"].individuals == len(people)
    assert reports[f"{path}!readme.txt"].verdict == "pass"
    assert reports[str(path)].verdict == "block"  # the container is as bad as its worst member
    assert "data/roster.csv" in reports[str(path)].reason


def test_nested_zip_path_form(tmp_path: Path, people: list[Person]) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(zip_bytes({"b.zip": zip_bytes({"c.csv": csv_bytes(simple_roster_rows(people))})}))
    reports = {f.path: f for f in scan([str(path)], jobs=0).files}
    inner = reports[f"{path}!b.zip!c.csv"]
    assert inner.type == "csv" and inner.individuals == len(people)
    assert reports[f"{path}!b.zip"].verdict == reports[str(path)].verdict == "block"


def test_tar_gz(tmp_path: Path, people: list[Person]) -> None:
    data = csv_bytes(simple_roster_rows(people))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("export/roster.csv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "export.tar.gz"
    path.write_bytes(buffer.getvalue())
    reports = scan([str(path)], jobs=0).files
    assert reports[0].path == str(path) and reports[0].verdict == "block"
    member = next(f for f in reports if f.path.endswith("!export/roster.csv"))
    assert member.individuals == len(people)
    assert all(f.uninspectable is None for f in reports)


def test_type_is_sniffed_from_content_not_name(tmp_path: Path, people: list[Person]) -> None:
    xlsx = write_workbook(tmp_path / "roster.xlsx", {"R": simple_roster_rows(people)})
    renamed = tmp_path / "notes.txt"
    shutil.move(xlsx, renamed)
    csv_as_pdf = tmp_path / "report.pdf"
    csv_as_pdf.write_bytes(csv_bytes(simple_roster_rows(people)))
    reports = by_path([renamed, csv_as_pdf])
    assert reports["notes.txt"].type == "xlsx" and reports["notes.txt"].verdict == "block"
    assert reports["report.pdf"].type == "csv" and reports["report.pdf"].verdict == "block"
    assert reports["notes.txt"].individuals == len(people)


# --- bad input ---------------------------------------------------------------------------------


def test_bad_input_gets_a_verdict_and_the_scan_goes_on(tmp_path: Path, people: list[Person]) -> None:
    rows = simple_roster_rows(people)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("zeros.csv", b"0" * (16 * 1024 * 1024))
    (tmp_path / "bomb.zip").write_bytes(bomb.getvalue())

    laughs_workbook(tmp_path / "laughs.xlsx")

    nested = csv_bytes(rows)
    name = "c.csv"
    for level in range(Limits().max_depth + 2):
        nested, name = zip_bytes({name: nested}), f"level{level}.zip"
    (tmp_path / "deep.zip").write_bytes(nested)

    write_pdf_text(tmp_path / "locked.pdf", roster_lines(people), encrypt="s3cret")
    full_xlsx = write_workbook(tmp_path / "full.xlsx", {"R": rows}).read_bytes()
    (tmp_path / "full.xlsx").unlink()
    (tmp_path / "cut.xlsx").write_bytes(full_xlsx[: len(full_xlsx) // 2])
    full_docx = write_docx_layers(tmp_path / "full.docx", "a", "b", "c").read_bytes()
    (tmp_path / "full.docx").unlink()
    (tmp_path / "cut.docx").write_bytes(full_docx[: len(full_docx) // 2])
    full_pdf = write_pdf_text(tmp_path / "full.pdf", roster_lines(people)).read_bytes()
    (tmp_path / "full.pdf").unlink()
    (tmp_path / "cut.pdf").write_bytes(full_pdf[: len(full_pdf) // 2])
    (tmp_path / "junk.dat").write_bytes(random.Random(1).randbytes(4096))
    (tmp_path / "junk.xlsx").write_bytes(random.Random(2).randbytes(4096))
    (tmp_path / "zz-roster.csv").write_bytes(csv_bytes(rows))

    report = scan([str(tmp_path)], jobs=0)
    top = {os.path.basename(f.path): f for f in report.files if "!" not in f.path}
    expected_reasons = {
        "bomb.zip": "ratio",
        "laughs.xlsx": "hostile XML",
        "locked.pdf": "encrypted",
        "cut.xlsx": "corrupt",
        "cut.docx": "corrupt",
        "cut.pdf": "corrupt",
        "junk.dat": "unknown binary",
        "junk.xlsx": "unknown binary",
    }
    for name, reason in expected_reasons.items():
        assert top[name].verdict == "block", name
        assert top[name].uninspectable and reason in top[name].uninspectable, (name, top[name].uninspectable)
        assert "internal error" not in top[name].uninspectable
    deepest = [f for f in report.files if f.uninspectable and "nested deeper" in f.uninspectable]
    assert len(deepest) == 1 and deepest[0].path.count("!") == Limits().max_depth
    assert top["deep.zip"].verdict == "block"
    assert top["zz-roster.csv"].individuals == len(people)  # the files after the bad ones are scanned


def test_symlink_loops_are_not_followed_forever(tmp_path: Path, people: list[Person]) -> None:
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    os.symlink("..", site / "files" / "up")
    os.symlink(site / "files" / "self", site / "files" / "self")
    write_rows(site / "files" / "roster.csv", simple_roster_rows(people))
    reports = scan([str(site)], jobs=0).files
    assert [os.path.basename(f.path) for f in reports] == ["roster.csv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_blocks(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n")
    path.chmod(0)
    report = scan_one(path)
    assert report.verdict == "block" and report.uninspectable and "unreadable" in report.uninspectable


def test_a_path_that_vanished_blocks_instead_of_crashing(tmp_path: Path) -> None:
    from spillguard.pipeline import scan_path

    report = scan_path(str(tmp_path / "gone.csv"), Policy())[0]
    assert report.verdict == "block" and report.uninspectable and "unreadable" in report.uninspectable


def test_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    from spillguard import ScanError

    with pytest.raises(ScanError, match="no such file"):
        scan([str(tmp_path / "missing.xlsx")], jobs=0)


# --- worker processes --------------------------------------------------------------------------


def test_process_pool_gives_the_same_reports(tmp_path: Path, people: list[Person]) -> None:
    write_workbook(tmp_path / "r.xlsx", {"R": simple_roster_rows(people)})
    write_rows(tmp_path / "c.csv", nationality_counts())
    (tmp_path / "j.bin").write_bytes(random.Random(3).randbytes(2048))
    (tmp_path / "a.zip").write_bytes(zip_bytes({"b.csv": csv_bytes(simple_roster_rows(people))}))

    def summary(jobs: int) -> list[tuple[object, ...]]:
        files = scan([str(tmp_path)], jobs=jobs).files
        return [
            (
                f.path,
                f.verdict,
                f.individuals,
                f.records,
                f.uninspectable,
                tuple(map(_finding_key, f.findings)),
            )
            for f in files
        ]

    assert summary(2) == summary(0)


def _finding_key(f: Finding) -> tuple[object, ...]:
    return (f.kind, f.value, f.location)


def test_time_limit_makes_a_file_uninspectable_in_a_worker(tmp_path: Path) -> None:
    write_rows(tmp_path / "big.csv", simple_roster_rows(roster_people(200, seed=10)))
    write_rows(tmp_path / "small.csv", nationality_counts())
    policy = Policy(limits=Limits(timeout_seconds=0.0))
    reports = {os.path.basename(f.path): f for f in scan([str(tmp_path)], policy, jobs=2).files}
    assert reports["big.csv"].verdict == "block"
    assert reports["big.csv"].uninspectable == "timed out"


def test_a_single_file_in_a_forked_worker_reads_as_in_process(tmp_path: Path, people: list[Person]) -> None:
    path = tmp_path / "r.xlsx"
    write_workbook(path, {"R": simple_roster_rows(people)})
    forked, inline = scan([str(path)], jobs=1).files, scan([str(path)], jobs=0).files
    assert [(f.verdict, f.individuals, f.records, f.findings) for f in forked] == [
        (f.verdict, f.individuals, f.records, f.findings) for f in inline
    ]
