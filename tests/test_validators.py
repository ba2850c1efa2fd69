"""Identifiers and phones checked by maintained libraries (detect/validators.py): every national
scheme and passport shape runs its own examples and non-examples; phone numbers are read in the
policy's regions; tables of people keep their phones, offices' numbers stay low; and a file with
no candidate number never imports the libraries. All values are invented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spillguard.assess import Assessment
from spillguard.detect.columns import detect_table, plan_table
from spillguard.detect.text import find_hits
from spillguard.detect.validators import (
    SCHEMES,
    national_ids,
    passport_shapes,
    phone_cell,
    phone_numbers,
    valid_national_id,
    valid_passport,
    valid_ssn,
)
from spillguard.model import DetectSettings, Table
from spillguard.policy import PolicyError, load_policy
from spillguard.scan import scan

SCHEME_CASES = [
    pytest.param(text, expected, id=f"{scheme.id}-{'hit' if expected else 'ok'}-{i}")
    for scheme in SCHEMES
    for expected, texts in ((True, scheme.examples), (False, scheme.non_examples))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("text", "expected"), SCHEME_CASES)
def test_each_scheme_finds_its_examples_after_its_label(text: str, expected: bool) -> None:
    found = [value for _, _, value in national_ids(f"{text}.")]
    assert bool(found) is expected, (text, found)
    if expected:  # the number, without its label, as a column under a national-id title holds it
        assert valid_national_id(found[0]) and text.endswith(found[0])


def test_every_scheme_has_examples_both_ways() -> None:
    for scheme in SCHEMES:
        assert scheme.examples and scheme.non_examples, scheme.id


@pytest.mark.parametrize(
    "text",
    [
        "EIN 12-3456789",  # an employer: an organisation's number
        "Tax ID 98-7654321",
        "sin 701062432 pagos",  # Spanish "sin" (without), not a Canadian SIN
        "Form 1040, line 9: 701062432",  # a valid SIN's digits with no label
        "Partida 385674120",  # a valid BSN's digits with no label
    ],
)
def test_numbers_without_a_persons_label_are_no_national_id(text: str) -> None:
    assert not list(national_ids(text))


def test_a_label_followed_by_more_digits_still_finds_the_number() -> None:
    assert [v for _, _, v in national_ids("SIN 701 062 432 2023")] == ["701 062 432"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("212-45-6781", True),
        ("212456781", True),
        ("000-12-3456", False),  # area 000
        ("666-12-3456", False),  # area 666
        ("912-45-6781", False),  # 9xx: ITINs and unissued
        ("212-00-6781", False),  # group 00
        ("212-45-0000", False),  # serial 0000
        ("078-05-1120", False),  # the wallet-card sample
        ("123-45-6789", False),  # a form's placeholder
    ],
)
def test_ssns_by_ssa_rules(value: str, expected: bool) -> None:
    assert valid_ssn(value) is expected


SHAPE_CASES = [
    pytest.param(shape.name, value, expected, id=f"{shape.name}-{'ok' if expected else 'bad'}-{value}")
    for shape in passport_shapes()
    for expected, values in ((True, shape.examples), (False, shape.non_examples))
    for value in values
]


@pytest.mark.parametrize(("name", "value", "expected"), SHAPE_CASES)
def test_each_passport_shape_runs_its_examples(name: str, value: str, expected: bool) -> None:
    shape = next(s for s in passport_shapes() if s.name == name)
    assert shape.fits(value) is expected
    if expected:
        assert valid_passport(value)


def test_every_passport_shape_has_examples_both_ways_and_names_its_states() -> None:
    for shape in passport_shapes():
        assert shape.examples and shape.non_examples and shape.countries, shape.name
        assert (shape.pattern is None) == bool(shape.stdnum), shape.name


@pytest.mark.parametrize("value", ["G12345678", "123456789", "000000000", "FY2023", "ABCDEFGHI", "1250000"])
def test_placeholders_counts_and_words_are_no_passport(value: str) -> None:
    assert not valid_passport(value)


INTERNATIONAL = [
    "+44 20 7946 0958",  # United Kingdom
    "+52 55 1234 5678",  # Mexico
    "+91 98213 47560",  # India
    "+49 30 4821 3975",  # Germany
]


@pytest.mark.parametrize("number", INTERNATIONAL)
def test_international_numbers_are_read_in_any_region(number: str) -> None:
    for regions in (("US",), ("MX",), ("GB", "DE")):
        assert [v for _, _, v in phone_numbers(f"Tel. {number}.", regions)] == [number]
        assert phone_cell(number, regions)


@pytest.mark.parametrize(
    ("text", "regions", "found"),
    [
        ("Tel. 020 7946 0958", ("US",), False),  # a UK national number, not dialled from the US
        ("Tel. 020 7946 0958", ("GB",), True),
        ("Tel. 55 1234 5678", ("US",), False),  # Mexico City, dialled at home
        ("Tel. 55 1234 5678", ("US", "MX"), True),
        ("Call (202) 732-4242", ("MX",), False),
        ("Call (202) 732-4242", ("US", "MX"), True),
    ],
)
def test_national_numbers_are_read_in_the_policys_regions(
    text: str, regions: tuple[str, ...], found: bool
) -> None:
    hits = find_hits(text, 0, len(text), settings=DetectSettings(phone_regions=regions))
    assert any(h.kind == "phone_number" for h in hits) is found


@pytest.mark.parametrize(
    "text",
    [
        "Server 216.81.80.157 answered",  # an IP address
        "8 4 3 2 2 3 4 5 6 7",  # counts in a row of a printed table
        "Requisition 2094835784",  # digits without a phone's punctuation
        "Dial (202) 555-0143 in the film",  # the 555 exchange is fiction
        "Docket 2024-10-15-0001",
    ],
)
def test_things_shaped_like_numbers_are_no_phone(text: str) -> None:
    assert not list(phone_numbers(text, ("US",)))


def assess(rows: list[list[str]], settings: DetectSettings | None = None) -> Assessment:
    assessment = Assessment(settings=settings or DetectSettings())
    detect_table(Table("sheet:Sheet1", rows), {}, assessment)
    return assessment


def test_phones_beside_names_are_personal_and_an_office_list_stays_low() -> None:
    people = [
        ["Name", "Phone"],
        *[
            [f"{family}, {given}", f"(915) 73{i}-42{i}{i}"]
            for i, (family, given) in enumerate(
                [("KOVRANEZ", "TELUMI"), ("ABARDO", "MIREL"), ("OSTIGAN", "PELU"), ("VARNOSKI", "ELIN")]
            )
        ],
    ]
    result = assess(people)
    assert result.record_kinds["phone_number"] == 4 and result.records == 4
    offices = [["Office", "Phone"], *[[f"Field Office {n}", f"(202) 73{n}-4242"] for n in range(4)]]
    office = assess(offices)
    assert office.records == 0 and office.counts["phone_number"] == 4 and office.severity == "low"


def test_a_phone_column_of_international_numbers_is_a_phone_column() -> None:
    rows = [
        ["Name", "Mobile"],
        ["Telumi Kovranez", "+44 20 7946 0958"],
        ["Mirel Abardo", "+52 55 1234 5678"],
        ["Pelu Ostigan", "+91 98213 47560"],
        ["Elin Varnoski", "+49 30 4821 3975"],
    ]
    plan = plan_table(rows, "sheet:Sheet1")
    assert plan.kinds.get(1) == "phone_number"


def test_a_column_of_counts_under_a_passport_title_is_no_passport_column() -> None:
    counts = [[f"2024-{m:02d}", str(1_250_000 + m * 7919)] for m in range(1, 13)]
    rows = [["Month", "Passport Applications"], *counts]
    assert 1 not in plan_table(rows, "sheet:Sheet1").kinds


def test_a_national_id_column_beside_names_blocks() -> None:
    curps = ["GOAM880312MDFNRR02", "ROLJ750917HGTDPN09"]
    rows = [["Nombre", "CURP"], ["Telumi Kovranez", curps[0]], ["Mirel Abardo", curps[1]]]
    result = assess(rows)
    assert result.record_kinds["national_id"] == 2
    assert result.severity == "high"


def test_phone_regions_in_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "spillguard.toml"
    path.write_text('[detect]\nphone_regions = ["US", "MX"]\n')
    assert load_policy(str(path)).detect.phone_regions == ("US", "MX")
    path.write_text('[detect]\nphone_regions = ["XX"]\n')
    with pytest.raises(PolicyError, match=r"detect.phone_regions: unknown region 'XX'"):
        load_policy(str(path))
    path.write_text('[detect]\nregions = ["US"]\n')
    with pytest.raises(PolicyError, match=r"unknown key detect.'regions'"):
        load_policy(str(path))
    path.write_text("[detect]\nphone_regions = []\n")
    with pytest.raises(PolicyError, match="at least one region"):
        load_policy(str(path))


def test_the_policy_regions_reach_the_scan(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("Respondent Telumi Kovranez can be reached at 55 1234 5678.\n")
    policy = tmp_path / "spillguard.toml"
    policy.write_text('[detect]\nphone_regions = ["MX"]\n')
    assert "phone_number" not in scan([str(letter)], jobs=0).files[0].counts
    assert scan([str(letter)], load_policy(str(policy)), jobs=0).files[0].counts["phone_number"] == 1


def test_a_file_without_candidate_numbers_never_imports_the_libraries(tmp_path: Path) -> None:
    # A roster of the 2022 leak's columns: names, A-numbers and dates, no phone, no SSN.
    counts = tmp_path / "roster.csv"
    counts.write_text(
        "Name,A-Number,DOB,Nationality,Book-In Date\n"
        "KOVRANEZ TELUMI,A212345622,1988-03-04,GUATEMALA,2022-10-15\n"
        "ABARDO MIREL,A212345633,1979-11-23,HONDURAS,2022-10-16\n"
    )
    code = (
        "import sys\nfrom spillguard.scan import scan\n"
        f"scan([{str(counts)!r}], jobs=0)\n"
        "print(sorted(m for m in ('phonenumbers', 'stdnum') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
