"""Who fetched the leaked file: every request for it in the access logs, per client.

Parsing and aggregation run in DuckDB. Each log is read once: every line gets a cheap shape
test (so malformed lines are counted, never fatal) and a cheap "might this be the file?" test
on its text; only the lines that pass both are fully parsed, normalized and matched against
the file's addresses. A 10-million-line log therefore costs one scan plus a few thousand
full parses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.respond import logformats
from spillguard.respond.attribution import OwnerLookup, in_networks
from spillguard.respond.classify import identify_agent
from spillguard.respond.forwarded import Network, client_address
from spillguard.respond.logformats import DeclaredFormat, SniffedLog, sql_str
from spillguard.respond.url_paths import NORMALIZE_SQL, basename, normalize_path
from spillguard.timefmt import from_epoch_us, iso_z, parse_instant, to_epoch_us

MAX_LISTED = 20  # distinct agents, referrers and targets kept per client


class ExposureError(UserError, ValueError):
    """Input the analysis cannot proceed with (no URL, unreadable log, naive times)."""


@dataclass(frozen=True)
class ExposureQuery:
    """The leaked file as the logs would show it: its addresses, size and exposure window."""

    urls: tuple[str, ...]
    size: int
    start: datetime | None = None  # published; None reads from the first line
    end: datetime | None = None  # removed; None reads to the last line
    match_basename: bool = False  # any path ending in the file's name (unknown mirrors)

    def paths(self) -> tuple[str, ...]:
        return tuple(sorted({normalize_path(url) for url in self.urls}))

    def names(self) -> tuple[str, ...]:
        return tuple(sorted({basename(path) for path in self.paths()}))


@dataclass(frozen=True)
class LogSummary:
    """What one log contributed: lines read, malformed, requests for the file and where."""

    path: str
    format: str
    gzip: bool
    lines: int
    malformed: int
    matched: int  # requests for the file, any time
    before_window: int
    after_window: int


@dataclass(frozen=True)
class Request:
    """One request for the leaked file inside the window."""

    ip: str
    time: datetime
    method: str | None
    target: str | None
    status: int | None
    bytes: int
    user_agent: str | None


@dataclass(frozen=True)
class Client:
    """Everything one IP address did to the leaked file inside the window."""

    ip: str
    first_seen: datetime
    last_seen: datetime
    requests: int
    bytes: int
    complete: bool  # bytes sent cover the file: one full response, or ranges adding up
    statuses: tuple[tuple[int, int], ...]  # (status, count)
    user_agent: str | None  # the agent that received the most bytes
    user_agents: tuple[str, ...]
    agent_class: str
    referrers: tuple[str, ...]
    targets: tuple[str, ...]
    asn: int | None = None
    organization: str | None = None
    hostname: str | None = None
    internal: bool = False  # inside the publisher's own networks
    agent_operator: str | None = None  # an AI crawler's operator, whom a deletion request goes to

    @property
    def took_bytes(self) -> bool:
        return self.bytes > 0

    @property
    def outcome(self) -> str:
        """complete, partial (served part of the file), or refused (every answer a redirect, a
        client or a server error: nothing of the file was served)."""
        if self.complete:
            return "complete"
        return "partial" if self.bytes else "refused"


@dataclass(frozen=True)
class Exposure:
    """The result of an exposure analysis; `as_dict` is what JSON output and the store hold."""

    query: ExposureQuery
    logs: tuple[LogSummary, ...]
    clients: tuple[Client, ...]
    requests: tuple[Request, ...] = field(default=())

    @property
    def malformed(self) -> int:
        return sum(log.malformed for log in self.logs)

    def first_outside_download(self) -> datetime | None:
        """When someone outside the publisher first received bytes of the file."""
        outside = {c.ip for c in self.clients if not c.internal}
        times = [
            r.time
            for r in self.requests
            if r.ip in outside and r.bytes > 0 and r.status is not None and 200 <= r.status < 300
        ]
        return min(times) if times else None

    def as_dict(self) -> dict[str, Any]:
        return exposure_to_dict(self)


def analyze(
    logs: Sequence[Path],
    query: ExposureQuery,
    *,
    log_tz: str | None = None,
    threads: int | None = None,
    log_format: DeclaredFormat | None = None,
    trusted_proxies: Sequence[Network] = (),
) -> Exposure:
    """Find every request for the file in `logs` (any supported format, plain or gzip; or as
    `log_format` says). Where the format reads X-Forwarded-For, a request whose connecting
    address is one of `trusted_proxies` is the client's the header names (forwarded.py)."""
    if not query.urls:
        raise ExposureError("no URL for the leaked file")
    if query.size <= 0:
        raise ExposureError("the file size must be positive")
    if log_format is None:
        sniffed = [logformats.sniff(Path(p)) for p in logs]
    else:
        sniffed = [logformats.declared(Path(p), log_format) for p in logs]
    forwarded = (
        log_format.compiled if log_format and log_format.compiled and log_format.compiled.has_xff else None
    )
    if trusted_proxies and forwarded is None:
        raise ExposureError(
            "--trust-proxy needs a --log-format that reads X-Forwarded-For (~h{, } in GoAccess's syntax)"
        )
    import duckdb
    from duckdb.func import FunctionNullHandling

    con = duckdb.connect(":memory:")
    try:
        if forwarded is not None:
            trusted, separators = tuple(trusted_proxies), forwarded.xff_separators
            con.create_function(
                logformats.CLIENT_UDF,
                lambda peer, header: client_address(peer, header, trusted, separators),
                ["VARCHAR", "VARCHAR"],
                "VARCHAR",
                null_handling=FunctionNullHandling.SPECIAL,  # NULL peer: a log with only the header
            )
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
        con.execute(NORMALIZE_SQL)
        con.execute(_REQUESTS_TABLE)
        summaries = [_scan_log(con, index, log, query, log_tz) for index, log in enumerate(sniffed)]
        clients = _aggregate(con, query)
        requests = _window_requests(con, query)
    except duckdb.Error as exc:
        raise ExposureError(f"log analysis failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
    return Exposure(query, tuple(summaries), clients, requests)


_REQUESTS_TABLE = """
CREATE TEMP TABLE requests (
    source INTEGER, ip VARCHAR, ts TIMESTAMP, method VARCHAR, target VARCHAR, status INTEGER,
    bytes BIGINT, referrer VARCHAR, user_agent VARCHAR, range_start BIGINT, range_end BIGINT
)
"""


def _hit_sql(names: Sequence[str]) -> str:
    """Might this raw line concern the file? Its name, in any case, maybe percent-encoded.

    Any line whose request path normalizes to one of the file's paths contains the file's name
    once lower-cased and percent-decoded, so this never drops a real hit.
    """
    plain = " OR ".join(f"contains(lower(line), {sql_str(n)})" for n in names)
    decoded = " OR ".join(
        f"contains(lower(coalesce(try(url_decode(line)), line)), {sql_str(n)})" for n in names
    )
    # CASE, not AND: DuckDB evaluates CASE branches lazily, and decoding every line would
    # cost more than the rest of the scan together.
    return f"(({plain}) OR CASE WHEN contains(line, '%') THEN ({decoded}) ELSE false END)"


def _window_sql(query: ExposureQuery) -> str:
    conditions = ["true"]
    if query.start is not None:
        conditions.append(f"epoch_us(ts) >= {to_epoch_us(query.start)}")
    if query.end is not None:
        conditions.append(f"epoch_us(ts) <= {to_epoch_us(query.end)}")
    return " AND ".join(conditions)


def _scan_log(con: Any, index: int, log: SniffedLog, query: ExposureQuery, log_tz: str | None) -> LogSummary:
    rejects = f"rejects_{index}"
    reader = logformats.reader_sql(log, rejects)
    comment = logformats.is_comment_sql(log)
    con.execute(
        f"""
        CREATE TEMP TABLE scan_{index} AS
        SELECT count(*) FILTER (WHERE NOT is_comment) AS lines,
               count(*) FILTER (WHERE NOT is_comment AND NOT ok) AS bad,
               list(line) FILTER (WHERE NOT is_comment AND ok AND hit) AS hits
        FROM (SELECT line, coalesce({comment}, false) AS is_comment,
                     coalesce({logformats.shape_sql(log)}, false) AS ok,
                     {_hit_sql(query.names())} AS hit
              FROM {reader} WHERE line IS NOT NULL AND line <> '')
        """
    )
    lines, bad = con.execute(f"SELECT lines, bad FROM scan_{index}").fetchone()
    rejected = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    con.execute(f"CREATE TEMP TABLE cand_{index} AS SELECT unnest(hits) AS line FROM scan_{index}")
    con.execute(
        f"CREATE TEMP TABLE parsed_{index} AS "
        f"SELECT *, sg_norm(target) AS path, sg_norm(alt_target) AS alt_path "
        f"FROM ({logformats.parse_sql(log, f'cand_{index}', log_tz)})"
    )
    unreadable, naive = con.execute(
        f"SELECT count(*) FILTER (WHERE ip IS NULL OR ip = '' OR ts IS NULL OR status IS NULL),"
        f" count(*) FILTER (WHERE ts IS NULL AND ts_naive) FROM parsed_{index}"
    ).fetchone()
    if naive and log_tz is None:
        raise ExposureError(f"{log.path}: {naive} request time(s) without a time zone; give --log-tz")
    match = "(list_contains($paths, path) OR list_contains($paths, alt_path))"
    if query.match_basename:
        match = f"({match} OR list_contains($names, regexp_extract(path, '[^/]*$')))"
    con.execute(
        f"""
        INSERT INTO requests
        SELECT {index}, ip, ts, method, target, status, bytes, referrer, user_agent,
               range_start, range_end
        FROM parsed_{index}
        WHERE {match} AND ip IS NOT NULL AND ip <> '' AND ts IS NOT NULL AND status IS NOT NULL
        """,
        {"paths": list(query.paths()), "names": list(query.names())}
        if query.match_basename
        else {"paths": list(query.paths())},
    )
    window = _window_sql(query)
    matched, before, after = con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE NOT ({window}) AND
                   epoch_us(ts) < {to_epoch_us(query.start) if query.start else 0}),
               count(*) FILTER (WHERE NOT ({window}) AND
                   epoch_us(ts) > {to_epoch_us(query.end) if query.end else 0})
        FROM requests WHERE source = {index}
        """
    ).fetchone()
    for table in (f"scan_{index}", f"cand_{index}", f"parsed_{index}"):
        con.execute(f"DROP TABLE {table}")
    return LogSummary(
        path=str(log.path),
        format=log.name,
        gzip=log.gzip,
        lines=int(lines) + int(rejected),
        malformed=int(bad) + int(rejected) + int(unreadable),
        matched=int(matched),
        before_window=int(before),
        after_window=int(after),
    )


def _aggregate(con: Any, query: ExposureQuery) -> tuple[Client, ...]:
    size = int(query.size)
    rows = con.execute(
        f"""
        WITH win AS (SELECT * FROM requests WHERE {_window_sql(query)}),
        ranges AS (  -- byte ranges the log states (CloudFront): count each range once
            SELECT ip, sum(range_end - range_start + 1) AS covered FROM (
                SELECT DISTINCT ip, range_start, range_end FROM win
                WHERE status = 206 AND range_start IS NOT NULL AND range_end >= range_start)
            GROUP BY ip)
        SELECT win.ip,
               epoch_us(min(ts)), epoch_us(max(ts)), count(*),
               -- only what was served counts: a 404 or a 403 page is no part of the file
               coalesce(sum(bytes) FILTER (WHERE status IN (200, 206)), 0),
               bool_or(status BETWEEN 200 AND 299 AND status <> 206 AND bytes >= {size})
                 OR coalesce(any_value(ranges.covered), 0)
                    + coalesce(sum(bytes) FILTER (WHERE status = 206 AND range_start IS NULL), 0)
                    >= {size},
               histogram(status),
               arg_max(user_agent, bytes),
               list(DISTINCT user_agent) FILTER (WHERE user_agent IS NOT NULL),
               list(DISTINCT referrer) FILTER (WHERE referrer IS NOT NULL),
               list(DISTINCT target) FILTER (WHERE target IS NOT NULL)
        FROM win LEFT JOIN ranges ON ranges.ip = win.ip
        GROUP BY win.ip
        ORDER BY min(ts), win.ip
        """
    ).fetchall()
    return tuple(_client(row) for row in rows)


def _client(row: tuple[Any, ...]) -> Client:
    (ip, first, last, count, total, complete, statuses, agent, agents, referrers, targets) = row
    said = identify_agent(agent)
    return Client(
        ip=ip,
        first_seen=from_epoch_us(first),
        last_seen=from_epoch_us(last),
        requests=int(count),
        bytes=int(total or 0),
        complete=bool(complete),
        statuses=tuple(sorted((int(k), int(v)) for k, v in dict(statuses).items())),
        user_agent=agent,
        user_agents=tuple(sorted(agents or ()))[:MAX_LISTED],
        agent_class=said.agent_class,
        referrers=tuple(sorted(referrers or ()))[:MAX_LISTED],
        targets=tuple(sorted(targets or ()))[:MAX_LISTED],
        agent_operator=said.operator,
    )


def _window_requests(con: Any, query: ExposureQuery) -> tuple[Request, ...]:
    rows = con.execute(
        f"""SELECT ip, epoch_us(ts), method, target, status, bytes, user_agent FROM requests
            WHERE {_window_sql(query)} ORDER BY ts, ip"""
    ).fetchall()
    return tuple(
        Request(ip, from_epoch_us(t), method, target, status, int(size or 0), agent)
        for ip, t, method, target, status, size, agent in rows
    )


def attribute(
    exposure: Exposure,
    owners: OwnerLookup | None = None,
    hostnames: dict[str, str | None] | None = None,
    internal: Sequence[Any] = (),
) -> Exposure:
    """The exposure with each client's network owner, host name and internal flag filled in."""
    clients = []
    for client in exposure.clients:
        owner = owners.owner(client.ip) if owners else None
        clients.append(
            replace(
                client,
                asn=owner.asn if owner else client.asn,
                organization=owner.organization if owner else client.organization,
                hostname=(hostnames or {}).get(client.ip, client.hostname),
                internal=in_networks(client.ip, internal) if internal else client.internal,
            )
        )
    return replace(exposure, clients=tuple(clients))


