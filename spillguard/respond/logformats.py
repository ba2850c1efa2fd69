"""Access-log formats: how to recognise each one and how DuckDB turns its lines into requests.

Every format is read the same way: each line as one text column (fast, and a broken line
cannot swallow its neighbours), a cheap shape test for every line (so malformed lines are
counted), then a full parse of only the lines that may concern the leaked file. The parse
yields the same columns for every format; see `REQUEST_COLUMNS`.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from spillguard.errors import UserError
from spillguard.respond.goaccess import (
    EPOCH_FORMATS,
    CompiledFormat,
    compile_format,
    preset_name,
    preset_reader,
)

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 50

# Columns every format's parse produces (ts is a UTC TIMESTAMP; NULL when unreadable).
REQUEST_COLUMNS = (
    "ip",
    "ts",
    "ts_naive",
    "method",
    "target",
    "alt_target",
    "status",
    "bytes",
    "referrer",
    "user_agent",
    "range_start",
    "range_end",
)

_Q = r'"((?:[^"\\]|\\.)*)"'  # a double-quoted field with backslash escapes
CLF_RE = r"^(\S+) \S+ \S+ \[([^\]]+)\] " + _Q + r" (\d{3}) (\d+|-)(?: " + _Q + " " + _Q + ")?"
CLF_SHAPE = r"^\S+ \S+ \S+ \[[^\]]+\] " + _Q + r" \d{3} (?:\d+|-)(?: .*)?$"
S3_RE = (
    r"^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) "
    + _Q
    + r" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) "
    + _Q
    + " "
    + _Q
)
S3_SHAPE = r"^\S+ \S+ \[[^\]]+\] \S+ \S+ \S+ \S+ \S+ " + _Q + r" \d{3} .*$"
ALB_RE = r"^(\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) " + _Q + " " + _Q
ALB_SHAPE = (
    r"^(?:https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT\S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \"[^\"]*\" .*$"
)

# Field-name aliases for JSON lines, in order of preference (nginx, Caddy, AWS WAF, generic).
JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "ip": (
        "$.remote_addr",
        "$.client_ip",
        "$.clientip",
        "$.ip",
        "$.remote_ip",
        "$.c_ip",
        "$.request.remote_ip",
        "$.request.client_ip",
        "$.httpRequest.clientIp",
    ),
    "ts": (
        "$.time",
        "$.timestamp",
        '$."@timestamp"',
        "$.time_iso8601",
        "$.time_local",
        "$.ts",
        "$.date",
        "$.datetime",
    ),
    "request_line": ("$.request",),
    "method": ("$.method", "$.request_method", "$.request.method", "$.httpRequest.httpMethod"),
    "target": ("$.request_uri", "$.uri", "$.url", "$.path", "$.request.uri", "$.httpRequest.uri"),
    "status": ("$.status", "$.status_code", "$.response.status", "$.response_code"),
    "bytes": (
        "$.body_bytes_sent",
        "$.bytes_sent",
        "$.bytes",
        "$.size",
        "$.response_size",
        "$.resp_body_size",
        "$.sc_bytes",
    ),
    "referrer": ("$.http_referer", "$.referer", "$.referrer", "$.request.headers.Referer[0]"),
    "user_agent": (
        "$.http_user_agent",
        "$.user_agent",
        "$.useragent",
        "$.agent",
        '$.request.headers."User-Agent"[0]',
    ),
}


class LogFormatError(UserError, ValueError):
    """A log whose format cannot be recognised or read."""


@dataclass(frozen=True)
class SniffedLog:
    """What the first lines of a log say about all of it."""

    path: Path
    format: str  # combined | common | iis | cloudfront | s3 | alb | jsonl | custom
    gzip: bool
    w3c_fields: tuple[str, ...] = ()  # the #Fields directive, for iis and cloudfront
    delimiter: str = " "
    custom: CompiledFormat | None = None  # a --log-format compiled (format "custom")
    label: str = ""  # how the format was given, when it was (--log-format)

    @property
    def name(self) -> str:
        """The format as reports name it."""
        return self.label or self.format


@dataclass(frozen=True)
class DeclaredFormat:
    """`--log-format` (and its date and time formats): a reader of ours, or a compiled one."""

    label: str  # the preset's name, or "custom"
    reader: str | None = None  # a native reader a GoAccess preset stands for
    compiled: CompiledFormat | None = None


def declare_format(
    spec: str,
    date_format: str | None = None,
    time_format: str | None = None,
    datetime_format: str | None = None,
) -> DeclaredFormat:
    """A GoAccess preset name or format string, checked and compiled once for every log."""
    if not (date_format or time_format or datetime_format):
        spec = preset_name(spec)  # GoAccess's COMBINED written out is COMBINED, zone and all
    reader = preset_reader(spec)
    if reader is not None:
        if date_format or time_format or datetime_format:
            raise LogFormatError(
                f"--log-format {spec.strip().upper()} states its own times; "
                "--date-format, --time-format and --datetime-format go with a format string"
            )
        return DeclaredFormat(spec.strip().upper(), reader=reader)
    compiled = compile_format(spec, date_format, time_format, datetime_format)
    label = spec.strip().upper() if compiled.source != spec else "custom"
    return DeclaredFormat(label, compiled=compiled)


def declared(path: Path, fmt: DeclaredFormat) -> SniffedLog:
    """A log read as the user says it is written (no sniffing but for gzip and W3C fields)."""
    compressed = _is_gzip(path)
    if fmt.compiled is not None:
        return SniffedLog(path, "custom", compressed, custom=fmt.compiled, label=fmt.label)
    assert fmt.reader is not None
    if fmt.reader in ("iis", "cloudfront"):
        lines = _head_lines(path, compressed)
        fields = next((ln for ln in lines if ln.startswith("#Fields:")), None)
        if fields is None:
            raise LogFormatError(f"{path}: no #Fields: line, which a {fmt.label} log starts with")
        sniffed = sniff(path)  # the #Fields line decides the fields and which W3C log it is
        return SniffedLog(
            path, sniffed.format, compressed, sniffed.w3c_fields, sniffed.delimiter, label=fmt.label
        )
    return SniffedLog(path, fmt.reader, compressed, label=fmt.label)


def _head_lines(path: Path, compressed: bool) -> list[str]:
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:  # type: ignore[operator]
            head: bytes = handle.read(SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise LogFormatError(f"{path}: cannot read: {exc}") from exc
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if len(head) == SNIFF_BYTES and lines:
        lines.pop()  # the last line is probably cut short
    return [line for line in lines if line.strip()]


def _is_gzip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise LogFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc


_LINE_TESTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alb", re.compile(ALB_SHAPE)),
    ("s3", re.compile(S3_SHAPE)),
    ("combined", re.compile(CLF_SHAPE[: -len("(?: .*)?$")] + r' "[^"]*" "')),
    ("common", re.compile(CLF_SHAPE)),
)


def sniff(path: Path) -> SniffedLog:
    """Recognise a log's format from its first lines (content decides, never the name)."""
    compressed = _is_gzip(path)
    lines = _head_lines(path, compressed)
    if not lines:
        raise LogFormatError(f"{path}: empty log")
    fields = next((ln for ln in lines if ln.startswith("#Fields:")), None)
    if fields is not None:
        names = tuple(fields[len("#Fields:") :].split())
        data = next((ln for ln in lines if not ln.startswith("#")), "")
        delimiter = "\t" if "\t" in data else " "
        kind = "cloudfront" if "x-edge-location" in names else "iis"
        return SniffedLog(path, kind, compressed, names, delimiter)
    sample = [ln for ln in lines if not ln.startswith("#")][:SNIFF_LINES]
    if sum(ln.lstrip().startswith("{") for ln in sample) > len(sample) // 2:
        return SniffedLog(path, "jsonl", compressed)
    votes = {name: sum(bool(rx.match(ln)) for ln in sample) for name, rx in _LINE_TESTS}
    # A combined log has common lines too (requests without referrer and agent), never the
    # other way round, so combined wins whenever it is seen.
    if votes["combined"]:
        votes["combined"] += votes["common"]
    best = max(votes, key=lambda name: votes[name])
    if votes[best] * 2 < len(sample):
        raise LogFormatError(
            f"{path}: unrecognised log format (expected combined, common, IIS W3C, "
            "CloudFront, S3, ALB or JSON lines)"
        )
    return SniffedLog(path, best, compressed)


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def reader_sql(log: SniffedLog, rejects: str) -> str:
    """read_csv over the log's lines as one column; unreadable lines go to `rejects`."""
    return (
        f"read_csv({sql_str(str(log.path))}, columns={{'line': 'VARCHAR'}}, header=false, "
        "delim=chr(1), quote='', escape='', auto_detect=false, ignore_errors=true, "
        f"store_rejects=true, rejects_table={sql_str(rejects)}, "
        f"rejects_scan={sql_str(rejects + '_scan')}, "
        f"compression={sql_str('gzip' if log.gzip else 'none')})"
    )


