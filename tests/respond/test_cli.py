"""The commands end to end: incident, exposure, clawback, and their errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from spillguard.cli.common import PIPE_WIDTH
from tests.respond import loggen

LEAKED_BYTES = b"invented spreadsheet bytes " * (loggen.SIZE // 27) + b"x" * (loggen.SIZE % 27)
SHA256 = hashlib.sha256(LEAKED_BYTES).hexdigest()


@pytest.fixture
def leaked(tmp_path: Path) -> Path:
    path = tmp_path / "fy23-detained.xlsx"
    path.write_bytes(LEAKED_BYTES)
    assert path.stat().st_size == loggen.SIZE
    return path


def run(app: typer.Typer, *args: str | Path) -> tuple[int, str, str]:
    # Tables take the terminal's width, $COLUMNS first (pytest-xdist sets 80): the width a pipe gets.
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(PIPE_WIDTH)})
    return result.exit_code, result.stdout, result.stderr


def open_incident(app: typer.Typer, store: str | Path, leaked: Path, *extra: str) -> None:
    urls = [a for url in loggen.URLS for a in ("--url", url)]
    code, out, err = run(
        app, "incident", "open", "--file", leaked, *urls, "--published", "2022-11-28T09:00:00-05:00",
        "--removed", "2022-11-28T19:00:00Z", "--store", store, *extra,
    )  # fmt: skip
    assert code == 0, err
    assert f"incident 1 opened: fy23-detained.xlsx sha256:{SHA256}" in out


def test_incident_open_show_list(app: typer.Typer, store_url: str, leaked: Path) -> None:
    store = store_url  # once per backend: a SQLite file, and postgresql://postgres@127.0.0.1:PORT/DB
    open_incident(app, store, leaked, "--title", "FY23 sheet")

    code, out, _ = run(app, "incident", "show", "1", "--format", "json", "--store", store)
    data = json.loads(out)
    assert code == 0
    assert data["file"] == {"name": "fy23-detained.xlsx", "sha256": SHA256, "size": loggen.SIZE}
    assert data["published"] == "2022-11-28T14:00:00Z"  # the -05:00 input, in UTC
    assert data["removed"] == "2022-11-28T19:00:00Z"
    assert data["urls"] == list(loggen.URLS)
    code, out, _ = run(app, "incident", "list", "--store", store)
    assert out.split("\t")[:3] == ["1", "FY23 sheet", "2022-11-28T14:00:00Z"]
    code, out, _ = run(app, "incident", "show", "1", "--store", store)
    assert SHA256 in out
    assert LEAKED_BYTES[:20].decode() not in out  # never the file's contents


def test_the_scan_report_is_stored_when_the_scanner_gives_one(
    app: typer.Typer, tmp_path: Path, leaked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Report:
        def as_dict(self) -> dict[str, object]:
            return {"schema": "spillguard.report/1", "verdict": "block", "files": []}

    import spillguard

    monkeypatch.setattr(spillguard, "scan", lambda paths, policy=None: Report(), raising=False)
    store = tmp_path / "incidents.db"
    open_incident(app, store, leaked)

    _, out, _ = run(app, "incident", "show", "1", "--format", "json", "--store", store)

    assert json.loads(out)["report"]["verdict"] == "block"


def test_exposure_from_an_incident_with_owners_json_csv_html(
    app: typer.Typer, tmp_path: Path, leaked: Path, mmdb_path: Path
) -> None:
    store = tmp_path / "incidents.db"
    open_incident(app, store, leaked, "--notified", "2022-11-28T18:00:00Z")
    logs = [loggen.write_log(tmp_path, "combined", compress=True), loggen.write_log(tmp_path, "s3")]

    code, out, err = run(
        app, "exposure", *logs, "--incident", "1", "--asn-db", mmdb_path, "--internal",
        "192.0.2.0/24", "--format", "json", "--html", tmp_path / "report.html", "--store", store,
    )  # fmt: skip

    assert code == 0, err
    data = json.loads(out)
    clients = {c["ip"]: c for c in data["clients"]}
    assert set(clients) == set(loggen.EXPECTED)
    assert clients["203.0.113.10"]["organization"] == "Example University"
    assert clients["203.0.113.10"]["asn"] == 64500
    assert clients["192.0.2.90"]["internal"] is True
    assert clients["198.51.100.50"]["agent_class"] == "ai crawler"
    assert clients["198.51.100.50"]["agent_operator"] == "OpenAI"
    assert data["first_outside_download"] == "2022-11-28T14:22:00Z"
    assert data["malformed_lines"] == 2 * loggen.MALFORMED_COUNT
    html = (tmp_path / "report.html").read_text()
    for expected in ("Timeline", "first outside download", "publisher notified", "<svg",
                     "Example University", "2022-11-28T14:22:00Z", SHA256):  # fmt: skip
        assert expected in html

    code, out, _ = run(app, "exposure", logs[0], "--incident", "1", "--format", "csv",
                       "--store", store)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {r["ip"]: r["complete"] for r in rows}["203.0.113.11"] == "no"
    assert {r["ip"]: r["agent_class"] for r in rows}["198.51.100.30"] == "archive crawler"
    gptbot = next(r for r in rows if r["ip"] == "198.51.100.50")
    assert (gptbot["agent_class"], gptbot["agent_operator"]) == ("ai crawler", "OpenAI")


def test_html_escapes_attacker_text(app: typer.Typer, tmp_path: Path) -> None:
    from dataclasses import replace

    evil = replace(loggen.SCENARIO[1], agent="<script>alert(1)</script>")
    log = tmp_path / "evil.log"
    log.write_bytes(loggen.render("combined", [evil]))

    code, _, err = run(app, "exposure", log, "--url", loggen.URLS[0], "--size", str(loggen.SIZE),
                       "--html", tmp_path / "r.html")  # fmt: skip

    assert code == 0, err
    html = (tmp_path / "r.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_exposure_without_a_store_prints_a_table(app: typer.Typer, tmp_path: Path) -> None:
    log = loggen.write_log(tmp_path, "iis")

    code, out, err = run(
        app, "exposure", log, "--url", loggen.URLS[0], "--url", loggen.URLS[1], "--size",
        str(loggen.SIZE), "--from", "2022-11-28 15:00", "--to", "2022-11-28 20:00", "--tz",
        "Europe/Berlin",
    )  # fmt: skip

    assert code == 0, err
    # 15:00-20:00 Berlin is 14:00-19:00Z: the same window as the scenario
    assert f"{len(loggen.EXPECTED)} clients requested the file" in out
    assert f"{loggen.MALFORMED_COUNT} malformed" in out
    assert "ai crawler" in out and "OpenAI" in out  # named as such, with whom to ask


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode()


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())  # the PDF wraps lines where it likes


def test_clawback_letters_merge_drop_and_tracking(
    app: typer.Typer, tmp_path: Path, leaked: Path, mmdb_path: Path
) -> None:
    store = tmp_path / "incidents.db"
    open_incident(app, store, leaked)
    log = loggen.write_log(tmp_path, "combined")
    code, _, err = run(app, "exposure", log, "--incident", "1", "--asn-db", mmdb_path,
                       "--internal", "192.0.2.0/24", "--store", store)  # fmt: skip
    assert code == 0, err
    templates = tmp_path / "templates"
    code, _, err = run(app, "clawback", "--init-template", templates)
    assert code == 0, err
    entities = tmp_path / "entities.json"
    entities.write_text(json.dumps({
        "drop": ["Example Search Inc", "198.51.100.30"],
        "merge": {"Example University and partners": ["AS64500", "AS64501"]},
    }))  # fmt: skip

    code, out, err = run(app, "clawback", "--incident", "1", "--template", templates,
                         "--out", tmp_path / "letters", "--entities", entities,
                         "--store", store)  # fmt: skip

    assert code == 0, err
    letters = sorted((tmp_path / "letters").iterdir())
    # complete copies outside the agency: the university (.10, .12) merged with the newsroom
    # (.60), and the hosting network (2001:db8::50); search and archive were dropped, the
    # partial (.11) and the monitor (no bytes) get none, the staff download is internal; the
    # AI crawler's operator gets a deletion request
    assert [p.name for p in letters] == [
        "incident-1-AI-OpenAI.docx", "incident-1-AI-OpenAI.pdf",
        "incident-1-AS64500.docx", "incident-1-AS64500.pdf",
        "incident-1-AS64505.docx", "incident-1-AS64505.pdf",
    ]  # fmt: skip
    assert "Certification of deletion" in _docx_text(letters[0])
    university_docx = _docx_text(letters[2])
    university_pdf = _pdf_text(letters[3])
    for text in (university_docx, university_pdf):
        assert SHA256 in text
        assert "Example University and partners" in text
        assert "fy23-detained.xlsx" in text
        assert "203.0.113.60" in text and "203.0.113.12" in text
        assert "November 28, 2022 at 14:22 UTC" in text  # times written for people
        assert "Certification of destruction" in text
        # every request seen from the entity's network, the partial one included
        assert "203.0.113.11: 1 request(s)" in text
        assert f"{loggen.SIZE:,} bytes (a complete copy)" in text
    assert "Example Hosting GmbH" in _pdf_text(letters[5])

    code, out, _ = run(app, "incident", "track", "1", "AS64500", "sent", "--at",
                       "2022-11-29T10:00:00Z", "--store", store)  # fmt: skip
    assert (code, out.strip()) == (0, "letter to AS64500: sent")
    run(app, "incident", "track", "1", "AS64500", "acknowledged", "--store", store)
    _, out, _ = run(app, "incident", "show", "1", "--format", "json", "--store", store)
    states = {x["entity_id"]: (x["state"], x["sent"]) for x in json.loads(out)["letters"]}
    assert states == {"AS64500": ("acknowledged", "2022-11-29T10:00:00Z"),
                      "AS64505": ("drafted", None), "AI-OpenAI": ("drafted", None)}  # fmt: skip


def test_clawback_include_partial_and_default_entities(
    app: typer.Typer, tmp_path: Path, leaked: Path
) -> None:
    store = tmp_path / "incidents.db"
    open_incident(app, store, leaked)
    run(app, "exposure", loggen.write_log(tmp_path, "alb"), "--incident", "1", "--store", store)
    run(app, "clawback", "--init-template", tmp_path / "t")

    code, out, err = run(app, "clawback", "--incident", "1", "--template", tmp_path / "t",
                         "--out", tmp_path / "l", "--include-partial", "--store", store)  # fmt: skip

    assert code == 0, err
    # no network database: every address is its own entity, but an AI crawler's operator is
    # known from its agent; the monitor took no bytes
    expected = {ip for ip in loggen.EXPECTED if ip not in ("198.51.100.40", "198.51.100.50")}
    expected.add("AI-OpenAI")
    assert {line.split("\t")[0] for line in out.splitlines()[:-1]} == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exposure", "missing.log", "--url", "/a", "--size", "1"], "missing.log: no such log"),
        (["exposure", "{log}", "--url", "/a", "--size", "1", "--from", "2022-11-28 10:00"],
         "has no offset"),
        (["exposure", "{log}", "--size", "1"], "give --incident ID, or --url and --size"),
        (["exposure", "{log}", "--url", "/a", "--size", "1", "--format", "xml"], "unknown format"),
        (["exposure", "{log}", "--url", "/a", "--size", "1", "--asn-db", "{log}"],
         "expected start, end, asn"),
        (["exposure", "{log}", "--url", "/a", "--size", "1", "--internal", "nope"],
         "is not a network"),
        (["exposure", "{log}", "--incident", "4", "--store", "{tmp}/db"], "no incident 4"),
        (["incident", "open", "--file", "{log}", "--url", "/a", "--published", "yesterday"],
         "cannot read time"),
        (["clawback", "--incident", "1", "--template", "{tmp}/none"], "letter.docx not found"),
        (["incident", "track", "1", "AS1", "sent", "--store", "{tmp}/db"], "no incident 1"),
        (["incident", "list", "--store", "mysql://app@db.example/sg"], "unsupported database URL"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    app: typer.Typer, tmp_path: Path, args: list[str], message: str
) -> None:
    log = loggen.write_log(tmp_path, "combined")
    filled = [a.format(log=log, tmp=tmp_path) for a in args]

    code, _, err = run(app, *filled)

    assert code == 2
    assert err.startswith("spillguard: error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_the_real_command_line_has_the_commands(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spillguard.cli", "exposure", "--help"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--incident" in result.stdout
