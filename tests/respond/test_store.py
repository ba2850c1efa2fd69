"""The SQLite incident store."""

from __future__ import annotations

from pathlib import Path

import pytest

from spillguard.store import NewIncident, StoreError, open_store
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


def test_an_incident_survives_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s" / "incidents.db"
    created = open_store(str(path)).create_incident(NEW)

    again = open_store(f"sqlite:///{path}").incident(created.id)

    assert again == created
    assert again.urls == loggen.URLS
    assert again.report == NEW.report
    assert again.removed is None


def test_times_can_be_set_later(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "db"))
    incident = store.create_incident(NEW)

    updated = store.update_times(incident.id, removed=loggen.REMOVED, notified=loggen.at(18, 0))

    assert (updated.removed, updated.notified) == (loggen.REMOVED, loggen.at(18, 0))
    assert [a for _, a, _ in store.audit_log(incident.id)] == ["open", "set removed", "set notified"]


def test_letters_move_forward_only(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "db"))
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


def test_unknown_incident_and_postgres_urls_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no incident 7"):
        open_store(str(tmp_path / "db")).incident(7)
    with pytest.raises(StoreError, match="PostgreSQL"):
        open_store("postgresql://localhost/spillguard")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"not sqlite at all, just some text" * 100)

    with pytest.raises(StoreError, match="not a usable incident store"):
        open_store(str(path))
