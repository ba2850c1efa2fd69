"""Exposure analysis against logs with known truth, in every format, plain and gzip."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from spillguard.respond import logformats
from spillguard.respond.exposure import (
    ExposureError,
    ExposureQuery,
    analyze,
    attribute,
    exposure_from_dict,
)
from spillguard.respond.url_paths import normalize_path
from tests.respond import loggen

QUERY = ExposureQuery(loggen.URLS, loggen.SIZE, loggen.PUBLISHED, loggen.REMOVED)
FORMATS = tuple(loggen.WRITERS)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_fetching_client_is_found_with_the_right_copy_and_class(
    tmp_path: Path, fmt: str, compress: bool
) -> None:
    log = loggen.write_log(tmp_path, fmt, compress=compress)

    exposure = analyze([log], QUERY, threads=1)

    summary = exposure.logs[0]
    assert summary.format == fmt
    assert summary.gzip is compress
    got = {c.ip: c for c in exposure.clients}
    assert set(got) == set(loggen.EXPECTED)
    for ip, expected in loggen.EXPECTED.items():
        client = got[ip]
        assert client.complete is expected.complete, ip
        assert client.requests == expected.requests, ip
        # the common log format records no user agent: the class cannot be known
        assert client.agent_class == ("unknown" if fmt == "common" else expected.agent_class), ip
    assert summary.malformed == loggen.MALFORMED_COUNT
    assert summary.lines == len(loggen.SCENARIO) + loggen.MALFORMED_COUNT
    assert (summary.before_window, summary.after_window) == (
        loggen.OUTSIDE_WINDOW["before"],
        loggen.OUTSIDE_WINDOW["after"],
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_times_are_utc_whatever_offset_the_log_used(tmp_path: Path, fmt: str) -> None:
    exposure = analyze([loggen.write_log(tmp_path, fmt)], QUERY, threads=1)

    first_seen = {c.ip: c.first_seen for c in exposure.clients}
    paths = set(QUERY.paths())
    truth = {}
    for event in sorted(loggen.SCENARIO, key=lambda e: e.time):
        in_window = loggen.PUBLISHED <= event.time <= loggen.REMOVED
        if in_window and normalize_path(event.target) in paths:
            truth.setdefault(event.ip, event.time)
    assert {ip: t.replace(microsecond=0) for ip, t in first_seen.items()} == truth


def test_details_per_client(tmp_path: Path) -> None:
    exposure = analyze([loggen.write_log(tmp_path, "combined")], QUERY, threads=1)
    clients = {c.ip: c for c in exposure.clients}

    reader = clients["203.0.113.10"]
    assert reader.referrers == ("https://news.example/s",)
    assert reader.user_agent == loggen.CHROME
    assert reader.statuses == ((200, 1),)
    assert reader.bytes == loggen.SIZE
    ranged = clients["203.0.113.12"]
    assert ranged.statuses == ((206, 3),)
    assert ranged.bytes == loggen.SIZE
    script = clients["2001:db8::50"]
    assert script.targets == ("/Sites/Default//Files/FY23%2Ddetained.XLSX?dl=1",)
    assert len(exposure.requests) == sum(e.requests for e in loggen.EXPECTED.values())


def test_requests_outside_the_window_are_reported_only_when_the_window_is_open(
    tmp_path: Path,
) -> None:
    log = loggen.write_log(tmp_path, "combined")

    exposure = analyze([log], replace(QUERY, start=None, end=None), threads=1)

    ips = {c.ip for c in exposure.clients}
    assert ips == set(loggen.EXPECTED) | {"203.0.113.70", "203.0.113.71"}


def test_ranges_that_do_not_cover_the_file_are_partial(tmp_path: Path) -> None:
    events = [e for e in loggen.SCENARIO if e.ip == "203.0.113.12"][:2]

    for fmt in ("combined", "cloudfront"):
        path = tmp_path / f"{fmt}.log"
        path.write_bytes(loggen.render(fmt, events))
        (client,) = analyze([path], QUERY, threads=1).clients
        assert client.complete is False, fmt


def test_a_repeated_range_counts_once_when_the_log_states_ranges(tmp_path: Path) -> None:
    first = next(e for e in loggen.SCENARIO if e.ip == "203.0.113.12")
    repeated = [replace(first, time=first.time.replace(second=s)) for s in range(4)]
    path = tmp_path / "cloudfront.log"
    path.write_bytes(loggen.render("cloudfront", repeated))

    (client,) = analyze([path], QUERY, threads=1).clients

    assert client.bytes > loggen.SIZE  # four thirds of the bytes were sent...
    assert client.complete is False  # ...but only the first third of the file


def test_clients_across_several_logs_are_merged(tmp_path: Path) -> None:
    logs = [loggen.write_log(tmp_path, "combined"), loggen.write_log(tmp_path, "cloudfront")]

    exposure = analyze(logs, QUERY, threads=1)

    assert {log.format for log in exposure.logs} == {"combined", "cloudfront"}
    reader = next(c for c in exposure.clients if c.ip == "203.0.113.10")
    assert reader.requests == 2
    assert exposure.malformed == 2 * loggen.MALFORMED_COUNT


def test_match_name_finds_unknown_mirrors(tmp_path: Path) -> None:
    mirror = replace(loggen.SCENARIO[1], ip="203.0.113.33", target="/old/copy/FY23-detained.xlsx")
    path = tmp_path / "combined.log"
    path.write_bytes(loggen.render("combined", [mirror]))

    assert analyze([path], QUERY, threads=1).clients == ()
    found = analyze([path], replace(QUERY, match_basename=True), threads=1).clients
    assert [c.ip for c in found] == ["203.0.113.33"]


def test_first_outside_download_skips_the_publishers_own_network(tmp_path: Path) -> None:
    import ipaddress

    exposure = analyze([loggen.write_log(tmp_path, "combined")], QUERY, threads=1)
    assert exposure.first_outside_download() == loggen.at(14, 1)

    inside = attribute(exposure, internal=[ipaddress.ip_network("192.0.2.0/24")])

    assert inside.first_outside_download() == loggen.at(14, 22)
    assert [c.ip for c in inside.clients if c.internal] == ["192.0.2.90"]


def test_json_round_trip_keeps_everything(tmp_path: Path) -> None:
    exposure = analyze([loggen.write_log(tmp_path, "jsonl")], QUERY, threads=1)

    data = json.loads(json.dumps(exposure.as_dict()))

    assert exposure_from_dict(data) == exposure
    assert data["clients"][0]["first_seen"].endswith("Z")


def test_json_times_without_offset_need_a_log_zone(tmp_path: Path) -> None:
    line = {
        "time": "2022-11-28 09:30:00",  # New York local time = 14:30Z
        "remote_addr": "203.0.113.5",
        "request": f"GET {loggen.MAIN} HTTP/1.1",
        "status": 200,
        "body_bytes_sent": loggen.SIZE,
        "http_user_agent": loggen.CHROME,
    }
    path = tmp_path / "naive.jsonl"
    path.write_text(json.dumps(line) + "\n")

    with pytest.raises(ExposureError, match="--log-tz"):
        analyze([path], QUERY, threads=1)
    (client,) = analyze([path], QUERY, log_tz="America/New_York", threads=1).clients
    assert client.first_seen == loggen.at(14, 30)


def test_json_epoch_times_are_read(tmp_path: Path) -> None:
    line = {
        "ts": loggen.at(15, 0).timestamp(),
        "request": {"remote_ip": "203.0.113.6", "uri": loggen.MAIN, "method": "GET",
                    "headers": {"User-Agent": [loggen.FIREFOX]}},
        "status": 200,
        "size": loggen.SIZE,
    }  # fmt: skip
    path = tmp_path / "caddy.jsonl"
    path.write_text(json.dumps(line) + "\n")

    (client,) = analyze([path], QUERY, threads=1).clients

    assert (client.ip, client.first_seen, client.complete) == ("203.0.113.6", loggen.at(15, 0), True)
    assert client.agent_class == "person"


def test_a_log_of_only_garbage_is_refused_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")

    with pytest.raises(logformats.LogFormatError, match="unrecognised log format"):
        analyze([path], QUERY)


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "access.log.1"  # rotated name, gzip content
    path.write_bytes(gzip.compress(loggen.render("combined")))

    exposure = analyze([path], QUERY, threads=1)

    assert exposure.logs[0].gzip is True
    assert {c.ip for c in exposure.clients} == set(loggen.EXPECTED)


def test_an_unterminated_quote_spoils_one_line_only(tmp_path: Path) -> None:
    data = loggen.render("combined").replace(b'"GET /index.html', b'"GET /index.html \\"', 1)
    path = tmp_path / "combined.log"
    path.write_bytes(b'203.0.113.1 - - [28/Nov/2022:14:00:00 +0000] "GET /a\n' + data)

    exposure = analyze([path], QUERY, threads=1)

    assert {c.ip for c in exposure.clients} == set(loggen.EXPECTED)
    assert exposure.logs[0].malformed == loggen.MALFORMED_COUNT + 1


def test_a_404_and_a_403_are_refused_and_add_no_bytes(tmp_path: Path) -> None:
    events = [
        loggen.Event("198.51.100.40", loggen.at(15, 0), "GET", loggen.MAIN, 404, 153, loggen.CURL),
        loggen.Event("198.51.100.41", loggen.at(15, 1), "GET", loggen.MAIN, 403, 612, loggen.CURL),
        loggen.Event("198.51.100.41", loggen.at(15, 2), "GET", loggen.MAIN, 200, 1000, loggen.CURL),
    ]
    path = tmp_path / "access.log"
    path.write_bytes(loggen.render("combined", events))
    clients = {c.ip: c for c in analyze([path], QUERY, threads=1).clients}
    refused = clients["198.51.100.40"]
    assert (refused.bytes, refused.complete, refused.outcome) == (0, False, "refused")
    partly = clients["198.51.100.41"]
    assert (partly.bytes, partly.outcome) == (1000, "partial")  # the 403 page's 612 bytes are not the file
