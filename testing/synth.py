"""Labelled synthetic documents for tests and benchmarks: detainee rosters and routine files.

Everything here is invented. Names come from Faker across many locales plus
`synthetic_name`, which builds names from random syllables, so the scanner is measured on
names it has never seen: the scanner must never be built from these generators' lists.

Faker and the document writers (openpyxl, python-docx, python-pptx, reportlab, odfpy) are
dev dependencies, so they are imported inside the functions that use them.

    labels = build_corpus("corpus/", seed=7)   # writes corpus/files/..., corpus/labels.json

A `Label` says what a correct scanner reports for one file: whether it must block, how many
rows or passages carry a protected person (`person_records`), how many distinct people
(`individuals`), in which layer they hide, and expected counts by finding kind (`kinds`).
`benign` counts mentions a scanner may report without being wrong (an official's name in a
press release, a sample A-number in an FAQ): they bound false positives, nothing more.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import html
import io
import json
import random
import re
import tarfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

KINDS: tuple[str, ...] = (
    "a_number",
    "person_name",
    "date_of_birth",
    "nationality",
    "detention_facility",
    "ssn",
    "passport_number",
    "phone_number",
    "email_address",
    "street_address",
    "immigration_case_number",
)

# The 2022 spill: 6,525 rows listing 6,252 people.
LEAK_PEOPLE = 6252
LEAK_ROWS = 6525

CellValue = str | int | dt.date

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ʼ": "", "'": "",
}  # fmt: skip

_ONSETS = (*"bdfghklmnprstvzy", "ch", "sh", "kr", "tr", "br", "dr", "")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou", "ei")
_CODAS = ("", "", "", "n", "r", "s", "l", "z", "k", "m")


def transliterate_cyrillic(text: str) -> str:
    """Russian/Ukrainian Cyrillic to plain Latin letters, keeping capitalisation."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in CYRILLIC_TO_LATIN:
            latin = CYRILLIC_TO_LATIN[low]
            out.append(latin.capitalize() if ch.isupper() else latin)
        else:
            out.append(ch)
    return "".join(out)


def to_ascii(text: str) -> str:
    """Fold accents the way agency systems do: `Lopez` for `López`, `Ozturk` for `Öztürk`."""
    text = transliterate_cyrillic(text).replace("ı", "i").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_latin(text: str) -> bool:
    return to_ascii(text).isascii() and not any("CYRILLIC" in unicodedata.name(c, "") for c in text)


def _syllables(rng: random.Random, low: int, high: int) -> str:
    word = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(low, high))
    )
    return word.capitalize()


def synthetic_name_parts(rng: random.Random) -> tuple[str, str]:
    """(given, family) made of random syllables: names no list anywhere contains."""
    given = _syllables(rng, 2, 3)
    family = _syllables(rng, 2, 4)
    return given, family


def synthetic_name(rng: random.Random) -> str:
    """A never-seen name in roster form, e.g. `KOVRANEZ, TELUMI`."""
    given, family = synthetic_name_parts(rng)
    return f"{family.upper()}, {given.upper()}"


# --------------------------------------------------------------------------------------------
# Countries, facilities, identifiers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    key: str
    agency: str  # as agency systems spell it: "CHINA, PEOPLES REPUBLIC OF"
    title: str
    demonym: str


