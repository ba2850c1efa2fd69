"""`exposure --log-format`: GoAccess's log-format syntax, which web teams already know, compiled
once to one regular expression with a named group per field.

A format is a GoAccess preset name (COMBINED, VCOMBINED, COMMON, VCOMMON, W3C, CLOUDFRONT,
CLOUDSTORAGE, AWSELB, AWSALB, AWSS3, CADDY, SQUID, TRAEFIKCLF) or a format string such as
`%h %^[%d:%t %^] "%r" %s %b "%R" "%u"`, with `--date-format` and `--time-format` (strftime, as
GoAccess takes them; `%s`, `%f` and `%*` alone mean seconds, microseconds and milliseconds since
the epoch). As in GoAccess, a field reads up to the character that follows it in the format;
`~h{, }` is an X-Forwarded-For list, its separators between the braces.

The expression is linear: every field is a run of characters other than its delimiter (inside
double quotes, backslash escapes count as one character), so no two ways of matching a line
exist and nothing backtracks; DuckDB runs it with RE2, which is linear by construction.

Presets that name a format spillguard reads natively go to that reader (COMBINED and COMMON to
the combined-log reader, which keeps the time zone GoAccess's own preset drops; W3C and
CLOUDFRONT to the W3C reader, which takes the log's `#Fields:` line; AWSS3, AWSALB, AWSELB and
CADDY likewise); the rest are compiled here.
"""

from __future__ import annotations

from dataclasses import dataclass

from spillguard.errors import UserError


class LogFormatSyntaxError(UserError, ValueError):
    """A --log-format, --date-format or --time-format that cannot be compiled."""


# Presets read by spillguard's own readers (see logformats.sniff): preset -> reader.
NATIVE_PRESETS = {
    "COMBINED": "combined",
    "COMMON": "common",
    "W3C": "iis",
    "CLOUDFRONT": "cloudfront",
    "AWSS3": "s3",
    "AWSALB": "alb",
    "AWSELB": "alb",
    "CADDY": "jsonl",
}


@dataclass(frozen=True)
class Preset:
    log_format: str
    datetime_format: str  # of its %x field
    utc: bool  # times without an offset are UTC by the format's definition


CLF_DATETIME = "%d/%b/%Y:%H:%M:%S %z"
# GoAccess's presets (src/settings.c), with the time zone kept where the line has one:
# GoAccess skips it (`[%d:%t %^]`), spillguard needs it to place requests in the window.
# (SQUID without the syslog prefix GoAccess's string expects: Squid's own access.log.)
PRESETS = {
    "VCOMBINED": Preset('%v:%^ %h %^[%x] "%r" %s %b "%R" "%u"', CLF_DATETIME, False),
    "VCOMMON": Preset('%v:%^ %h %^[%x] "%r" %s %b', CLF_DATETIME, False),
    "TRAEFIKCLF": Preset('%h %^[%x] "%r" %s %b "%R" "%u"', CLF_DATETIME, False),
    "CLOUDSTORAGE": Preset('"%x","%h",%^,%^,"%m","%U","%s",%^,"%b","%D",%^,"%R","%u"', "%f", True),
    "SQUID": Preset("%x.%^ %~%L %h %^/%s %b %m %U", "%s", True),
}

# A field's meaning -> its group name; None: read and ignored.
SPECIFIERS: dict[str, str | None] = {
    "h": "ip",
    "x": "datetime",
    "d": "date",
    "t": "time",
    "r": "request",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "b": "bytes",
    "R": "referrer",
    "u": "user_agent",
    "v": None,  # virtual host
    "e": None,  # authenticated user
    "C": None,  # cache status
    "H": None,  # protocol
    "K": None,  # TLS version
    "k": None,  # TLS cipher
    "M": None,  # MIME type
    "D": None,  # time taken, microseconds
    "T": None,  # time taken, seconds
    "L": None,  # time taken, milliseconds
    "n": None,  # time taken, nanoseconds
    "^": None,  # ignore this field
}
EPOCH_FORMATS = {"%s": 1_000_000, "%*": 1_000, "%f": 1}  # GoAccess: the epoch, in these units
# strftime directives DuckDB's strptime reads, and those we spell out for it.
STRPTIME = set("aAwdbBmyYHIpMSfgzjUW%")
SPELLED = {"T": "%H:%M:%S", "D": "%m/%d/%y", "F": "%Y-%m-%d", "R": "%H:%M", "e": "%-d", "h": "%b"}
QUOTED = r'(?:[^"\\]|\\.)*'  # inside double quotes: a backslash escapes the next character
SPECIAL = set("\\.^$|?*+()[]{}")  # escaped outside a character class (RE2 refuses `\ `)
CLASS_SPECIAL = set("\\]^-[")  # escaped inside one