def is_comment_sql(log: SniffedLog) -> str:
    """Lines that are directives, not requests (W3C `#Fields:` and friends)."""
    return "starts_with(line, '#')" if log.format in ("iis", "cloudfront") else "false"


def shape_sql(log: SniffedLog) -> str:
    """A cheap test every line must pass to count as well formed."""
    if log.format in ("combined", "common"):
        # LIKE, not the regex: a quarter of the cost over ten million lines, and the lines
        # that matter are parsed with the full regex anyway.
        return "line LIKE '% % % [%] \"%\" ___ %'"
    if log.format == "s3":
        return f"regexp_full_match(line, {sql_str(S3_SHAPE)})"
    if log.format == "alb":
        return f"regexp_full_match(line, {sql_str(ALB_SHAPE)})"
    if log.format == "jsonl":
        return "json_valid(line)"
    if log.custom is not None:
        return f"regexp_matches(line, {sql_str(log.custom.pattern)})"
    count = len(log.w3c_fields)
    return f"len(string_split(rtrim(line, chr(13)), {sql_str(log.delimiter)})) = {count}"


def _offset_ts(text_sql: str) -> str:
    """`[28/Nov/2022:14:05:00 +0100]` style times, converted to a UTC TIMESTAMP."""
    return f"(try_strptime({text_sql}, '%d/%b/%Y:%H:%M:%S %z') AT TIME ZONE 'UTC')"


