"""`exposure --log-format` in GoAccess's syntax, and `--trust-proxy` with X-Forwarded-For: the
scenario's truth read back from logs written in formats no sniffer guesses, and an invented
site behind a load balancer and a CDN where clients put what they like in the header."""

from __future__ import annotations

import ipaddress
import re
import time
from datetime import datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from spillguard.respond.exposure import ExposureError, ExposureQuery, analyze
from spillguard.respond.forwarded import client_address
from spillguard.respond.goaccess import LogFormatSyntaxError, compile_format
from spillguard.respond.logformats import declare_format
from tests.respond import loggen

QUERY = ExposureQuery(loggen.URLS, loggen.SIZE, loggen.PUBLISHED, loggen.REMOVED)


def vhost(e: loggen.Event) -> str:
    return f"{loggen.HOST}:443 {loggen.combined(e)}"


def iso(e: loggen.Event) -> str:
    """An in-house format: ISO date and time in UTC without an offset, path and query apart."""
    path, _, query = e.target.partition("?")
    moment = e.time.strftime("%Y-%m-%d %H:%M:%S")
    return f'{moment} {e.ip} {e.method} {path} {query or "-"} {e.status} {e.bytes} "{e.agent}" "{e.referrer}"'


def epoch(e: loggen.Event) -> str:
    return f'{int(e.time.timestamp())} {e.ip} {e.status} {e.bytes} {e.method} {e.target} "{e.agent}"'


ISO = '%d %t %h %m %U %q %s %b "%u" "%R"'
EPOCH = '%x %h %s %b %m %U "%u"'


def write(tmp_path: Path, render: object, name: str) -> Path:
    path = tmp_path / f"{name}.log"
    path.write_bytes(loggen.render(loggen.Writer(render), loggen.SCENARIO))  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(
    ("render", "spec", "formats", "label"),
    [
        (vhost, "VCOMBINED", {}, "VCOMBINED"),
        (vhost, '%v:%^ %h %^[%d:%t %^] "%r" %s %b "%R" "%u"', {}, "VCOMBINED"),  # GoAccess's own string
        (iso, ISO, {"date_format": "%Y-%m-%d", "time_format": "%T"}, "custom"),
        (epoch, EPOCH, {"date_format": "%s"}, "custom"),
        (loggen.combined, "COMBINED", {}, "COMBINED"),  # a preset read by the native reader
    ],
    ids=["vcombined", "goaccess-string", "iso-custom", "epoch", "combined"],
)
def test_a_declared_format_reads_back_the_scenario(
    tmp_path: Path, render: object, spec: str, formats: dict[str, str], label: str
) -> None:
    log = write(tmp_path, render, "declared")
    declared = declare_format(spec, **formats)

    exposure = analyze([log], QUERY, threads=1, log_format=declared, log_tz="UTC")

    summary = exposure.logs[0]
    assert summary.format == label
    got = {c.ip: c for c in exposure.clients}
    assert set(got) == set(loggen.EXPECTED)
    for ip, expected in loggen.EXPECTED.items():
        assert (got[ip].complete, got[ip].requests) == (expected.complete, expected.requests), ip
        assert got[ip].agent_class == expected.agent_class, ip
    # lines that do not match, one of them cut short, are counted, never fatal
    assert summary.malformed == loggen.MALFORMED_COUNT
    assert (summary.before_window, summary.after_window) == (1, 1)
    assert got["203.0.113.10"].first_seen == datetime.fromisoformat("2022-11-28T14:22:00+00:00")


