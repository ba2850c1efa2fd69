"""`spillguard fingerprint` and `spillguard match`: reposts of a leaked roster are found however
they were rewritten, and the index that finds them holds none of the leaked values.

All built at test time from invented people: a repost as a paste (names reordered, A-numbers
with dashes, dates respelled), a PDF table, a zip of a CSV, a screenshot read by OCR, and a
clean roster of other people who share the leaked people's first and last names."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from pictures import encoded, render_table
from typer.testing import CliRunner

from spillguard.cli.app import build
from testing import synth as td

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(build(), list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def leaked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[td.Person], Path, Path]:
    folder = tmp_path_factory.mktemp("leak")
    people = td.make_people(300, seed=77)
    roster = folder / "leaked.xlsx"
    td.write_xlsx(roster, [td.Sheet("Detained", td.roster_rows(people, td.RosterStyle()))])
    key = folder / "secret.key"
    assert run("keys", "secret", str(key))[0] == 0
    index = folder / "leak.index"
    code, out = run("fingerprint", str(roster), "--out", str(index), "--key-file", str(key))
    assert code == 0 and "300 people fingerprinted" in out, out
    return roster, people, index, key


def matched(target: Path, index: Path, key: Path) -> tuple[int, int]:
    code, out = run("match", str(target), "--index", str(index), "--key-file", str(key), "--format", "json")
    files = json.loads(out)["files"]
    return code, sum(f["people"] for f in files)


def dashed(number: str) -> str:
    return f"A-{number[:3]}-{number[3:6]}-{number[6:]}"


def test_a_paste_with_names_reordered_a_numbers_dashed_and_dates_respelled(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    _, people, index, key = leaked
    lines = [
        f"{p.given} {p.family} ({dashed(p.a_number)}), born {p.date_of_birth:%B %d, %Y}, from {p.country}"
        for p in people[:50]
    ]
    paste = tmp_path / "paste.txt"
    paste.write_text("Leaked list, part 1\n" + "\n".join(lines) + "\n")
    assert matched(paste, index, key) == (1, 50)


def test_a_pdf_table_of_thirty(leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path) -> None:
    _, people, index, key = leaked
    lines = ["NAME                              A-NUMBER     DOB"]
    lines += [f"{p.name_upper():<34}A{p.a_number}   {p.date_of_birth:%m/%d/%Y}" for p in people[50:80]]
    pdf = tmp_path / "repost.pdf"
    td.write_pdf(pdf, "Detainees", lines)
    assert matched(pdf, index, key) == (1, 30)


def test_a_zip_of_a_csv_of_twenty(leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path) -> None:
    _, people, index, key = leaked
    rows = ["Name,Alien Number,Birth Date"]
    rows += [f'"{p.given} {p.family}",{p.a_number},{p.date_of_birth:%d-%b-%Y}' for p in people[80:100]]
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("dump/people.csv", "\n".join(rows) + "\n")
    assert matched(archive, index, key) == (1, 20)


def test_a_screenshot_of_ten_read_by_ocr(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    _, people, index, key = leaked
    rows = [["A-Number", "Name", "DOB"]]
    rows += [[f"A{p.a_number}", p.name_upper(), f"{p.date_of_birth:%m/%d/%Y}"] for p in people[100:110]]
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(encoded(render_table(rows, size=22)))
    assert matched(shot, index, key) == (1, 10)


def test_a_clean_roster_of_namesakes_matches_nobody(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    _, people, index, key = leaked
    others = td.make_people(200, seed=78)
    # The same first and last names as leaked people, other A-numbers and birth dates.
    rows = [["Name", "A-Number", "DOB", "Nationality", "Facility"]]
    for i, other in enumerate(others):
        namesake = people[i % len(people)]
        rows.append(
            [
                f"{namesake.family}, {namesake.given}".upper(),
                f"A{other.a_number}",
                f"{other.date_of_birth:%m/%d/%Y}",
                other.country,
                other.facility,
            ]
        )
    clean = tmp_path / "clean.xlsx"
    td.write_xlsx(clean, [td.Sheet("Roster", rows)])
    assert matched(clean, index, key) == (0, 0)


def test_the_index_holds_no_leaked_value_in_any_encoding(
    leaked: tuple[Path, list[td.Person], Path, Path],
) -> None:
    _, people, index, _ = leaked
    raw = index.read_bytes()
    assert json.loads(raw.split(b"\n", 1)[0])["people"] == 300
    for p in people:
        values = [
            p.name_upper(),
            f"{p.given} {p.family}",
            p.a_number,
            f"A{p.a_number}",
            dashed(p.a_number),
            p.date_of_birth.isoformat(),
            f"{p.date_of_birth:%m/%d/%Y}",
        ]
        for value in values:
            for form in (value, value.upper(), value.lower(), "".join(ch for ch in value if ch.isdigit())):
                if len(form) < 6:
                    continue  # a short run of bytes turns up in any random data
                for needle in (form.encode(), base64.b64encode(form.encode()).rstrip(b"=")):
                    assert needle not in raw, "a leaked value in the index"


def test_without_the_right_key_nothing_matches(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    roster, _, index, _ = leaked
    other = tmp_path / "other.key"
    assert run("keys", "secret", str(other))[0] == 0
    assert matched(roster, index, other) == (0, 0)


def test_bad_input_is_one_line_and_exit_2(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    roster, _, index, key = leaked
    bogus = tmp_path / "bogus.index"
    bogus.write_bytes(b"not an index")
    code, out = run("match", str(roster), "--index", str(bogus), "--key-file", str(key))
    assert code == 2 and "not a spillguard repost index" in out
    code, out = run("match", str(tmp_path / "missing.csv"), "--index", str(bogus), "--key-file", str(key))
    assert code == 2
    truncated = tmp_path / "truncated.index"
    truncated.write_bytes(index.read_bytes()[:-100])
    code, out = run("match", str(roster), "--index", str(truncated), "--key-file", str(key))
    assert code == 2 and "damaged index" in out and len(out.strip().splitlines()) == 1


def test_text_is_read_a_record_at_a_time_among_other_text(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    """A name over its labelled birth date counts (a form); a leaked name on one line and its
    birth date on a line of statistics far below does not; weekly tables cost nothing."""
    _, people, index, key = leaked
    a, b, c = people[200:203]
    weekly = "\n".join(
        f"{week:%Y-%m-%d}\t{1000 + i}\t{20000 + i}"
        for i, week in enumerate([a.date_of_birth, b.date_of_birth, c.date_of_birth])
    )
    text = (
        f"Weekly statistics\n{weekly}\n\n"
        f"Name: {a.given} {a.family}\nNationality: {a.country}\nDate of birth: {a.date_of_birth:%d %B %Y}\n\n"
        f"{b.family}, {b.given} was mentioned in the minutes.\n\nAgenda\n\n"
        f"Meeting of {b.date_of_birth:%m/%d/%Y}\n"
        f"{c.given} {c.family} stood in line.\n"
    )
    page = tmp_path / "page.txt"
    page.write_text(text)
    code, out = run("match", str(page), "--index", str(index), "--key-file", str(key), "--format", "json")
    files = json.loads(out)["files"]
    assert (code, files[0]["people"]) == (1, 1)
    assert files[0]["locations"] == [f"{page}!body, offset {text.index('Name:')}"]


def test_json_lists_locations_never_values(leaked: tuple[Path, list[td.Person], Path, Path]) -> None:
    roster, people, index, key = leaked
    code, out = run("match", str(roster), "--index", str(index), "--key-file", str(key), "--format", "json")
    assert code == 1
    files = json.loads(out)["files"]
    assert files[0]["people"] == 300 and "row 2" in files[0]["locations"][0]
    assert people[0].a_number not in out and people[0].family.upper() not in out


def test_a_namesake_born_the_same_day_with_another_a_number_is_someone_else(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    _, people, index, key = leaked
    p = people[0]
    lines = [
        f"{p.given} {p.family} (A-999-888-771), born {p.date_of_birth:%B %d, %Y}",  # another A-number
        f"{p.family}, {p.given} born {p.date_of_birth:%m/%d/%Y}",  # no A-number: name and birth date
    ]
    other = tmp_path / "namesake.txt"
    other.write_text(lines[0] + "\n")
    assert matched(other, index, key) == (0, 0)
    same = tmp_path / "same.txt"
    same.write_text(lines[1] + "\n")
    assert matched(same, index, key) == (1, 1)


class _Paste:
    """A paste site on loopback that answers conditional requests."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.body = b""
        self.requests: list[str] = []
        paste = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                etag = f'"{hash(paste.body) & 0xFFFFFFFF:x}"'
                paste.requests.append(self.headers.get("If-None-Match") or "")
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(paste.body)))
                self.end_headers()
                self.wfile.write(paste.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/paste"


def test_watching_feeds_reports_new_matches_once_and_asks_conditionally(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    from spillguard.match.feeds import Watch
    from spillguard.match.index import Index, fingerprint_key
    from spillguard.people.sealed import load_secret

    _, people, index, key = leaked
    paste = _Paste()
    try:
        paste.body = "\n".join(f"{p.given} {p.family} {dashed(p.a_number)}" for p in people[:5]).encode()
        drop = tmp_path / "drop"
        drop.mkdir()
        watcher = Watch([paste.url, str(drop)], Index.load(index), fingerprint_key(load_secret(str(key))))
        reported: list[tuple[str, int]] = []
        watcher.look(lambda f: reported.append((f.path, len(f.people))))
        assert reported == [(paste.url, 5)]
        watcher.look(lambda f: reported.append((f.path, len(f.people))))
        assert len(reported) == 1 and paste.requests[-1]  # asked with If-None-Match, got 304
        paste.body += (
            b"\n" + "\n".join(f"{p.given} {p.family} {dashed(p.a_number)}" for p in people[5:8]).encode()
        )
        (drop / "dump.csv").write_text(
            "Name,A-Number\n" + f"{people[9].name_upper()},A{people[9].a_number}\n"
        )
        watcher.look(lambda f: reported.append((f.path, len(f.people))))
        assert reported[1:] == [(paste.url, 8), (str(drop / "dump.csv"), 1)]
    finally:
        paste.server.shutdown()


def test_match_watch_records_new_matches_with_the_incident(
    leaked: tuple[Path, list[td.Person], Path, Path], tmp_path: Path
) -> None:
    roster, people, index, key = leaked
    store = str(tmp_path / "incidents.db")
    code, out = run(
        "incident", "open", "--file", str(roster), "--url", "https://agency.example/f.xlsx",
        "--published", "2022-11-28T09:00:00Z", "--store", store,
    )  # fmt: skip
    assert code == 0, out
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "paste.txt").write_text(
        "\n".join(f"{p.given} {p.family} A{p.a_number}" for p in people[:3]) + "\n"
    )
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# where reposts turn up\n{drop}\n")
    code, out = run(
        "match", "--watch", str(feeds), "--once", "--index", str(index), "--key-file", str(key),
        "--incident", "1", "--store", store,
    )  # fmt: skip
    assert code == 1 and "3 leaked people" in out, out
    from spillguard.store import open_store

    with open_store(store) as db:
        assert [(place, n) for _, place, n in db.reposts(1)] == [(str(drop / "paste.txt"), 3)]
        assert any(action == "repost found" for _, action, _ in db.audit_log(1))
