"""`spillguard monitor URL`: crawl the live site the way a visitor can and scan what it serves.

A visitor's view: the start page, the sitemaps (robots.txt `Sitemap:` lines and
/sitemap.xml; XML, sitemap indexes and plain-text lists of URLs, gzip-compressed or not),
every link in every page (anchors, frames, embedded objects, pictures, the
links of a server's directory listings), within a scope (the start URL's host, and path
prefixes if given). Polite: robots.txt is obeyed unless told otherwise, requests are spaced
to a rate and bounded in concurrency, and the user agent says who is asking.

What it saw is kept in SQLite (URL, ETag, Last-Modified, sha256, verdict, the page's links),
so a later pass asks with If-None-Match / If-Modified-Since and only new or changed content
is downloaded (to a temp file, under the scanner's size cap) and scanned. A document that
blocks without valid approvals is alerted once per content (sha256) and written to the audit
log; pages unchanged since the last pass are not fetched again in full.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from spillguard._version import __version__
from spillguard.approvals import ApprovalError
from spillguard.errors import UserError
from spillguard.extract.archive import zlib_error
from spillguard.extract.base import Limits
from spillguard.isolate import Workers
from spillguard.model import FileReport, uninspectable_report
from spillguard.policy import Policy
from spillguard.watch.alerts import Alert, Alerter, audited_alerter
from spillguard.watch.audit_sink import AuditSink, summary, with_members
from spillguard.watch.judge import Judge

DEFAULT_INTERVAL = 60.0
FASTEST_SAFE_INTERVAL = 5.0  # below this a pass over a real site rarely finishes in time
DEFAULT_RATE = 5.0  # requests per second
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_PAGES = 5_000
DEFAULT_MAX_DEPTH = 10
TIMEOUT = 30.0
USER_AGENT = f"spillguard-monitor/{__version__} (+personal-data leak monitor; run by the site's owner)"
DEFAULT_STATE = Path(".spillguard") / "monitor.db"
HTML_TYPES = ("text/html", "application/xhtml+xml")
CHUNK = 256 * 1024
MAX_LINK_BYTES = 32 * 1024 * 1024  # a page read into memory for its links, at most
# The sitemaps protocol (sitemaps.org) caps one sitemap at 50 MB uncompressed and 50,000 URLs;
# a compressed one is unpacked only that far, and only while it stays within the scanner's
# compression ratio. One larger is not read but reported uninspectable: it blocks, as a file
# the scanner cannot read does, since what it lists would otherwise go unwatched.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
SITEMAP_SNIFF = 64 * 1024  # decompressed bytes read to tell a sitemap from a compressed document
RATIO_FROM = 1024 * 1024  # tiny files compress well legitimately (as the scanner's check_ratio)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, status INTEGER, etag TEXT, "
    "last_modified TEXT, content_type TEXT, sha256 TEXT, verdict TEXT, severity TEXT, counts TEXT, "
    "links TEXT, first_seen TEXT, last_seen TEXT, last_changed TEXT, alerted_sha256 TEXT)"
)


class MonitorError(UserError, ValueError):
    """A start URL or state file that cannot be used; the message names it."""


@dataclass(frozen=True)
class MonitorConfig:
    url: str
    prefixes: tuple[str, ...] = ()  # path prefixes in scope; () is the whole host
    interval: float = DEFAULT_INTERVAL
    rate: float = DEFAULT_RATE
    concurrency: int = DEFAULT_CONCURRENCY
    max_pages: int = DEFAULT_MAX_PAGES
    max_depth: int = DEFAULT_MAX_DEPTH
    obey_robots: bool = True
    user_agent: str = USER_AGENT
    timeout: float = TIMEOUT

    def checked(self) -> MonitorConfig:
        try:
            parts = urlsplit(self.url)
            parts.port  # noqa: B018 -- raises ValueError for a port out of range
        except ValueError as exc:
            raise MonitorError(f"{self.url}: not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise MonitorError(f"{self.url}: not an http(s) URL")
        if self.rate <= 0 or self.concurrency < 1 or self.max_pages < 1:
            raise MonitorError("--rate, --concurrency and --max-pages must be positive")
        return self

    def in_scope(self, url: str) -> bool:
        start, parts = urlsplit(self.url), urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != start.netloc.lower():
            return False
        path = parts.path or "/"
        return not self.prefixes or any(path.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Row:
    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    verdict: str | None
    links: tuple[str, ...]
    alerted_sha256: str | None


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int  # HTTP status; 304 not modified; 0 could not be fetched
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    path: str | None = None  # the downloaded body, for a 200
    sha256: str = ""
    size: int = 0
    over_limit: bool = False
    problem: str = ""


@dataclass(frozen=True)
class Found:
    """A document that blocks, as one pass saw it."""

    url: str
    report: FileReport
    approved: bool
    alerted: bool


@dataclass(frozen=True)
class PassResult:
    urls: int
    fetched: int
    not_modified: int
    scanned: int
    errors: tuple[str, ...]
    found: tuple[Found, ...]
    seconds: float
    still_blocked: tuple[str, ...] = ()  # alerted in an earlier pass, unchanged, still served
    hidden_by_robots: int = 0  # URLs in scope robots.txt kept this pass from (a visitor may fetch them)

    @property
    def blind(self) -> bool:
        """Nothing on the site could be looked at (unreachable, or robots.txt hid it all)."""
        return self.fetched + self.not_modified == 0

    @property
    def blocked(self) -> tuple[Found, ...]:
        return tuple(f for f in self.found if not f.approved)


class State:
    """The monitor's memory, in SQLite; used from one thread."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise MonitorError(f"{path}: cannot open the monitor state: {exc}") from None
        self.path = path

    def get(self, url: str) -> Row | None:
        row = self._db.execute(
            "SELECT url, etag, last_modified, sha256, verdict, links, alerted_sha256 "
            "FROM pages WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return Row(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5] or "[]")), row[6])

    def record(self, fetched: Fetched, links: Iterable[str] | None, report: FileReport | None) -> None:
        now = _now()
        old = self.get(fetched.url)
        if fetched.status == 304 and old is not None:
            self._db.execute("UPDATE pages SET last_seen = ? WHERE url = ?", (now, fetched.url))
            return
        changed = old is None or old.sha256 != (fetched.sha256 or None)
        self._db.execute(
            "INSERT INTO pages (url, status, etag, last_modified, content_type, sha256, verdict, severity, "
            "counts, links, first_seen, last_seen, last_changed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (url) DO UPDATE SET status = excluded.status, etag = excluded.etag, "
            "last_modified = excluded.last_modified, content_type = excluded.content_type, "
            "sha256 = excluded.sha256, verdict = excluded.verdict, severity = excluded.severity, "
            "counts = excluded.counts, links = excluded.links, last_seen = excluded.last_seen, "
            "last_changed = CASE WHEN ? THEN excluded.last_changed ELSE pages.last_changed END",
            (
                fetched.url,
                fetched.status,
                fetched.etag,
                fetched.last_modified,
                fetched.content_type,
                fetched.sha256 or None,
                report.verdict if report else (old.verdict if old and not changed else None),
                report.severity if report else None,
                json.dumps(report.counts) if report else None,
                json.dumps(sorted(set(links or ()))),
                now,
                now,
                now,
                changed,
            ),
        )

    def mark_alerted(self, url: str, sha256: str) -> None:
        self._db.execute("UPDATE pages SET alerted_sha256 = ? WHERE url = ?", (sha256, url))

    def rows(self) -> list[tuple[Any, ...]]:
        return self._db.execute(
            "SELECT url, status, sha256, verdict, last_seen FROM pages ORDER BY url"
        ).fetchall()

    def close(self) -> None:
        self._db.close()


class RateLimit:
    """Spaces request starts at least 1/rate seconds apart, across threads."""

    def __init__(self, rate: float) -> None:
        self._gap = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._gap
        if start > now:
            time.sleep(start - now)


class OutOfScope(urllib.error.URLError):
    """A redirect that leaves the scope: never followed (it could lead anywhere, a cloud
    metadata service included)."""


class _ScopedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, config: MonitorConfig) -> None:
        self.config = config

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not self.config.in_scope(newurl):
            raise OutOfScope(f"redirected out of scope to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    def __init__(self, config: MonitorConfig, max_bytes: int, folder: str) -> None:
        self.config = config
        self.max_bytes = max_bytes
        self.folder = folder
        self.rate = RateLimit(config.rate)
        self.opener = urllib.request.build_opener(_ScopedRedirects(config))

    def get(self, url: str, row: Row | None, conditional: bool = True) -> Fetched:
        headers = {"User-Agent": self.config.user_agent, "Accept": "*/*"}
        if conditional and row is not None and row.sha256:
            if row.etag:
                headers["If-None-Match"] = row.etag
            if row.last_modified:
                headers["If-Modified-Since"] = row.last_modified
        self.rate.wait()
        try:
            request = urllib.request.Request(url, headers=headers)
            response = self.opener.open(request, timeout=self.config.timeout)
        except OutOfScope as exc:
            return Fetched(url, 0, problem=str(exc.reason))
        except urllib.error.HTTPError as exc:
            exc.close()
            return Fetched(url, exc.code, problem=f"HTTP {exc.code}" if exc.code != 304 else "")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Fetched(url, 0, problem=str(reason))
        with response:
            final = response.geturl()
            if final != url and not self.config.in_scope(final):
                return Fetched(url, 0, problem=f"redirected out of scope to {final}")
            return self._download(url, response)

    def _download(self, url: str, response: Any) -> Fetched:
        digest = hashlib.sha256()
        size = 0
        name = os.path.basename(urlsplit(url).path) or "index.html"
        fd, path = tempfile.mkstemp(
            dir=self.folder, suffix="-" + "".join(c for c in name if c.isalnum() or c in "._-")[:80]
        )
        over = False
        # The whole fetch is bounded, not only each read: a server that drips a byte at a time
        # would otherwise hold a pass for as long as it likes.
        deadline = time.monotonic() + self.config.timeout
        try:
            with os.fdopen(fd, "wb") as out:
                while block := response.read1(CHUNK):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"not done in {self.config.timeout:g} s")
                    size += len(block)
                    if size > self.max_bytes:
                        over = True
                        break
                    digest.update(block)
                    out.write(block)
        except OSError as exc:
            Path(path).unlink(missing_ok=True)
            return Fetched(url, 0, problem=f"download failed: {exc}")
        return Fetched(
            url,
            response.status,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=(response.headers.get("Content-Type") or "").split(";")[0].strip().lower(),
            path=path,
            sha256=digest.hexdigest() if not over else "",
            size=size,
            over_limit=over,
        )