def test_times_without_an_offset_need_the_logs_zone(tmp_path: Path) -> None:
    log = write(tmp_path, iso, "iso")
    declared = declare_format(ISO, "%Y-%m-%d", "%H:%M:%S")
    with pytest.raises(ExposureError, match="without a time zone; give --log-tz"):
        analyze([log], QUERY, threads=1, log_format=declared)
    # the same lines read as New York time are five hours later in UTC: a different window
    shifted = analyze([log], QUERY, threads=1, log_format=declared, log_tz="America/New_York")
    assert "203.0.113.10" not in {c.ip for c in shifted.clients}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("%h %Q", "unknown specifier %Q"),
        ("%h%r", "two fields with nothing between them"),
        ('%h [%x] "%r"', "no field for the status"),
        ('%h %h [%x] "%r" %s', "%h appears twice"),
        ("NOT-A-PRESET", "not a preset"),
        ('%h ~h [%x] "%r" %s', "~h needs its separators"),
        ('%h [%d] "%r" %s', ""),  # compiles: a date alone
    ],
)
def test_formats_that_cannot_be_compiled_say_why(spec: str, message: str) -> None:
    if not message:
        compile_format(spec, "%Y-%m-%d")
        return
    with pytest.raises(LogFormatSyntaxError, match=re.escape(message)):
        compile_format(spec)


def test_compiled_expressions_are_linear_on_hostile_lines() -> None:
    """No field can match what its neighbour matches, so nothing backtracks, even in Python's
    engine (DuckDB runs them with RE2, linear by construction)."""
    for spec in ("VCOMBINED", "SQUID", "CLOUDSTORAGE", "TRAEFIKCLF", ISO, '%h %^ %~%^ "~h{, }" "%r" %s %x'):
        pattern = re.compile(compile_format(spec, datetime_format="%s").pattern)
        for hostile in ("a " * 50_000, '"' * 100_000, "1.2.3.4 - - [" + "x" * 100_000,
                        '1 - [x] "' + '\\"' * 50_000, " \t" * 50_000):  # fmt: skip
            clock = time.perf_counter()
            pattern.match(hostile)
            assert time.perf_counter() - clock < 0.5, spec


def test_bad_options_exit_2_with_one_line(app: typer.Typer, tmp_path: Path) -> None:
    log = loggen.write_log(tmp_path, "combined")
    base = ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE)]
    for extra, message in [
        (["--log-format", "%h %Q"], "unknown specifier %Q"),
        (["--log-format", '%h [%x] "%r" %s', "--datetime-format", "%d/%b/%Y %Q"], "unsupported directive %Q"),
        (["--date-format", "%Y"], "go with --log-format"),
        (["--log-format", "COMBINED", "--date-format", "%Y"], "states its own times"),
        (["--trust-proxy", "198.18.0.0/15"], "needs a --log-format that reads X-Forwarded-For"),
        (["--log-format", XFF, "--trust-proxy", "not-a-net"], "--trust-proxy 'not-a-net' is not a network"),
    ]:
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


# --- behind a load balancer and a CDN ------------------------------------------------------------

XFF = '%h %^[%x] "%r" %s %b "%R" "%u" "~h{, }"'
BALANCER = "198.18.0.10"  # the load balancer in front of the server (benchmarking range, invented)
CDN = "198.19.7.20"  # a CDN edge in front of the balancer
TRUSTED = ["198.18.0.0/24", "198.19.0.0/16"]


def proxied(ip: str, forwarded: str, minute: int, agent: str = loggen.CHROME) -> str:
    event = loggen.Event(ip, loggen.at(15, minute), "GET", loggen.MAIN, 200, loggen.SIZE, agent)
    return f'{loggen.combined(event)} "{forwarded}"'


PROXIED_LINES = [
    # through the balancer: the client is the address it appended
    proxied(BALANCER, "203.0.113.10", 1),
    # a client that wrote its own header first: only what the balancer appended is believed
    proxied(BALANCER, "192.0.2.66, 203.0.113.11", 2),
    # through the CDN and the balancer, port and all
    proxied(BALANCER, f"203.0.113.12:51234, {CDN}", 3),
    # straight to the server (not a proxy) with a forged header: the header is not believed
    proxied("203.0.113.13", "192.0.2.90", 4),
    # the balancer's own health check: no header, the balancer is the client
    proxied(BALANCER, "-", 5, loggen.CURL),
    # an IPv6 client through the CDN, bracketed
    proxied(BALANCER, f"[2001:db8::77], {CDN}", 6),
    # cut short: counted, not read
    proxied(BALANCER, "203.0.113.14", 7)[:-30],
]