COUNTRIES: dict[str, Country] = {
    c.key: c
    for c in (
        Country("mexico", "MEXICO", "Mexico", "Mexican"),
        Country("guatemala", "GUATEMALA", "Guatemala", "Guatemalan"),
        Country("honduras", "HONDURAS", "Honduras", "Honduran"),
        Country("el_salvador", "EL SALVADOR", "El Salvador", "Salvadoran"),
        Country("nicaragua", "NICARAGUA", "Nicaragua", "Nicaraguan"),
        Country("cuba", "CUBA", "Cuba", "Cuban"),
        Country("venezuela", "VENEZUELA", "Venezuela", "Venezuelan"),
        Country("colombia", "COLOMBIA", "Colombia", "Colombian"),
        Country("ecuador", "ECUADOR", "Ecuador", "Ecuadorian"),
        Country("peru", "PERU", "Peru", "Peruvian"),
        Country("dominican", "DOMINICAN REPUBLIC", "Dominican Republic", "Dominican"),
        Country("brazil", "BRAZIL", "Brazil", "Brazilian"),
        Country("haiti", "HAITI", "Haiti", "Haitian"),
        Country("russia", "RUSSIA", "Russia", "Russian"),
        Country("ukraine", "UKRAINE", "Ukraine", "Ukrainian"),
        Country("kazakhstan", "KAZAKHSTAN", "Kazakhstan", "Kazakhstani"),
        Country("china", "CHINA, PEOPLES REPUBLIC OF", "China", "Chinese"),
        Country("india", "INDIA", "India", "Indian"),
        Country("pakistan", "PAKISTAN", "Pakistan", "Pakistani"),
        Country("bangladesh", "BANGLADESH", "Bangladesh", "Bangladeshi"),
        Country("iran", "IRAN", "Iran", "Iranian"),
        Country("afghanistan", "AFGHANISTAN", "Afghanistan", "Afghan"),
        Country("nigeria", "NIGERIA", "Nigeria", "Nigerian"),
        Country("ghana", "GHANA", "Ghana", "Ghanaian"),
        Country("senegal", "SENEGAL", "Senegal", "Senegalese"),
        Country("mauritania", "MAURITANIA", "Mauritania", "Mauritanian"),
        Country("cameroon", "CAMEROON", "Cameroon", "Cameroonian"),
        Country("algeria", "ALGERIA", "Algeria", "Algerian"),
        Country("morocco", "MOROCCO", "Morocco", "Moroccan"),
        Country("syria", "SYRIA", "Syria", "Syrian"),
        Country("iraq", "IRAQ", "Iraq", "Iraqi"),
        Country("yemen", "YEMEN", "Yemen", "Yemeni"),
        Country("turkey", "TURKEY", "Turkey", "Turkish"),
        Country("jamaica", "JAMAICA", "Jamaica", "Jamaican"),
        Country("liberia", "LIBERIA", "Liberia", "Liberian"),
    )
}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a name comes from: a Faker locale (or a recipe on top of one) and the countries
    people with such names are listed as nationals of."""

    key: str
    locale: str
    weight: float
    countries: tuple[str, ...]
    double_surname: bool = False
    script: Literal["latin", "cyrillic_mixed", "native", "romanized"] = "latin"


ORIGINS: tuple[Origin, ...] = (
    Origin("es_MX", "es_MX", 14, ("mexico", "guatemala", "honduras", "el_salvador"), True),
    Origin("es_CO", "es_CO", 8, ("colombia", "venezuela", "ecuador", "peru"), True),
    Origin("es_ES", "es_ES", 6, ("cuba", "nicaragua", "dominican", "honduras"), True),
    Origin("pt_BR", "pt_BR", 5, ("brazil",)),
    Origin("ht", "fr_FR", 6, ("haiti",)),
    Origin("fr_FR", "fr_FR", 3, ("senegal", "cameroon", "haiti")),
    Origin("ru_RU", "ru_RU", 6, ("russia", "kazakhstan"), script="cyrillic_mixed"),
    Origin("uk_UA", "uk_UA", 3, ("ukraine",), script="cyrillic_mixed"),
    Origin("zh_CN", "zh_CN", 6, ("china",), script="romanized"),
    Origin("hi_IN", "en_IN", 5, ("india",)),
    Origin("hi_IN_native", "hi_IN", 1, ("india",), script="native"),
    Origin("en_PK", "en_PK", 4, ("pakistan", "bangladesh", "afghanistan")),
    Origin("fa_IR", "fa_IR", 2, ("iran", "afghanistan"), script="native"),
    Origin("ar_AA", "ar_AA", 2, ("syria", "iraq", "yemen"), script="native"),
    Origin("fr_DZ", "fr_DZ", 3, ("algeria", "morocco", "mauritania")),
    Origin("en_NG", "en_NG", 4, ("nigeria", "ghana", "liberia")),
    Origin("tr_TR", "tr_TR", 2, ("turkey",)),
    Origin("en_US", "en_US", 3, ("jamaica", "liberia")),
    Origin("synthetic", "", 11, tuple(COUNTRIES)),
)  # fmt: skip

RECEIPT_PREFIXES = ("EAC", "WAC", "LIN", "SRC", "NBC", "MSC", "IOE")
# Area codes in service (NANPA), where the invented people's and offices' phones are: a phone
# number is only found where it could be dialled (area 299 or exchange 155 exist nowhere).
AREA_CODES = ("202", "210", "212", "213", "305", "312", "404", "415", "512", "602", "619", "713", "718",
              "786", "832", "915", "956")  # fmt: skip


def us_phone(fake: Any) -> str:
    """An invented North American number that could be dialled: an area code in service, an
    exchange 200-999 other than 555 (fiction and directory services). Drawn from ten random
    digits as before, so the rest of a generated corpus stays what it was."""
    drawn = fake.numerify("##########")
    area = AREA_CODES[int(drawn[:3]) % len(AREA_CODES)]
    exchange = 200 + int(drawn[3:6]) % 799
    return f"({area}) {exchange + (exchange >= 555)}-{drawn[6:]}"


FACILITY_PATTERNS = (
    "{town} ICE Processing Center",
    "{town} Processing Center",
    "{town} Service Processing Center",
    "{county} County Jail",
    "{county} County Detention Center",
    "{town} Detention Facility",
    "{town} Correctional Center",
    "{town} Family Residential Center",
    "{town} Contract Detention Facility",
)


def invent_place(rng: random.Random) -> str:
    """A town name that exists nowhere: `Varoleta`, `North Kembriz`, `Drousand Springs`."""
    base = _syllables(rng, 2, 3)
    roll = rng.random()
    if roll < 0.15:
        return f"{rng.choice(('North', 'South', 'East', 'West', 'Port', 'Lake'))} {base}"
    if roll < 0.3:
        return f"{base} {rng.choice(('Springs', 'Valley', 'Falls', 'Ridge', 'Flats'))}"
    return base


def invent_facility(rng: random.Random) -> str:
    pattern = rng.choice(FACILITY_PATTERNS)
    return pattern.format(town=invent_place(rng), county=_syllables(rng, 2, 3))


def invent_facilities(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = invent_facility(rng)
        if name not in out:
            out.append(name)
    return out


A_NUMBER_STYLES = ("A{d}", "A-{a}-{b}-{c}", "A# {a} {b} {c}", "A{a}-{b}-{c}", "A {d}", "{d}")


def format_a_number(digits: str, style: str) -> str:
    """Render a 9-digit A-number: `A212345622`, `A-212-345-622`, `A# 212 345 622`, bare."""
    return style.format(d=digits, a=digits[:3], b=digits[3:6], c=digits[6:])


DATE_STYLES = ("%m/%d/%Y", "%Y-%m-%d", "%d-%b-%Y", "%m/%d/%Y", "native")


def format_date(day: dt.date, style: str) -> str:
    return day.isoformat() if style == "native" else day.strftime(style)


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """One invented detained person. `a_number` is 9 digits; formats are chosen per file."""

    given: str
    family: str
    origin: str
    a_number: str
    date_of_birth: dt.date
    country: str  # key into COUNTRIES
    facility: str
    book_in: dt.date
    case_number: str  # a USCIS-style receipt number
    sex: str
    passport_number: str
    ssn: str | None = None
    phone: str | None = None
    email: str | None = None
    street_address: str | None = None

    @property
    def latin(self) -> bool:
        return is_latin(self.given + self.family)

    def name_upper(self) -> str:
        """`GARCIA LOPEZ, MARIA JOSE` (accents folded, as agency systems print)."""
        text = f"{self.family}, {self.given}"
        return (to_ascii(text) if self.latin else text).upper()

    def name_title(self) -> str:
        """`Maria José García López`."""
        return f"{self.given} {self.family}"

    @property
    def roster_name(self) -> str:
        """`FAMILY, GIVEN` exactly as held (the fixed-table people are already upper case)."""
        return f"{self.family}, {self.given}"

    @property
    def born(self) -> dt.date:
        """The date of birth (the name the unit tests use)."""
        return self.date_of_birth

    def nationality(self, style: str) -> str:
        country = COUNTRIES[self.country]
        return {"agency": country.agency, "title": country.title}.get(style, country.demonym)


class PeopleFactory:
    """Invents people reproducibly from a seed; A-numbers never repeat within one factory."""

    def __init__(self, seed: int, facilities: Sequence[str] | None = None) -> None:
        self.rng = random.Random(seed)
        self.facilities = list(facilities) if facilities else invent_facilities(self.rng, 24)
        self._fakers: dict[str, Any] = {}
        self._used_a_numbers: set[str] = set()
        self._origin_weights = [o.weight for o in ORIGINS]

    def faker(self, locale: str) -> Any:
        if locale not in self._fakers:
            from faker import Faker

            fake = Faker(locale)
            fake.seed_instance(self.rng.randrange(2**31))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def name(self, origin: Origin, sex: str) -> tuple[str, str]:
        if origin.key == "synthetic":
            return synthetic_name_parts(self.rng)
        fake = self.faker(origin.locale)
        if origin.script == "romanized":
            return fake.first_romanized_name(), fake.last_romanized_name()
        if origin.key == "ht":
            return self._haitian_name(fake, sex)
        given = fake.first_name_male() if sex == "M" else fake.first_name_female()
        family = fake.last_name()
        if origin.double_surname and self.rng.random() < 0.6:
            family = f"{family} {fake.last_name()}"
        if origin.double_surname and self.rng.random() < 0.25:
            given = f"{given} {fake.first_name_male() if sex == 'M' else fake.first_name_female()}"
        if origin.script == "cyrillic_mixed" and self.rng.random() < 0.8:
            given, family = transliterate_cyrillic(given), transliterate_cyrillic(family)
        return given, family

    def _haitian_name(self, fake: Any, sex: str) -> tuple[str, str]:
        # Haitian Creole naming: compound given names and surnames that are French given names.
        given = fake.first_name_male() if sex == "M" else fake.first_name_female()
        if self.rng.random() < 0.35:
            given = f"{given}-{fake.first_name_male() if sex == 'M' else fake.first_name_female()}"
        family = fake.first_name_male() if self.rng.random() < 0.5 else fake.last_name()
        if self.rng.random() < 0.2:
            family = f"{family}-{fake.first_name_male()}"
        return given, family

    def a_number(self) -> str:
        while True:
            digits = f"{self.rng.randrange(10_000_000, 250_000_000):09d}"
            if digits not in self._used_a_numbers:
                self._used_a_numbers.add(digits)
                return digits

    def person(self) -> Person:
        rng = self.rng
        origin = rng.choices(ORIGINS, weights=self._origin_weights)[0]
        sex = rng.choice("MF")
        given, family = self.name(origin, sex)
        dob = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 20_500))
        book_in = dt.date(2022, 1, 3) + dt.timedelta(days=rng.randrange(0, 325))
        receipt = f"{rng.choice(RECEIPT_PREFIXES)}{rng.randrange(21, 23)}{rng.randrange(10**8):08d}"
        passport = f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randrange(10**7, 10**8)}"
        return Person(
            given=given,
            family=family,
            origin=origin.key,
            a_number=self.a_number(),
            date_of_birth=dob,
            country=rng.choice(origin.countries),
            facility=rng.choice(self.facilities),
            book_in=book_in,
            case_number=receipt,
            sex=sex,
            passport_number=passport,
        )

    def with_contacts(self, person: Person) -> Person:
        """Add a sponsor-style SSN, phone, email and street address (all invented)."""
        fake = self.faker("en_US")
        local = to_ascii(person.given.split()[0] + "." + person.family.split()[0]).lower()
        local = re.sub(r"[^a-z.]", "", local) or "contact"
        return replace(
            person,
            ssn=fake.ssn(),
            phone=us_phone(fake),
            email=f"{local}{self.rng.randrange(10, 99)}@{fake.free_email_domain()}",
            street_address=f"{fake.street_address()}, {fake.city()}, {fake.state_abbr()} {fake.zipcode()}",
        )

    def people(self, n: int, duplicate_share: float = 0.0) -> list[Person]:
        distinct = [self.person() for _ in range(n)]
        return with_duplicates(distinct, duplicate_share, self.rng, self.facilities)


def with_duplicates(
    people: list[Person],
    share: float,
    rng: random.Random,
    facilities: Sequence[str] = (),
) -> list[Person]:
    """List some people twice, as rosters do after transfers: about half of the repeats show
    another facility and book-in date (same person, same A-number), the rest are exact repeats.
    `share` is repeats per distinct person: 273/6252 turns 6,252 people into 6,525 rows."""
    repeats = round(len(people) * share)
    rows = list(people)
    for person in rng.sample(people, repeats):
        if rng.random() < 0.5:
            moved = person.book_in + dt.timedelta(days=rng.randrange(1, 40))
            others = [f for f in facilities if f != person.facility] or [person.facility]
            person = replace(person, facility=rng.choice(others), book_in=moved)
        rows.insert(rng.randrange(len(rows) + 1), person)
    return rows


def make_people(n: int, seed: int, duplicate_share: float = 0.0) -> list[Person]:
    """`n` distinct invented people, plus `round(n * duplicate_share)` repeated rows."""
    return PeopleFactory(seed).people(n, duplicate_share)


def leak_sized_people(seed: int = 2022) -> list[Person]:
    """6,525 rows listing 6,252 people: the size of the 2022 spill."""
    return make_people(LEAK_PEOPLE, seed, (LEAK_ROWS - LEAK_PEOPLE) / LEAK_PEOPLE)


def individuals(people: Iterable[Person]) -> int:
    return len({p.a_number for p in people})


# --------------------------------------------------------------------------------------------
# Roster tables
# --------------------------------------------------------------------------------------------

COLUMN_KIND: dict[str, str | None] = {
    "name": "person_name",
    "last": "person_name",  # last+first count as one name per row
    "first": None,
    "a_number": "a_number",
    "dob": "date_of_birth",
    "nationality": "nationality",
    "facility": "detention_facility",
    "book_in": None,
    "case_number": "immigration_case_number",
    "sex": None,
    "ssn": "ssn",
    "passport": "passport_number",
    "phone": "phone_number",
    "email": "email_address",
    "address": "street_address",
}

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("Name", "Detainee Name", "Full Name", "NAME", "Subject Name"),
    "last": ("Last Name", "LAST_NAME", "Surname"),
    "first": ("First Name", "FIRST_NAME", "Given Name"),
    "a_number": ("A-Number", "A Number", "Alien Number", "A#", "ANUM"),
    "dob": ("DOB", "Date of Birth", "Birth Date", "BIRTH_DT"),
    "nationality": ("Nationality", "Citizenship", "Country of Citizenship", "CITIZENSHIP"),
    "facility": ("Facility", "Detention Facility", "Current Location", "Detention Location"),
    "book_in": ("Book-In Date", "Book In Date", "Initial Book In"),
    "case_number": ("Receipt Number", "Case Number", "Receipt #"),
    "sex": ("Sex", "Gender"),
    "ssn": ("SSN", "Sponsor SSN"),
    "passport": ("Passport No.", "Passport Number"),
    "phone": ("Phone", "Sponsor Phone", "Contact Number"),
    "email": ("Email", "Sponsor Email"),
    "address": ("Address", "Sponsor Address", "Release Address"),
}

BASE_COLUMNS = ("name", "a_number", "dob", "nationality", "facility", "book_in")
LEAK_COLUMNS = BASE_COLUMNS


@dataclass(frozen=True, slots=True)
class RosterStyle:
    """How one file prints its people; chosen once per file so columns stay consistent."""

    columns: tuple[str, ...] = LEAK_COLUMNS
    headers: tuple[str, ...] = (
        "Name",
        "A-Number",
        "DOB",
        "Nationality",
        "Facility",
        "Book-In Date",
    )
    name: Literal["upper", "title"] = "upper"
    a_number: str = "A{d}"
    dates: str = "%m/%d/%Y"
    nationality: str = "agency"
    header: bool = True


def random_style(
    rng: random.Random,
    *,
    columns: Sequence[str] | None = None,
    header: bool = True,
    native_dates: bool = True,
) -> RosterStyle:
    if columns is None:
        columns = list(BASE_COLUMNS)
        if rng.random() < 0.3:
            columns[0:1] = ["last", "first"]
        for extra in ("case_number", "sex"):
            if rng.random() < 0.25:
                columns.append(extra)
        if rng.random() < 0.2:
            columns.remove("facility")
        if rng.random() < 0.3:
            rng.shuffle(columns)
    a_styles = A_NUMBER_STYLES if header else A_NUMBER_STYLES[:-1]  # bare digits need a header
    date_styles = DATE_STYLES if native_dates else DATE_STYLES[:-1]
    return RosterStyle(
        columns=tuple(columns),
        headers=tuple(rng.choice(HEADER_WORDS[c]) for c in columns),
        name=rng.choice(("upper", "upper", "title")),
        a_number=rng.choice(a_styles),
        dates=rng.choice(date_styles),
        nationality=rng.choice(("agency", "agency", "title", "demonym")),
        header=header,
    )


def person_cell(person: Person, column: str, style: RosterStyle) -> CellValue:
    if column == "name":
        return person.name_upper() if style.name == "upper" else person.name_title()
    if column in ("last", "first"):
        part = person.family if column == "last" else person.given
        return (to_ascii(part).upper() if person.latin else part) if style.name == "upper" else part
    if column == "a_number":
        return format_a_number(person.a_number, style.a_number)
    if column in ("dob", "book_in"):
        day = person.date_of_birth if column == "dob" else person.book_in
        return day if style.dates == "native" else format_date(day, style.dates)
    simple: dict[str, str | None] = {
        "nationality": person.nationality(style.nationality),
        "facility": person.facility,
        "case_number": person.case_number,
        "sex": person.sex,
        "ssn": person.ssn,
        "passport": person.passport_number,
        "phone": person.phone,
        "email": person.email,
        "address": person.street_address,
    }
    return simple[column] or ""


def roster_rows(people: Sequence[Person], style: RosterStyle) -> list[list[CellValue]]:
    """Header (when the style has one) then one row per listed person."""
    rows: list[list[CellValue]] = [list(style.headers)] if style.header else []
    rows.extend([person_cell(p, c, style) for c in style.columns] for p in people)
    return rows


def roster_kinds(n_rows: int, style: RosterStyle) -> dict[str, int]:
    counts: dict[str, int] = {}
    for column in style.columns:
        kind = COLUMN_KIND[column]
        if kind:
            counts[kind] = counts.get(kind, 0) + n_rows
    return counts


def cell_text(value: CellValue) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def rows_text(rows: Iterable[Sequence[CellValue]], sep: str = "\t") -> str:
    return "\n".join(sep.join(cell_text(v) for v in row) for row in rows)


# --------------------------------------------------------------------------------------------
# Prose about people
# --------------------------------------------------------------------------------------------

# Each template names the kinds it carries, so labels count them without parsing text back.
PROSE_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "The respondent, {title} ({a_dash}), born {dob}, a native and citizen of "
        "{country_title}, is currently detained at the {facility}.",
        ("person_name", "a_number", "date_of_birth", "nationality", "detention_facility"),
    ),
    (
        "{upper} {a_plain} DOB {dob} {agency} - booked into {facility} on {book_in}.",
        ("person_name", "a_number", "date_of_birth", "nationality", "detention_facility"),
    ),
    (
        "Re: {title}, A# {a_dash_bare}. Date of birth: {dob}. Nationality: {demonym}. Receipt number {case}.",
        ("person_name", "a_number", "date_of_birth", "nationality", "immigration_case_number"),
    ),
    (
        "On {book_in}, {title}, a {demonym} national born on {dob_long}, was transferred to "
        "the {facility} (A-number {a_bare}).",
        ("person_name", "a_number", "date_of_birth", "nationality", "detention_facility"),
    ),
    (
        "Detainee {title} (DOB {dob}) of {country_title}; alien registration number {a_plain}.",
        ("person_name", "a_number", "date_of_birth", "nationality"),
    ),
    (
        "Ms./Mr. {family} ({a_dash}) presented passport no. {passport} issued by "
        "{country_title} and was released to the {facility}.",
        ("person_name", "a_number", "passport_number", "nationality", "detention_facility"),
    ),
)


def prose_passage(person: Person, rng: random.Random) -> tuple[str, dict[str, int]]:
    """One sentence or two about one person, and the kinds it mentions."""
    template, kinds = rng.choice(PROSE_TEMPLATES)
    country = COUNTRIES[person.country]
    date_style = rng.choice(DATE_STYLES[:-1])
    text = template.format(
        title=person.name_title(),
        upper=person.name_upper(),
        family=person.family,
        a_dash=format_a_number(person.a_number, "A-{a}-{b}-{c}"),
        a_dash_bare=f"{person.a_number[:3]}-{person.a_number[3:6]}-{person.a_number[6:]}",
        a_plain=format_a_number(person.a_number, "A{d}"),
        a_bare=person.a_number,
        dob=format_date(person.date_of_birth, date_style),
        dob_long=long_date(person.date_of_birth),
        book_in=format_date(person.book_in, date_style),
        country_title=country.title,
        agency=country.agency,
        demonym=country.demonym,
        facility=person.facility,
        case=person.case_number,
        passport=person.passport_number,
    )
    return text, dict.fromkeys(kinds, 1)


def add_counts(total: dict[str, int], more: Mapping[str, int]) -> dict[str, int]:
    for kind, n in more.items():
        total[kind] = total.get(kind, 0) + n
    return total


def prose_passages(people: Sequence[Person], rng: random.Random) -> tuple[list[str], dict[str, int]]:
    texts: list[str] = []
    kinds: dict[str, int] = {}
    for person in people:
        text, found = prose_passage(person, rng)
        texts.append(text)
        add_counts(kinds, found)
    return texts, kinds


# --------------------------------------------------------------------------------------------
# Writers: spreadsheets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One worksheet. Hidden rows are 1-based; hidden columns 0-based indices."""

    name: str
    rows: Sequence[Sequence[CellValue]]
    state: Literal["visible", "hidden", "veryHidden"] = "visible"
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    comments: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based


