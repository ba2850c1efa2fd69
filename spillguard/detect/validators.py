"""Identifiers and phone numbers checked by maintained libraries, not by hand-kept rules:

- phone numbers by libphonenumber's numbering plans of every country (`phonenumbers`, the
  Python port of Google's library): a number is one only if it is valid where it is dialled;
- national identity and tax numbers of persons by their issuers' rules and check digits
  (`python-stdnum`): US SSN and ITIN, Canada's SIN, Mexico's CURP, Spain's DNI and NIE,
  France's NIR, Germany's IdNr, India's Aadhaar, Brazil's CPF, Italy's codice fiscale, the
  Netherlands' BSN, the UK's NHS number;
- passport numbers by the shapes issuing states give them (`data/passports.toml`; stdnum
  knows only the Dutch one, which it checks).

Both libraries are imported on first use, when a candidate number has been seen: a file
without one never pays for them (phonenumbers' import is 20-50 ms, stdnum's 10-40 ms).
Everything here is a plain function of its arguments.
"""

from __future__ import annotations

import importlib
import importlib.resources
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

_NOT_DIGIT = re.compile(r"\D+")


def digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


ASCENDING = "01234567890123456789"
DESCENDING = "98765432109876543210"


def placeholder_number(number: str) -> bool:
    """Numbers used in forms, FAQs and templates to show the shape: 123456789, 000000000,
    999-99-9999. Publishing one exposes nobody."""
    d = number if number.isdigit() else digits(number)
    return not d or d.count(d[0]) == len(d) or d in ASCENDING or d in DESCENDING


# --- phone numbers ---------------------------------------------------------------------------


@cache
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


# The 555 exchange of every North American area code is for fiction (555-0100 to 555-0199 by
# NANPA's reservation) and directory services; nobody's own line. libphonenumber counts the
# numbers valid, since they can be dialled.
NANP_FICTION = re.compile(r"\d{3}555\d{4}")
# A candidate must hold this many digits before the library is asked (the shortest national
# numbers, in small countries, have seven).
PHONE_MIN_DIGITS = 7


def _shown_number(number: Any) -> bool:
    """Not a placeholder (1-234-567-8901, 000-000-0000) nor a number reserved for fiction."""
    national = str(number.national_number)
    if placeholder_number(national):
        return False
    return not (number.country_code == 1 and NANP_FICTION.fullmatch(national))


