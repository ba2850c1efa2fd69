"""Dates as people and rosters write them, and which of them can be a living person's birth date.
Shared by the text detector and the column classifier."""

from __future__ import annotations

import datetime as dt
import functools
import re

MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC"
DATE = re.compile(
    r"(?<![\d/-])(?:"
    r"(?P<iso>(?:19|20)\d{2}-\d{1,2}-\d{1,2})"
    r"|(?P<us>\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2}))"
    r"|(?P<dmy>\d{1,2}[ -](?i:" + MONTHS + r")[a-z]*\.?[ ,-]+\d{2,4})"
    r"|(?P<mdy>(?i:" + MONTHS + r")[a-z]*\.? \d{1,2},? \d{4})"
    r")(?![\d/])"
)
BIRTH_WORDS = re.compile(
    r"(?i)\b(?:born|birth|dob|d\.o\.b|b\.|nacimiento|nacido|nacida|birthdate|birthday)\b"
)


def parse_date(text: str) -> dt.date | None:
    """A calendar date from the common spellings, or None. Two-digit years pivot at 30."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        # ISO, the form every workbook date cell arrives in: no regex needed.
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return _parse_date_spelled(text)


@functools.lru_cache(maxsize=65_536)  # a column of birth dates in one spelling repeats days
def _parse_date_spelled(text: str) -> dt.date | None:
    match = DATE.search(text)
    if not match:
        return None
    value = match.group(0)
    try:
        if match.group("iso"):
            y, m, d = (int(p) for p in value.split("-"))
            return dt.date(y, m, d)
        if match.group("us"):
            a, b, y = (int(p) for p in re.split(r"[/-]", value))
            y = y + (1900 if y >= 30 else 2000) if y < 100 else y
            return dt.date(y, a, b) if a <= 12 else dt.date(y, b, a)
        for fmt in (
            "%d %b %Y",
            "%d-%b-%Y",
            "%d %B %Y",
            "%b %d, %Y",
            "%B %d, %Y",
            "%b %d %Y",
            "%B %d %Y",
            "%d-%b-%y",
        ):
            try:
                return dt.datetime.strptime(
                    value.replace(".", "").replace(",", ", ").replace(",  ", ", ").strip(), fmt
                ).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


LIVING_YEARS = 120
# Under a title that says "born" a date is a birth date however old: a list of presidents or of
# historical figures is still a list of people with their birth dates.
EARLIEST_HEADED = dt.date(1000, 1, 1)


def birth_range(today: dt.date | None = None, headed: bool = False) -> tuple[dt.date, dt.date]:
    """The dates a birth date can fall in: the last 120 years (a living person), or any past
    date since the year 1000 where a header says the column is birth dates."""
    today = today or dt.date.today()
    return (EARLIEST_HEADED if headed else dt.date(today.year - LIVING_YEARS, 1, 1)), today


def plausible_birth(date: dt.date, today: dt.date | None = None, headed: bool = False) -> bool:
    earliest, latest = birth_range(today, headed)
    return earliest <= date <= latest
