"""What values look like: dates, person names, facility names. Shared by the text detector and
the column classifier."""

from __future__ import annotations

import datetime as dt
import functools
import re

from spillguard.detect import gazetteer

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
FACILITY_WORDS = re.compile(
    r"(?i)\b(?:processing center|detention|correctional|county jail|jail|prison|penitentiary"
    r"|justice center|staging facility|residential center|spc|cdf|ipc|facility|institution)\b"
)

# Words that make a capitalised run something other than a person: organisations, places,
# document furniture. Folded (upper-case ASCII).
NOT_NAME_WORDS = frozenset(
    [
        "THE",
        "OF",
        "AND",
        "FOR",
        "IN",
        "ON",
        "AT",
        "TO",
        "BY",
        "WITH",
        "FROM",
        "A",
        "AN",
        "OR",
        "AS",
        "IS",
        "ARE",
        "WAS",
        "WERE",
        "BE",
        "THIS",
        "THAT",
        "THESE",
        "THOSE",
        "DEPARTMENT",
        "OFFICE",
        "AGENCY",
        "BUREAU",
        "SERVICE",
        "SERVICES",
        "CENTER",
        "CENTRE",
        "FACILITY",
        "COUNTY",
        "CITY",
        "STATE",
        "STATES",
        "UNITED",
        "NATIONAL",
        "FEDERAL",
        "HOMELAND",
        "SECURITY",
        "IMMIGRATION",
        "CUSTOMS",
        "ENFORCEMENT",
        "BORDER",
        "PROTECTION",
        "CITIZENSHIP",
        "COURT",
        "COURTS",
        "JUSTICE",
        "PROCESSING",
        "DETENTION",
        "CORRECTIONAL",
        "JAIL",
        "PRISON",
        "INSTITUTION",
        "UNIVERSITY",
        "COLLEGE",
        "SCHOOL",
        "HOSPITAL",
        "CHURCH",
        "BANK",
        "INC",
        "LLC",
        "LTD",
        "CORP",
        "CORPORATION",
        "COMPANY",
        "GROUP",
        "ASSOCIATION",
        "FOUNDATION",
        "COMMITTEE",
        "COUNCIL",
        "BOARD",
        "COMMISSION",
        "PROGRAM",
        "PROGRAMS",
        "REPORT",
        "TABLE",
        "TOTAL",
        "TOTALS",
        "SUMMARY",
        "PAGE",
        "SECTION",
        "CHAPTER",
        "APPENDIX",
        "FIGURE",
        "NOTE",
        "NOTES",
        "FISCAL",
        "YEAR",
        "YEARS",
        "MONTH",
        "WEEK",
        "DAY",
        "DATE",
        "TIME",
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
        "STREET",
        "AVENUE",
        "ROAD",
        "DRIVE",
        "BOULEVARD",
        "NORTH",
        "SOUTH",
        "EAST",
        "WEST",
        "REGION",
        "DISTRICT",
        "FIELD",
        "AREA",
        "AOR",
        "POPULATION",
        "COUNT",
        "COUNTS",
        "NUMBER",
        "AVERAGE",
        "DAILY",
        "PERCENT",
        "RATE",
        "BOOK",
        "BOOKINGS",
        "RELEASE",
        "RELEASES",
        "REMOVAL",
        "REMOVALS",
        "CONTRACT",
        "CONTRACTS",
        "AWARD",
        "BUDGET",
        "AMOUNT",
        "OBLIGATION",
        "VENDOR",
        "PRESS",
        "FREQUENTLY",
        "ASKED",
        "QUESTIONS",
        "ANSWER",
        "QUESTION",
        "ACT",
        "LAW",
        "POLICY",
        "FAQ",
        "INFORMATION",
        "CONTACT",
        "PHONE",
        "EMAIL",
        "FAX",
        "ADDRESS",
        "DIRECTOR",
        "SECRETARY",
        "ACTING",
        "DEPUTY",
        "ASSISTANT",
        "CHIEF",
        "COMMISSIONER",
        "SENATOR",
        "GOVERNOR",
        "PRESIDENT",
        "JUDGE",
        "HONORABLE",
        "MAYOR",
        "SPOKESPERSON",
        "ADMINISTRATOR",
        "OFFICER",
        "MANAGER",
        "STAFF",
        "TEAM",
        "DIVISION",
        "UNIT",
        "ICE",
        "CBP",
        "USCIS",
        "DHS",
        "EOIR",
        "DOJ",
        "ERO",
        "HSI",
        "FBI",
        "US",
        "USA",
        "NEW",
        "SAN",
        "SANTA",
        "LOS",
        "LAS",
        "EL",
        "FORT",
        "MOUNT",
        "SAINT",
        "ST",
        "REPUBLIC",
        "KINGDOM",
        "PEOPLES",
        "DEMOCRATIC",
        "ISLANDS",
        "ISLAND",
        "GULF",
        "RIVER",
        "LAKE",
        "VALLEY",
        "PARK",
        "MOUNTAIN",
        "GENERAL",
        "PUBLIC",
        "PRIVATE",
        "INTERNATIONAL",
        "WORLD",
        "GLOBAL",
        "ANNUAL",
        "QUARTERLY",
        "WEEKLY",
        "STATISTICS",
        "DATA",
        "APT",
        "APARTMENT",
        "SUITE",
        "STE",
        "UNIT",
        "FLOOR",
        "BLDG",
        "BUILDING",
        "ROOM",
        "SSN",
        "DOB",
        "ID",
        "AKA",
        "SPONSOR",
        "RE",
        "SUBJECT",
        "RECEIPT",
        "PASSPORT",
        "NATIONALITY",
        "BIRTH",
        "ALIEN",
        "UNKNOWN",
        "OTHER",
        "NONE",
        "YES",
        "NO",
        "MALE",
        "FEMALE",
        "ADULT",
        "ADULTS",
        "FAMILY",
        "FAMILIES",
        "MINOR",
        "MINORS",
        "CHILDREN",
    ]
)
# Words before a name that say the person is a public official speaking in that role.
OFFICIAL_TITLES = re.compile(
    r"(?i)\b(?:secretary|director|commissioner|senator|representative|rep\.|sen\.|governor|"
    r"president|vice president|mayor|judge|justice|honorable|hon\.|ambassador|minister|"
    r"chief|deputy|acting|administrator|spokesperson|spokesman|spokeswoman|press secretary|"
    r"attorney general|officer|sheriff|chairman|chairwoman|chair|superintendent|warden)\.?\s*$"
)
PERSON_CUES_BEFORE = re.compile(
    r"(?i)\b(?:mr|ms|mrs|miss|sr|sra|srta|dr|respondent|detainee|applicant|petitioner|beneficiary|"
    r"client|claimant|defendant|inmate|noncitizen|migrant|asylee|refugee|named|name|nombre|son|"
    r"daughter|wife|husband|mother|father|brother|sister|minor|child|dear|individual|patient|"
    r"passenger|plaintiff|decedent|victim|witness)\b\.?[,:]?\s*$"
)
PERSON_CUES_AFTER = re.compile(
    r"(?i)^\s*[,(]?\s*(?:born|age|aged|a native|a citizen|a national|who was|was detained|"
    r"was arrested|was removed|was deported|was released|was booked|a#|a-|dob|d\.o\.b|\(a)"
)
NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_]))*\.?")
PARTICLES = frozenset(
    {
        "DE",
        "DEL",
        "LA",
        "LAS",
        "LOS",
        "DA",
        "DOS",
        "DAS",
        "VAN",
        "VON",
        "DER",
        "BIN",
        "BEN",
        "AL",
        "EL",
        "DI",
        "DU",
        "LE",
        "Y",
        "E",
        "ABU",
        "IBN",
        "MAC",
        "ST",
    }
)
MAX_NAME_LENGTH = 80
NOT_IN_NAMES = re.compile(r"[\d@/&:;()\[\]{}<>=+*#$%]")  # digits and symbols no name is written with


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