def write_xlsx(
    path: Path | str,
    sheets: Sequence[Sheet],
    *,
    properties: Mapping[str, str] | None = None,
    defined_names: Mapping[str, str] | None = None,
) -> None:
    """Write a workbook with openpyxl. `defined_names` maps name -> formula text, so a
    constant like `"GARCIA, ANA A212345622"` sits in the workbook's names, not in a cell."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for row in spec.rows:
            ws.append(list(row))
        for r in spec.hidden_rows:
            ws.row_dimensions[r].hidden = True
        for c in spec.hidden_columns:
            ws.column_dimensions[get_column_letter(c + 1)].hidden = True
        for (r, c), text in spec.comments.items():
            ws.cell(row=r, column=c).comment = Comment(text, "Data Unit")
        for cell in (c for row in ws.iter_rows() for c in row):
            if isinstance(cell.value, dt.date):
                cell.number_format = "mm/dd/yyyy"
        ws.sheet_state = spec.state
    props = {"creator": "Statistics Office", "title": "", **(properties or {})}
    for key, value in props.items():
        setattr(wb.properties, key, value)
    for name, formula in (defined_names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=formula)
    wb.save(str(path))


def write_roster_xlsx(
    path: Path | str,
    people: Sequence[Person],
    *,
    sheet: str = "Detained Population",
    hidden: bool | Literal["hidden", "veryHidden"] = False,
    header: bool = True,
    style: RosterStyle | None = None,
) -> RosterStyle:
    """A roster sheet; when `hidden`, it sits behind a visible facility-count summary sheet
    (`True` means Excel's plain hidden, `"veryHidden"` the state only code can undo)."""
    style = style or RosterStyle(header=header)
    sheets = [Sheet(sheet, roster_rows(people, style))]
    if hidden:
        state: Literal["hidden", "veryHidden"] = "veryHidden" if hidden == "veryHidden" else "hidden"
        sheets = [
            Sheet("Summary", facility_count_rows(sorted({p.facility for p in people}), 5)),
            replace(sheets[0], state=state),
        ]
    write_xlsx(path, sheets)
    return style


def facility_count_rows(facilities: Sequence[str], seed: int) -> list[list[CellValue]]:
    rng = random.Random(seed)
    rows: list[list[CellValue]] = [["Facility", "Average Daily Population", "Book-Ins FY22"]]
    rows.extend([f, rng.randrange(40, 2400), rng.randrange(300, 30000)] for f in facilities)
    return rows


def write_ods(path: Path | str, sheets: Sequence[Sheet]) -> None:
    """OpenDocument spreadsheet via odfpy; a `hidden` sheet gets `table:display="false"`."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="taHidden", family="table")
    hidden_style.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden_style)
    for spec in sheets:
        table = (
            Table(name=spec.name, stylename=hidden_style)
            if spec.state != "visible"
            else Table(name=spec.name)
        )
        for row in spec.rows:
            tr = TableRow()
            for value in row:
                if isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                elif isinstance(value, int):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                cell.addElement(P(text=cell_text(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


PIVOT_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_PIVOT_DEF = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"
CT_PIVOT_REC = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml"


def pivot_cache_parts(
    source_sheet: str, header: Sequence[str], rows: Sequence[Sequence[CellValue]], shared: bool
) -> tuple[str, str]:
    """pivotCacheDefinition and pivotCacheRecords XML for `rows` (ECMA-376 Part 1, 18.10).

    With `shared`, text fields keep their distinct values in the definition's sharedItems and
    records point at them with `<x v="i"/>`, as Excel writes them; otherwise values are inline.
    """
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    fields, index_of = [], []
    for name, values in zip(header, columns, strict=True):
        text_field = shared and all(isinstance(v, str) for v in values)
        if text_field:
            distinct = list(dict.fromkeys(str(v) for v in values))
            items = "".join(f"<s v={quoteattr(v)}/>" for v in distinct)
            fields.append(
                f'<cacheField name={quoteattr(name)} numFmtId="0">'
                f'<sharedItems count="{len(distinct)}">{items}</sharedItems></cacheField>'
            )
            index_of.append({v: i for i, v in enumerate(distinct)})
        else:
            fields.append(f'<cacheField name={quoteattr(name)} numFmtId="0"><sharedItems/></cacheField>')
            index_of.append({})
    last_col = chr(ord("A") + len(header) - 1)
    definition = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<pivotCacheDefinition xmlns="{PIVOT_NS}" xmlns:r="{REL_NS}" r:id="rId1" '
        f'refreshOnLoad="1" recordCount="{len(rows)}">'
        f'<cacheSource type="worksheet"><worksheetSource ref="A1:{last_col}{len(rows) + 1}" '
        f"sheet={quoteattr(source_sheet)}/></cacheSource>"
        f'<cacheFields count="{len(header)}">{"".join(fields)}</cacheFields>'
        f"</pivotCacheDefinition>"
    )
    record_xml = []
    for row in rows:
        cells = []
        for value, lookup in zip(row, index_of, strict=True):
            if lookup:
                cells.append(f'<x v="{lookup[str(value)]}"/>')
            elif isinstance(value, dt.date):
                cells.append(f'<d v="{value.isoformat()}T00:00:00"/>')
            elif isinstance(value, int):
                cells.append(f'<n v="{value}"/>')
            else:
                cells.append(f"<s v={quoteattr(str(value))}/>")
        record_xml.append(f"<r>{''.join(cells)}</r>")
    records = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<pivotCacheRecords xmlns="{PIVOT_NS}" xmlns:r="{REL_NS}" count="{len(rows)}">'
        f"{''.join(record_xml)}</pivotCacheRecords>"
    )
    return definition, records


def add_pivot_cache(
    path: Path | str,
    source_sheet: str,
    header: Sequence[str],
    rows: Sequence[Sequence[CellValue]],
    *,
    shared: bool = True,
) -> None:
    """Add a pivot cache to a saved workbook, its source sheet gone: the state a workbook is
    in after someone builds a pivot from a roster and deletes the roster sheet."""
    definition, records = pivot_cache_parts(source_sheet, header, rows, shared)
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    workbook = parts["xl/workbook.xml"].decode()
    caches = f'<pivotCaches xmlns:r="{REL_NS}"><pivotCache cacheId="1" r:id="rIdPivot1"/></pivotCaches>'
    calc = re.search(r"<calcPr[^>]*/>", workbook)
    at = calc.end() if calc else workbook.rindex("</workbook>")
    parts["xl/workbook.xml"] = (workbook[:at] + caches + workbook[at:]).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel = (
        f'<Relationship Id="rIdPivot1" Type="{REL_NS}/pivotCacheDefinition" '
        f'Target="pivotCache/pivotCacheDefinition1.xml"/>'
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = definition.encode()
    parts["xl/pivotCache/pivotCacheRecords1.xml"] = records.encode()
    parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{REL_NS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    overrides = "".join(
        f'<Override PartName="/xl/pivotCache/{part}.xml" ContentType="{kind}"/>'
        for part, kind in (
            ("pivotCacheDefinition1", CT_PIVOT_DEF),
            ("pivotCacheRecords1", CT_PIVOT_REC),
        )
    )
    parts["[Content_Types].xml"] = types.replace("</Types>", overrides + "</Types>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


# --------------------------------------------------------------------------------------------
# Writers: delimited text
# --------------------------------------------------------------------------------------------


def write_delimited(
    path: Path | str,
    rows: Sequence[Sequence[CellValue]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> None:
    """CSV/TSV/pipe files in the encodings agencies export: utf-8, utf-8-sig, cp1252, utf-16."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([cell_text(v) for v in row] for row in rows)
    Path(path).write_bytes(buffer.getvalue().encode(encoding))


def write_roster_csv(
    path: Path | str,
    people: Sequence[Person],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    style: RosterStyle | None = None,
) -> list[Person]:
    """A delimited roster; people whose names the encoding cannot hold are left out (as an
    export in that encoding would mangle them). Returns the people actually written."""
    written = [p for p in people if encodable(p, encoding)]
    write_delimited(
        path, roster_rows(written, style or RosterStyle()), delimiter=delimiter, encoding=encoding
    )
    return written


def encodable(person: Person, encoding: str) -> bool:
    try:
        (person.name_upper() + person.name_title()).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Writers: Word, PowerPoint, PDF
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordContent:
    """What goes into one .docx; each field is one place a person can hide."""

    title: str = "Memorandum"
    paragraphs: Sequence[str] = ()
    table: Sequence[Sequence[CellValue]] = ()
    deleted: Sequence[str] = ()  # tracked deletions (w:del / w:delText)
    hidden: Sequence[str] = ()  # runs formatted as hidden text (w:vanish)
    comments: Sequence[str] = ()  # review comments anchored on the first paragraph
    header: str = ""
    footer: str = ""
    author: str = "Office of Public Affairs"


def write_docx(path: Path | str, content: WordContent) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.author = content.author
    document.add_heading(content.title, level=1)
    anchor = document.add_paragraph("This document is released for public information.")
    for text in content.paragraphs:
        document.add_paragraph(text)
    if content.table:
        table = document.add_table(rows=len(content.table), cols=len(content.table[0]))
        # table.cell(r, c) rescans the grid on every call; go row by row instead.
        for table_row, row in zip(table.rows, content.table, strict=True):
            for cell, value in zip(table_row.cells, row, strict=True):
                cell.text = cell_text(value)
    for i, text in enumerate(content.deleted):
        paragraph = document.add_paragraph()
        deletion = OxmlElement("w:del")
        deletion.set(qn("w:id"), str(100 + i))
        deletion.set(qn("w:author"), "Web Team")
        deletion.set(qn("w:date"), "2022-11-28T09:00:00Z")
        run = OxmlElement("w:r")
        deleted_text = OxmlElement("w:delText")
        deleted_text.set(qn("xml:space"), "preserve")
        deleted_text.text = text
        run.append(deleted_text)
        deletion.append(run)
        paragraph._p.append(deletion)
    for text in content.hidden:
        paragraph = document.add_paragraph("See attached summary. ")
        paragraph.add_run(text).font.hidden = True
    for text in content.comments:
        document.add_comment(anchor.runs, text=text, author="Reviewer", initials="RV")
    section = document.sections[0]
    if content.header:
        section.header.paragraphs[0].text = content.header
    if content.footer:
        section.footer.paragraphs[0].text = content.footer
    document.save(str(path))


@dataclass(frozen=True)
class Slide:
    title: str
    bullets: Sequence[str] = ()
    table: Sequence[Sequence[CellValue]] = ()
    notes: str = ""
    hidden: bool = False


def write_pptx(path: Path | str, slides: Sequence[Slide]) -> None:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    for spec in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
        slide.shapes.title.text = spec.title
        if spec.bullets:
            box = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(9), Inches(4))
            box.text_frame.text = "\n".join(spec.bullets)
        if spec.table:
            n_rows, n_cols = len(spec.table), len(spec.table[0])
            shape = slide.shapes.add_table(
                n_rows, n_cols, Inches(0.3), Inches(1.4), Inches(9.4), Inches(0.3 * n_rows)
            )
            for r, row in enumerate(spec.table):
                for c, value in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = cell_text(value)
                    cell.text_frame.paragraphs[0].runs[0].font.size = Pt(8)
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
        if spec.hidden:
            slide._element.set("show", "0")
    deck.save(str(path))


