"""Access logs with known truth, in every format `spillguard exposure` reads.

One scenario (`SCENARIO`) of invented clients on documentation address ranges is rendered to
each format by a small writer; tests compare the analysis against `EXPECTED`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

SIZE = 384_445
PUBLISHED = datetime(2022, 11, 28, 14, 0, tzinfo=UTC)
REMOVED = datetime(2022, 11, 28, 19, 0, tzinfo=UTC)
URLS = (
    "https://www.agency.example/sites/default/files/fy23-detained.xlsx",
    "https://cdn.agency.example/assets/fy23-detained.xlsx",
)
MAIN = "/sites/default/files/fy23-detained.xlsx"
CDN = "/assets/fy23-detained.xlsx"
HOST = "www.agency.example"

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/107.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:107.0) Gecko/20100101 Firefox/107.0"
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_0) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.1 Safari/605.1.15"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
ARCHIVE = "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)"
UPTIME = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
CURL = "curl/7.88.1"
GPTBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
)


@dataclass(frozen=True)
class Event:
    ip: str
    time: datetime
    method: str
    target: str  # path and query as the client sent it
    status: int
    bytes: int
    agent: str
    referrer: str = "-"
    range: tuple[int, int] | None = None  # byte range served, for 206


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2022, 11, 28, hour, minute, second, tzinfo=UTC)


THIRD = SIZE // 3
SCENARIO: tuple[Event, ...] = (
    # staff checking the upload, from the agency's own network
    Event("192.0.2.90", at(14, 1), "GET", MAIN, 200, SIZE, FIREFOX),
    # a person who downloads the whole file, arriving from a news page
    Event("203.0.113.10", at(14, 22), "GET", MAIN, 200, SIZE, CHROME, "https://news.example/s"),
    # a person whose download broke off
    Event("203.0.113.11", at(15, 5, 30), "GET", MAIN, 200, SIZE * 2 // 5, FIREFOX),
    # a person whose client fetched the file in three ranges that together cover it
    Event("203.0.113.12", at(16, 0), "GET", MAIN, 206, THIRD, SAFARI, range=(0, THIRD - 1)),
    Event("203.0.113.12", at(16, 0, 2), "GET", MAIN, 206, THIRD, SAFARI, range=(THIRD, 2 * THIRD - 1)),
    Event(
        "203.0.113.12",
        at(16, 0, 4),
        "GET",
        MAIN,
        206,
        SIZE - 2 * THIRD,
        SAFARI,
        range=(2 * THIRD, SIZE - 1),
    ),
    # crawlers and a monitor
    Event("198.51.100.20", at(14, 40), "GET", MAIN, 200, SIZE, GOOGLEBOT),
    Event("198.51.100.30", at(17, 15), "GET", MAIN + "?utm_source=x", 200, SIZE, ARCHIVE),
    Event("198.51.100.40", at(14, 5), "HEAD", MAIN, 200, 0, UPTIME),
    Event("198.51.100.40", at(15, 5), "HEAD", MAIN, 200, 0, UPTIME),
    # an AI crawler: its operator is asked to delete the file and keep it out of training
    Event("198.51.100.50", at(16, 45), "GET", MAIN, 200, SIZE, GPTBOT),
    # a script using another spelling of the address: case, percent-encoding, query string
    Event(
        "2001:db8::50",
        at(18, 2),
        "GET",
        "/Sites/Default//Files/FY23%2Ddetained.XLSX?dl=1",
        200,
        SIZE,
        CURL,
    ),
    # a person who got it from the CDN host
    Event("203.0.113.60", at(18, 30), "GET", CDN, 200, SIZE, CHROME, "https://social.example/p"),
    # outside the window: after removal (404) and a day before
    Event("203.0.113.70", at(19, 30), "GET", MAIN, 404, 0, CHROME),
    Event("203.0.113.71", at(14, 0) - timedelta(days=1), "GET", MAIN, 404, 0, CHROME),
    # other files only
    Event("203.0.113.80", at(15, 0), "GET", "/sites/default/files/fy22-budget.xlsx", 200, 9000, CHROME),
    Event("203.0.113.80", at(15, 1), "GET", "/index.html", 200, 5120, CHROME),
    Event("203.0.113.10", at(14, 21), "GET", "/news/update", 200, 4096, CHROME),
)


@dataclass(frozen=True)
class Expected:
    complete: bool
    agent_class: str
    requests: int


EXPECTED: dict[str, Expected] = {
    "192.0.2.90": Expected(True, "person", 1),
    "203.0.113.10": Expected(True, "person", 1),
    "203.0.113.11": Expected(False, "person", 1),
    "203.0.113.12": Expected(True, "person", 3),
    "198.51.100.20": Expected(True, "search engine", 1),
    "198.51.100.30": Expected(True, "archive crawler", 1),
    "198.51.100.40": Expected(False, "monitoring", 2),
    "198.51.100.50": Expected(True, "ai crawler", 1),
    "2001:db8::50": Expected(True, "other bot", 1),
    "203.0.113.60": Expected(True, "person", 1),
}
OUTSIDE_WINDOW = {"before": 1, "after": 1}

# Lines no parser should accept; each writer adds them, each must be counted once.
MALFORMED_TEXT = ("this is not a log line", "203.0.113.99 - - [28/Nov/2022:15:00:00")
MALFORMED_BYTES = b"\xff\xfe\x00garbage \xc3\x28 bytes"
MALFORMED_COUNT = len(MALFORMED_TEXT) + 1


def _clf_time(t: datetime, offset_hours: int) -> str:
    local = t.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.strftime("%d/%b/%Y:%H:%M:%S %z")


def _offset_for(e: Event) -> int:
    # some servers log in local time: the truth must survive the offset
    return -5 if e.ip.endswith(".11") or e.ip.endswith(".60") else 0


def _request_line(e: Event, absolute: bool = False) -> str:
    target = f"https://{HOST}:443{e.target}" if absolute else e.target
    return f"{e.method} {target} HTTP/1.1"


def combined(e: Event) -> str:
    return (
        f'{e.ip} - - [{_clf_time(e.time, _offset_for(e))}] "{_request_line(e)}" {e.status} '
        f'{e.bytes if e.bytes else "-"} "{e.referrer}" "{e.agent}"'
    )


def common(e: Event) -> str:
    return f'{e.ip} - - [{_clf_time(e.time, _offset_for(e))}] "{_request_line(e)}" {e.status} {e.bytes}'


IIS_FIELDS = (
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken"
)


def iis(e: Event) -> str:
    stem, _, query = e.target.partition("?")
    return " ".join(
        [
            e.time.strftime("%Y-%m-%d"),
            e.time.strftime("%H:%M:%S"),
            "192.0.2.1",
            e.method,
            stem,
            query or "-",
            "443",
            "-",
            e.ip,
            e.agent.replace(" ", "+"),
            e.referrer,
            str(e.status),
            "0",
            "0",
            str(e.bytes),
            "15",
        ]
    )


CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
)


def cloudfront(e: Event) -> str:
    stem, _, query = e.target.partition("?")
    start, end = (str(e.range[0]), str(e.range[1])) if e.range else ("-", "-")
    return "\t".join(
        [
            e.time.strftime("%Y-%m-%d"),
            e.time.strftime("%H:%M:%S"),
            "FRA56-P1",
            str(e.bytes),
            e.ip,
            e.method,
            "d111111abcdef8.cloudfront.net",
            stem,
            str(e.status),
            e.referrer,
            quote(quote(e.agent, safe="")),
            query or "-",
            "-",
            "Miss",
            "abcdEXAMPLE==",
            "cdn.agency.example",
            "https",
            "150",
            "0.101",
            "-",
            "TLSv1.3",
            "TLS_AES_128_GCM_SHA256",
            "Miss",
            "HTTP/2.0",
            "-",
            "-",
            "52011",
            "0.100",
            "Miss",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            str(SIZE),
            start,
            end,
        ]
    )


def s3(e: Event) -> str:
    stem, _, _ = e.target.partition("?")
    key = stem.lstrip("/")
    op = "REST.HEAD.OBJECT" if e.method == "HEAD" else "REST.GET.OBJECT"
    return (
        f"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be agency-site "
        f"[{_clf_time(e.time, 0)}] {e.ip} - 3E57427F3EXAMPLE {op} {key} "
        f'"{e.method} /{key}{e.target[len(stem) :]} HTTP/1.1" {e.status} - '
        f'{e.bytes if e.bytes else "-"} {SIZE} 70 10 "{e.referrer}" "{e.agent}" - '
        "cDR4Rq3EXAMPLE= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "
        "agency-site.s3.us-east-1.amazonaws.com TLSv1.2 - -"
    )


def alb(e: Event) -> str:
    stamp = e.time.strftime("%Y-%m-%dT%H:%M:%S.123456Z")
    return (
        f"https {stamp} app/agency-lb/50dc6c495c0c9188 {e.ip}:52311 10.0.0.5:443 0.000 0.020 "
        f'0.000 {e.status} {e.status} 250 {e.bytes} "{_request_line(e, absolute=True)}" '
        f'"{e.agent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/73e2d6bc24d8a067 "
        '"Root=1-58337262-36d228ad5d99923122bbe354" "www.agency.example" '
        '"arn:aws:acm:us-east-1:123456789012:certificate/12345678" 0 '
        '2022-11-28T14:00:00.000000Z "forward" "-" "-" "10.0.0.5:443" "200" "-" "-"'
    )


def jsonl(e: Event) -> str:
    # nginx-style keys; times with an explicit +01:00 offset
    local = e.time.astimezone(timezone(timedelta(hours=1)))
    return json.dumps(
        {
            "time_iso8601": local.isoformat(),
            "remote_addr": e.ip,
            "request": _request_line(e),
            "status": e.status,
            "body_bytes_sent": e.bytes,
            "http_referer": e.referrer,
            "http_user_agent": e.agent,
        }
    )


@dataclass(frozen=True)
class Writer:
    render: Callable[[Event], str]
    header: tuple[str, ...] = ()
    newline: str = "\n"


WRITERS: dict[str, Writer] = {
    "combined": Writer(combined),
    "common": Writer(common),
    "iis": Writer(
        iis,
        (
            "#Software: Microsoft Internet Information Services 10.0",
            "#Version: 1.0",
            f"#Fields: {IIS_FIELDS}",
        ),
        newline="\r\n",
    ),
    "cloudfront": Writer(cloudfront, ("#Version: 1.0", f"#Fields: {CLOUDFRONT_FIELDS}")),
    "s3": Writer(s3),
    "alb": Writer(alb),
    "jsonl": Writer(jsonl),
}


def render(fmt: str | Writer, events: Iterable[Event] = SCENARIO) -> bytes:
    """The events in a format of WRITERS (or any writer), malformed lines in the middle."""
    writer = WRITERS[fmt] if isinstance(fmt, str) else fmt
    lines = list(writer.header)
    ordered = sorted(events, key=lambda e: e.time)
    for number, event in enumerate(ordered):
        lines.append(writer.render(event))
        if number == len(ordered) // 2:  # malformed lines in the middle, not at the edges
            lines.extend(MALFORMED_TEXT)
    body = writer.newline.join(lines).encode() + writer.newline.encode()
    return body + MALFORMED_BYTES + writer.newline.encode()


def write_log(directory: Path, fmt: str, *, compress: bool = False) -> Path:
    data = render(fmt)
    path = directory / f"{fmt}.log{'.gz' if compress else ''}"
    path.write_bytes(gzip.compress(data) if compress else data)
    return path
