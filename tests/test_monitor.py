"""`spillguard monitor`: a real web server on loopback (Python's http.server in a subprocess)
serving a small site; a leaked workbook is linked during the test."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gatekit import run
from watchkit import free_port, http_server, library_monitor, receiver, roster, wait_for

from spillguard.watch.monitor import MonitorConfig, links_of

pytest.importorskip("apprise")


def write_page(path: Path, title: str, links: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    path.write_text(f"<!doctype html><html><body><h1>{title}</h1><ul>{anchors}</ul></body></html>\n")
    # Ahead of the clock: an edit within a second of the last still changes Last-Modified.
    stamp = time.time() + 2
    os.utime(path, (stamp, stamp))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    root = tmp_path / "site"
    write_page(root / "index.html", "Detention statistics", ["about.html", "files/"])
    write_page(root / "about.html", "About", ["index.html"])
    write_page(root / "news.html", "News", [])
    (root / "files").mkdir()
    (root / "files" / "counts.csv").write_text("facility,count\nNorth,12\nSouth,7\n")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}news.html</loc></url></urlset>\n"
    )
    log = tmp_path / "access.log"
    with log.open("w") as sink, http_server(root, port, sink):
        yield base, root, log


def test_links_of_a_directory_listing_and_a_sitemap(tmp_path: Path) -> None:
    from spillguard.watch.monitor import Fetched

    page = tmp_path / "p.html"
    page.write_text(
        '<html><body><a href="a.xlsx#x">a</a><a href="../up/">u</a><img src="/i.png"></body></html>'
    )
    found = links_of(Fetched("http://h/dir/", 200, content_type="text/html", path=str(page)))
    assert found == ["http://h/dir/a.xlsx", "http://h/up/", "http://h/i.png"]
    smap = tmp_path / "s.xml"
    smap.write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://h/x</loc></url></urlset>'
    )
    assert links_of(Fetched("http://h/sitemap.xml", 200, content_type="application/xml", path=str(smap))) == [
        "http://h/x"
    ]


def test_scope_is_host_and_prefixes() -> None:
    config = MonitorConfig("http://site.example/stats/", prefixes=("/stats/", "/files/"))
    assert config.in_scope("http://site.example/files/a.xlsx")
    assert not config.in_scope("http://site.example/admin/")
    assert not config.in_scope("http://other.example/stats/")
    assert not config.in_scope("mailto:desk@site.example")


def test_leak_linked_during_the_test_is_found_alerted_and_recorded(
    site: tuple[str, Path, Path], tmp_path: Path
) -> None:
    base, root, log = site
    state = tmp_path / "monitor.db"
    with receiver() as inbox:
        args = ["monitor", base, "--once", "--state", str(state), "--alert", inbox.url,
                "--audit", str(tmp_path / "audit.db"), "--rate", "50"]  # fmt: skip
        first = run(*args, cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "0 newly blocked" in first.stdout
        fetched = {row[0] for row in sqlite3.connect(state).execute("SELECT url FROM pages")}
        assert {f"{base}about.html", f"{base}news.html", f"{base}files/counts.csv"} <= fetched

        # The leak: a new page linking a roster, linked from the start page; and a roster
        # under a path robots.txt keeps visitors' crawlers out of.
        people = roster(root / "files" / "fy23-detained.xlsx", seed=31)
        roster(root / "private" / "hidden.xlsx", seed=32)
        write_page(root / "update.html", "Update", ["files/fy23-detained.xlsx", "private/hidden.xlsx"])
        write_page(root / "index.html", "Detention statistics", ["about.html", "files/", "update.html"])
        log.write_text("")
        second = run(*args, cwd=tmp_path)
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"BLOCK     {base}files/fy23-detained.xlsx" in second.stdout
        assert "hidden.xlsx" not in second.stdout
        assert wait_for(lambda: bool(inbox.bodies))
        requests = log.read_text()
        # Unchanged pages were asked for conditionally and answered 304, not sent again.
        assert '"GET /about.html HTTP/1.1" 304' in requests
        assert '"GET /private/hidden.xlsx' not in requests

        third = run(*args, cwd=tmp_path)
        assert third.returncode == 1 and "1 still blocked" in third.stdout
    assert len(inbox.bodies) == 1  # one alert per leaked content, not one per pass
    body = json.loads(inbox.bodies[0])["message"]
    assert f"{base}files/fy23-detained.xlsx" in body and "verdict: block" in body
    for person in people:
        assert person.a_number not in body and person.family not in body
    verdicts = dict(sqlite3.connect(state).execute("SELECT url, verdict FROM pages"))
    assert verdicts[f"{base}files/fy23-detained.xlsx"] == "block"


def test_monitor_library_counts_conditional_fetches(site: tuple[str, Path, Path], tmp_path: Path) -> None:
    base, _root, _log = site
    with library_monitor(base, tmp_path) as (monitor, _):
        first = monitor.crawl()
        second = monitor.crawl()
    assert first.scanned >= 5 and not first.blocked and not first.errors
    # Static files come back 304; the directory listing (no Last-Modified) is fetched whole
    # but, being the same bytes, is not scanned again.
    assert second.not_modified >= 4 and second.scanned == 0