def phone_numbers(text: str, regions: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each phone number in `text` that is valid where it is dialled and
    written as phone numbers are: numbers in international form anywhere, others in one of
    `regions`. libphonenumber's matcher at leniency STRICT_GROUPING (valid, and grouped as the
    country groups them: an IP address or a row of single digits is not a phone number; it
    also leaves dates, times and page ranges alone); a bare run of digits is taken for a
    number of some other kind (an order, a count) unless a + starts it."""
    pn = _phonenumbers()
    taken: list[tuple[int, int]] = []
    for region in regions:
        for match in pn.PhoneNumberMatcher(text, region, leniency=pn.Leniency.STRICT_GROUPING):
            if any(match.start < end and start < match.end for start, end in taken):
                continue  # one number read under two regions
            if match.raw_string.isdigit() or not _shown_number(match.number):
                continue
            start, raw = match.start, match.raw_string
            if raw.startswith("(") and ")" not in raw:  # "(1-888-351-4024)": the text's bracket
                start, raw = start + 1, raw[1:]
            taken.append((start, match.end))
            yield start, match.end, raw


PHONE_MAX_DIGITS = 21  # E.164's 15, and an extension of up to 6


def phone_cell(value: str, regions: tuple[str, ...]) -> bool:
    """A table cell that is a phone number valid where it is dialled (an extension or a label
    around it allowed: `410-775-2964 x5532`, `Cell: +52 55 1234 5678`); a cell that only
    holds one among other text (a record's dump, a note) is text, read as text."""
    count = sum(ch.isdigit() for ch in value)
    if not PHONE_MIN_DIGITS <= count <= PHONE_MAX_DIGITS:
        return False
    pn = _phonenumbers()
    for region in regions:
        try:
            number = pn.parse(value, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number) and _shown_number(number):
            return True
    return False


def phone_like(value: str) -> bool:
    """A cell of a column already judged to hold phone numbers (most of its sampled values
    valid by `phone_cell`): holds as many digits as a phone number, with any extension, and is
    no placeholder. A regex and a count, where the library's parse costs 40 us a cell: a
    million-row export with a phone column would spend 40 s on it."""
    count = sum(ch.isdigit() for ch in value)
    return PHONE_MIN_DIGITS <= count <= PHONE_MAX_DIGITS and not placeholder_number(value)


def valid_phone_region(region: str) -> bool:
    """A region libphonenumber has a numbering plan for (ISO 3166 alpha-2, upper case)."""
    return region in _phonenumbers().SUPPORTED_REGIONS


# --- national identity and tax numbers -------------------------------------------------------


@cache
def _stdnum(module: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{module}")


def stdnum_valid(module: str, value: str) -> bool:
    """stdnum's own check (`is_valid`: length, format, issuing rules, check digits)."""
    valid: Callable[[str], bool] = _stdnum(module).is_valid
    return valid(value)


def valid_ssn(value: str) -> bool:
    """A US Social Security number by SSA's rules (stdnum `us.ssn`: no area 000, 666 or
    900-999, no group 00, no serial 0000, not an advertised sample), and not a form's
    placeholder (123-45-6789)."""
    d = digits(value)
    return len(d) == 9 and not placeholder_number(d) and stdnum_valid("us.ssn", d)


@dataclass(frozen=True, slots=True)
class Scheme:
    """One country's identity or tax number for persons, checked by a stdnum module. `label`
    is what text writes before the number (acronyms case-sensitive: "SIN" is a number, "sin"
    a Spanish word); `bare` a shape so particular that it stands without a label."""

    id: str
    module: str
    title: str
    label: str
    bare: str = ""
    examples: tuple[str, ...] = ()  # texts with an invented number it finds and the module accepts
    non_examples: tuple[str, ...] = ()  # the same with the number failing the module's checks


# Organisations' numbers are left out on purpose: a US EIN, a Spanish CIF, a Brazilian CNPJ,
# an 11-digit Italian codice fiscale (a company's) identify businesses, not people.
SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "us-itin",
        "us.itin",
        "US Individual Taxpayer Identification Number (ITIN)",
        r"\bITIN\b|(?i:individual taxpayer identification number)",
        # Written like an SSN, in IRS's ranges: 9XX-5X to 9XX-8X and 9XX-9X.
        bare=r"(?<![\d-])9\d\d-\d\d-\d{4}(?![\d-])",
        examples=("ITIN 931-74-2265",),
        non_examples=("ITIN 931-43-2265",),
    ),
    Scheme(
        "ca-sin",
        "ca.sin",
        "Canadian Social Insurance Number (SIN)",
        r"\bSIN\b|(?i:social insurance number|num[ée]ro d.assurance sociale)",
        examples=("SIN 701 062 432",),
        non_examples=("SIN 701 062 430",),
    ),
    Scheme(
        "mx-curp",
        "mx.curp",
        "Mexican CURP",
        r"\bCURP\b",
        bare=r"(?<![A-Z0-9])[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d(?![A-Z0-9])",
        examples=("CURP GOAM880312MDFNRR02",),
        non_examples=("CURP GOAM880312MDFNRR00",),
    ),
    Scheme(
        "es-dni",
        "es.dni",
        "Spanish DNI",
        r"\b(?:DNI|NIF)\b",
        examples=("DNI 48213975H",),
        non_examples=("DNI 48213975A",),
    ),
    Scheme(
        "es-nie",
        "es.nie",
        "Spanish NIE (foreigners)",
        r"\b(?:NIE|NIF)\b",
        examples=("NIE Y4821397J",),
        non_examples=("NIE Y4821397A",),
    ),
    Scheme(
        "fr-nir",
        "fr.nir",
        "French NIR (social security number)",
        r"\bNIR\b|(?i:num[ée]ro de s[ée]curit[ée] sociale|num[ée]ro INSEE)",
        examples=("NIR 2 88 03 75 116 042 80",),
        non_examples=("NIR 2 88 03 75 116 042 81",),
    ),
    Scheme(
        "de-idnr",
        "de.idnr",
        "German tax identification number (IdNr)",
        r"\bIdNr\b|(?i:steuer-?id(?:entifikationsnummer)?\b|steuerliche identifikationsnummer)",
        examples=("Steuer-ID 59 968 129 044",),
        non_examples=("Steuer-ID 59 968 129 040",),
    ),
    Scheme(
        "in-aadhaar",
        "in_.aadhaar",
        "Indian Aadhaar number",
        r"(?i:\baadhaa?r\b)",
        examples=("Aadhaar 5839 7016 0770",),
        non_examples=("Aadhaar 5839 7016 0771",),
    ),
    Scheme(
        "br-cpf",
        "br.cpf",
        "Brazilian CPF",
        r"\bCPF\b",
        examples=("CPF 482.139.750-14",),
        non_examples=("CPF 482.139.750-15",),
    ),
    Scheme(
        "it-codicefiscale",
        "it.codicefiscale",
        "Italian codice fiscale (of a person)",
        r"(?i:codice fiscale)",
        # A person's is 16 characters spelling surname, name, birth date and place.
        bare=r"(?<![A-Z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Z0-9])",
        examples=("codice fiscale BNCLRA92D55F205E",),
        non_examples=("codice fiscale BNCLRA92D55F205A",),
    ),
    Scheme(
        "nl-bsn",
        "nl.bsn",
        "Dutch citizen service number (BSN)",
        r"\bBSN\b|(?i:burgerservicenummer|sofinummer)",
        examples=("BSN 385674120",),
        non_examples=("BSN 385674121",),
    ),
    Scheme(
        "gb-nhs",
        "gb.nhs",
        "UK NHS number",
        r"\bNHS\s+(?i:no\b|number)",
        examples=("NHS number 638 091 1200",),
        non_examples=("NHS number 638 091 1201",),
    ),
)

