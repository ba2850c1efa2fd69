"""Instants in and out: every time spillguard stores or prints is UTC ISO 8601 with a Z.

Inputs may carry any offset. A time without one is ambiguous (the agency's local time? the
server's?), so it is refused unless the caller names the zone it is in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spillguard.errors import UserError


class TimeError(UserError, ValueError):
    """An instant or a zone that cannot be read; the message says which and why."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name` (`Europe/Berlin`, `UTC`), or a TimeError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeError(f"unknown time zone {name!r} (use an IANA name like 'America/New_York')") from exc


def parse_instant(text: str, tz: str | None = None) -> datetime:
    """`text` as an aware UTC datetime; naive text is read in `tz` or refused."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
    except ValueError as exc:
        raise TimeError(f"cannot read time {text!r} (use ISO 8601, e.g. 2022-11-28T14:05:00Z)") from exc
    if value.tzinfo is None:
        if tz is None:
            raise TimeError(f"time {text!r} has no offset: add one (Z, +01:00) or give --tz")
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)


def iso_z(value: datetime) -> str:
    """UTC ISO 8601 with a Z, to the second unless there are microseconds to show."""
    utc = value.astimezone(UTC)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def from_epoch_us(micros: int) -> datetime:
    """An aware UTC datetime from microseconds since the epoch (how DuckDB hands times over)."""
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


def to_epoch_us(value: datetime) -> int:
    return round(value.timestamp() * 1_000_000)
