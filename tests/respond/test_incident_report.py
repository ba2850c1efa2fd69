"""`spillguard incident report`: the incident on one page, built from a whole response run on
invented people: exposure from access logs, people, notices, holds; rendered by headless
Chromium where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spillguard.cli.app import build
from testing import synth as td
from tests.respond import loggen


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(build(), [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def response(tmp_path: Path) -> tuple[Path, list[td.Person]]:
    """An incident with everything recorded: exposure, people, cases, notices, a review."""
    people = td.make_people(40, seed=140)
    leaked = tmp_path / "fy23-detained.xlsx"
    td.write_xlsx(leaked, [td.Sheet("Detained", td.roster_rows(people, td.RosterStyle()))])
    size = leaked.stat().st_size
    store, key = tmp_path / "incidents.db", tmp_path / "secret.key"
    assert run("keys", "secret", key)[0] == 0
    code, out = run(
        "incident", "open", "--file", leaked, "--url", loggen.URLS[0],
        "--published", "2022-11-28T09:00:00-05:00", "--removed", "2022-11-28T14:00:00-05:00",
        "--store", store,
    )  # fmt: skip
    assert code == 0, out
    events = [
        loggen.Event("203.0.113.10", loggen.at(15, 5), "GET", loggen.MAIN, 200, size, loggen.CHROME),
        loggen.Event("203.0.113.60", loggen.at(16, 40), "GET", loggen.MAIN, 200, size, loggen.FIREFOX),
        loggen.Event("198.51.100.17", loggen.at(17, 2), "GET", loggen.MAIN, 200, size, loggen.GOOGLEBOT),
        loggen.Event("198.51.100.41", loggen.at(17, 30), "GET", loggen.MAIN, 404, 153, loggen.CURL),
    ]
    log = tmp_path / "access.log"
    log.write_bytes(loggen.render("combined", events))
    code, out = run("exposure", log, "--incident", "1", "--store", store)
    assert code == 0, out
    at = ("--key-file", key, "--store", store)
    assert run("people", "extract", "--incident", "1", "--file", leaked, *at)[0] == 0
    cases = tmp_path / "cases.csv"
    rows = ["A-Number,Attorney Name,Attorney Email,Language"]
    rows += [f"A{p.a_number},Counsel {i % 4},c{i % 4}@law.example,Spanish" for i, p in enumerate(people[:30])]
    cases.write_text("\n".join(rows) + "\n")
    assert run("people", "join", "--incident", "1", "--cases", cases, *at)[0] == 0
    sender = (
        "--from",
        "Agency",
        "--address",
        "1 Main St",
        "--contact",
        "privacy@agency.example",
        "--signer",
        "A. B.",
    )
    code, out = run("notices", "draft", "--incident", "1", "--out", tmp_path / "n", *sender, "--no-pdf", *at)
    assert code == 0, out
    for notice in ("N00001", "N00002"):
        assert run("notices", "track", "--incident", "1", notice, "sent", "--store", store)[0] == 0
    return store, people


def test_the_report_names_no_one_and_says_what_a_responder_needs(
    tmp_path: Path, response: tuple[Path, list[td.Person]]
) -> None:
    store, people = response
    page = tmp_path / "report.html"
    code, out = run(
        "incident", "report", "--incident", "1", "--tz", "America/New_York", "--out", page, "--store", store
    )
    assert code == 0, out
    html = page.read_text()
    assert "Risk of harm" in html and 'class="level high"' in html
    assert "<strong>40</strong> people" in html
    assert "2022-11-28 09:00 EST (2022-11-28T14:00:00Z)" in html  # the incident's zone and UTC
    assert "2 outside the publisher took a complete copy" not in html  # three did: two people, a crawler
    assert "3 outside the publisher took a complete copy" in html
    assert "refused" in html  # the 404
    assert "2 sent" in html and "<script" not in html
    assert html.count("<svg") >= 3  # downloads over time, nationality, facility, notices
    for p in people:
        assert p.a_number not in html and p.family.upper() not in html.upper()
    code, out = run("incident", "report", "--incident", "1", "--tz", "Mars/Olympus", "--store", store)
    assert code == 2 and "unknown time zone" in out


def test_the_report_renders_in_a_browser(tmp_path: Path, response: tuple[Path, list[td.Person]]) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (make setup installs it)")
    store, _ = response
    page = tmp_path / "report.html"
    assert (
        run(
            "incident",
            "report",
            "--incident",
            "1",
            "--tz",
            "America/New_York",
            "--out",
            page,
            "--store",
            store,
        )[0]
        == 0
    )
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1100,2400", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000  # a page drawn, not a blank one