PDF_FONT_SIZE = 8
PDF_CHAR_WIDTH = 0.6 * PDF_FONT_SIZE  # Courier is monospaced: 600/1000 em
PDF_LINE = 11
PDF_LINES_PER_PAGE = 48


def fixed_width_lines(rows: Sequence[Sequence[CellValue]]) -> tuple[list[str], list[int]]:
    """Rows padded into columns; also each column's starting character offset."""
    texts = [[cell_text(v) for v in row] for row in rows]
    widths = [max(len(row[c]) for row in texts) + 2 for c in range(len(texts[0]))]
    starts = [sum(widths[:c]) for c in range(len(widths))]
    lines = ["".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in texts]
    return lines, starts


def write_pdf(
    path: Path | str,
    title: str,
    lines: Sequence[str],
    *,
    covered: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    blank: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> None:
    """Lines of Courier text. `covered` maps line index -> character spans drawn over with
    filled black boxes (text still underneath: a failed redaction); `blank` spans get a black
    box with the text removed first (a real redaction)."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas

    covered = covered or {}
    blank = blank or {}
    width, height = landscape(letter)
    pdf = canvas.Canvas(str(path), pagesize=(width, height))
    pdf.setAuthor("Office of Public Affairs")
    pdf.setTitle(title)
    for start in range(0, max(len(lines), 1), PDF_LINES_PER_PAGE):
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(36, height - 40, title)
        y = height - 64
        for index in range(start, min(start + PDF_LINES_PER_PAGE, len(lines))):
            text = lines[index]
            for a, b in blank.get(index, ()):
                text = text[:a] + " " * (b - a) + text[b:]
            pdf.setFillColorRGB(0, 0, 0)
            pdf.setFont("Courier", PDF_FONT_SIZE)
            pdf.drawString(36, y, text)
            for a, b in [*covered.get(index, ()), *blank.get(index, ())]:
                x = 36 + a * PDF_CHAR_WIDTH
                pdf.rect(x, y - 2.5, (b - a) * PDF_CHAR_WIDTH, PDF_LINE - 1, fill=1, stroke=0)
            y -= PDF_LINE
        pdf.showPage()
    pdf.save()


# --------------------------------------------------------------------------------------------
# Writers: markup and data
# --------------------------------------------------------------------------------------------


def html_table(rows: Sequence[Sequence[CellValue]]) -> str:
    head, *body = rows
    th = "".join(f"<th>{html.escape(cell_text(v))}</th>" for v in head)
    trs = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell_text(v))}</td>" for v in row) + "</tr>" for row in body
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def write_html(
    path: Path | str,
    title: str,
    *,
    visible: str = "",
    hidden_block: str = "",
    comment: str = "",
    hidden_how: Literal["display-none", "hidden-attr"] = "display-none",
) -> None:
    """A web page; `hidden_block` is HTML a reader does not see, `comment` an HTML comment."""
    hidden = ""
    if hidden_block:
        attr = 'style="display:none"' if hidden_how == "display-none" else "hidden"
        hidden = f'<div class="export" {attr}>{hidden_block}</div>'
    note = f"<!-- {comment.replace('--', '- -')} -->" if comment else ""
    Path(path).write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{note}{visible}{hidden}<footer>Office of Public Affairs</footer></body></html>\n",
        encoding="utf-8",
    )


def records_json(rows: Sequence[Sequence[CellValue]]) -> list[dict[str, str]]:
    head, *body = rows
    keys = [re.sub(r"[^a-z0-9]+", "_", cell_text(h).lower()).strip("_") for h in head]
    return [dict(zip(keys, (cell_text(v) for v in row), strict=True)) for row in body]


def write_json(path: Path | str, payload: object) -> None:
    Path(path).write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")


def write_xml(path: Path | str, root: str, item: str, rows: Sequence[Sequence[CellValue]]) -> None:
    records = records_json(rows)
    body = "".join(
        f"<{item}>" + "".join(f"<{k}>{xml_escape(v)}</{k}>" for k, v in rec.items()) + f"</{item}>"
        for rec in records
    )
    Path(path).write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{body}</{root}>\n', encoding="utf-8"
    )


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def tar_gz_bytes(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1669600000
            tf.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


# --------------------------------------------------------------------------------------------
# Routine (clean) content
# --------------------------------------------------------------------------------------------


def company_name(rng: random.Random) -> str:
    suffix = (
        "Secure Services LLC",
        "Detention Management Inc.",
        "Facility Solutions Corp.",
        "Transport Group LLC",
        "Health Partners Inc.",
    )
    return f"{_syllables(rng, 2, 3)} {rng.choice(suffix)}"


def nationality_count_rows(rng: random.Random, style: str) -> list[list[CellValue]]:
    countries = rng.sample(sorted(COUNTRIES.values(), key=lambda c: c.key), rng.randint(8, 20))
    counts = [rng.randrange(3, 9000) for _ in countries]
    total = sum(counts)
    rows: list[list[CellValue]] = [["Country of Citizenship", "Detained", "Percent"]]
    for country, n in zip(countries, counts, strict=True):
        name = country.agency if style == "agency" else country.title
        rows.append([name, n, f"{100 * n / total:.1f}%"])
    return rows


def contract_rows(rng: random.Random, facilities: Sequence[str]) -> list[list[CellValue]]:
    """Contract and budget lines: 9-digit DUNS numbers and dollar amounts, no people."""
    rows: list[list[CellValue]] = [
        ["Contract Number", "Vendor", "DUNS", "Facility", "Period of Performance", "Obligated ($)"]
    ]
    for facility in rng.sample(list(facilities), min(len(facilities), rng.randint(5, 15))):
        start = dt.date(2022, 10, 1) - dt.timedelta(days=365 * rng.randrange(0, 3))
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        rows.append(
            [
                f"70CDCR{rng.randrange(18, 24)}{rng.choice('CDFP')}{rng.randrange(10**8):08d}",
                company_name(rng),
                f"{rng.randrange(10**8, 10**9)}",
                facility,
                f"{start:%m/%d/%Y} - {end:%m/%d/%Y}",
                f"${rng.randrange(10**5, 9 * 10**7):,}.00",
            ]
        )
    return rows


def bookin_count_rows(rng: random.Random) -> list[list[CellValue]]:
    start = dt.date(2022, rng.randrange(1, 10), 1)
    rows: list[list[CellValue]] = [["Date", "Book-Ins", "Releases", "Average Daily Population"]]
    for day in range(rng.randint(20, 60)):
        date = start + dt.timedelta(days=day)
        rows.append(
            [
                date.isoformat(),
                rng.randrange(80, 900),
                rng.randrange(50, 800),
                rng.randrange(20000, 32000),
            ]
        )
    return rows


def weekly_rows(rng: random.Random) -> list[list[CellValue]]:
    start = dt.date(2022, rng.randrange(1, 10), 2)
    rows: list[list[CellValue]] = [["Week Ending", "Book-Ins", "Removals", "Detained"]]
    for week in range(rng.randint(8, 20)):
        rows.append(
            [
                start + dt.timedelta(weeks=week),
                rng.randrange(1000, 6000),
                rng.randrange(500, 4000),
                rng.randrange(20000, 32000),
            ]
        )
    return rows


def official_name(factory: PeopleFactory) -> str:
    fake = factory.faker("en_US")
    return f"{fake.first_name()} {fake.last_name()}"


def press_release(factory: PeopleFactory, rng: random.Random) -> tuple[list[str], int, int]:
    """Paragraphs quoting public officials; returns (paragraphs, official names, facilities)."""
    secretary, director = official_name(factory), official_name(factory)
    facility = rng.choice(factory.facilities)
    paragraphs = [
        f"WASHINGTON - Secretary {secretary} today announced new oversight measures for "
        f"detention facilities nationwide.",
        f'"Transparency is part of the job," Secretary {secretary} said. "We publish these '
        f'numbers every week."',
        f"Field Office Director {director} said the {facility} passed its annual inspection "
        f"on {dt.date(2022, rng.randrange(1, 12), rng.randrange(1, 28)):%B %d, %Y}.",
        f"The agency held an average of {rng.randrange(20000, 32000):,} people in fiscal year "
        f"2022. Statistics are available on the agency website.",
    ]
    return paragraphs, 3, 1


def a_number_faq() -> tuple[list[str], int]:
    """The public FAQ about A-numbers, with its sample value. Returns (paragraphs, samples)."""
    return [
        "What is an A-number? The Alien Registration Number (A-number) is a unique number "
        "assigned to a noncitizen by the Department.",
        "A-number format: the letter A followed by 8 or 9 digits, e.g. A-123-456-789. If your "
        "number has 8 digits, add a zero after the A.",
        "Where can I find it? On your notice of action, your work permit or your permanent resident card.",
        "Never send your A-number or date of birth by email; use the online locator.",
    ], 1


def office_directory_rows(factory: PeopleFactory, rng: random.Random) -> list[list[CellValue]]:
    fake = factory.faker("en_US")
    rows: list[list[CellValue]] = [["Office", "Field Office Director", "Address", "Phone", "Email"]]
    for _ in range(rng.randint(4, 10)):
        town = invent_place(rng)
        rows.append(
            [
                f"{town} Field Office",
                official_name(factory),
                f"{fake.street_address()}, {town}, {fake.state_abbr()} {fake.zipcode()}",
                us_phone(fake),
                f"{town.lower().replace(' ', '.')}.outreach@agency.example.gov",
            ]
        )
    return rows


# --------------------------------------------------------------------------------------------
# Labels and the corpus
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """What a correct scanner says about one file of the corpus.

    person_records: rows or passages that carry a protected person (duplicates counted).
    individuals: distinct protected people (by A-number); None when not knowable.
    layer: where they are ("visible", "hidden_sheet", "pivot_cache", ..., "none" when clean).
    kinds: expected findings by kind, protected values only (a roster with 10 rows and a
        name column: person_name 10; split last/first columns still count one per row).
    benign: mentions a scanner may report without error (officials' names, sample values,
        facility names in statistics); used only to excuse findings, never required.
    truth: the file's ground-truth text (what a reader of every layer would see), relative to
        the corpus root; benchmarks give it to tools that cannot read documents.
    """

    path: str
    expect_block: bool
    person_records: int
    individuals: int | None
    layer: str
    format: str = ""
    content: str = ""
    kinds: Mapping[str, int] = field(default_factory=dict)
    benign: Mapping[str, int] = field(default_factory=dict)
    truth: str = ""

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["kinds"] = dict(self.kinds)
        out["benign"] = dict(self.benign)
        return out


def load_labels(root: Path | str) -> list[Label]:
    data = json.loads((Path(root) / "labels.json").read_text(encoding="utf-8"))
    return [Label(**item) for item in data["files"]]


class Corpus:
    """Writes files under `root/files`, their ground truth under `root/truth`, and labels."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.files = root / "files"
        self.truth_dir = root / "truth"
        self.files.mkdir(parents=True, exist_ok=True)
        self.truth_dir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.factory = PeopleFactory(seed + 1)
        self.labels: list[Label] = []

    def people(self, low: int, high: int, duplicate_share: float = 0.0) -> list[Person]:
        return self.factory.people(self.rng.randint(low, high), duplicate_share)

    def path(self, stem: str, ext: str) -> Path:
        return self.files / f"{len(self.labels):04d}-{stem}.{ext}"

    def add(
        self,
        path: Path,
        truth: str,
        *,
        people: Sequence[Person] = (),
        records: int | None = None,
        layer: str = "visible",
        content: str = "roster",
        kinds: Mapping[str, int] | None = None,
        benign: Mapping[str, int] | None = None,
        expect_block: bool | None = None,
    ) -> None:
        rel = path.relative_to(self.root).as_posix()
        truth_path = self.truth_dir / (path.name + ".txt")
        truth_path.write_text(truth, encoding="utf-8")
        n_records = len(people) if records is None else records
        self.labels.append(
            Label(
                path=rel,
                expect_block=bool(people) if expect_block is None else expect_block,
                person_records=n_records,
                individuals=individuals(people) if people else 0,
                layer=layer if people else (layer if layer != "visible" else "none"),
                format=path.suffix.lstrip(".").lower() or "bin",
                content=content,
                kinds={k: v for k, v in (kinds or {}).items() if v},
                benign={k: v for k, v in (benign or {}).items() if v},
                truth=truth_path.relative_to(self.root).as_posix(),
            )
        )


# ---- cases that must block ----------------------------------------------------------------


def case_xlsx_roster(c: Corpus) -> None:
    people = c.people(3, 80, duplicate_share=c.rng.choice((0.0, 0.0, 0.05)))
    header = c.rng.random() < 0.85
    style = random_style(c.rng, header=header)
    path = c.path("roster", "xlsx")
    rows = roster_rows(people, style)
    sheet = c.rng.choice(("Detained Population", "Sheet1", "FY23 Q1", "Data"))
    write_xlsx(path, [Sheet(sheet, rows)])
    c.add(
        path,
        rows_text(rows),
        people=people,
        kinds=roster_kinds(len(people), style),
        layer="visible" if header else "visible_no_header",
    )


def case_xlsx_hidden_sheet(c: Corpus, state: Literal["hidden", "veryHidden"]) -> None:
    people = c.people(5, 60)
    style = random_style(c.rng)
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 8), c.rng.randrange(99))
    roster = roster_rows(people, style)
    path = c.path(f"stats-{state.lower()}", "xlsx")
    write_xlsx(
        path,
        [
            Sheet("Summary", summary),
            Sheet("Weekly", weekly_rows(c.rng)),
            Sheet(c.rng.choice(("Sheet3", "raw", "Detail")), roster, state=state),
        ],
    )
    layer = "hidden_sheet" if state == "hidden" else "very_hidden_sheet"
    c.add(
        path,
        rows_text(summary) + "\n" + rows_text(roster),
        people=people,
        layer=layer,
        kinds=roster_kinds(len(people), style),
        benign={"detention_facility": 8},
    )