def _split_request(request_sql: str, what: str) -> str:
    """Method or target out of a request line `GET /path HTTP/1.1`."""
    part = 1 if what == "method" else 2
    return f"nullif(split_part({request_sql}, ' ', {part}), '')"


def _agent(field_sql: str) -> str:
    """A user agent: '' when the client sent none ('-'), NULL only when the log has no field."""
    return f"CASE WHEN {field_sql} = '-' THEN '' ELSE {field_sql} END"


def _unescape(field_sql: str) -> str:
    return f"replace({field_sql}, '\\\"', '\"')"


def _dash_null(field_sql: str) -> str:
    return f"nullif(nullif({field_sql}, '-'), '')"


def parse_sql(log: SniffedLog, source: str, log_tz: str | None) -> str:
    """SELECT producing REQUEST_COLUMNS from the candidate lines in table `source`."""
    if log.custom is not None:
        return _parse_custom(log.custom, source, log_tz)
    if log.format in ("combined", "common"):
        return _parse_clf(source)
    if log.format == "s3":
        return _parse_s3(source)
    if log.format == "alb":
        return _parse_alb(source)
    if log.format == "jsonl":
        return _parse_jsonl(source, log_tz)
    return _parse_w3c(log, source)


def _parse_clf(source: str) -> str:
    names = "['ip','ts','req','status','bytes','ref','ua']"
    return f"""
    SELECT r.ip AS ip, {_offset_ts("r.ts")} AS ts, false AS ts_naive,
           {_split_request("r.req", "method")} AS method,
           {_split_request("r.req", "target")} AS target, NULL::VARCHAR AS alt_target,
           try_cast(r.status AS INTEGER) AS status,
           coalesce(try_cast(r.bytes AS BIGINT), 0) AS bytes,
           {_dash_null(_unescape("r.ref"))} AS referrer,
           CASE WHEN ends_with(rtrim(line), '"') THEN coalesce({_dash_null(_unescape("r.ua"))}, '')
           END AS user_agent,
           NULL::BIGINT AS range_start, NULL::BIGINT AS range_end
    FROM (SELECT line, regexp_extract(line, {sql_str(CLF_RE)}, {names}) AS r FROM {source})
    """


def _parse_s3(source: str) -> str:
    names = (
        "['owner','bucket','ts','ip','requester','reqid','op','key','req','status','err',"
        "'bytes','size','total','turnaround','ref','ua']"
    )
    # The object key identifies the file whatever the addressing style (virtual-host or
    # path-style), so it is the target; the request URI is the alternate.
    return f"""
    SELECT r.ip AS ip, {_offset_ts("r.ts")} AS ts, false AS ts_naive,
           {_split_request("r.req", "method")} AS method,
           '/' || r.key AS target, {_split_request("r.req", "target")} AS alt_target,
           try_cast(r.status AS INTEGER) AS status,
           coalesce(try_cast(r.bytes AS BIGINT), 0) AS bytes,
           {_dash_null(_unescape("r.ref"))} AS referrer,
           {_agent(_unescape("r.ua"))} AS user_agent,
           NULL::BIGINT AS range_start, NULL::BIGINT AS range_end
    FROM (SELECT regexp_extract(line, {sql_str(S3_RE)}, {names}) AS r FROM {source})
    """


