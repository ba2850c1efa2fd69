"""What real publications hold, rebuilt from invented values: each cause of a false alarm seen on
agencies' own files (a facility named after a person, a city and county on an address line,
an inspection-rating column, a navigation link, an official's contact block, a lone name on an
immigration page), and each cause of a miss (a surname that is also a word, a home address).
The mechanism is tested, not a corpus file: every person here is made of random syllables."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from faker import Faker

from spillguard import FileReport, scan_bytes

SYLLABLES = ("ka", "vo", "ren", "lu", "mi", "dor", "sa", "tel", "bri", "nox", "ul", "fen", "qua", "zi")


def word(rng: random.Random, parts: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def person(rng: random.Random) -> tuple[str, str]:
    """(given, family): names no name table has seen."""
    return word(rng, 2), word(rng, 3)


def known_name(seed: int) -> str:
    """A name the census tables know, for cases where the name must be found to be judged."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return f"{fake.first_name()} {fake.last_name()}"


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one(name: str, data: bytes) -> FileReport:
    return scan_bytes(name, data)[0]


def test_a_facility_named_after_a_person_is_a_facility() -> None:
    rng = random.Random(1)
    rows: list[list[object]] = [["Name", "Address", "City", "State", "Zip", "Capacity", "Rating"]]
    for i in range(40):
        given, family = person(rng)
        kind = rng.choice(["Processing Center", "Detention Center", "Correctional Facility", "County Jail"])
        name = f"{given.upper()} {family.upper()} {kind.upper()}"
        if i % 3 == 0:  # the jail and the sheriff it is named after
            name = f"{word(rng).upper()} CO JAIL ({given.upper()} {family[0]}. {word(rng).upper()})"
        rows.append(
            [name, f"{100 + i} {word(rng).upper()} ROAD", word(rng).upper(), "TX", f"7{i:04d}", 400, "Pass"]
        )
    report = one("facilities.xlsx", xlsx(rows))
    assert report.verdict == "pass", report.reason

    page = (
        f"<html><head><title>2022 {word(rng)} County Jail – {known_name(1)}, Dallas, TX | ICE</title></head>"
        f"<body><p>Inspection of the {word(rng)} County Jail – {known_name(1)}, where detainees are held.</p>"
        f"<p>Family Staging Centers include the {word(rng)} Family Residential Center, "
        f"the T. {known_name(2)} Family Residential Center and the {word(rng)} Processing Center.</p>"
        "</body></html>"
    )
    report = one("inspection.html", page.encode())
    assert report.verdict == "pass", report.reason


def test_a_city_and_county_before_a_zip_code_are_places() -> None:
    lines = [
        f"{word(random.Random(i)).upper()} DETENTION FACILITY 15850 EXPORT PLAZA DRIVE "
        f"{city} TX 77032 CDF Male A 780 406 206 0 0 0 ICE Processing Center"
        for i, city in enumerate(["HOUSTON HARRIS", "SIERRA BLANCA HUDSPETH", "ALBERT LEA FREEBORN"])
    ]
    report = one("facility-list.txt", "\n".join(lines).encode())
    assert report.verdict == "pass", report.reason
    assert "person_name" not in report.counts and "a_number" not in report.counts


@pytest.mark.parametrize("header", ["Last Final Rating", "Name", "Status"])
def test_a_rating_column_is_a_category_not_people(header: str) -> None:
    rng = random.Random(2)
    ratings = ["Meets Standard", "Pass", "Acceptable", "Pending Final Report", "Does Not Meet Standards"]
    rows: list[list[object]] = [["Facility", "Address", header]]
    rows += [[f"{word(rng)} Processing Center", f"{i + 10} Main St", rng.choice(ratings)] for i in range(60)]
    report = one("inspections.xlsx", xlsx(rows))
    assert report.verdict == "pass", report.reason
    assert "person_name" not in report.counts


def test_a_navigation_link_on_an_immigration_page_is_no_person() -> None:
    page = (
        "<html><body><nav><a href='/es'>En Español</a> <a href='/contact'>Contact ICE</a></nav>"
        "<h1>Detention Management</h1><p>ICE detention statistics are updated every two weeks. "
        "Detainees in removal proceedings are held at the facilities listed below.</p></body></html>"
    )
    report = one("detention.html", page.encode())
    assert report.verdict == "pass", report.reason
    assert "person_name" not in report.counts


def test_an_official_with_an_office_phone_and_e_mail_does_not_block() -> None:
    given, family = known_name(3).split(" ", 1)
    text = (
        f"Media inquiries: Assistant Director of Public Affairs and Outreach {given} {family}, "
        f"(202) 555-0147, {given.lower()}.{family.lower()}@agency.gov.\n"
        f"The Deputy Secretary of Homeland Security (DHS) {known_name(4)}, the Immigration and Customs "
        f"Enforcement (ICE) Acting Director {known_name(5)} and the Assistant Director of Cyber and "
        f"Operational Technology {known_name(6)} attended the ceremony at the ICE detention academy.\n"
        f"{known_name(8)}, Field Office Director for ERO Houston, said 12 detainees were removed on Monday."
    )
    report = one("press.txt", text.encode())
    assert report.verdict == "pass", report.reason


def test_a_lone_name_on_an_immigration_page_is_not_critical() -> None:
    text = (
        "Detention statistics for fiscal year 2024: average daily population of detainees by facility "
        f"and by nationality, removals and book-ins.\nPrepared by {known_name(7)}.\nQuestions about "
        "removal statistics go to the ICE public affairs office."
    )
    report = one("stats.txt", text.encode())
    assert report.counts.get("person_name") == 1  # found, and judged for what it is: a name alone
    assert report.severity not in ("critical", "high"), report.reason
    assert report.verdict == "pass"