class SitemapUnreadable(Exception):
    """A sitemap that cannot be read whole within the bounds (the message says why)."""


def links_of(fetched: Fetched, limits: Limits | None = None) -> list[str]:
    """The URLs a visitor can reach from this response: a page's links (a directory listing
    is a page of links) or a sitemap's locations (XML, a sitemap index, or a plain-text list of
    URLs; gzip-compressed or not, told by the bytes, not the name). Raises SitemapUnreadable
    for a sitemap past the bounds (`limits`: the scanner's compression ratio)."""
    if fetched.path is None:
        return []
    kind = fetched.content_type
    with open(fetched.path, "rb") as fh:
        head = fh.read(1024)
        if head.startswith(GZIP_MAGIC):
            return _gzip_sitemap(fetched, limits or Limits())
        html = kind in HTML_TYPES or (
            not kind and head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
        )
        if html:
            if fetched.size > MAX_LINK_BYTES:
                return []
            return _html_links(head + fh.read(), fetched.url)
        xml = kind.endswith("xml") or fetched.url.endswith(".xml")
        text = kind == "text/plain" or (not kind and fetched.url.endswith(".txt"))
        if not (xml or text):
            return []  # a document, not a page: the scanner reads it from disk, not memory
        if fetched.size > MAX_SITEMAP_BYTES:
            if _looks_like_sitemap(head):
                raise SitemapUnreadable(f"over limit: more than {MAX_SITEMAP_BYTES} bytes")
            return []
        data = head + fh.read()
    return _sitemap_locations(data) if xml else _text_sitemap(data)


