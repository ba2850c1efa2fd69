"""Claw-back letters fit to send: the right recipients (one letter per organisation, one per
person at home reached through their provider, a cache-removal request to search engines and
archives), none overwriting another, in DOCX and a PDF converted from it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spillguard.cli.app import build
from tests.respond import loggen
from tests.respond.mmdb import write_mmdb


def network(asn: int, name: str) -> dict[str, object]:
    return {"autonomous_system_number": asn, "autonomous_system_organization": name}


NETWORKS = {
    "203.0.113.0/28": network(64500, "Example University"),
    "203.0.113.48/28": network(64501, "Example Newsroom Ltd"),
    "198.51.100.16/29": network(64502, "Example Search Inc"),
    "192.0.2.128/25": network(64510, "COMCAST-7922"),  # an access provider: its addresses are people at home
}


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(build(), [str(a) for a in args])
    return result.exit_code, result.output


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode()


@pytest.fixture
def lettered(tmp_path: Path) -> tuple[Path, str]:
    from spillguard.extract.legacy import converter

    if converter() is None:
        pytest.skip("LibreOffice is not installed (make setup installs it)")
    leaked = tmp_path / "fy23-detained.xlsx"
    leaked.write_bytes(b"x" * loggen.SIZE)
    store = str(tmp_path / "incidents.db")
    code, out = run(
        "incident", "open", "--file", leaked, "--url", loggen.URLS[0],
        "--published", "2022-11-28T09:00:00-05:00", "--removed", "2022-11-28T19:00:00Z", "--store", store,
    )  # fmt: skip
    assert code == 0, out
    full = loggen.SIZE
    clients = [
        ("203.0.113.10", loggen.CHROME), ("203.0.113.50", loggen.FIREFOX),  # two organisations
        ("192.0.2.140", loggen.CHROME), ("192.0.2.141", loggen.SAFARI),  # two people at home, one ISP
        ("198.51.100.17", loggen.GOOGLEBOT),  # a search engine
        ("198.51.100.60", loggen.GPTBOT), ("198.51.100.61", loggen.GPTBOT),  # one AI crawler's operator
        # no network known
        ("198.51.100.7", loggen.CURL), ("198.51.100.8", loggen.CURL), ("2001:db8::42", loggen.FIREFOX),
    ]  # fmt: skip
    events = [
        loggen.Event(ip, loggen.at(15, i), "GET", loggen.MAIN, 200, full, agent)
        for i, (ip, agent) in enumerate(clients)
    ]
    events.append(loggen.Event("203.0.113.11", loggen.at(16, 0), "GET", loggen.MAIN, 404, 153, loggen.CURL))
    log = tmp_path / "access.log"
    log.write_bytes(loggen.render("combined", events))
    mmdb = tmp_path / "asn.mmdb"
    write_mmdb(mmdb, NETWORKS, "GeoLite2-ASN")
    assert run("exposure", log, "--incident", "1", "--asn-db", mmdb, "--store", store)[0] == 0
    templates = tmp_path / "templates"
    assert run("clawback", "--init-template", templates)[0] == 0
    code, out = run(
        "clawback", "--incident", "1", "--template", templates, "--out", tmp_path / "letters",
        "--store", store,
        "--from", "U.S. Immigration Agency", "--address", "500 12th St SW; Washington, DC 20536",
        "--contact", "privacy@agency.example", "--signer", "Jordan Avery", "--title", "Privacy Officer",
    )  # fmt: skip
    assert code == 0, out
    return tmp_path / "letters", out


def test_every_recipient_gets_its_own_letter_of_the_right_kind(lettered: tuple[Path, str]) -> None:
    folder, out = lettered
    docx = sorted(p.name for p in folder.glob("*.docx"))
    # 2 organisations + 2 subscribers + 1 search engine + 1 AI crawler's operator + 3 addresses
    # with no known network
    assert len(docx) == 9 and len(list(folder.glob("*.pdf"))) == 9
    assert "9 letter(s) written" in out
    assert "incident-1-198.51.100.7.docx" in docx and "incident-1-198.51.100.8.docx" in docx  # dots kept
    texts = {name: docx_text(folder / name) for name in docx}
    subscribers = [t for t in texts.values() if "Request to pass on" in t]
    assert len(subscribers) == 2 and all("COMCAST-7922" in t for t in subscribers)
    takedowns = [t for n, t in texts.items() if "Request to remove a cached copy" in t]
    assert len(takedowns) == 1 and "Certification of destruction" not in takedowns[0]
    # Both of the AI crawler's addresses in one request to its operator, named from its agent.
    deletion = texts["incident-1-AI-OpenAI.docx"]
    assert "Request to delete personal data your AI crawler collected" in deletion
    assert "198.51.100.60" in deletion and "198.51.100.61" in deletion and "OpenAI" in deletion
    assert "training" in deletion and "Certification of deletion" in deletion
    university = texts["incident-1-AS64500.docx"]
    assert "Certification of destruction" in university and "Example University" in university
    assert "U.S. Immigration Agency" in university and "Jordan Avery" in university
    assert "November 28, 2022 at 15:00 UTC" in university
    assert "203.0.113.11: 1 request(s)" in university and "refused, nothing served" in university  # a 404


def test_the_pdf_is_the_word_document_converted(lettered: tuple[Path, str]) -> None:
    import pypdfium2 as pdfium

    folder, _ = lettered
    pdf = pdfium.PdfDocument(str(folder / "incident-1-AS64500.pdf"))
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Request to destroy personal data" in text and "Certification of destruction" in text
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (612, 792)  # US Letter, as the document says


def test_letters_are_tracked_in_the_store(lettered: tuple[Path, str], tmp_path: Path) -> None:
    code, out = run("incident", "show", "1", "--format", "json", "--store", tmp_path / "incidents.db")
    assert code == 0
    assert len(json.loads(out)["letters"]) == 9


def test_a_lawyer_edits_the_word_template_and_the_letters_follow(
    lettered: tuple[Path, str], tmp_path: Path
) -> None:
    import docx

    templates = tmp_path / "templates"
    template = docx.Document(str(templates / "letter.docx"))
    template.add_paragraph("Office of the General Counsel reviewed this request for {{ entity.name }}.")
    template.save(str(templates / "letter.docx"))
    code, out = run(
        "clawback", "--incident", "1", "--template", templates, "--out", tmp_path / "again",
        "--store", tmp_path / "incidents.db",
    )  # fmt: skip
    assert code == 0, out
    assert "Office of the General Counsel reviewed this request for Example University." in docx_text(
        tmp_path / "again" / "incident-1-AS64500.docx"
    )


# --- file names: one pair of files per recipient, none overwriting another (issue 13 item 6) ---

from datetime import UTC, datetime  # noqa: E402

from spillguard.people.notices import Sender  # noqa: E402
from spillguard.respond.entities import Entity  # noqa: E402
from spillguard.respond.letters import LetterError, LetterIncident, default_templates, write_letters  # noqa: E402

SENDER = Sender("Agency", "1 Main St", "privacy@agency.example", "A. Officer", "Privacy Officer")


def needs_libreoffice() -> None:
    from spillguard.extract.legacy import converter

    if converter() is None:
        pytest.skip("LibreOffice is not installed (make setup installs it)")


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
    needs_libreoffice()
    # IP addresses as ids (a dot before the last part), and ids whose slugs meet
    ids = [f"203.0.113.{n}" for n in range(1, 8)] + ["Example Org", "Example_Org", "example org"]
    entities = [Entity(entity_id, f"Recipient {entity_id}", ()) for entity_id in ids]
    written = write_letters(
        default_templates(), INCIDENT, entities, tmp_path, datetime(2022, 11, 29, tzinfo=UTC), SENDER
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
    needs_libreoffice()
    entities = [Entity("AS64500", "One", ()), Entity("AS64500", "Two", ())]
    with pytest.raises(LetterError, match="share one id"):
        write_letters(
            default_templates(), INCIDENT, entities, tmp_path, datetime(2022, 11, 29, tzinfo=UTC), SENDER
        )