def test_behind_trusted_proxies_the_client_comes_from_x_forwarded_for(tmp_path: Path) -> None:
    log = tmp_path / "proxied.log"
    log.write_text("\n".join(PROXIED_LINES) + "\n")
    declared = declare_format(XFF)
    networks = [ipaddress.ip_network(n) for n in TRUSTED]

    exposure = analyze([log], QUERY, threads=1, log_format=declared, trusted_proxies=networks)

    assert {c.ip for c in exposure.clients} == {
        "203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13", BALANCER, "2001:db8::77",
    }  # fmt: skip
    assert exposure.logs[0].malformed == 1
    # Without --trust-proxy nothing in the header is believed: every request is the connecting
    # address's, and the downloads look like the balancer's.
    plain = analyze([log], QUERY, threads=1, log_format=declared)
    assert {c.ip for c in plain.clients} == {BALANCER, "203.0.113.13"}


def test_the_cli_takes_trust_proxy_and_reports_forwarded_clients(app: typer.Typer, tmp_path: Path) -> None:
    log = tmp_path / "proxied.log"
    log.write_text("\n".join(PROXIED_LINES) + "\n")
    args = ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE),
            "--log-format", XFF, "--format", "csv"]  # fmt: skip
    for network in TRUSTED:
        args += ["--trust-proxy", network]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert {row.split(",")[0] for row in rows} >= {"203.0.113.11", "203.0.113.12", "2001:db8::77"}
    assert not any(row.startswith("192.0.2.66,") for row in rows)  # the client's own claim


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("203.0.113.5", "192.0.2.1", "203.0.113.5"),  # not from a proxy: header ignored
        (BALANCER, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # right-most untrusted
        (BALANCER, f"203.0.113.5, {CDN}", "203.0.113.5"),  # two trusted hops
        (BALANCER, f"{CDN}", CDN),  # every hop trusted: the left-most
        (BALANCER, "unknown", "unknown"),  # the proxy did not know
        (BALANCER, "", BALANCER),
        (None, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # only the header in the log
        (None, "-", None),
        (BALANCER, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_address(peer: str | None, header: str, expected: str | None) -> None:
    networks = [ipaddress.ip_network(n) for n in TRUSTED]
    assert client_address(peer, header, networks) == expected


def test_the_policy_names_the_sites_proxies(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "proxied.log"
    log.write_text("\n".join(PROXIED_LINES) + "\n")
    (tmp_path / "spillguard.toml").write_text(
        "[exposure]\ntrusted_proxies = [" + ", ".join(f'"{n}"' for n in TRUSTED) + "]\n"
    )
    monkeypatch.chdir(tmp_path)
    args = ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE), "--format", "csv"]

    result = CliRunner().invoke(app, [*args, "--log-format", XFF])

    assert result.exit_code == 0, result.stderr
    assert "203.0.113.12," in result.stdout and f"\n{BALANCER}," in result.stdout  # health check only
    # A format without the header: the policy's proxies do not apply, and nothing fails.
    assert CliRunner().invoke(app, [*args, "--log-format", "COMBINED"]).exit_code == 0


def test_a_policy_proxy_that_is_no_network_is_named(tmp_path: Path) -> None:
    from spillguard.policy import PolicyError, load_policy

    path = tmp_path / "spillguard.toml"
    path.write_text('[exposure]\ntrusted_proxies = ["198.18.0.0/15", "cdn"]\n')
    with pytest.raises(PolicyError, match=r"exposure.trusted_proxies\[1\]: 'cdn' is not a network"):
        load_policy(str(path))
    path.write_text("[exposure]\ntrust = []\n")
    with pytest.raises(PolicyError, match=r"unknown key exposure\.'trust'"):
        load_policy(str(path))