def case_xlsx_hidden_rows(c: Corpus) -> None:
    people = c.people(3, 25)
    style = random_style(c.rng)
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 4), c.rng.randrange(99))
    roster = roster_rows(people, style)
    rows = [*summary, [], *roster]
    first_hidden = len(summary) + 2
    hidden = frozenset(range(first_hidden, len(rows) + 1))
    path = c.path("summary-hidden-rows", "xlsx")
    write_xlsx(path, [Sheet("Summary", rows, hidden_rows=hidden)])
    c.add(
        path,
        rows_text(rows),
        people=people,
        layer="hidden_rows",
        kinds=roster_kinds(len(people), style),
        benign={"detention_facility": 4},
    )


def case_xlsx_hidden_columns(c: Corpus) -> None:
    people = c.people(5, 40)
    columns = ("facility", "nationality", "book_in", "name", "a_number", "dob")
    style = random_style(c.rng, columns=columns)
    rows = roster_rows(people, style)
    path = c.path("hidden-columns", "xlsx")
    write_xlsx(path, [Sheet("Detained", rows, hidden_columns=frozenset({3, 4, 5}))])
    c.add(
        path,
        rows_text(rows),
        people=people,
        layer="hidden_columns",
        kinds=roster_kinds(len(people), style),
    )


def case_xlsx_comments(c: Corpus) -> None:
    people = c.people(1, 6)
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 8), c.rng.randrange(99))
    passages, kinds = prose_passages(people, c.rng)
    comments = {(2 + i, 2): text for i, text in enumerate(passages)}
    path = c.path("stats-comments", "xlsx")
    write_xlsx(path, [Sheet("Facilities", summary, comments=comments)])
    c.add(
        path,
        rows_text(summary) + "\n" + "\n".join(passages),
        people=people,
        layer="comment",
        content="prose",
        kinds=kinds,
        benign={"detention_facility": 8},
    )


def case_xlsx_pivot_cache(c: Corpus, shared: bool) -> None:
    people = c.people(5, 50)
    columns = ("name", "a_number", "dob", "nationality", "facility")
    style = replace(random_style(c.rng, columns=columns), a_number="A{d}", dates="native")
    header, *rows = roster_rows(people, style)
    pivot = nationality_count_rows(c.rng, "agency")
    path = c.path("pivot-cache", "xlsx")
    write_xlsx(path, [Sheet("Pivot", pivot)])
    add_pivot_cache(path, "Roster", [str(h) for h in header], rows, shared=shared)
    c.add(
        path,
        rows_text(pivot) + "\n" + rows_text(rows),
        people=people,
        layer="pivot_cache",
        kinds=roster_kinds(len(people), style),
        benign={"nationality": len(pivot) - 1},
    )


def case_xlsx_defined_names(c: Corpus) -> None:
    people = c.people(1, 5)
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 5), c.rng.randrange(99))
    names = {
        f"Detainee_{i + 1}": f'"{p.name_upper()} {format_a_number(p.a_number, "A{d}")} '
        f'{p.date_of_birth:%m/%d/%Y}"'
        for i, p in enumerate(people)
    }
    path = c.path("defined-names", "xlsx")
    write_xlsx(path, [Sheet("Summary", summary)], defined_names=names)
    kinds = {"person_name": len(people), "a_number": len(people), "date_of_birth": len(people)}
    c.add(
        path,
        rows_text(summary) + "\n" + "\n".join(names.values()),
        people=people,
        layer="defined_name",
        content="record",
        kinds=kinds,
        benign={"detention_facility": 5},
    )


def case_xlsx_metadata_record(c: Corpus) -> None:
    person = c.factory.person()
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 5), c.rng.randrange(99))
    text, kinds = prose_passage(person, c.rng)
    path = c.path("metadata-record", "xlsx")
    write_xlsx(
        path,
        [Sheet("Summary", summary)],
        properties={"subject": "Transfer request", "description": text},
    )
    c.add(
        path,
        rows_text(summary) + "\n" + text,
        people=[person],
        layer="metadata",
        content="prose",
        kinds=kinds,
        benign={"detention_facility": 5},
    )


def case_delimited(c: Corpus, ext: str, delimiter: str, encoding: str) -> None:
    people = [p for p in c.people(5, 120, 0.03) if encodable(p, encoding)]
    style = random_style(c.rng, header=c.rng.random() < 0.9, native_dates=False)
    rows = roster_rows(people, style)
    path = c.path(f"roster-{encoding}", ext)
    write_delimited(path, rows, delimiter=delimiter, encoding=encoding)
    c.add(path, rows_text(rows), people=people, kinds=roster_kinds(len(people), style))


def case_sponsor_list(c: Corpus, ext: str) -> None:
    people = [c.factory.with_contacts(p) for p in c.people(4, 30)]
    columns = ("name", "a_number", "nationality", "address", "phone", "email", "ssn")
    style = random_style(c.rng, columns=columns, native_dates=False)
    rows = roster_rows(people, style)
    path = c.path("release-sponsors", ext)
    if ext == "xlsx":
        write_xlsx(path, [Sheet("Releases", rows)])
    else:
        write_delimited(path, rows)
    c.add(path, rows_text(rows), people=people, kinds=roster_kinds(len(people), style))


def case_ods(c: Corpus, hidden: bool) -> None:
    people = c.people(4, 40)
    style = random_style(c.rng)
    rows = roster_rows(people, style)
    summary = facility_count_rows(c.rng.sample(c.factory.facilities, 4), c.rng.randrange(99))
    sheets = [Sheet("Roster", rows)]
    if hidden:
        sheets = [Sheet("Summary", summary), Sheet("Roster", rows, state="hidden")]
    path = c.path("roster-hidden" if hidden else "roster", "ods")
    write_ods(path, sheets)
    truth = (rows_text(summary) + "\n" if hidden else "") + rows_text(rows)
    c.add(
        path,
        truth,
        people=people,
        layer="hidden_sheet" if hidden else "visible",
        kinds=roster_kinds(len(people), style),
        benign={"detention_facility": 4} if hidden else {},
    )


