"""`spillguard people`: everyone a leaked file exposes, each once, sealed at rest.

Built at test time: the 6,525-row roster of 6,252 invented people (some listed twice), a second
file with the same people written another way (First Last, another script), and a store whose
bytes are searched for any name or A-number in clear."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spillguard.cli.app import build
from spillguard.people.identity import name_key, resolve
from spillguard.people.records import PersonRecord
from testing import synth as td

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(build(), list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[object]], int]:
    folder = tmp_path_factory.mktemp("leak")
    people = td.leak_sized_people(seed=2022)
    table = td.roster_rows(people, td.RosterStyle(dates="native"))
    path = folder / "fy23-detained.xlsx"
    td.write_xlsx(path, [td.Sheet("Detained Population", table)])
    return path, table, td.individuals(people)


def open_incident(folder: Path, leaked: Path) -> tuple[str, str]:
    store, key = str(folder / "incidents.db"), str(folder / "secret.key")
    assert run("keys", "secret", key)[0] == 0
    code, out = run(
        "incident", "open", "--file", str(leaked), "--url", "https://agency.example/f.xlsx",
        "--published", "2022-11-28T09:00:00Z", "--store", store,
    )  # fmt: skip
    assert code == 0, out
    return store, key


def test_the_leaked_roster_yields_each_person_once_and_the_store_holds_nothing_in_clear(
    tmp_path: Path, leak: tuple[Path, list[list[object]], int]
) -> None:
    leaked, table, distinct = leak
    assert (len(table) - 1, distinct) == (6525, 6252)
    store, key = open_incident(tmp_path, leaked)
    code, out = run(
        "people", "extract", "--incident", "1", "--file", str(leaked), "--key-file", key, "--store", store
    )
    assert code == 0, out
    assert "6,525 records read, 6,252 people, 273 duplicates merged, 0 not resolved" in out

    raw = Path(store).read_bytes()
    header = [str(h) for h in table[0]]
    name_col, anum_col = header.index(next(h for h in header if "Name" in h)), header.index("A-Number")
    for row in table[1:200]:
        name, number = str(row[name_col]), str(row[anum_col])
        # Whole values: a name holds ", " and a digit run of nine, neither of which base64 (the
        # sealed values) can spell by chance.
        for needle in (name, name.upper(), number, number.lstrip("A")):
            assert needle.encode() not in raw, "personal data in clear in the store"

    code, out = run(
        "people", "list", "--incident", "1", "--key-file", key, "--store", store, "--format", "json"
    )
    assert code == 0
    listed = json.loads(out)
    assert (len(listed["people"]), listed["unresolved"]) == (6252, [])
    first = listed["people"][0]
    assert "*" in first["person_name"] and "*" in first["a_number"]  # masked unless asked
    code, out = run(
        "people",
        "list",
        "--incident",
        "1",
        "--key-file",
        key,
        "--store",
        store,
        "--format",
        "csv",
        "--show-values",
    )
    assert code == 0 and str(table[1][anum_col]) in out


def test_without_the_key_nothing_personal_can_be_read(
    tmp_path: Path, leak: tuple[Path, list[list[object]], int]
) -> None:
    leaked = leak[0]
    store, key = open_incident(tmp_path, leaked)
    assert (
        run(
            "people", "extract", "--incident", "1", "--file", str(leaked), "--key-file", key, "--store", store
        )[0]
        == 0
    )
    code, out = run("people", "list", "--incident", "1", "--store", store)
    assert code == 2 and "no key" in out
    other = tmp_path / "other.key"
    assert run("keys", "secret", str(other))[0] == 0
    code, out = run("people", "list", "--incident", "1", "--store", store, "--key-file", str(other))
    assert code == 2 and "wrong key" in out
    os.environ.pop("SPILLGUARD_KEY", None)


def test_a_secret_is_written_private_and_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    assert run("keys", "secret", str(key))[0] == 0
    assert key.stat().st_mode & 0o777 == 0o600
    before = key.read_bytes()
    code, out = run("keys", "secret", str(key))
    assert code == 2 and "already exists" in out and key.read_bytes() == before


def test_extract_refuses_a_file_that_is_not_the_incidents(
    tmp_path: Path, leak: tuple[Path, list[list[object]], int]
) -> None:
    store, key = open_incident(tmp_path, leak[0])
    other = tmp_path / "other.csv"
    other.write_text("Name,A-Number\nKOVAR, ELI,A212345678\n")
    code, out = run(
        "people", "extract", "--incident", "1", "--file", str(other), "--key-file", key, "--store", store
    )
    assert code == 2 and "none of the files is the one recorded" in out


def extracted(folder: Path, people: list[td.Person]) -> tuple[str, str]:
    """An incident whose leaked roster lists these people, extracted: (store, key file)."""
    leaked = folder / "leak.xlsx"
    td.write_xlsx(leaked, [td.Sheet("Detained", td.roster_rows(people, td.RosterStyle()))])
    store, key = open_incident(folder, leaked)
    code, out = run(
        "people", "extract", "--incident", "1", "--file", str(leaked), "--key-file", key, "--store", store
    )
    assert code == 0, out
    return store, key


def record(**fields: str) -> PersonRecord:
    return PersonRecord(fields, "test")


def test_the_same_person_written_another_way_merges() -> None:
    records = [
        record(person_name="GARCIA LOPEZ, MARÍA JOSÉ", a_number="A212345678", date_of_birth="1988-03-04"),
        record(person_name="Maria Jose Garcia Lopez", date_of_birth="03/04/1988"),  # order, accents, spelling
        record(person_name="ПЕТРОВ, ИВАН", date_of_birth="1979-01-02"),
        record(person_name="Ivan Petrov", date_of_birth="January 2, 1979"),  # another script
        record(person_name="王伟", nationality="CHINA", detention_facility="Otero Processing Center"),
        record(person_name="Wei Wang", nationality="China", detention_facility="OTERO PROCESSING CENTER"),
        record(person_name="Ana Ruiz", a_number="A-212-345-679"),
        record(person_name="Ana Ruiz", a_number="A212345679"),  # the A-number spelled otherwise
    ]
    people = resolve(records)
    assert (len(people.people), people.merged, len(people.unresolved)) == (4, 4, 0)


def test_namesakes_with_different_a_numbers_stay_two_people() -> None:
    records = [
        record(person_name="ANA RUIZ", a_number="A212345671", date_of_birth="1990-01-01"),
        record(person_name="Ana Ruiz", a_number="A212345672", date_of_birth="1990-01-01"),
        record(person_name="RUIZ, ANA", date_of_birth="1990-01-01"),  # joins one of them
    ]
    assert len(resolve(records).people) == 2


def test_a_record_with_no_key_is_kept_unresolved() -> None:
    people = resolve([record(person_name="Ana Ruiz"), record(a_number="A212345678")])
    assert (len(people.people), len(people.unresolved)) == (1, 1)


def test_name_keys_ignore_order_initials_accents_and_script() -> None:
    assert name_key("GARCIA LOPEZ, María J.") == name_key("Maria Garcia Lopez")
    assert name_key("王伟") == name_key("Wei Wang")


def test_the_case_roster_joins_by_a_number_and_unmatched_people_stay(tmp_path: Path) -> None:
    people = td.make_people(30, seed=31)
    store, key = extracted(tmp_path, people)
    cases = tmp_path / "cases.csv"
    lines = [
        "A-Number,Attorney of record,Attorney Address,Attorney Email,Custody Status,Language,Removal Date"
    ]
    for i, p in enumerate(people[:20]):  # ten people have no case
        lines.append(
            f'A{p.a_number},Counsel {i % 3},"{100 + i} Main St, Suite 2",c{i % 3}@law.example,'
            f"{'detained' if i % 2 else 'released'},{'Spanish' if i % 2 else 'English'},2023-0{1 + i % 9}-15"
        )
    cases.write_text("\n".join(lines) + "\n")
    code, out = run(
        "people", "join", "--incident", "1", "--cases", str(cases), "--key-file", key, "--store", store
    )
    assert code == 0 and "20 people with a case, 10 without one" in out, out
    code, out = run(
        "people", "list", "--incident", "1", "--key-file", key, "--store", store, "--format", "json"
    )
    listed = json.loads(out)["people"]
    assert len(listed) == 30  # nobody dropped
    with_case = [p for p in listed if p.get("case")]
    assert len(with_case) == 20
    assert {p["language"] for p in with_case} == {"Spanish", "English"}
    assert all("*" in p["attorney_email"] for p in with_case)  # masked unless asked


SENDER = [
    "--from", "U.S. Immigration Agency", "--address", "500 12th St SW; Washington, DC 20536",
    "--contact", "privacy@agency.example", "--signer", "Jordan Avery",
]  # fmt: skip


def docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


@pytest.fixture
def with_cases(tmp_path: Path) -> tuple[str, str, list[td.Person]]:
    people = td.make_people(12, seed=41)
    store, key = extracted(tmp_path, people)
    lines = ["A-Number,Attorney Name,Attorney Address,Attorney Email,Language"]
    for i, p in enumerate(people[:10]):
        counsel = "Dana Whitfield" if i < 6 else "Lee Okafor"
        language = "Spanish" if i % 2 else "English"
        lines.append(f"A{p.a_number},{counsel},1 Court St; Austin TX,{counsel[:3]}@law.example,{language}")
    (tmp_path / "cases.csv").write_text("\n".join(lines) + "\n")
    assert (
        run(
            "people",
            "join",
            "--incident",
            "1",
            "--cases",
            str(tmp_path / "cases.csv"),
            "--key-file",
            key,
            "--store",
            store,
        )[0]
        == 0
    )
    return store, key, people


def test_notices_go_to_each_person_in_their_language_and_to_each_attorney(
    tmp_path: Path, with_cases: tuple[str, str, list[td.Person]]
) -> None:
    from spillguard.extract.legacy import converter

    if converter() is None:
        pytest.skip("LibreOffice is not installed (make setup installs it)")
    store, key, _ = with_cases
    out = tmp_path / "notices"
    code, output = run(
        "notices", "draft", "--incident", "1", "--out", str(out), *SENDER, "--key-file", key, "--store", store
    )
    assert code == 0, output
    assert "12 to people, 2 to attorneys" in output
    assert sorted(p.name for p in out.glob("*.docx")) == [f"A000{i}.docx" for i in (1, 2)] + [
        f"N{i:05d}.docx" for i in range(1, 13)
    ]
    assert len(list(out.glob("*.pdf"))) == 14
    texts = {p.stem: docx_text(p) for p in out.glob("N*.docx")}
    spanish = [t for t in texts.values() if "Aviso sobre la divulgación" in t]
    assert len(spanish) == 5  # the odd ones of the ten with a case
    assert all("Atentamente" in t for t in spanish)
    # The PDF says what the Word document says: it is converted from it.
    first = out / "N00001.docx"
    words = set(docx_text(first).split())
    assert words and len(words & set(pdf_text(first.with_suffix(".pdf")).split())) >= 0.9 * len(words)
    # One letter per attorney, listing every one of their clients.
    letters = [docx_text(p) for p in sorted(out.glob("A*.docx"))]
    clients = [sum(1 for line in letter.splitlines() if "(notice N" in line) for letter in letters]
    assert sorted(clients) == [4, 6]


def test_notices_are_tracked_forward_only_and_overdue_ones_are_shown(
    tmp_path: Path, with_cases: tuple[str, str, list[td.Person]]
) -> None:
    import datetime as dt

    from spillguard.store import open_store

    store, key, _ = with_cases
    out = tmp_path / "notices"
    assert (
        run(
            "notices",
            "draft",
            "--incident",
            "1",
            "--out",
            str(out),
            *SENDER,
            "--no-pdf",
            "--key-file",
            key,
            "--store",
            store,
        )[0]
        == 0
    )
    assert run("notices", "track", "--incident", "1", "N00001", "sent", "--store", store) == (
        0,
        "notice N00001: drafted -> sent\n",
    )
    code, out_text = run("notices", "track", "--incident", "1", "N00001", "drafted", "--store", store)
    assert code == 2
    code, out_text = run("notices", "track", "--incident", "1", "N00002", "acknowledged", "--store", store)
    assert code == 2 and "cannot become acknowledged" in out_text
    with open_store(store) as db:  # the due date passes
        notices = db.notices(1)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        db.record_notices(1, [{**n, "drafted": past - dt.timedelta(days=30), "due": past} for n in notices])
    code, out_text = run("notices", "status", "--incident", "1", "--store", store, "--format", "json")
    listed = json.loads(out_text)["notices"]
    assert code == 0 and len(listed) == 14 and all(n["overdue"] for n in listed)


def test_holds_list_exactly_the_exposed_people_not_yet_told_and_reviewed(
    tmp_path: Path, with_cases: tuple[str, str, list[td.Person]]
) -> None:
    store, key, people = with_cases
    at = ("--key-file", key, "--store", store)
    assert (
        run("notices", "draft", "--incident", "1", "--out", str(tmp_path / "n"), *SENDER, "--no-pdf", *at)[0]
        == 0
    )
    assert run("keys", "new", "reviewer", "--dir", str(tmp_path))[0] == 0
    # A manifest of 20: 10 exposed people and 10 others; 5 of the exposed told and reviewed.
    others = td.make_people(10, seed=99)
    rows = ["A-Number,Name,Scheduled"]
    rows += [f"A{p.a_number},{p.name_upper()},2026-12-15" for p in [*people[:10], *others]]
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n")
    code, out = run("people", "list", "--incident", "1", *at, "--format", "json", "--show-values")
    ids = {p["a_number"]: p["id"] for p in json.loads(out)["people"]}
    cleared = [ids[f"A{p.a_number}"] for p in people[:5]]
    for person in cleared:
        notice = f"N{person:05d}"
        assert run("notices", "track", "--incident", "1", notice, "sent", "--store", store)[0] == 0
        code, out = run(
            "holds", "clear", str(person), "--incident", "1", "--reason", "reviewed by counsel",
            "--key", str(tmp_path / "reviewer.key"), "--store", store,
        )  # fmt: skip
        assert code == 0, out
    code, out = run("holds", "check", str(manifest), "--incident", "1", *at, "--format", "json")
    assert code == 1, out
    result = json.loads(out)
    assert result["affected"] == 10
    assert sorted(h["person"] for h in result["held"]) == sorted(ids[f"A{p.a_number}"] for p in people[5:10])
    # Told but not reviewed still holds; both clears it.
    only_told = ids[f"A{people[5].a_number}"]
    assert run("notices", "track", "--incident", "1", f"N{only_told:05d}", "sent", "--store", store)[0] == 0
    code, out = run("holds", "check", str(manifest), "--incident", "1", "--key-file", key, "--store", store)
    assert code == 1 and "no review" in out and out.count("HOLD") == 5
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(rows[:1] + rows[11:]) + "\n")  # only the others
    assert run("holds", "check", str(clean), "--incident", "1", "--key-file", key, "--store", store)[0] == 0
    code, out = run("holds", "check", str(tmp_path / "missing.csv"), "--incident", "1", *at)
    assert code == 2


def test_the_command_layer_names_the_same_fields_as_the_library() -> None:
    from spillguard.cli import people as command
    from spillguard.people.cases import CASE_FIELDS
    from spillguard.people.records import FIELDS

    assert (command.FIELDS, command.CASE_FIELDS) == (FIELDS, CASE_FIELDS)
