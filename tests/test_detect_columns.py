"""The column classifier judges whole columns from header meaning and value shape: unfamiliar
names under a person header, headerless LAST, FIRST columns beside identifiers, and the
routine tables (counts, contracts, directories) that must not turn into people."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from spillguard.assess import Assessment
from spillguard.detect.columns import Plan, detect_table, plan_table
from spillguard.model import Table
from testing.synth import (
    facility_counts,
    fixed_contract_rows,
    invented_name,
    nationality_counts,
    office_directory,
    roster_people,
    simple_roster_rows,
)


def kinds_by_header(rows: Sequence[Sequence[str]]) -> dict[str, str]:
    plan = plan_table(rows, "sheet:Sheet1")
    assert plan.header_index is not None
    return {plan.header[i]: kind for i, kind in plan.kinds.items()}


def assess(rows: Sequence[Sequence[object]], part: str = "sheet:Sheet1") -> Assessment:
    assessment = Assessment()
    table = Table(part, [[str(v) for v in row] for row in rows])
    detect_table(table, {}, assessment)
    return assessment


def invented_rows(header: Sequence[str], n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows = [list(header)]
    for _ in range(n):
        family, given = invented_name(rng)
        rows.append([f"{family}, {given}", f"0{rng.randint(1, 9)}/1{rng.randint(0, 9)}/2022", "Unit B"])
    return rows


def test_roster_columns_get_their_kinds() -> None:
    rows = simple_roster_rows(roster_people(30, seed=1))
    assert kinds_by_header(rows) == {
        "A-Number": "a_number",
        "Name": "person_name",
        "Date of Birth": "date_of_birth",
        "Nationality": "nationality",
        "Detention Facility": "detention_facility",
    }


@pytest.mark.parametrize("header", ["Respondent", "Detainee"])
def test_never_seen_names_under_a_person_header_are_a_name_column(header: str) -> None:
    rows = invented_rows([header, "Book-in Date", "Housing Unit"], 25, seed=7)
    assert kinds_by_header(rows).get(header) == "person_name"
    assessment = assess(rows)
    assert assessment.counts["person_name"] == 25
    assert assessment.individuals == 25
    assert assessment.severity == "critical"  # a detainee is in custody: that is status


def test_book_in_date_is_not_a_birth_date() -> None:
    rows = invented_rows(["Detainee", "Book-in Date", "Housing Unit"], 10, seed=8)
    assert "Book-in Date" not in kinds_by_header(rows)
    assert assess(rows).counts["date_of_birth"] == 0


def test_headerless_last_first_column_beside_a_numbers_is_names() -> None:
    rng = random.Random(3)
    rows = []
    for p in roster_people(20, seed=3, invented=True):
        rows.append([p.a_number, f"{p.family}, {p.given}", str(rng.randint(1, 9))])
    rows = [[f"A{r[0]}", r[1], r[2]] for r in rows]
    plan = plan_table(rows, "sheet:Sheet1")
    assert plan.header_index is None
    assert plan.kinds.get(0) == "a_number" and plan.kinds.get(1) == "person_name"
    assert assess(rows).individuals == 20


def test_title_case_names_under_name_header() -> None:
    people = roster_people(12, seed=4)
    rows = [["Last Name", "First Name", "DOB"]] + [
        [p.family.title(), p.given.title(), p.born.isoformat()] for p in people
    ]
    kinds = kinds_by_header(rows)
    assert kinds["Last Name"] == kinds["First Name"] == "person_name"
    assert kinds["DOB"] == "date_of_birth"
    assessment = assess(rows)
    assert assessment.severity == "high"  # a person with a birth date, nothing about status
    assert assessment.individuals == len({(p.family, p.given, p.born) for p in people})


def test_bare_nine_digits_are_a_numbers_only_under_an_a_number_header() -> None:
    people = roster_people(15, seed=5)
    under_header = [["Alien Number", "Name"]] + [[p.a_number, p.roster_name] for p in people]
    assert kinds_by_header(under_header)["Alien Number"] == "a_number"
    as_contracts = [["Contract Number", "Vendor"]] + [[p.a_number, "Northgate Services Inc"] for p in people]
    assert kinds_by_header(as_contracts) == {}
    assert assess(as_contracts).counts["a_number"] == 0


def test_nationality_agency_spelling_is_a_nationality_value() -> None:
    rows = [["A-Number", "Citizenship"]] + [
        [f"A{p.a_number}", "CHINA, PEOPLES REPUBLIC OF"] for p in roster_people(6, seed=6)
    ]
    assert kinds_by_header(rows)["Citizenship"] == "nationality"
    assert assess(rows).counts["nationality"] == 6


@pytest.mark.parametrize(
    "rows",
    [facility_counts(), nationality_counts(), fixed_contract_rows(), office_directory()],
    ids=["facility-counts", "nationality-counts", "contracts", "office-directory"],
)
def test_routine_tables_carry_nobody(rows: list[list[object]]) -> None:
    assessment = assess(rows)
    assert assessment.records == 0
    assert assessment.counts["person_name"] == 0 and assessment.counts["a_number"] == 0
    assert assessment.severity in ("none", "low")


def test_plan_made_on_first_chunk_holds_for_continuations() -> None:
    people = roster_people(40, seed=9)
    rows = simple_roster_rows(people)
    plans: dict[str, Plan] = {}
    assessment = Assessment()
    detect_table(Table("sheet:R", rows[:21], key="sheet:R"), plans, assessment)
    detect_table(
        Table("sheet:R", rows[21:], row_numbers=range(22, 42), key="sheet:R", is_continuation=True),
        plans,
        assessment,
    )
    assert assessment.individuals == 40
    assert assessment.counts["a_number"] == 40
    rows_seen = sorted(f.location.row for f in assessment.findings if f.kind == "a_number")
    assert rows_seen == list(range(2, 42))


def test_hidden_rows_and_columns_mark_their_findings_hidden() -> None:
    rows = simple_roster_rows(roster_people(5, seed=10))
    table = Table("sheet:R", rows, hidden_rows=frozenset({3}), hidden_columns=frozenset({0}))
    assessment = Assessment()
    detect_table(table, {}, assessment)
    a_numbers = [f for f in assessment.findings if f.kind == "a_number"]
    assert a_numbers and all(f.location.hidden and f.location.column == "A" for f in a_numbers)
    names = {f.location.row: f.location.hidden for f in assessment.findings if f.kind == "person_name"}
    assert names == {2: False, 3: True, 4: False, 5: False, 6: False}


def test_a_sheet_laid_out_as_a_form_is_one_person() -> None:
    from spillguard.assess import Assessment
    from spillguard.detect.columns import detect_table
    from spillguard.model import Table

    rows = [
        ["Case summary", ""],
        ["Name", "VELASKO PRUNDA, MIREL"],
        ["A-Number", "A213456733"],
        ["Date of Birth", "1979-11-21"],
        ["Nationality", "GUATEMALA"],
        ["Facility", "Marlow Service Processing Center"],
    ]
    assessment = Assessment()
    detect_table(Table("sheet:Case", rows), {}, assessment)
    assert (assessment.records, assessment.individuals, assessment.severity) == (1, 1, "critical")
    assert set(assessment.counts) >= {"person_name", "a_number", "date_of_birth", "nationality"}


def test_birth_dates_read_alike_whether_iso_cells_or_spelled() -> None:
    from spillguard.detect.columns import _valid_cells

    # Under a birth-date header a date is a birth date however old (presidents born in 1732),
    # but not before the year 1000, in the future, or impossible.
    iso = ["1985-03-02", "", "0999-01-01", "2999-01-01", "1990-02-30", "1801-01-01"]
    spelled = ["03/02/1985", "", "01/01/0999", "01/01/2999", "02/30/1990", "01/01/1801"]
    assert _valid_cells("date_of_birth", iso) == [True, False, False, False, False, True]
    assert _valid_cells("date_of_birth", spelled) == _valid_cells("date_of_birth", iso)
    assert _valid_cells("date_of_birth", ["1985-03-02", "March 2, 1985", "2022-W01-1"]) == [True, True, False]


def test_placeholder_a_numbers_are_never_valid_in_a_column() -> None:
    from spillguard.detect.columns import _valid_cells

    values = ["A123456789", "A000000000", "A98765432", "A212345622", "A-212-345-622", "A11111111"]
    assert _valid_cells("a_number", values) == [False, False, False, True, True, False]