def _literal(char: str) -> str:
    return f"\\{char}" if char in SPECIAL else char


def _not(chars: str) -> str:
    """A run of characters other than `chars` (and never a line break)."""
    inside = "".join(f"\\{c}" if c in CLASS_SPECIAL else c for c in dict.fromkeys(chars))
    return f"[^{inside}\\n]*"


@dataclass(frozen=True)
class CompiledFormat:
    """A format string as one anchored expression with a named group per field read."""

    source: str
    pattern: str  # RE2 and Python syntax alike
    groups: tuple[str, ...]  # in the order they appear (DuckDB maps names by position)
    timestamp_format: str  # strptime, or one of EPOCH_FORMATS
    utc: bool  # times without an offset are UTC
    xff_separators: str = ""  # the characters between an X-Forwarded-For field's addresses

    @property
    def has_xff(self) -> bool:
        return "xff" in self.groups


# GoAccess's own strings for its presets (src/settings.c): a format written out as one of them is
# that preset, as GoAccess itself decides (get_selected_format_idx).
GOACCESS_STRINGS = {
    '%h %^[%d:%t %^] "%r" %s %b "%R" "%u"': "COMBINED",
    '%v:%^ %h %^[%d:%t %^] "%r" %s %b "%R" "%u"': "VCOMBINED",
    '%h %^[%d:%t %^] "%r" %s %b': "COMMON",
    '%v:%^ %h %^[%d:%t %^] "%r" %s %b': "VCOMMON",
}


def preset_name(spec: str) -> str:
    """The preset a --log-format names or spells out in full, else the format as given."""
    name = spec.strip().upper()
    if name in NATIVE_PRESETS or name in PRESETS:
        return name
    return GOACCESS_STRINGS.get(spec.strip(), spec)


def preset_reader(name: str) -> str | None:
    """The native reader a preset name stands for, if any."""
    return NATIVE_PRESETS.get(name.strip().upper())


def compile_format(
    spec: str,
    date_format: str | None = None,
    time_format: str | None = None,
    datetime_format: str | None = None,
) -> CompiledFormat:
    """A preset name (not one of NATIVE_PRESETS) or a GoAccess format string, compiled."""
    name = spec.strip().upper()
    utc = False
    if name in PRESETS:
        preset = PRESETS[name]
        spec, utc = preset.log_format, preset.utc
        datetime_format = datetime_format or preset.datetime_format
    elif name in NATIVE_PRESETS:
        raise LogFormatSyntaxError(f"{name} is read by spillguard's own reader, not compiled")
    elif "%" not in spec and "~h" not in spec:
        known = ", ".join(sorted({*NATIVE_PRESETS, *PRESETS}))
        raise LogFormatSyntaxError(f"--log-format {spec!r}: not a preset ({known}) nor a format string")
    pattern, groups, separators = _translate(spec)
    _require(spec, groups)
    return CompiledFormat(
        source=spec,
        pattern=pattern,
        groups=groups,
        timestamp_format=_timestamp_format(groups, date_format, time_format, datetime_format),
        utc=utc,
        xff_separators=separators,
    )


def _tokens(spec: str) -> list[tuple[str, str]]:
    """(kind, value): ("field", letter), ("xff", separators), ("skip", ""), ("text", char)."""
    out: list[tuple[str, str]] = []
    i = 0
    text = spec.replace("\\t", "\t")
    while i < len(text):
        char = text[i]
        if char == "%":
            if i + 1 >= len(text):
                raise LogFormatSyntaxError(f"--log-format {spec!r}: ends with a lone %")
            letter = text[i + 1]
            if letter == "%":
                out.append(("text", "%"))
            elif letter == "~":
                out.append(("skip", ""))
            elif letter in SPECIFIERS:
                out.append(("field", letter))
            else:
                raise LogFormatSyntaxError(f"--log-format {spec!r}: unknown specifier %{letter}")
            i += 2
        elif text.startswith("~h", i):
            end = text.find("}", i + 3) if text.startswith("~h{", i) else -1
            if end < 0 or end == i + 3:
                raise LogFormatSyntaxError(
                    f"--log-format {spec!r}: ~h needs its separators in braces, e.g. ~h{{, }}"
                )
            out.append(("xff", text[i + 3 : end]))
            i = end + 1
        else:
            out.append(("text", char))
            i += 1
    return out