# After a label: punctuation, "No.", "number", "nº", then the value.
LABEL_GAP = re.compile(r"[\s:#.°º()-]{0,4}(?:(?i:no|nr|num|number|n[úu]mero|n°|nº)\.?[\s:#.]{0,3})?")
# A labelled value: digits in groups (an optional NIE letter before, a DNI letter after), or
# one run of capitals and digits (CURP, codice fiscale).
LABELLED_VALUE = re.compile(
    r"(?:[XYZ][ -]?)?\d(?:[ .\/-]?\d){6,14}(?:[ -]?[A-Z])?(?![A-Za-z0-9])|[A-Z0-9]{8,18}(?![A-Za-z0-9])"
)
_SEPARATORS = re.compile(r"[ .\/-]")
MIN_IDENTIFIER = 7  # characters of the shortest number here, once compacted


@dataclass(frozen=True, slots=True)
class _Compiled:
    labels: re.Pattern[str]  # every scheme's label, one search a passage
    bare: re.Pattern[str]  # every bare shape, a named group per scheme
    by_label: tuple[tuple[re.Pattern[str], str], ...]  # each label, its module: "NIF" is two
    by_group: dict[str, str]  # the bare pattern's group names, their modules


@cache
def _compiled() -> _Compiled:
    def group(scheme: Scheme) -> str:
        return scheme.id.replace("-", "_")

    return _Compiled(
        re.compile("|".join(f"(?:{s.label})" for s in SCHEMES)),
        re.compile("|".join(f"(?P<{group(s)}>{s.bare})" for s in SCHEMES if s.bare)),
        tuple((re.compile(s.label), s.module) for s in SCHEMES),
        {group(s): s.module for s in SCHEMES},
    )