def birth_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a living person's birth date can fall in: the last 120 years."""
    today = today or dt.date.today()
    return dt.date(today.year - 120, 1, 1), today


def plausible_birth(date: dt.date, today: dt.date | None = None) -> bool:
    earliest, latest = birth_range(today)
    return earliest <= date <= latest


def name_tokens(value: str) -> list[str]:
    return NAME_TOKEN.findall(value)


def capitalised(token: str) -> bool:
    """Starts with a capital, or is written in a script without case (Arabic, Persian, Hindi,
    Chinese), where every word may be a name."""
    first = token[0]
    return first.isupper() or (first.isalpha() and first.lower() == first.upper())


def looks_like_name(value: str, single_ok: bool = False) -> bool:
    """The shape of a person's name: letters only, 2 to 6 words (1 if `single_ok`, for first-
    and last-name columns), at most one comma, and no organisation or place words."""
    text = value.strip()
    if not text or len(text) > MAX_NAME_LENGTH or NOT_IN_NAMES.search(text) or text.count(",") > 1:
        return False
    tokens = name_tokens(text)
    if not (1 if single_ok else 2) <= len(tokens) <= 6:
        return False
    folded = [gazetteer.fold(t) for t in tokens]
    if any(t in NOT_NAME_WORDS and t not in PARTICLES for t in folded):
        return False
    # Names are capitalised (or all capitals); lower-case words other than particles say prose.
    if not all(capitalised(t) or f in PARTICLES for t, f in zip(tokens, folded, strict=True)):
        return False
    return not gazetteer.is_country(text)  # "Hong Kong", "Costa Rica" are not people


def gazetteer_support(value: str) -> int:
    """How many words of `value` are known first names or surnames (0 for never-seen names)."""
    firsts, lasts = gazetteer.first_names(), gazetteer.surnames()
    return sum(1 for t in name_tokens(value) if (f := gazetteer.fold(t)) in firsts or f in lasts)


def normalise_name(value: str) -> str:
    """`GARCIA LOPEZ, Maria` and `Maria Garcia Lopez` both -> `GARCIA LOPEZ MARIA` (sorted words),
    for counting distinct people."""
    return " ".join(sorted(gazetteer.fold(value).split()))
