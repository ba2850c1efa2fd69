"""Claw-back letters: one pair of files per recipient, none overwriting another (issue 13 item 6)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spillguard.respond.entities import Entity
from spillguard.respond.letters import DEFAULT_TEMPLATE, LetterError, LetterIncident, write_letters

INCIDENT = LetterIncident(
    id=2,
    title="FY23 sheet",
    file_name="fy23-detained.xlsx",
    sha256="0" * 64,
    size=1234,
    urls=("https://agency.example/files/fy23-detained.xlsx",),
    published="2022-11-28T14:00:00Z",
    removed="2022-11-28T19:00:00Z",
)


def test_every_recipient_gets_its_own_letter_files(tmp_path: Path) -> None:
    # IP addresses as ids (a dot before the last part), and ids whose slugs meet
    ids = [f"203.0.113.{n}" for n in range(1, 8)] + ["Example Org", "Example_Org", "example org"]
    entities = [Entity(entity_id, f"Recipient {entity_id}", ()) for entity_id in ids]
    written = write_letters(
        DEFAULT_TEMPLATE, INCIDENT, entities, tmp_path, datetime(2022, 11, 29, tzinfo=UTC)
    )
    assert len(written) == len(ids)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 * len(ids)
    assert "incident-2-203.0.113.7.docx" in {p.name for p in files}
    for letter in written:
        with zipfile.ZipFile(letter.docx) as docx:  # each file holds its own recipient's letter
            assert letter.entity.name in docx.read("word/document.xml").decode()
        assert letter.docx.stem == letter.pdf.stem
    assert len({letter.docx for letter in written}) == len(ids)


def test_two_recipients_with_one_id_are_refused(tmp_path: Path) -> None:
    entities = [Entity("AS64500", "One", ()), Entity("AS64500", "Two", ())]
    with pytest.raises(LetterError, match="share one id"):
        write_letters(DEFAULT_TEMPLATE, INCIDENT, entities, tmp_path, datetime(2022, 11, 29, tzinfo=UTC))