def _parse_alb(source: str) -> str:
    names = (
        "['type','ts','elb','client','target','rpt','tpt','spt','status','tstatus',"
        "'received','sent','req','ua']"
    )
    # client is ip:port; IPv6 clients are written without brackets, so cut at the last colon.
    return f"""
    SELECT regexp_extract(r.client, '^\\[?(.*?)\\]?:\\d+$', 1) AS ip,
           (try_cast(r.ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC') AS ts, false AS ts_naive,
           {_split_request("r.req", "method")} AS method,
           {_split_request("r.req", "target")} AS target, NULL::VARCHAR AS alt_target,
           try_cast(r.status AS INTEGER) AS status,
           coalesce(try_cast(r.sent AS BIGINT), 0) AS bytes,
           NULL::VARCHAR AS referrer, {_agent(_unescape("r.ua"))} AS user_agent,
           NULL::BIGINT AS range_start, NULL::BIGINT AS range_end
    FROM (SELECT regexp_extract(line, {sql_str(ALB_RE)}, {names}) AS r FROM {source})
    """


def _json_field(name: str) -> str:
    paths = ", ".join(sql_str(p) for p in JSON_FIELDS[name])
    return f"list_filter(json_extract_string(line, [{paths}]), lambda x: x IS NOT NULL)[1]"


_OFFSET_SUFFIX = r"(Z|z|[+-]\d\d:?\d\d)$"


def _parse_jsonl(source: str, log_tz: str | None) -> str:
    naive = (
        f"(timezone({sql_str(log_tz)}, try_cast(t AS TIMESTAMP)) AT TIME ZONE 'UTC')"
        if log_tz
        else "NULL::TIMESTAMP"
    )
    fields = ", ".join(f"{_json_field(name)} AS {name}" for name in JSON_FIELDS)
    return f"""
    SELECT ip,
           CASE WHEN t IS NULL THEN NULL
                WHEN regexp_full_match(t, '\\d{{9,11}}(\\.\\d+)?') THEN make_timestamp(
                    (t::DOUBLE * 1000000)::BIGINT)
                WHEN regexp_full_match(t, '\\d{{12,14}}') THEN make_timestamp(t::BIGINT * 1000)
                WHEN regexp_matches(t, {sql_str(_OFFSET_SUFFIX)})
                    THEN (try_cast(t AS TIMESTAMPTZ) AT TIME ZONE 'UTC')
                WHEN t LIKE '%/%/%:%' THEN {_offset_ts("t")}
                ELSE {naive} END AS ts,
           (t IS NOT NULL AND NOT regexp_full_match(t, '[\\d.]+')
            AND NOT regexp_matches(t, {sql_str(_OFFSET_SUFFIX)})
            AND NOT regexp_matches(t, ' [+-]\\d{{4}}$')) AS ts_naive,
           coalesce(method, {_split_request("request_line", "method")}) AS method,
           coalesce(target, {_split_request("request_line", "target")}) AS target,
           NULL::VARCHAR AS alt_target,
           try_cast(status AS INTEGER) AS status,
           coalesce(try_cast(bytes AS BIGINT), 0) AS bytes,
           {_dash_null("referrer")} AS referrer, {_agent("user_agent")} AS user_agent,
           NULL::BIGINT AS range_start, NULL::BIGINT AS range_end
    FROM (SELECT *, ts AS t FROM (SELECT {fields} FROM {source}))
    """


def _w3c_field(log: SniffedLog, *names: str) -> str:
    """The first of `names` the log has, as an expression over the split line `f`."""
    for name in names:
        if name in log.w3c_fields:
            return f"nullif(f[{log.w3c_fields.index(name) + 1}], '-')"
    return "NULL::VARCHAR"


