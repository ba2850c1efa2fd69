"""The incident store: the same behaviour from SQLite and from PostgreSQL (`store_url`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from spillguard.store import DEFAULT_STORE, NewIncident, StoreError, open_store, parse_database_url
from spillguard.store.database_url import mask_password
from tests import pg
from tests.respond import loggen

NEW = NewIncident(
    title="FY23 detained population",
    file_name="fy23-detained.xlsx",
    sha256="ab" * 32,
    size=loggen.SIZE,
    report={"schema": "spillguard.report/1", "verdict": "block", "files": []},
    urls=loggen.URLS,
    published=loggen.PUBLISHED,
)


def test_an_incident_survives_reopening_the_store(store_url: str) -> None:
    with open_store(store_url) as store:
        created = store.create_incident(NEW)

    with open_store(store_url) as store:
        again = store.incident(created.id)

    assert again == created
    assert again.urls == loggen.URLS
    assert again.report == NEW.report
    assert again.removed is None
    assert again.published == loggen.PUBLISHED
    assert again.published.tzinfo == UTC


def test_writes_are_visible_to_another_open_store_at_once(store_url: str) -> None:
    with open_store(store_url) as writer, open_store(store_url) as reader:
        first = writer.create_incident(NEW)
        second = writer.create_incident(NEW)

        assert [i.id for i in reader.incidents()] == [first.id, second.id]
        assert second.id > first.id


def test_times_keep_their_instant_to_the_microsecond(store_url: str) -> None:
    # given in New York time with microseconds; handed back as the same instant in UTC
    eastern = timezone(timedelta(hours=-5))
    published = datetime(2022, 11, 28, 9, 0, 1, 250_001, tzinfo=eastern)
    with open_store(store_url) as store:
        incident = store.create_incident(replace(NEW, published=published))

    assert incident.published == published
    assert incident.published.tzinfo == UTC
    assert incident.published.hour == 14
    assert incident.created.tzinfo == UTC


def test_times_can_be_set_later(store_url: str) -> None:
    with open_store(store_url) as store:
        incident = store.create_incident(NEW)

        updated = store.update_times(incident.id, removed=loggen.REMOVED, notified=loggen.at(18, 0))

        assert (updated.removed, updated.notified) == (loggen.REMOVED, loggen.at(18, 0))
        log = store.audit_log(incident.id)
    assert [a for _, a, _ in log] == ["open", "set removed", "set notified"]
    assert log[1][2] == "2022-11-28T19:00:00Z"


def test_letters_move_forward_only(store_url: str) -> None:
    store = open_store(store_url)
    incident = store.create_incident(NEW)
    store.record_letter(incident.id, "AS64500", "Example University", "a.docx", "a.pdf")

    store.set_letter_state(incident.id, "AS64500", "sent", loggen.at(20, 0))
    letter = store.set_letter_state(incident.id, "AS64500", "certified", loggen.at(21, 0))

    assert (letter.state, letter.sent, letter.certified) == ("certified", loggen.at(20, 0), loggen.at(21, 0))
    with pytest.raises(StoreError, match="already certified"):
        store.set_letter_state(incident.id, "AS64500", "sent", loggen.at(22, 0))
    with pytest.raises(StoreError, match="unknown letter state"):
        store.set_letter_state(incident.id, "AS64500", "lost", loggen.at(22, 0))
    # drafting again keeps the progress
    store.record_letter(incident.id, "AS64500", "Example University", "b.docx", "b.pdf")
    assert store.letters(incident.id)[0].state == "certified"
    assert store.letters(incident.id)[0].docx == "b.docx"
    store.close()


def test_the_latest_exposure_comes_back_as_written(store_url: str) -> None:
    earlier = {"clients": [{"ip": "203.0.113.10"}], "window": None}
    # key order, nesting, non-ASCII text and numbers as the analysis wrote them
    latest = {"zeta": 1, "clients": [{"ip": "2001:db8::50", "bytes": 384_445, "share": 0.5}],
              "organization": "Ústav für Archiv — 東京", "alpha": [True, None]}  # fmt: skip
    with open_store(store_url) as store:
        incident = store.create_incident(NEW)
        assert store.latest_exposure(incident.id) is None

        store.save_exposure(incident.id, earlier)
        store.save_exposure(incident.id, latest)

        stored = store.latest_exposure(incident.id)
        assert stored == latest
        assert stored is not None and list(stored) == list(latest)
        assert [a for _, a, d in store.audit_log(incident.id)][-1] == "exposure"
        with pytest.raises(StoreError, match="no incident 99"):
            store.save_exposure(99, latest)


def test_a_report_keeps_its_key_order(store_url: str) -> None:
    report = {"schema": "spillguard.report/1", "verdict": "block", "files": [{"path": "a", "b": 1}],
              "counts": {"z": 1, "a": 2}}  # fmt: skip
    with open_store(store_url) as store:
        incident = store.create_incident(replace(NEW, report=report, urls=()))

    assert incident.report == report
    assert incident.report is not None and list(incident.report) == list(report)
    assert incident.urls == ()


def test_unknown_incidents_are_clear_errors(store_url: str) -> None:
    with open_store(store_url) as store:
        with pytest.raises(StoreError, match="no incident 7"):
            store.incident(7)
        with pytest.raises(StoreError, match="has no letter"):
            store.set_letter_state(store.create_incident(NEW).id, "AS1", "sent", loggen.at(20, 0))
        assert [i.id for i in store.incidents()] == [1]  # numbered from 1 on both backends


def test_a_path_and_a_sqlite_url_name_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "s" / "incidents.db"
    with open_store(str(path)) as store:
        created = store.create_incident(NEW)

    with open_store(f"sqlite:///{path}") as store:
        assert store.incident(created.id) == created


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"not sqlite at all, just some text" * 100)

    with pytest.raises(StoreError, match="not a usable incident store"):
        open_store(str(path))


def test_a_newer_schema_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    connection = parse_database_url(store_url, DEFAULT_STORE).connect()
    connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    connection.close()

    with pytest.raises(StoreError, match="schema 99 is newer"):
        open_store(store_url)


def test_an_unreachable_server_is_one_error_without_the_password() -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql://spill:s3cret-word@127.0.0.1:{pg.free_port()}/incidents?connect_timeout=5"

    with pytest.raises(StoreError, match="cannot connect") as error:
        open_store(url)

    assert "s3cret-word" not in str(error.value)
    assert "spill:***@127.0.0.1" in str(error.value)


@pytest.mark.parametrize(
    ("url", "kind", "target"),
    [
        (None, "sqlite", str(DEFAULT_STORE)),
        ("cases/incidents.db", "sqlite", "cases/incidents.db"),
        ("sqlite:///cases/incidents.db", "sqlite", "cases/incidents.db"),
        ("sqlite:////srv/incidents.db", "sqlite", "/srv/incidents.db"),
        ("postgresql://app@db.example/spillguard", "postgresql", "postgresql://app@db.example/spillguard"),
        ("postgres://app@db.example/sg", "postgresql", "postgresql://app@db.example/sg"),
        ("postgresql+psycopg://app@db.example:5433/sg?sslmode=require", "postgresql",
         "postgresql://app@db.example:5433/sg?sslmode=require"),
    ],
)  # fmt: skip
def test_database_urls(url: str | None, kind: str, target: str) -> None:
    database = parse_database_url(url, DEFAULT_STORE)

    assert (database.kind, database.target) == (kind, target)


@pytest.mark.parametrize("url", ["mysql://app@db.example/sg", "sqlite://", "https://example.org/x.db"])
def test_other_database_urls_are_refused(url: str) -> None:
    with pytest.raises(StoreError, match="unsupported database URL scheme"):
        open_store(url)


def test_passwords_are_masked_for_display() -> None:
    assert (
        mask_password("postgresql://app:p%40ss@db.example:5432/sg")
        == "postgresql://app:***@db.example:5432/sg"
    )
    assert mask_password("postgresql://app@db.example/sg") == "postgresql://app@db.example/sg"
    assert parse_database_url("postgres://a:b@h/d", DEFAULT_STORE).display == "postgresql://a:***@h/d"
