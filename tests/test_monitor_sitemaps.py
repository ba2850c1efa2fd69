"""`spillguard monitor` reads every sitemap form the sitemaps.org protocol allows: XML, sitemap
indexes, plain-text lists of URLs, each gzip-compressed or not (told by the bytes, not the
name), and reports a sitemap it cannot read whole (a gzip bomb) as uninspectable instead of
unpacking it. The site is served by Python's http.server on loopback."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchkit import free_port, http_server, library_monitor, roster

from spillguard.watch.monitor import (
    MAX_SITEMAP_BYTES,
    Fetched,
    SitemapUnreadable,
    links_of,
)

pytest.importorskip("apprise")

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(*urls: str) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{NS}">{locs}</urlset>\n'.encode()


def index(*urls: str) -> bytes:
    locs = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{NS}">{locs}</sitemapindex>\n'.encode()
    )


def bomb(path: Path, size: int = MAX_SITEMAP_BYTES + 8 * 1024 * 1024) -> None:
    """A gzip sitemap that unpacks to more than the protocol allows, a few hundred times
    smaller packed: written a megabyte at a time, never whole in memory."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(f'<?xml version="1.0"?><urlset xmlns="{NS}"><url><loc>http://h/a</loc></url>'.encode())
        block = b" " * (1024 * 1024)
        for _ in range(size // len(block)):
            out.write(block)
        out.write(b"</urlset>")


def fetched(path: Path, url: str, content_type: str = "") -> Fetched:
    return Fetched(url, 200, content_type=content_type, path=str(path), size=path.stat().st_size)


# --- reading one response ----------------------------------------------------------------------


def test_gzip_sitemaps_by_their_bytes_with_or_without_the_suffix(tmp_path: Path) -> None:
    packed = tmp_path / "s.xml.gz"
    packed.write_bytes(gzip.compress(urlset("http://h/a.xlsx", "http://h/b.csv")))
    assert links_of(fetched(packed, "http://h/s.xml.gz", "application/gzip")) == [
        "http://h/a.xlsx",
        "http://h/b.csv",
    ]
    # served without the suffix, as application/octet-stream: the magic bytes say gzip
    assert links_of(fetched(packed, "http://h/sitemap-files", "application/octet-stream")) == [
        "http://h/a.xlsx",
        "http://h/b.csv",
    ]
    nested = tmp_path / "index.gz"
    nested.write_bytes(gzip.compress(index("http://h/one.xml.gz")))
    assert links_of(fetched(nested, "http://h/index.gz", "application/x-gzip")) == ["http://h/one.xml.gz"]


def test_plain_text_sitemaps_gzipped_or_not(tmp_path: Path) -> None:
    text = tmp_path / "urls.txt"
    text.write_text("\ufeffhttp://h/a.xlsx\r\nhttps://h/b.pdf\n\n")
    assert links_of(fetched(text, "http://h/urls.txt", "text/plain")) == [
        "http://h/a.xlsx",
        "https://h/b.pdf",
    ]
    packed = tmp_path / "urls.txt.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()))
    assert links_of(fetched(packed, "http://h/urls.txt.gz", "application/gzip")) == [
        "http://h/a.xlsx",
        "https://h/b.pdf",
    ]
    # a text with any line that is not a URL is a document, not a list of links
    notes = tmp_path / "notes.txt"
    notes.write_text("See http://h/a.xlsx for the figures.\nhttp://h/b.pdf\n")
    assert links_of(fetched(notes, "http://h/notes.txt", "text/plain")) == []


def test_a_compressed_document_is_left_to_the_scanner(tmp_path: Path) -> None:
    data = tmp_path / "counts.csv.gz"
    data.write_bytes(gzip.compress(b"facility,count\nNorth,12\n" * 1000))
    assert links_of(fetched(data, "http://h/counts.csv.gz", "application/gzip")) == []


def test_a_gzip_bomb_sitemap_is_not_unpacked(tmp_path: Path) -> None:
    packed = tmp_path / "bomb.xml.gz"
    bomb(packed)
    assert packed.stat().st_size < MAX_SITEMAP_BYTES // 250
    with pytest.raises(SitemapUnreadable, match="over limit"):
        links_of(fetched(packed, "http://h/bomb.xml.gz", "application/gzip"))
    # Also within a generous ratio the size cap holds: the protocol's 50 MB.
    from spillguard.extract.base import Limits

    with pytest.raises(SitemapUnreadable, match=f"more than {MAX_SITEMAP_BYTES} bytes"):
        links_of(fetched(packed, "http://h/bomb.xml.gz", "application/gzip"), Limits(max_ratio=1e9))


# --- a site whose documents only its sitemaps list ---------------------------------------------


@pytest.fixture
def mapped_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    (root / "files").mkdir(parents=True)
    (root / "maps").mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    (root / "index.html").write_text("<!doctype html><html><body><h1>Statistics</h1></body></html>\n")
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow:\nSitemap: {base}maps/index.xml\nSitemap: {base}maps/urls.txt\n"
    )
    roster(root / "files" / "fy23-detained.xlsx", seed=41)
    (root / "files" / "counts.csv").write_text("facility,count\nNorth,12\nSouth,7\n")
    (root / "files" / "budget.csv").write_text("line,amount\nrent,1200\n")
    (root / "maps" / "index.xml").write_bytes(
        index(f"{base}maps/files.xml.gz", f"{base}maps/more", f"{base}maps/huge.xml.gz")
    )
    (root / "maps" / "files.xml.gz").write_bytes(gzip.compress(urlset(f"{base}files/fy23-detained.xlsx")))
    (root / "maps" / "more").write_bytes(gzip.compress(urlset(f"{base}files/counts.csv")))  # no suffix
    (root / "maps" / "urls.txt").write_text(f"{base}files/budget.csv\n")
    bomb(root / "maps" / "huge.xml.gz")
    with http_server(root, port):
        yield base, tmp_path


def test_documents_listed_only_in_compressed_and_text_sitemaps_are_watched(
    mapped_site: tuple[str, Path],
) -> None:
    base, tmp_path = mapped_site
    with library_monitor(base, tmp_path) as (monitor, store):
        result = monitor.crawl()
        seen = {row[0]: row[3] for row in store.rows()}
    assert not result.errors
    # reached only through the gzip sitemap the index lists
    assert seen[f"{base}files/fy23-detained.xlsx"] == "block"
    # through the suffixless gzip sitemap, and through the plain-text one robots.txt names
    assert seen[f"{base}files/counts.csv"] == "pass"
    assert seen[f"{base}files/budget.csv"] == "pass"
    blocked = {f.url: f.report for f in result.blocked}
    assert set(blocked) == {f"{base}files/fy23-detained.xlsx", f"{base}maps/huge.xml.gz"}
    # the bomb was not unpacked: reported uninspectable, so nothing it lists goes unwatched unnoticed
    huge = blocked[f"{base}maps/huge.xml.gz"]
    assert huge.uninspectable and huge.reason.startswith("uninspectable: sitemap not read: over limit")