def case_docx(c: Corpus, variant: str) -> None:
    people = c.people(1, 8) if variant != "table" else c.people(3, 30)
    passages, kinds = prose_passages(people, c.rng)
    intro = ["The following summarizes weekly detention statistics for public release."]
    content = WordContent(title="Weekly Detention Update", paragraphs=intro)
    truth = "\n".join(intro)
    layer = {
        "table": "visible",
        "prose": "visible",
        "deleted": "tracked_change",
        "comment": "comment",
        "hidden": "hidden_text",
        "header": "header_footer",
    }[variant]
    if variant == "table":
        style = random_style(c.rng, native_dates=False)
        rows = roster_rows(people, style)
        content = replace(content, table=rows)
        kinds, truth = roster_kinds(len(people), style), truth + "\n" + rows_text(rows)
    elif variant == "prose":
        content = replace(content, paragraphs=[*intro, *passages])
    elif variant == "deleted":
        content = replace(content, deleted=passages)
    elif variant == "comment":
        content = replace(content, comments=passages)
    elif variant == "hidden":
        content = replace(content, hidden=passages)
    elif variant == "header":
        people = people[:1]
        passages, kinds = prose_passages(people, c.rng)
        in_header = c.rng.random() < 0.5
        content = replace(
            content,
            header=passages[0] if in_header else "Weekly update",
            footer="Page 1" if in_header else passages[0],
        )
    if variant != "table":
        truth += "\n" + "\n".join(passages)
    path = c.path(f"memo-{variant}", "docx")
    write_docx(path, content)
    content_kind = "roster" if variant == "table" else "prose"
    c.add(path, truth, people=people, layer=layer, kinds=kinds, content=content_kind)


def case_pptx(c: Corpus, variant: str) -> None:
    people = c.people(2, 12)
    stats = Slide(
        "Detention at a glance",
        bullets=[
            f"Average daily population: {c.rng.randrange(20000, 32000):,}",
            f"Facilities in use: {c.rng.randrange(90, 180)}",
        ],
    )
    if variant == "table":
        style = random_style(c.rng, columns=("name", "a_number", "dob", "nationality"), native_dates=False)
        rows = roster_rows(people, style)
        slides = [stats, Slide("Cases", table=rows)]
        truth, kinds, layer = rows_text(rows), roster_kinds(len(people), style), "visible"
    else:
        passages, kinds = prose_passages(people, c.rng)
        truth = "\n".join(passages)
        if variant == "notes":
            slides = [replace(stats, notes="\n".join(passages))]
            layer = "notes"
        else:
            slides = [stats, Slide("Case list (draft)", bullets=passages, hidden=True)]
            layer = "hidden_slide"
    path = c.path(f"briefing-{variant}", "pptx")
    write_pptx(path, slides)
    truth = "\n".join(stats.bullets) + "\n" + truth
    content_kind = "roster" if variant == "table" else "prose"
    c.add(path, truth, people=people, layer=layer, kinds=kinds, content=content_kind)


def case_pdf(c: Corpus, covered: bool) -> None:
    # reportlab's built-in fonts are Latin-1: a real export would have folded other scripts.
    people = [p for p in c.people(5, 70) if encodable(p, "latin-1")]
    columns = ("name", "a_number", "dob", "nationality", "facility")
    style = random_style(c.rng, columns=columns, native_dates=False)
    rows = roster_rows(people, style)
    lines, starts = fixed_width_lines(rows)
    path = c.path("roster-covered" if covered else "roster", "pdf")
    spans: dict[int, list[tuple[int, int]]] = {}
    if covered:  # black boxes over the name and A-number columns; the text stays underneath
        name_col, a_col = style.columns.index("name"), style.columns.index("a_number")
        for i in range(1, len(lines)):
            for col in (name_col, a_col):
                end = starts[col + 1] - 2 if col + 1 < len(starts) else len(lines[i])
                spans.setdefault(i, []).append((starts[col], end))
    write_pdf(path, "Detained Population Report", lines, covered=spans)
    c.add(
        path,
        "\n".join(lines),
        people=people,
        kinds=roster_kinds(len(people), style),
        layer="under_redaction" if covered else "visible",
    )


def case_html(c: Corpus, variant: str) -> None:
    people = c.people(2, 30)
    style = random_style(c.rng, native_dates=False)
    rows = roster_rows(people, style)
    visible = "<p>Weekly statistics are published every Friday.</p>"
    path = c.path(f"page-{variant}", "html")
    if variant == "table":
        write_html(path, "Detained Population", visible=visible + html_table(rows))
    elif variant == "hidden":
        how: Literal["display-none", "hidden-attr"] = c.rng.choice(("display-none", "hidden-attr"))
        write_html(path, "Statistics", visible=visible, hidden_block=html_table(rows), hidden_how=how)
    else:
        write_html(path, "Statistics", visible=visible, comment=rows_text(rows, " | "))
    layer = {"table": "visible", "hidden": "hidden_element", "comment": "html_comment"}[variant]
    c.add(path, rows_text(rows), people=people, layer=layer, kinds=roster_kinds(len(people), style))


def case_json(c: Corpus) -> None:
    people = c.people(2, 40)
    style = random_style(c.rng, native_dates=False)
    rows = roster_rows(people, style)
    path = c.path("detainees", "json")
    write_json(path, {"generated": "2022-11-28", "records": records_json(rows)})
    c.add(path, rows_text(rows), people=people, kinds=roster_kinds(len(people), style))


def case_xml(c: Corpus) -> None:
    people = c.people(2, 40)
    style = random_style(c.rng, native_dates=False)
    rows = roster_rows(people, style)
    path = c.path("detainees", "xml")
    write_xml(path, "detainees", "detainee", rows)
    c.add(path, rows_text(rows), people=people, kinds=roster_kinds(len(people), style))


def case_prose(c: Corpus, ext: str) -> None:
    people = c.people(1, 10)
    passages, kinds = prose_passages(people, c.rng)
    heading = "# Decision summaries\n\n" if ext == "md" else "DECISION SUMMARIES\n\n"
    path = c.path("decisions", ext)
    path.write_text(heading + "\n\n".join(passages) + "\n", encoding="utf-8")
    c.add(path, "\n".join(passages), people=people, kinds=kinds, content="prose")


def case_case_file(c: Corpus) -> None:
    person = c.factory.with_contacts(c.factory.person())
    text, kinds = prose_passage(person, c.rng)
    extra = (
        f"Sponsor SSN {person.ssn}; passport {person.passport_number}; "
        f"contact {person.phone}, {person.email}; release address {person.street_address}."
    )
    path = c.path("case-note", "txt")
    path.write_text(text + "\n" + extra + "\n", encoding="utf-8")
    more = {
        "ssn": 1,
        "passport_number": 1,
        "phone_number": 1,
        "email_address": 1,
        "street_address": 1,
    }
    c.add(
        path,
        text + "\n" + extra,
        people=[person],
        kinds=add_counts(dict(kinds), more),
        content="prose",
    )


def case_archive(c: Corpus, variant: str) -> None:
    people = c.people(3, 40)
    style = random_style(c.rng, native_dates=False)
    rows = roster_rows(people, style)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([cell_text(v) for v in r] for r in rows)
    roster = buffer.getvalue().encode()
    readme = b"Weekly statistics package. See summary.csv.\n"
    summary = "\n".join(",".join(cell_text(v) for v in r) for r in bookin_count_rows(c.rng))
    members = {"README.txt": readme, "summary.csv": summary.encode(), "data/detail.csv": roster}
    if variant == "zip":
        path, data = c.path("package", "zip"), zip_bytes(members)
    elif variant == "tar.gz":
        path, data = c.path("package", "tar.gz"), tar_gz_bytes(members)
    else:
        inner = zip_bytes({"detail.csv": roster})
        path = c.path("package-nested", "zip")
        data = zip_bytes({"README.txt": readme, "archive/older.zip": inner})
    path.write_bytes(data)
    c.add(
        path,
        rows_text(rows),
        people=people,
        kinds=roster_kinds(len(people), style),
        layer="nested_archive" if variant == "nested" else "archive",
    )


# ---- cases that must pass ------------------------------------------------------------------


def case_clean_facilities(c: Corpus, ext: str) -> None:
    facilities = c.rng.sample(c.factory.facilities, c.rng.randint(5, 15))
    rows = facility_count_rows(facilities, c.rng.randrange(999))
    path = c.path("facility-population", ext)
    benign = {"detention_facility": len(facilities)}
    lines = [f"{r[0]}, {r[1]:,} detainees" for r in rows[1:] if isinstance(r[1], int)]
    if ext == "xlsx":
        write_xlsx(path, [Sheet("Facilities", rows)])
    elif ext == "csv":
        write_delimited(path, rows)
    elif ext == "html":
        write_html(path, "Detention facilities", visible=html_table(rows))
    elif ext == "docx":
        write_docx(path, WordContent(title="Facility population", paragraphs=lines))
    elif ext == "pdf":
        write_pdf(path, "Facility population", lines)
    c.add(path, rows_text(rows), content="facility_counts", benign=benign)


def case_clean_nationality(c: Corpus, ext: str) -> None:
    rows = nationality_count_rows(c.rng, c.rng.choice(("agency", "title")))
    path = c.path("by-citizenship", ext)
    if ext == "xlsx":
        write_xlsx(path, [Sheet("By Citizenship", rows)])
    elif ext == "csv":
        write_delimited(path, rows)
    elif ext == "json":
        write_json(path, records_json(rows))
    elif ext == "pdf":
        write_pdf(path, "Detained by country of citizenship", fixed_width_lines(rows)[0])
    c.add(path, rows_text(rows), content="nationality_counts", benign={"nationality": len(rows) - 1})


def case_clean_contracts(c: Corpus, ext: str) -> None:
    rows = contract_rows(c.rng, c.factory.facilities)
    path = c.path("contracts", ext)
    if ext == "xlsx":
        write_xlsx(path, [Sheet("Contracts", rows)])
    elif ext == "csv":
        write_delimited(path, rows)
    else:
        write_docx(path, WordContent(title="Detention contracts", table=rows))
    c.add(path, rows_text(rows), content="contracts", benign={"detention_facility": len(rows) - 1})


def case_clean_directory(c: Corpus, ext: str) -> None:
    rows = office_directory_rows(c.factory, c.rng)
    n = len(rows) - 1
    path = c.path("office-directory", ext)
    if ext == "html":
        write_html(path, "Field offices", visible=html_table(rows))
    elif ext == "pdf":
        write_pdf(path, "Field offices", fixed_width_lines(rows)[0])
    else:
        write_docx(path, WordContent(title="Field offices", table=rows))
    benign = {"person_name": n, "street_address": n, "phone_number": n, "email_address": n}
    c.add(path, rows_text(rows), content="office_directory", benign=benign)


def case_clean_faq(c: Corpus, ext: str) -> None:
    paragraphs, samples = a_number_faq()
    path = c.path("faq-a-number", ext)
    if ext == "html":
        write_html(
            path,
            "Frequently asked questions",
            visible="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
        )
    else:
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    c.add(path, "\n".join(paragraphs), content="faq", benign={"a_number": samples})