def _parse_w3c(log: SniffedLog, source: str) -> str:
    field = lambda *names: _w3c_field(log, *names)  # noqa: E731
    # IIS writes spaces in agents as '+'; CloudFront percent-encodes them (sometimes twice).
    if log.format == "cloudfront":
        agent = f"coalesce(try(url_decode(url_decode({field('cs(User-Agent)')}))), {field('cs(User-Agent)')})"
        referrer = f"coalesce(try(url_decode({field('cs(Referer)')})), {field('cs(Referer)')})"
    else:
        agent = f"replace({field('cs(User-Agent)')}, '+', ' ')"
        referrer = field("cs(Referer)")
    query = field("cs-uri-query")
    stem = field("cs-uri-stem")
    # W3C extended logs are in UTC by definition.
    return f"""
    SELECT {field("c-ip")} AS ip,
           try_strptime({field("date")} || ' ' || {field("time")}, '%Y-%m-%d %H:%M:%S') AS ts,
           false AS ts_naive,
           {field("cs-method")} AS method,
           CASE WHEN {query} IS NULL THEN {stem} ELSE {stem} || '?' || {query} END AS target,
           NULL::VARCHAR AS alt_target,
           try_cast({field("sc-status")} AS INTEGER) AS status,
           coalesce(try_cast({field("sc-bytes")} AS BIGINT), 0) AS bytes,
           {referrer} AS referrer, {agent} AS user_agent,
           try_cast({field("sc-range-start")} AS BIGINT) AS range_start,
           try_cast({field("sc-range-end")} AS BIGINT) AS range_end
    FROM (SELECT string_split(rtrim(line, chr(13)), {sql_str(log.delimiter)}) AS f
          FROM {source} WHERE NOT starts_with(line, '#'))
    """


# --- --log-format (GoAccess syntax, compiled by spillguard.respond.goaccess) -------------------

CLIENT_UDF = "sg_client"  # (peer, forwarded_for) -> client; registered by exposure.analyze


def _custom_time(fmt: CompiledFormat, text: str, log_tz: str | None) -> tuple[str, str]:
    """(ts, ts_naive) expressions for the time text of a compiled format."""
    pattern = fmt.timestamp_format
    if pattern in EPOCH_FORMATS:
        micros = EPOCH_FORMATS[pattern]
        digits = f"regexp_full_match({text}, '\\d{{1,16}}')"
        return f"CASE WHEN {digits} THEN make_timestamp(try_cast({text} AS BIGINT) * {micros}) END", "false"
    parsed = f"try_strptime({text}, {sql_str(pattern)})"
    if "%z" in pattern:
        return f"({parsed} AT TIME ZONE 'UTC')", "false"
    if fmt.utc:
        return parsed, "false"
    if log_tz:
        return f"(timezone({sql_str(log_tz)}, {parsed}) AT TIME ZONE 'UTC')", "false"
    return "NULL::TIMESTAMP", f"({parsed} IS NOT NULL)"


def _parse_custom(fmt: CompiledFormat, source: str, log_tz: str | None) -> str:
    groups = set(fmt.groups)
    names = "[" + ",".join(sql_str(g) for g in fmt.groups) + "]"

    def field(name: str) -> str:
        return f"r.{name}" if name in groups else "NULL::VARCHAR"

    if "datetime" in groups:
        text = "r.datetime"
    elif "time" in groups:
        text = "(r.date || ' ' || r.time)"
    else:
        text = "r.date"
    ts, naive = _custom_time(fmt, text, log_tz)
    # With an X-Forwarded-For field, the client is worked out from it (trusted proxies only).
    ip = f"{CLIENT_UDF}({_dash_null(field('ip'))}, r.xff)" if fmt.has_xff else "r.ip"
    if "request" in groups:
        method, target = _split_request("r.request", "method"), _split_request("r.request", "target")
    else:
        method = _dash_null(field("method"))
        query = _dash_null(field("query"))
        target = (
            f"CASE WHEN {query} IS NULL THEN {_dash_null(field('path'))} "
            f"WHEN starts_with({query}, '?') THEN r.path || {query} ELSE r.path || '?' || {query} END"
        )
    agent = _agent(_unescape("r.user_agent")) if "user_agent" in groups else "NULL::VARCHAR"
    return f"""
    SELECT {ip} AS ip, {ts} AS ts, {naive} AS ts_naive,
           {method} AS method, {target} AS target, NULL::VARCHAR AS alt_target,
           try_cast({field("status")} AS INTEGER) AS status,
           coalesce(try_cast({field("bytes")} AS BIGINT), 0) AS bytes,
           {_dash_null(_unescape(field("referrer")))} AS referrer, {agent} AS user_agent,
           NULL::BIGINT AS range_start, NULL::BIGINT AS range_end
    FROM (SELECT regexp_extract(line, {sql_str(fmt.pattern)}, {names}) AS r FROM {source})
    """