@pytest.mark.parametrize("family", ["SAN MARTIN", "PARK", "MAY", "JUNE", "CHURCH", "JUSTICE", "SANTA CRUZ"])
def test_surnames_that_are_also_words_are_names(family: str) -> None:
    rng = random.Random(5)
    rows: list[list[object]] = [["Name", "A-Number", "Country of Citizenship"]]
    for i in range(12):
        rows.append([f"{family}, {word(rng).upper()}", f"A2{i:02d}3456{i:02d}"[:10], "HONDURAS"])
    report = one("roster.xlsx", xlsx(rows))
    assert report.verdict == "block"
    assert report.counts.get("person_name") == 12

    text = f"Respondent {family}, {word(rng).upper()} appeared for the hearing in removal proceedings."
    found = one("hearing.txt", text.encode())
    assert found.counts.get("person_name") == 1, found.reason
    assert found.severity == "critical"


def test_a_private_person_with_a_home_address_blocks_an_office_list_does_not() -> None:
    rng = random.Random(6)
    homes: list[list[object]] = [["Name", "Address", "City", "State", "Zip"]]
    for i in range(20):
        given, family = person(rng)
        homes.append([f"{given} {family}", f"{100 + 7 * i} {word(rng)} Ave", word(rng), "MD", f"2{i:04d}"])
    report = one("residents.xlsx", xlsx(homes))
    assert (report.verdict, report.severity) == ("block", "high"), report.reason

    offices: list[list[object]] = [["Office", "Contact Name", "Address", "Phone", "Website"]]
    for i in range(20):
        given, family = person(rng)
        address = f"{500 + i} {word(rng)} Street, Suite {100 + i}"
        offices.append(
            [f"{word(rng)} Field Office", f"{given} {family}", address, f"(202) 555-01{i:02d}", "x.gov"]
        )
    report = one("offices.xlsx", xlsx(offices))
    assert report.verdict == "pass", report.reason


def test_a_speaker_note_listing_people_counts_each_of_them() -> None:
    rng = random.Random(7)
    listed = [f"{word(rng)} {word(rng)} (A2{i}1234567, Guatemala)" for i in range(4)]
    report = one("notes.txt", ("Transfers this week: " + ", ".join(listed)).encode())
    assert (report.records, report.individuals) == (4, 4)


def test_names_in_other_scripts_count_one_person_a_row() -> None:
    rows = [["Name", "Date of Birth"]]
    rows += [
        [name, f"198{i}-0{i + 1}-1{i}"] for i, name in enumerate(["Иван Петров", "محمد علي", "王伟", "李娜"])
    ]
    rows += [["Мария Смирнова", "1979-05-05"], ["فاطمة حسن", "1977-07-07"]]
    data = "\n".join(",".join(r) for r in rows).encode()
    report = one("list.csv", data)
    assert (report.verdict, report.individuals) == ("block", 6)


def test_yaml_records_link_a_birthday_to_a_name() -> None:
    rng = random.Random(8)
    entries = []
    for i in range(10):
        given, family = person(rng)
        entries.append(
            f"- name:\n    first: {given}\n    last: {family}\n  bio:\n    birthday: '19{50 + i}-03-1{i}'\n"
        )
    report = one("people.yaml", "".join(entries).encode())
    assert (report.verdict, report.individuals) == ("block", 10), report.reason
    assert report.counts.get("date_of_birth") == 10


def test_birth_dates_before_1900_count_under_a_birth_header() -> None:
    rng = random.Random(9)
    rows: list[list[object]] = [["Name", "Birthday", "Term start"]]
    rows += [[" ".join(person(rng)), f"17{32 + i}-02-22", f"17{89 + i // 5}-04-30"] for i in range(10)]
    report = one("presidents.xlsx", xlsx(rows))
    assert (report.verdict, report.counts.get("date_of_birth")) == ("block", 10), report.reason


@pytest.mark.parametrize("key", ["dateOfBirth", "birth_date", "DOB"])
def test_json_birth_date_keys(key: str) -> None:
    rng = random.Random(10)
    records = ",".join(
        f'{{"fullName": "{" ".join(person(rng))}", "{key}": "198{i}-01-0{i + 1}"}}' for i in range(6)
    )
    report = one("people.json", f"[{records}]".encode())
    assert (report.verdict, report.counts.get("date_of_birth")) == ("block", 6), report.reason


def test_a_docket_file_number_column_holds_a_numbers() -> None:
    rng = random.Random(11)
    rows: list[list[object]] = [["File No.", "Respondent", "Hearing Date"]]
    rows += [[f"2{i:02d}-345-{i:03d}", " ".join(person(rng)).upper(), "2024-05-01"] for i in range(10)]
    report = one("docket.xlsx", xlsx(rows))
    assert report.counts.get("a_number") == 10
    assert report.severity == "critical"


def test_a_headerless_list_of_deaths_in_custody_blocks() -> None:
    fake = Faker("es_MX")
    fake.seed_instance(12)
    rng = random.Random(12)
    facilities = [
        f"{word(rng)} County Processing Center",
        f"{word(rng)} Detention Center",
        f"{word(rng)} County Jail",
    ]
    rows = [
        f'"{fake.first_name()} {fake.last_name()}",{rng.randint(20, 70)},2019-0{rng.randint(1, 9)}-1{i % 10},'
        f'"{rng.choice(facilities)}"'
        for i in range(30)
    ]
    report = one("deaths.csv", "\n".join(rows).encode())
    assert (report.verdict, report.severity, report.individuals) == ("block", "critical", 30), report.reason