def case_clean_press(c: Corpus, ext: str) -> None:
    paragraphs, names, facilities = press_release(c.factory, c.rng)
    path = c.path("press-release", ext)
    if ext == "docx":
        write_docx(path, WordContent(title="News release", paragraphs=paragraphs))
    elif ext == "html":
        write_html(path, "News release", visible="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))
    elif ext == "pdf":
        write_pdf(
            path,
            "News release",
            [p[i : i + 120] for p in paragraphs for i in range(0, len(p), 120)],
        )
    else:
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    c.add(
        path,
        "\n".join(paragraphs),
        content="press_release",
        benign={"person_name": names, "detention_facility": facilities},
    )


def case_clean_weekly(c: Corpus, author_is_person: bool) -> None:
    facilities = c.rng.sample(c.factory.facilities, 8)
    summary = facility_count_rows(facilities, c.rng.randrange(999))
    nationality = nationality_count_rows(c.rng, "agency")
    weekly = weekly_rows(c.rng)
    lookup: list[list[CellValue]] = [["Code", "Facility"]]
    lookup += [[f"F{i:03d}", f] for i, f in enumerate(facilities)]
    author = official_name(c.factory) if author_is_person else "Statistics Office"
    path = c.path("weekly-stats-author" if author_is_person else "weekly-stats", "xlsx")
    write_xlsx(
        path,
        [
            Sheet("Weekly", weekly),
            Sheet("Facilities", summary),
            Sheet("Citizenship", nationality),
            Sheet("Lookup", lookup, state="hidden"),
        ],
        properties={"creator": author, "lastModifiedBy": author},
    )
    benign = {
        "detention_facility": 16,
        "nationality": len(nationality) - 1,
        "person_name": 2 if author_is_person else 0,
    }
    truth = "\n".join(rows_text(r) for r in (weekly, summary, nationality, lookup))
    c.add(
        path,
        truth + (f"\n{author}" if author_is_person else ""),
        content="weekly_stats",
        benign=benign,
        layer="metadata" if author_is_person else "none",
    )


def case_clean_bookins(c: Corpus) -> None:
    rows = bookin_count_rows(c.rng)
    path = c.path("book-ins-by-date", "csv")
    write_delimited(path, rows)
    c.add(path, rows_text(rows), content="bookin_counts")


def case_clean_redacted_pdf(c: Corpus) -> None:
    people = [p for p in c.people(5, 30) if encodable(p, "latin-1")]
    columns = ("name", "a_number", "nationality", "facility")
    style = random_style(c.rng, columns=columns, native_dates=False)
    rows = roster_rows(people, style)
    lines, starts = fixed_width_lines(rows)
    spans = {i: [(starts[0], starts[1] - 2), (starts[1], starts[2] - 2)] for i in range(1, len(lines))}
    path = c.path("roster-properly-redacted", "pdf")
    write_pdf(path, "Detained Population Report (redacted)", lines, blank=spans)
    visible = [
        "".join(" " if any(a <= j < b for a, b in spans.get(i, ())) else ch for j, ch in enumerate(line))
        for i, line in enumerate(lines)
    ]
    c.add(
        path,
        "\n".join(visible),
        content="redacted_roster",
        layer="properly_redacted",
        benign={"nationality": len(people), "detention_facility": len(people)},
    )


def case_clean_slides(c: Corpus) -> None:
    rows = nationality_count_rows(c.rng, "title")[:8]
    notes = "Speaker: thank the inspection team; numbers are as of the last Friday."
    path = c.path("stats-briefing", "pptx")
    write_pptx(path, [Slide("Detained by citizenship", table=rows, notes=notes)])
    c.add(
        path,
        rows_text(rows) + "\n" + notes,
        content="nationality_counts",
        benign={"nationality": len(rows) - 1},
    )


def case_clean_archive(c: Corpus) -> None:
    rows = bookin_count_rows(c.rng)
    nat = nationality_count_rows(c.rng, "agency")
    members = {
        "book-ins.csv": rows_text(rows, ",").encode(),
        "citizenship.csv": rows_text(nat, ",").encode(),
        "README.txt": b"Aggregate statistics; no individual records.\n",
    }
    path = c.path("stats-package", "zip")
    path.write_bytes(zip_bytes(members))
    c.add(
        path,
        rows_text(rows) + "\n" + rows_text(nat),
        content="stats_archive",
        benign={"nationality": len(nat) - 1},
        layer="archive",
    )


def case_clean_xml(c: Corpus) -> None:
    rows = facility_count_rows(c.rng.sample(c.factory.facilities, 6), c.rng.randrange(999))
    path = c.path("facilities", "xml")
    write_xml(path, "facilities", "facility", rows)
    c.add(path, rows_text(rows), content="facility_counts", benign={"detention_facility": 6})


Case = tuple[int, Callable[[Corpus], None]]

DELIMITED_VARIANTS: tuple[tuple[str, str, str], ...] = (
    ("csv", ",", "utf-8"),
    ("csv", ",", "utf-8-sig"),
    ("csv", ";", "utf-8"),
    ("csv", ",", "cp1252"),
    ("csv", ";", "cp1252"),
    ("tsv", "\t", "utf-16"),
    ("tsv", "\t", "utf-8"),
    ("txt", "|", "utf-8"),
    ("csv", "|", "utf-8-sig"),
    ("csv", ",", "utf-16"),
)
DOCX_VARIANTS: tuple[tuple[str, int], ...] = (
    ("table", 4),
    ("prose", 4),
    ("deleted", 3),
    ("comment", 3),
    ("hidden", 3),
    ("header", 3),
)


def corpus_plan() -> list[Case]:
    """(copies at scale 1, case): every format and hidden layer, rosters and routine files."""
    plan: list[Case] = [
        (16, case_xlsx_roster),
        (6, partial(case_xlsx_hidden_sheet, state="hidden")),
        (6, partial(case_xlsx_hidden_sheet, state="veryHidden")),
        (4, case_xlsx_hidden_rows),
        (4, case_xlsx_hidden_columns),
        (4, case_xlsx_comments),
        (2, partial(case_xlsx_pivot_cache, shared=True)),
        (2, partial(case_xlsx_pivot_cache, shared=False)),
        (3, case_xlsx_defined_names),
        (3, case_xlsx_metadata_record),
        (2, partial(case_sponsor_list, ext="xlsx")),
        (2, partial(case_sponsor_list, ext="csv")),
        (3, partial(case_ods, hidden=False)),
        (2, partial(case_ods, hidden=True)),
        (3, case_case_file),
    ]
    for ext, delimiter, encoding in DELIMITED_VARIANTS:
        plan.append((2, partial(case_delimited, ext=ext, delimiter=delimiter, encoding=encoding)))
    for variant, copies in DOCX_VARIANTS:
        plan.append((copies, partial(case_docx, variant=variant)))
    plan += [(3, partial(case_pptx, variant=v)) for v in ("table", "notes", "hidden")]
    plan += [(4, partial(case_pdf, covered=False)), (4, partial(case_pdf, covered=True))]
    plan += [(4, partial(case_html, variant="table")), (3, partial(case_html, variant="hidden"))]
    plan += [(3, partial(case_html, variant="comment")), (4, case_json), (3, case_xml)]
    plan += [(5, partial(case_prose, ext="txt")), (3, partial(case_prose, ext="md"))]
    plan += [(3, partial(case_archive, variant=v)) for v in ("zip", "tar.gz", "nested")]
    # routine files that must pass
    plan += [(3, partial(case_clean_facilities, ext=e)) for e in ("xlsx", "csv", "html", "pdf")]
    plan += [(2, partial(case_clean_facilities, ext="docx"))]
    plan += [(3, partial(case_clean_nationality, ext=e)) for e in ("xlsx", "csv", "pdf", "json")]
    plan += [(3, partial(case_clean_contracts, ext=e)) for e in ("xlsx", "csv", "docx")]
    plan += [(2, partial(case_clean_directory, ext=e)) for e in ("html", "pdf", "docx")]
    plan += [(2, partial(case_clean_faq, ext=e)) for e in ("html", "txt", "md")]
    plan += [(2, partial(case_clean_press, ext=e)) for e in ("txt", "docx", "html", "pdf")]
    plan += [
        (6, partial(case_clean_weekly, author_is_person=False)),
        (3, partial(case_clean_weekly, author_is_person=True)),
        (4, case_clean_bookins),
        (3, case_clean_redacted_pdf),
        (2, case_clean_slides),
        (3, case_clean_archive),
        (2, case_clean_xml),
    ]
    return plan


def build_corpus(root: Path | str, seed: int = 7, scale: int = 1) -> list[Label]:
    """Write the labelled corpus under `root` (files/, truth/, labels.json); return labels.
    Deterministic in (seed, scale). Scale 1 is about 250 small files and builds in seconds."""
    corpus = Corpus(Path(root), seed)
    for copies, case in corpus_plan():
        for _ in range(copies * scale):
            case(corpus)
    summary = {
        "seed": seed,
        "scale": scale,
        "files": [label.as_dict() for label in corpus.labels],
    }
    (corpus.root / "labels.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return corpus.labels


# --------------------------------------------------------------------------------------------
# Fixed-table people and small documents for unit tests
# --------------------------------------------------------------------------------------------
# The same `Person`, made without Faker from a handful of romanized name parts per origin
# (combined at random, so nobody real) or from random syllables, and the few documents the
# scanner's unit tests build around them. `PeopleFactory` above invents people for corpora
# and benchmarks; `roster_people` is for tests that must know exactly which names they wrote.

# Romanized name parts the way agency rosters write them; combined at random, so nobody real.
ROSTER_FAMILIES = {
    "spanish": ["GARCIA LOPEZ", "HERNANDEZ CRUZ", "RAMIREZ DE LA ROSA", "MARTINEZ VASQUEZ", "PEREZ DIAZ"],
    "russian": ["IVANOV", "SMIRNOVA", "KUZNETSOV", "POPOVA", "VOLKOV"],
    "persian": ["HOSSEINI", "RAHIMI", "MOHAMMADI", "KARIMI", "TEHRANI"],
    "chinese": ["WANG", "ZHANG", "LIU", "CHEN", "HUANG"],
    "haitian": ["JEAN-BAPTISTE", "PIERRE-LOUIS", "SAINT-FLEUR", "DORVIL", "JOSEPH"],
    "indian": ["PATEL", "VENKATARAMAN", "SHARMA", "REDDY", "CHATTERJEE"],
}
ROSTER_GIVENS = {
    "spanish": ["MARIA JOSE", "JUAN CARLOS", "ANA LUCIA", "JOSE LUIS", "ROSA ELENA"],
    "russian": ["DMITRI", "OLGA", "SERGEI", "TATIANA", "ALEKSANDR"],
    "persian": ["FARSHID", "MARYAM", "REZA", "SHIRIN", "MEHDI"],
    "chinese": ["XIAOMING", "LI NA", "WEI", "JIANGUO", "MEILING"],
    "haitian": ["WILNER", "MARIE-ANGE", "JEAN ROBERT", "NADEGE", "FRANTZ"],
    "indian": ["PRIYANKA", "SURESH", "ANANYA", "RAJESH", "DEEPIKA"],
}
ROSTER_COUNTRIES = {  # keys into COUNTRIES
    "spanish": "guatemala",
    "russian": "russia",
    "persian": "iran",
    "chinese": "china",
    "haitian": "haiti",
    "indian": "india",
}
ROSTER_BOOK_IN = dt.date(2022, 3, 14)
ROSTER_FACILITIES = [
    "Otero County Processing Center",
    "Krome North Service Processing Center",
    "Adelanto ICE Processing Center",
    "Stewart Detention Center",
]
ROSTER_ONSETS = ["k", "v", "t", "l", "m", "r", "z", "n", "d", "sh", "b", "g"]
ROSTER_VOWELS = ["a", "e", "i", "o", "u"]
ROSTER_CODAS = ["", "", "n", "r", "z", "l"]
ROSTER_HEADER = ["A-Number", "Name", "Date of Birth", "Nationality", "Detention Facility", "Book-in Date"]


def invented_word(rng: random.Random, syllables: int) -> str:
    return "".join(
        rng.choice(ROSTER_ONSETS) + rng.choice(ROSTER_VOWELS) + rng.choice(ROSTER_CODAS)
        for _ in range(syllables)
    )


def invented_name(rng: random.Random) -> tuple[str, str]:
    """(family, given) from random syllables: no name table has seen them."""
    return invented_word(rng, rng.randint(3, 4)).upper(), invented_word(rng, rng.randint(2, 3)).upper()


def a_number(rng: random.Random) -> str:
    while True:
        value = str(rng.randint(200_000_000, 249_999_999))
        if len(set(value)) > 3:
            return value


def roster_people(n: int, seed: int, invented: bool = False) -> list[Person]:
    """`n` people with distinct A-numbers, names from the fixed tables above (or, `invented`,
    from random syllables), booked in on one day; the fields no unit test reads (case and
    passport numbers, sex) follow from the A-number, so the tables alone decide the rest."""
    rng = random.Random(seed)
    people: list[Person] = []
    used: set[str] = set()
    origins = sorted(ROSTER_FAMILIES)
    while len(people) < n:
        origin = origins[len(people) % len(origins)]
        if invented:
            family, given = invented_name(rng)
        else:
            family, given = rng.choice(ROSTER_FAMILIES[origin]), rng.choice(ROSTER_GIVENS[origin])
        number = a_number(rng)
        if number in used:
            continue
        used.add(number)
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
        people.append(
            Person(
                given=given,
                family=family,
                origin=origin,
                a_number=number,
                date_of_birth=born,
                country=ROSTER_COUNTRIES[origin],
                facility=rng.choice(ROSTER_FACILITIES),
                book_in=ROSTER_BOOK_IN,
                case_number=f"EAC22{number[1:]}",
                sex="MF"[int(number) % 2],
                passport_number=f"P{number[1:]}",
            )
        )
    return people


def with_repeats(people: Sequence[Person], extra: int, seed: int) -> list[Person]:
    """The people plus `extra` repeated rows (the same person booked twice)."""
    rng = random.Random(seed)
    rows = list(people) + [rng.choice(people) for _ in range(extra)]
    rng.shuffle(rows)
    return rows


def simple_roster_rows(people: Sequence[Person], spelling: str = "A{}") -> list[list[str]]:
    rows = [list(ROSTER_HEADER)]
    for p in people:
        rows.append(
            [
                spelling.format(p.a_number),
                p.roster_name,
                p.date_of_birth.strftime("%m/%d/%Y"),
                p.nationality("agency"),
                p.facility,
                p.book_in.strftime("%m/%d/%Y"),
            ]
        )
    return rows


def write_workbook(
    path: Path, sheets: dict[str, Sequence[Sequence[object]]], states: dict[str, str] | None = None
) -> Path:
    """A workbook with one sheet per entry; `states` sets sheet_state (hidden, veryHidden)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        if states and title in states:
            ws.sheet_state = states[title]
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.create_sheet("Cover").append(["Fiscal year 2022 summary"])
    wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)
    return path


def write_rows(path: Path, rows: Sequence[Sequence[object]], sep: str = ",", encoding: str = "utf-8") -> Path:
    def quote(value: object) -> str:
        text = str(value)
        return f'"{text}"' if sep in text or '"' in text else text

    text = "\r\n".join(sep.join(quote(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    return (
        "\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in rows) + "\n"
    ).encode()


# --- routine publications: must pass ---------------------------------------------------------


def facility_counts() -> list[list[object]]:
    rows: list[list[object]] = [["Facility Name", "City", "State", "ADP", "Total Book-ins"]]
    for i, name in enumerate(ROSTER_FACILITIES):
        rows.append([name, "Sierra Blanca", "TX", 812 + 37 * i, 12_345 + 1_001 * i])
    return rows


def nationality_counts() -> list[list[object]]:
    rows: list[list[object]] = [["Country of Citizenship", "Book-ins", "Releases", "Removals"]]
    for i, country in enumerate([*ROSTER_COUNTRIES.values(), "MEXICO", "HONDURAS", "EL SALVADOR"]):
        rows.append([country, 20_000 - 1_234 * i, 8_000 - 321 * i, 5_000 - 111 * i])
    return rows


def fixed_contract_rows() -> list[list[object]]:
    rows: list[list[object]] = [
        ["Contract Number", "Award ID", "Vendor", "DUNS", "Facility", "Obligated Amount", "FY"]
    ]
    vendors = ["Sierra Holdings LLC", "Northgate Services Inc", "Blue Mesa Corrections Corp"]
    for i, vendor in enumerate(vendors):
        rows.append(
            [
                f"70CDCR2{i}D00000{i + 1}",
                str(212_345_622 + 7_919 * i),
                vendor,
                str(614_872_391 + 13 * i),
                ROSTER_FACILITIES[i],
                f"${12_345_678 + 1_000 * i:,}.00",
                "2022",
            ]
        )
    return rows


def weekly_statistics() -> dict[str, list[list[object]]]:
    weeks: list[list[object]] = [["Week Ending", "Book-ins", "Book-outs", "ADP", "ALOS"]]
    for i in range(12):
        day = dt.date(2022, 10, 1) + dt.timedelta(days=7 * i)
        weeks.append([day.strftime("%m/%d/%Y"), 5_000 + 13 * i, 4_800 + 11 * i, 25_000 + 97 * i, 38.2])
    return {"Weekly": weeks, "By Facility": facility_counts(), "By Nationality": nationality_counts()}


def office_directory() -> list[list[object]]:
    return [
        ["Field Office", "Address", "Phone", "Email"],
        ["Atlanta Field Office", "180 Ted Turner Drive SW", "(404) 893-1210", "atlanta.outreach@example.gov"],
        ["Boston Field Office", "1000 District Avenue", "(781) 359-7500", "boston.outreach@example.gov"],
        [
            "Chicago Field Office",
            "101 West Congress Parkway",
            "(312) 347-2400",
            "chicago.outreach@example.gov",
        ],
    ]


PRESS_RELEASE = (
    "FOR IMMEDIATE RELEASE\n\n"
    "WASHINGTON - Secretary Jane Whitfield said on Monday that the department will expand legal "
    'orientation programs at 12 detention facilities. "Everyone deserves to understand their '
    'rights," said Secretary Whitfield.\n\n'
    "Acting Director Marcus Oyelaran added that the Otero County Processing Center and the Stewart "
    "Detention Center will start in January. Deputy Director Elena Brightwater will lead the effort.\n\n"
    "Media contact: Office of Public Affairs, (202) 732-4242, press@example.gov\n"
)

A_NUMBER_FAQ = (
    "Frequently Asked Questions\n\n"
    "What is an A-number? An Alien Registration Number is a 7, 8 or 9 digit number that the "
    "department assigns. It looks like this: A-123-456-789 or A123456789.\n\n"
    "Where do I find it? On your notice, after the letters A# (for example A# 000 000 000).\n"
)


# --- hidden layers -----------------------------------------------------------------------------

PIVOT_DEFINITION = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"
 refreshOnLoad="1" recordCount="{count}">
<cacheSource type="worksheet"><worksheetSource ref="A1:C{last}" sheet="Detainees"/></cacheSource>
<cacheFields count="3">
<cacheField name="A-Number" numFmtId="0"><sharedItems/></cacheField>
<cacheField name="Name" numFmtId="0"><sharedItems/></cacheField>
<cacheField name="Facility" numFmtId="0"><sharedItems count="{n_fac}">{facilities}</sharedItems></cacheField>
</cacheFields></pivotCacheDefinition>"""
PIVOT_RECORDS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheRecords xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}">
{records}</pivotCacheRecords>"""
PIVOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/>
</Relationships>""".replace(
    "{RELATIONSHIPS}", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)


def pivot_cache_for(people: Sequence[Person]) -> dict[str, bytes]:
    """The parts a pivot table leaves in a workbook: its cache keeps every source row even after
    the source sheet ('Detainees') is deleted."""
    from xml.sax.saxutils import escape, quoteattr

    facilities = sorted({p.facility for p in people})
    records = "".join(
        f'<r><s v="A{p.a_number}"/><s v={quoteattr(p.roster_name)}/>'
        f'<x v="{facilities.index(p.facility)}"/></r>\n'
        for p in people
    )
    items = "".join(f"<s v={quoteattr(escape(f))}/>" for f in facilities)
    return {
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_DEFINITION.format(
            count=len(people), last=len(people) + 1, n_fac=len(facilities), facilities=items
        ).encode(),
        "xl/pivotCache/pivotCacheRecords1.xml": PIVOT_RECORDS.format(
            count=len(people), records=records
        ).encode(),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": PIVOT_RELS.encode(),
    }


def add_zip_parts(path: Path, parts: dict[str, bytes], replace: bool = False) -> Path:
    """Add (or with `replace`, overwrite) parts of an OOXML package."""
    with zipfile.ZipFile(path) as zf:
        existing = {name: zf.read(name) for name in zf.namelist()}
    if replace:
        existing.update(parts)
    else:
        existing = {**existing, **parts}
    path.write_bytes(zip_bytes(existing))
    return path


def roster_lines(people: Sequence[Person]) -> list[str]:
    return [
        f"{p.roster_name} A{p.a_number} DOB {p.date_of_birth:%m/%d/%Y} {p.nationality('agency')}"
        for p in people
    ]


def write_docx_layers(path: Path, comment: str, deleted: str, hidden: str) -> Path:
    """A Word file whose visible text is harmless; people sit in a comment, a tracked deletion
    and a run formatted hidden."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    first = document.add_paragraph("Quarterly report on legal orientation programs.")
    document.add_comment(first.runs, text=comment, author="Reviewer", initials="R")
    paragraph = document.add_paragraph("Program participation grew in every region. ")
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="91" w:author="Editor" w:date="2022-11-28T00:00:00Z">'
            f'<w:r><w:delText xml:space="preserve">{deleted}</w:delText></w:r></w:del>'
        )
    )
    run = document.add_paragraph("See the annex. ").add_run(hidden)
    run.font.hidden = True
    document.save(str(path))
    return path


def write_pptx_layers(path: Path, notes: str, hidden_slide: str) -> Path:
    import pptx

    deck = pptx.Presentation()
    layout = deck.slide_layouts[1]
    first = deck.slides.add_slide(layout)
    first.shapes.title.text = "Detention statistics"
    first.placeholders[1].text = "Average daily population rose 4 percent."
    first.notes_slide.notes_text_frame.text = notes
    second = deck.slides.add_slide(layout)
    second.shapes.title.text = "Backup"
    second.placeholders[1].text = hidden_slide
    second._element.set("show", "0")
    deck.save(str(path))
    return path


def write_pdf_under_box(path: Path, visible: str, covered: str) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 720, visible)
    pdf.drawString(72, 690, covered)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.rect(66, 684, 470, 20, fill=1, stroke=0)
    pdf.showPage()
    pdf.save()
    return path


def write_pdf_text(path: Path, lines: Sequence[str], encrypt: str | None = None) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, encrypt=encrypt)
    pdf.setFont("Helvetica", 10)
    y = 740
    for line in lines:
        pdf.drawString(50, y, line)
        y -= 14
        if y < 60:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = 740
    pdf.showPage()
    pdf.save()
    return path


def write_ods_rows(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Roster")
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def laughs_workbook(path: Path) -> Path:
    """A workbook whose shared strings carry a DOCTYPE with entities (billion laughs, cut short)."""
    write_workbook(path, {"R": [["a", "b"], ["1", "2"]]})
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&lol2;</t></si></sst>"
    )
    add_zip_parts(path, {"xl/sharedStrings.xml": entity}, replace=True)
    return path