# What any number here holds: seven digits (separators allowed), or the start of a CURP or of a
# codice fiscale. The cheap test a passage must pass before labels and checks are looked for
# (a pattern of all the labels took ten times as long).
NATIONAL_ID_CANDIDATE = r"\d(?:[ .\/-]?\d){6}|[A-Z]{4}\d{6}|[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T]"


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


def _prefixes(value: str) -> Iterator[str]:
    """The value, then shorter by whole groups from the end ("701 062 432 2023" holds a SIN
    and a year): what follows a number on its line may have been read into it."""
    cuts = [m.start() for m in _SEPARATORS.finditer(value)]
    yield value
    for cut in reversed(cuts):
        if len(_compact(value[:cut])) >= MIN_IDENTIFIER:
            yield value[:cut]


def national_ids(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each national identity or tax number of a person in `text`:
    after its label and valid by that label's scheme, or in a shape that stands alone and
    valid by its scheme."""
    compiled = _compiled()
    taken: list[tuple[int, int]] = []
    for label in compiled.labels.finditer(text):
        modules = [module for pattern, module in compiled.by_label if pattern.fullmatch(label.group(0))]
        gap = LABEL_GAP.match(text, label.end())
        at = gap.end() if gap else label.end()
        value = LABELLED_VALUE.match(text, at)
        if value is None:
            continue
        for candidate in _prefixes(value.group(0)):
            compact = _compact(candidate)
            if any(stdnum_valid(module, compact) for module in modules):
                taken.append((at, at + len(candidate)))
                yield at, at + len(candidate), candidate
                break
    for match in compiled.bare.finditer(text):
        start, end = match.span()
        if any(start < e and s < end for s, e in taken):
            continue
        module = compiled.by_group[match.lastgroup or ""]
        if stdnum_valid(module, _compact(match.group(0))):
            yield start, end, match.group(0)


def valid_national_id(value: str) -> bool:
    """A cell under a national-identifier header: valid under one of the schemes (the header
    does not say which country's)."""
    compact = _compact(value.strip())
    if len(compact) < MIN_IDENTIFIER or not compact.isalnum() or placeholder_number(compact):
        return False
    return any(stdnum_valid(s.module, compact) for s in SCHEMES)


# --- passport numbers ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PassportShape:
    name: str
    pattern: re.Pattern[str] | None  # over the compacted value
    stdnum: str  # a stdnum module that checks this shape instead, or ""
    countries: tuple[str, ...]
    examples: tuple[str, ...]
    non_examples: tuple[str, ...]

    def fits(self, value: str) -> bool:
        if self.stdnum:
            return stdnum_valid(self.stdnum, value)
        return self.pattern is not None and self.pattern.fullmatch(value) is not None


@cache
def passport_shapes() -> tuple[PassportShape, ...]:
    raw = tomllib.loads(importlib.resources.files("spillguard").joinpath("data/passports.toml").read_text())
    return tuple(
        PassportShape(
            name,
            re.compile(entry["pattern"]) if "pattern" in entry else None,
            entry.get("stdnum", ""),
            tuple(entry["countries"]),
            tuple(entry["examples"]),
            tuple(entry["non_examples"]),
        )
        for name, entry in raw["shapes"].items()
    )


# ICAO Doc 9303: the document number field of a machine-readable passport holds 9 characters.
PASSPORT_LENGTH = range(6, 10)


def valid_passport(value: str) -> bool:
    """A passport number as an issuing state writes it: 6 to 9 capitals and digits, at least
    one a digit, in one of the shapes of `data/passports.toml`, and not a form's placeholder
    (G12345678). Only asked where a header or a cue word says passport."""
    compact = value.replace(" ", "")
    if len(compact) not in PASSPORT_LENGTH or not compact.isalnum() or not compact.isascii():
        return False
    compact = compact.upper()
    if not any(ch.isdigit() for ch in compact) or placeholder_number(compact):
        return False
    return any(shape.fits(compact) for shape in passport_shapes())