# --- JSON round trip (what `--format json` prints and what the store keeps) -------------------


def _time(value: datetime | None) -> str | None:
    return iso_z(value) if value else None


def exposure_to_dict(exposure: Exposure) -> dict[str, Any]:
    q = exposure.query
    return {
        "schema": "spillguard.exposure/1",
        "query": {
            "urls": list(q.urls),
            "paths": list(q.paths()),
            "size": q.size,
            "from": _time(q.start),
            "to": _time(q.end),
            "match_basename": q.match_basename,
        },
        "first_outside_download": _time(exposure.first_outside_download()),
        "malformed_lines": exposure.malformed,
        "logs": [log.__dict__ for log in exposure.logs],
        "clients": [
            {
                **{k: v for k, v in c.__dict__.items() if k not in ("first_seen", "last_seen")},
                "first_seen": iso_z(c.first_seen),
                "last_seen": iso_z(c.last_seen),
                "statuses": {str(s): n for s, n in c.statuses},
                "user_agents": list(c.user_agents),
                "referrers": list(c.referrers),
                "targets": list(c.targets),
            }
            for c in exposure.clients
        ],
        "requests": [{**r.__dict__, "time": iso_z(r.time)} for r in exposure.requests],
    }


def exposure_from_dict(data: dict[str, Any]) -> Exposure:
    q = data["query"]
    query = ExposureQuery(
        urls=tuple(q["urls"]),
        size=int(q["size"]),
        start=parse_instant(q["from"]) if q.get("from") else None,
        end=parse_instant(q["to"]) if q.get("to") else None,
        match_basename=bool(q.get("match_basename", False)),
    )
    logs = tuple(LogSummary(**log) for log in data["logs"])
    clients = tuple(
        Client(
            **{
                **c,
                "first_seen": parse_instant(c["first_seen"]),
                "last_seen": parse_instant(c["last_seen"]),
                "statuses": tuple(sorted((int(s), int(n)) for s, n in c["statuses"].items())),
                "user_agents": tuple(c["user_agents"]),
                "referrers": tuple(c["referrers"]),
                "targets": tuple(c["targets"]),
            }
        )
        for c in data["clients"]
    )
    requests = tuple(Request(**{**r, "time": parse_instant(r["time"])}) for r in data.get("requests", ()))
    return Exposure(query, logs, clients, requests)
