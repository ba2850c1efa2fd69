"""Free text: identifiers in every spelling, bare numbers only with words that say what they
are, names from many traditions, birth dates only where the words say birth, and officials in
press releases who are no leak."""

from __future__ import annotations

import pytest

from spillguard.assess import Assessment
from spillguard.detect.text import detect_passage, find_hits
from spillguard.model import Location, Passage
from testing.synth import A_NUMBER_FAQ, PRESS_RELEASE


def kinds(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for hit in find_hits(text, 0, len(text)):
        out.setdefault(hit.kind, []).append(hit.value)
    return out


def assess_text(text: str) -> Assessment:
    assessment = Assessment()
    for paragraph in text.split("\n\n"):
        detect_passage(Passage(paragraph, Location("body", offset=0)), assessment)
    return assessment


@pytest.mark.parametrize(
    "text",
    [
        "A212345622",
        "A-212-345-622",
        "A 212 345 622",
        "A# 212 345 622",
        "A#212345622",
        "Alien No. 212345622",
        "Alien Registration Number: 212-345-622",
        "A-Number: 21234562",
        "A-File 212345622",
        "A21234562",
    ],
)
def test_a_number_in_every_spelling(text: str) -> None:
    found = kinds(f"Detainee record {text} on file")
    assert [v.replace("-", "").replace(" ", "")[-8:] for v in found.get("a_number", [])] == [
        "".join(ch for ch in text if ch.isdigit())[-8:]
    ]


@pytest.mark.parametrize(
    "text",
    [
        "his alien number is 212345622",
        "A-number 212 345 622",
        "registration 212345622",
    ],
)
def test_bare_digits_are_an_a_number_when_the_words_before_say_so(text: str) -> None:
    assert "a_number" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Contract 212345622 was awarded on 03/04/2022",
        "DUNS 614872391",
        "DUNS: 61-487-2391",
        "Award ID 212345622 obligated $212,345,622.00",
        "Total obligations 212345622",
        "Order number 21234562 shipped",
        "Example: A-123-456-789",
        "The form shows A# 000 000 000 as an example",
        "Contract HSCEDM-21-D-00015",
    ],
)
def test_contracts_duns_amounts_and_placeholders_are_not_a_numbers(text: str) -> None:
    assert "a_number" not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Respondent GARCIA LOPEZ, MARIA JOSE was detained on Monday",
        "HERNANDEZ CRUZ, JUAN CARLOS A212345622",
        "Respondent Dmitri Kuznetsov appeared without counsel",
        "Mr. Farshid Hosseini was transferred",
        "Detainee Wang Xiaoming, born 1988-03-04, was released",
        "Ms. Marie-Ange Jean-Baptiste, a native of Haiti, was detained",
        "Respondent Priyanka Venkataraman filed an appeal",
        "KOVRANEZ, TELUMI A212345622",
        "Kovranez, Telumi A212345622",
    ],
)
def test_names_from_many_traditions_are_found(text: str) -> None:
    assert "person_name" in kinds(text), kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Secretary Jane Whitfield said on Monday that the program will grow.",
        "Acting Director Marcus Oyelaran announced the new policy.",
        "Judge Harold Finch presided over the session.",
        "The Otero County Processing Center holds 812 people.",
        "Fiscal Year 2022 Detention Statistics",
    ],
)
def test_officials_places_and_headings_are_not_people(text: str) -> None:
    assert "person_name" not in kinds(text), kinds(text)


def test_last_first_does_not_swallow_the_field_label_after_it() -> None:
    found = kinds("GARCIA LOPEZ, MARIA JOSE DOB: 03/04/1988 NATIONALITY: GUATEMALA A212345622")
    assert found["person_name"] == ["GARCIA LOPEZ, MARIA JOSE"]
    assert found["date_of_birth"] == ["03/04/1988"]
    assert found["nationality"] == ["GUATEMALA"]


def test_birth_date_only_where_the_words_say_birth() -> None:
    assert kinds("Respondent Ana Perez, DOB 03/04/1988")["date_of_birth"] == ["03/04/1988"]
    assert kinds("Respondent Ana Perez, born 4 March 1988")["date_of_birth"] == ["4 March 1988"]
    assert "date_of_birth" not in kinds("Respondent Ana Perez, book-in date 03/04/2022")
    assert "date_of_birth" not in kinds("Respondent Ana Perez, hearing on 03/04/1988")


def test_agency_nationality_spelling_counts_once() -> None:
    found = kinds("WANG, LI NA A212345622 CHINA, PEOPLES REPUBLIC OF")
    assert found["nationality"] == ["CHINA PEOPLES REPUBLIC OF"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Respondent Ana Perez, SSN 212-45-6781", "ssn"),
        ("Respondent Ana Perez, social security 212456781", "ssn"),
        ("Respondent Ana Perez, passport no. G48213975", "passport_number"),
        ("Respondent Ana Perez can be reached at (915) 732-4242", "phone_number"),
        ("Respondent Ana Perez, ana.perez.1988@example.org", "email_address"),
        ("Respondent Ana Perez lives at 1423 Maple Grove Avenue, Apt 4", "street_address"),
        ("Respondent Ana Perez, receipt IOE0912345678", "immigration_case_number"),
        ("Respondent Ana Perez is held at Stewart Detention Center", "detention_facility"),
        ("Respondent Ana Perez, a citizen of Honduras", "nationality"),
    ],
)
def test_each_kind_is_found_next_to_a_person(text: str, kind: str) -> None:
    assert kind in kinds(text), kinds(text)


def test_a_facility_or_country_with_nobody_attached_is_no_finding() -> None:
    assert kinds("Stewart Detention Center reported 1,203 book-ins from Honduras.") == {}


def test_press_release_naming_officials_is_not_a_record() -> None:
    assessment = assess_text(PRESS_RELEASE)
    assert assessment.records == 0
    assert assessment.counts["person_name"] == 0
    assert assessment.severity in ("none", "low")


def test_faq_showing_the_a_number_shape_exposes_nobody() -> None:
    assessment = assess_text(A_NUMBER_FAQ)
    assert assessment.counts["a_number"] == 0
    assert assessment.records == 0


def test_a_person_linked_to_status_is_critical_and_with_a_birth_date_high() -> None:
    critical = assess_text(
        "Respondent GARCIA LOPEZ, MARIA JOSE A212345622 is detained at Stewart Detention Center"
    )
    assert critical.severity == "critical" and critical.records == 1
    high = assess_text("Club member Ana Lucia Perez, born 03/04/1988, won the race")
    assert high.severity == "high", high.severities
    low = assess_text("Write to Ana Lucia Perez at ana.perez@example.org")
    assert low.severity == "low"


def test_one_person_per_line_in_a_pasted_roster() -> None:
    lines = [
        "IVANOV, DMITRI A212345622 RUSSIA",
        "HOSSEINI, MARYAM A223456781 IRAN",
        "IVANOV, DMITRI A212345622 RUSSIA",
        "PATEL, SURESH A234567812 INDIA",
    ]
    assessment = assess_text("\n".join(lines))
    assert assessment.records == 4
    assert assessment.individuals == 3