def _gzip_sitemap(fetched: Fetched, limits: Limits) -> list[str]:
    """A gzip body: unpacked a little to see whether it is a sitemap (a compressed document is
    left to the scanner), then whole, but never past MAX_SITEMAP_BYTES nor the ratio."""
    assert fetched.path is not None
    cap = min(MAX_SITEMAP_BYTES, limits.max_member_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        with gzip.open(fetched.path, "rb") as stream:
            first = stream.read(SITEMAP_SNIFF)
            if not _looks_like_sitemap(first):
                return []
            chunks.append(first)
            size = len(first)
            while block := stream.read(CHUNK):
                size += len(block)
                if size > cap:
                    raise SitemapUnreadable(f"over limit: decompresses to more than {cap} bytes")
                if size > RATIO_FROM and size > limits.max_ratio * max(fetched.size, 1):
                    raise SitemapUnreadable(f"over limit: compression ratio {size // max(fetched.size, 1)}:1")
                chunks.append(block)
    except (OSError, EOFError, zlib_error()) as exc:
        if not chunks:
            return []  # not a readable gzip stream at all: the scanner says what it is
        raise SitemapUnreadable(f"corrupt compressed sitemap ({exc.__class__.__name__})") from None
    data = b"".join(chunks)
    return (
        _sitemap_locations(data)
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        else _text_sitemap(data)
    )


def _looks_like_sitemap(head: bytes) -> bool:
    """XML whose root is a urlset or a sitemap index, or a text whose first line is a URL."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return (
            b"<urlset" in start
            or b"<sitemapindex" in start
            or b":urlset" in start
            or b":sitemapindex" in start
        )
    first = start.split(b"\n", 1)[0].strip()
    return first.lower().startswith((b"http://", b"https://")) and b" " not in first


def _text_sitemap(data: bytes) -> list[str]:
    """A text sitemap (sitemaps.org: UTF-8, one absolute URL per line, nothing else). A text
    with any other line is an ordinary document, not a list of links."""
    try:
        lines = [line.strip() for line in data.decode("utf-8-sig").splitlines()]
    except UnicodeDecodeError:
        return []
    urls = [line for line in lines if line]
    if not urls or not all(
        url.lower().startswith(("http://", "https://")) and " " not in url for url in urls
    ):
        return []
    return urls


def _html_links(data: bytes, base: str) -> list[str]:
    import lxml.html
    from lxml import etree

    try:
        doc: Any = lxml.html.fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    out = []
    for _element, _attribute, link, _pos in doc.iterlinks():
        url, _ = urldefrag(urljoin(base, link.strip()))
        if url:
            out.append(url)
    return out


def _sitemap_locations(data: bytes) -> list[str]:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return []
    if not root.tag.endswith(("urlset", "sitemapindex")):
        return []
    return [el.text.strip() for el in root.iter() if el.tag.endswith("loc") and el.text]


class Monitor:
    def __init__(
        self,
        config: MonitorConfig,
        state: State,
        pool: Workers,
        judge: Judge,
        audit: AuditSink,
        alerter: Alerter,
    ) -> None:
        self.config = config.checked()
        self.state = state
        self.pool = pool
        self.judge = judge
        self.audit = audit
        self.alerter = alerter
        self.max_bytes = pool.policy.limits.max_file_bytes
        self.limits = pool.policy.limits

    def run(self, stop: threading.Event, on_pass: Callable[[PassResult], None]) -> None:
        """Pass after pass, starting one every `interval` seconds, until `stop` is set."""
        while not stop.is_set():
            started = time.monotonic()
            on_pass(self.crawl(stop))
            stop.wait(max(0.0, self.config.interval - (time.monotonic() - started)))

    def crawl(self, stop: threading.Event | None = None) -> PassResult:
        """One pass over the site. `stop` set (SIGTERM, SIGINT) ends it early: what is being
        fetched finishes, nothing more is asked for, and the pass reports what it saw."""
        clock = time.perf_counter()
        stopping = stop or threading.Event()

        def fetch(url: str, row: Row | None) -> Fetched:
            if stopping.is_set():
                return Fetched(url, 0, problem="not fetched: stopping")
            return fetcher.get(url, row)

        with tempfile.TemporaryDirectory(prefix="spillguard-monitor-") as folder:
            fetcher = Fetcher(self.config, self.max_bytes, folder)
            robots = self._robots(fetcher) if self.config.obey_robots else None
            start = self.config.url
            seeds = [start, urljoin(start, "/sitemap.xml")]
            if robots is not None:
                seeds += list(robots.site_maps() or ())
            seen: set[str] = set()
            frontier: list[tuple[str, int]] = []
            for url in seeds:
                if url not in seen and self.config.in_scope(url):
                    seen.add(url)
                    frontier.append((url, 0))
            fetched_count = not_modified = scanned = hidden = 0
            errors: list[str] = []
            found: list[Found] = []
            still: list[str] = []
            with ThreadPoolExecutor(
                self.config.concurrency, thread_name_prefix="spillguard-fetch"
            ) as fetchers:
                while frontier and not stopping.is_set():
                    allowed = [
                        (u, d)
                        for u, d in frontier
                        if robots is None or robots.can_fetch(self.config.user_agent, u)
                    ]
                    hidden += len(frontier) - len(allowed)
                    rows = {u: self.state.get(u) for u, _ in allowed}
                    jobs = [fetchers.submit(fetch, u, rows[u]) for u, _ in allowed]
                    results = [job.result() for job in jobs]
                    next_frontier: list[tuple[str, int]] = []
                    scans = []
                    for (url, depth), fetched in zip(allowed, results, strict=True):
                        row = rows[url]
                        unchanged = fetched.status == 304 or (
                            row is not None and row.sha256 == fetched.sha256
                        )
                        if unchanged and row is not None and row.verdict == "block" and row.alerted_sha256:
                            still.append(url)
                        if fetched.status == 304 and row is not None:
                            not_modified += 1
                            links: list[str] = list(row.links)
                            self.state.record(fetched, None, None)
                        elif fetched.path is not None:
                            fetched_count += 1
                            unreadable = ""
                            try:
                                links = links_of(fetched, self.limits)
                            except SitemapUnreadable as exc:
                                links, unreadable = [], str(exc)
                            if (
                                row is not None
                                and row.sha256
                                and row.sha256 == fetched.sha256
                                and row.verdict
                            ):
                                self.state.record(fetched, links, None)  # same bytes, new validators
                            else:
                                scans.append((fetched, links, unreadable))
                        else:
                            links = []
                            if stopping.is_set():
                                continue
                            if fetched.status != 404 or (depth == 0 and url == start):
                                errors.append(f"{url}: {fetched.problem or fetched.status}")
                        if depth < self.config.max_depth:
                            for link in links:
                                if (
                                    link not in seen
                                    and self.config.in_scope(link)
                                    and len(seen) < self.config.max_pages
                                ):
                                    seen.add(link)
                                    next_frontier.append((link, depth + 1))
                    futures = [
                        (f, links, unreadable, None if unreadable else self._scan(f))
                        for f, links, unreadable in scans
                    ]
                    for fetched, links, unreadable, future in futures:
                        report, told = self._report(fetched, future, unreadable)
                        scanned += 1
                        self.state.record(fetched, links, report)
                        if report.verdict == "block":
                            found.append(self._blocked(fetched, report, told))
                        if fetched.path:
                            Path(fetched.path).unlink(missing_ok=True)
                    frontier = next_frontier
        return PassResult(
            urls=len(seen),
            fetched=fetched_count,
            not_modified=not_modified,
            scanned=scanned,
            errors=tuple(errors),
            found=tuple(found),
            seconds=time.perf_counter() - clock,
            still_blocked=tuple(still),
            hidden_by_robots=hidden,
        )

    def _robots(self, fetcher: Fetcher) -> urllib.robotparser.RobotFileParser | None:
        url = urljoin(self.config.url, "/robots.txt")
        fetched = fetcher.get(url, None, conditional=False)
        parser = urllib.robotparser.RobotFileParser(url)
        if fetched.path is None:
            # No robots.txt (404): everything may be fetched; one we cannot read: the same,
            # as a visitor's browser would.
            parser.parse([])
            return parser
        text = Path(fetched.path).read_text(encoding="utf-8", errors="replace")
        Path(fetched.path).unlink(missing_ok=True)
        parser.parse(text.splitlines())
        return parser

    def _scan(self, fetched: Fetched) -> Any:
        if fetched.over_limit or fetched.path is None:
            return None
        return self.pool.submit(fetched.path)

    def _report(self, fetched: Fetched, future: Any, unreadable: str = "") -> tuple[FileReport, FileReport]:
        """The file's report under its URL (that is where it is public), and the same with
        its members' people added in, for what is said about it (alerts, the audit log). A
        sitemap that cannot be read whole is uninspectable: what it lists goes unwatched."""
        if unreadable:
            sitemap = uninspectable_report(
                fetched.url, fetched.size, fetched.sha256, "sitemap", f"sitemap not read: {unreadable}"
            )
            return sitemap, sitemap
        if future is None:
            over = uninspectable_report(
                fetched.url, fetched.size, "", "unknown", f"over limit: more than {self.max_bytes} bytes"
            )
            return over, over
        reports: list[FileReport] = future.result()
        top = replace(reports[0], path=fetched.url)
        return top, replace(with_members(reports), path=fetched.url)

    def _blocked(self, fetched: Fetched, report: FileReport, told: FileReport) -> Found:
        try:
            approved = self.judge.decide(report, name=fetched.url).passes
        except ApprovalError:
            approved = False  # unreadable approvals approve nothing
        row = self.state.get(fetched.url)
        key = report.sha256 or f"over-limit:{fetched.size}"
        if approved or (row is not None and row.alerted_sha256 == key):
            return Found(fetched.url, told, approved, alerted=False)
        detail = {"url": fetched.url, "site": self.config.url, **summary(told)}
        self.audit.append("monitor-block", detail)
        self.alerter.send(
            Alert(
                subject=fetched.url,
                action="found on the live site",
                verdict=report.verdict,
                severity=report.severity,
                individuals=told.individuals,
                records=told.records,
                counts=dict(told.counts),
                where=self.config.url,
                sha256=report.sha256,
            )
        )
        self.state.mark_alerted(fetched.url, key)
        return Found(fetched.url, told, approved, alerted=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Timing:
    """Expected time from a leak appearing to its alert, computed from a measured pass."""

    interval: float
    pass_seconds: float
    average: float = field(init=False)
    worst: float = field(init=False)

    def __post_init__(self) -> None:
        # A leak lands at a uniformly random moment of the interval: found by the next pass.
        object.__setattr__(self, "average", self.interval / 2 + self.pass_seconds)
        object.__setattr__(self, "worst", self.interval + self.pass_seconds)


def monitor_site(
    config: MonitorConfig,
    state: Path,
    policy: Policy,
    approvals_dir: Path,
    audit: str | None,
    alerts: list[str],
    workers: int,
    stop: threading.Event,
    on_pass: Callable[[PassResult], None],
    *,
    once: bool = False,
    on_start: Callable[[], None] | None = None,
) -> bool:
    """`spillguard monitor`: one pass (`once`), or a pass every `config.interval` seconds
    until `stop` is set; each pass's result goes to `on_pass`. True if anything in scope
    blocked (newly or still) in any pass. `on_start`: called before the first of many passes."""
    sink = AuditSink(audit)
    sink.check()
    config = config.checked()
    judge = Judge(policy, approvals_dir)
    store = State(state)
    alerter = audited_alerter(alerts, sink)
    pool = Workers(policy, workers, start="forkserver")
    blocked_any = False

    def seen(result: PassResult) -> None:
        nonlocal blocked_any
        blocked_any = blocked_any or bool(result.blocked or result.still_blocked)
        on_pass(result)

    try:
        monitor = Monitor(config, store, pool, judge, sink, alerter)
        if once:
            seen(monitor.crawl(stop))
        else:
            if on_start is not None:
                on_start()
            monitor.run(stop, seen)
    finally:
        pool.close()
        alerter.close()
        store.close()
    return blocked_any