def _translate(spec: str) -> tuple[str, tuple[str, ...], str]:
    tokens = _tokens(spec)
    parts = ["^"]
    groups: list[str] = []
    separators = ""
    quoted = False  # inside a pair of double quotes of the format
    for index, (kind, value) in enumerate(tokens):
        if kind == "text":
            if value == '"':
                quoted = not quoted
            parts.append(_literal(value))
            continue
        if kind == "skip":
            parts.append("[ \\t]*")
            continue
        # After %~ a field cannot start with a blank, or the two could share one (backtracking).
        blanks = " \t" if index and tokens[index - 1][0] == "skip" else ""
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following[0] != "text":
            raise LogFormatSyntaxError(
                f"--log-format {spec!r}: two fields with nothing between them "
                f"(after {'~h' if kind == 'xff' else '%' + value})"
            )
        delimiter = following[1] if following else None
        if delimiter is None:
            body = _not(blanks) if blanks else ".*"  # the last field reads to the end of the line
        elif delimiter == '"' and quoted and not blanks:
            body = QUOTED
        else:
            body = _not(delimiter + blanks)
        group = "xff" if kind == "xff" else SPECIFIERS[value]
        if kind == "xff":
            separators = value
        if group is None:
            parts.append(f"(?:{body})")
            continue
        if group in groups:
            raise LogFormatSyntaxError(f"--log-format {spec!r}: %{value} appears twice")
        groups.append(group)
        parts.append(f"(?P<{group}>{body})")
    return "".join(parts), tuple(groups), separators


def _require(spec: str, groups: tuple[str, ...]) -> None:
    missing = []
    if "ip" not in groups and "xff" not in groups:
        missing.append("the client (%h or ~h{, })")
    if "request" not in groups and "path" not in groups:
        missing.append("the request (%r, or %U)")
    if not ({"datetime", "date"} & set(groups)):
        missing.append("the time (%x, or %d and %t)")
    if "status" not in groups:
        missing.append("the status (%s)")
    if missing:
        raise LogFormatSyntaxError(f"--log-format {spec!r}: no field for {', '.join(missing)}")


def _timestamp_format(
    groups: tuple[str, ...], date_format: str | None, time_format: str | None, datetime_format: str | None
) -> str:
    """The format of the time as the SQL assembles it: the %x field, or `date time`."""
    if "datetime" in groups:
        fmt = datetime_format or (date_format if date_format in EPOCH_FORMATS else None)
        if fmt is None:
            if date_format or time_format:
                raise LogFormatSyntaxError(
                    f"%x needs --datetime-format (e.g. {CLF_DATETIME!r}), or an epoch --date-format"
                )
            fmt = CLF_DATETIME
        return fmt if fmt in EPOCH_FORMATS else _strptime(fmt, "--datetime-format")
    date_format = date_format or "%d/%b/%Y"
    if date_format in EPOCH_FORMATS:
        return date_format
    if "time" not in groups:
        return _strptime(date_format, "--date-format")
    return _strptime(f"{date_format} {time_format or '%H:%M:%S'}", "--date-format and --time-format")


def _strptime(fmt: str, option: str) -> str:
    """A strftime format as DuckDB's strptime reads it; one it cannot is an error."""
    out = []
    i = 0
    while i < len(fmt):
        if fmt[i] != "%":
            out.append(fmt[i])
            i += 1
            continue
        flag = "-" if fmt[i + 1 : i + 2] == "-" else ""
        letter = fmt[i + 1 + len(flag) : i + 2 + len(flag)]
        if letter in SPELLED and not flag:
            out.append(SPELLED[letter])
        elif letter in STRPTIME:
            out.append(f"%{flag}{letter}")
        else:
            raise LogFormatSyntaxError(f"{option} {fmt!r}: unsupported directive %{flag}{letter}")
        i += 2 + len(flag)
    return "".join(out)
