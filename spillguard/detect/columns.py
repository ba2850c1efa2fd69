"""The column classifier: every table (sheet, CSV, HTML/Word table, JSON records) is judged a
whole column at a time, from what its header means and what its values look like. A column
headed "Detainee" full of names nobody has seen is a name column; a headerless column of
"LAST, FIRST" next to A-numbers is one too; a column of 9-digit numbers headed "Contract" is not.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from spillguard.assess import ATTRIBUTE_KINDS, IDENTIFIERS, Assessment, record_severity
from spillguard.detect import gazetteer, names
from spillguard.detect.dates import birth_range, parse_date, plausible_birth
from spillguard.detect.rules import (
    A_NUMBER,
    CASE_NUMBER,
    EMAIL,
    FACILITY,
    PHONE_CANDIDATE,
    SSN,
    a_number_cell,
    a_number_key,
    digits,
    valid_a_number,
    valid_passport,
    valid_ssn,
)
from spillguard.detect.text import DEFAULT_SETTINGS, detect_passage, find_hits
from spillguard.detect.validators import phone_cell, phone_like, valid_national_id
from spillguard.detect.vocabulary import QUALIFIERS, vocabulary
from spillguard.extract.base import column_letter
from spillguard.model import DetectSettings, Finding, Location, Passage, Table

HEADER_SCAN_ROWS = 25  # title rows above the header are common in published workbooks
SAMPLE = 200
LONG_TEXT = 25  # cells this long in unclassified columns get full text detection


def _header_pattern(kind: str) -> re.Pattern[str]:
    return vocabulary().header(kind).pattern


def header_kinds() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Header meaning, from the shared vocabulary, in the order the kinds are tried."""
    return tuple((h.kind, h.pattern) for h in vocabulary().headers if h.kind not in QUALIFIERS)


@dataclass(frozen=True, slots=True)
class Plan:
    """What the classifier decided for one table: where the header is, each column's kind."""

    header_index: int | None  # index in the first chunk's rows; None when headerless
    kinds: dict[int, str]  # column index -> kind
    free_text: frozenset[int]  # columns whose long cells get full text detection
    immigration_context: bool
    header: tuple[str, ...] = ()
    # Name columns some of whose sampled values were organisations or places: each cell there
    # is checked; elsewhere a name column's cells are taken as they are (a roster's speed).
    mixed_names: frozenset[int] = frozenset()
    # The street addresses are where the listed people live: distinct per row, no suite or
    # room, beside a column of people's names (an office list repeats its building).
    home_addresses: bool = False


def detect_table(table: Table, plans: dict[str, Plan], assessment: Assessment) -> None:
    rows = table.rows
    if not rows:
        return
    key = table.key or table.part
    plan = plans.get(key) if table.is_continuation else None
    if plan is None and not table.is_continuation and _key_value_form(rows):
        _detect_form(table, assessment)
        return
    if plan is None:
        plan = plan_table(rows, table.part, assessment.settings)
        plans[key] = plan
    start = 0
    if not table.is_continuation and plan.header_index is not None:
        start = plan.header_index + 1
    _scan_rows(table, plan, start, assessment)


FORM_MAX_ROWS = 60
FORM_MIN_LABELS = 3


def _key_value_form(rows: Sequence[Sequence[str]]) -> bool:
    """A sheet laid out as a form, one field a row: "Name | GARCIA, ANA", "A-Number | A2123...".
    Its first column is labels, so its columns mean nothing; its rows are one person."""
    # A form is short: stop counting once past its size, not after a million rows.
    filled = list(itertools.islice((r for r in rows if any(c.strip() for c in r)), FORM_MAX_ROWS + 1))
    if not FORM_MIN_LABELS <= len(filled) <= FORM_MAX_ROWS:
        return False
    labelled = [r for r in filled if len(r) >= 2 and r[0].strip() and any(c.strip() for c in r[1:])]
    firsts = [r[0].strip().rstrip(":") for r in labelled]
    # Labels are words, each used once; a roster's first column is values that repeat or
    # carry digits (A212345622 folds to "A", which would read as an A-number label).
    labels = [f for f in firsts if not any(ch.isdigit() for ch in f) and len(f) <= 40 and header_kind(f)]
    return (
        len(labels) >= max(FORM_MIN_LABELS, len(labelled) * 0.6)
        and len(set(firsts)) == len(firsts)
        and len(labelled) >= len(filled) * 0.6
        and max(len(r) for r in filled) <= 4
    )


def _detect_form(table: Table, assessment: Assessment) -> None:
    """Read a form as one line of `label: value` pairs, so the text detector sees the person
    whole: the name after "Name:", the number after "A-Number:", the date after "DOB:"."""
    fields = [
        f"{row[0].strip().rstrip(':')}: {' '.join(c.strip() for c in row[1:] if c.strip())}"
        for row in table.rows
        if row and row[0].strip() and any(c.strip() for c in row[1:])
    ]
    first = next(i for i, r in enumerate(table.rows) if r and r[0].strip())
    location = Location(table.part, table.layer, table.hidden, table.row_number(first), "A")
    detect_passage(Passage("; ".join(fields), location), assessment, False)


def plan_table(rows: Sequence[Sequence[str]], part: str, settings: DetectSettings = DEFAULT_SETTINGS) -> Plan:
    header_index = find_header(rows)
    header = tuple(rows[header_index]) if header_index is not None else ()
    data = rows[header_index + 1 :] if header_index is not None else rows
    width = max((len(r) for r in data[: SAMPLE * 5]), default=0)
    width = max(width, len(header))
    by_header = {i: header_kind(header[i]) for i in range(len(header))}
    kinds: dict[int, str] = {}
    free_text: set[int] = set()
    samples = _samples(data, width)
    titles = [header[i] if i < len(header) else "" for i in range(width)]
    # Columns other than names first: beside an identifier or a birth date, a Name column's
    # values need only the shape of names (a roster need not weigh every word's frequency).
    decided = {
        i: _decide(by_header.get(i), samples[i], titles[i], settings=settings)
        for i in range(width)
        if by_header.get(i) != "person_name"
    }
    identified = bool(set(decided.values()) & (IDENTIFIERS | {"date_of_birth"}))
    for i in range(width):
        if by_header.get(i) == "person_name":
            decided[i] = _decide("person_name", samples[i], titles[i], identified, settings)
    # What links a row's person to custody or proceedings is in the row, not the page's topic: a
    # name column headed "Detainee" or "Respondent", or an A-number or case-number column.
    role = _header_pattern("person_role")
    context = any(
        kind == "person_name" and i < len(header) and role.search(gazetteer.fold(header[i])) is not None
        for i, kind in decided.items()
    ) or bool({"a_number", "immigration_case_number"} & set(decided.values()))
    for i, kind in decided.items():
        if kind and _stands(kind, gazetteer.fold(header[i]) if i < len(header) else "", samples[i], context):
            kinds[i] = kind
    # Value shape alone cannot tell a name column from a list of places or titles; next to an
    # identifier or birth-date column it can.
    personal_columns = {k for k in kinds.values() if k in IDENTIFIERS or k == "date_of_birth"}
    for i in range(width):
        if i in kinds or (header and by_header.get(i) is not None):
            continue
        values = samples[i]
        if i < len(header) and _header_rules_out_names(header[i]):
            pass  # a "City" column of "Sierra Blanca" is places, however name-like they look
        elif _name_column_by_shape(values, bool(personal_columns)):
            kinds[i] = "person_name"
        elif values and sum(len(v) >= LONG_TEXT for v in values) * 5 >= len(values):
            free_text.add(i)
    # A "Name" column whose values proved to be facilities or offices names things, not people:
    # "DELAWARE CO JAIL (GEORGE W. HILL)" is a jail and the man it is named after, no detainee.
    named_things = {i for i, kind in by_header.items() if kind == "person_name" and i not in kinds}
    for i in range(width):
        if i in kinds or i in free_text or i in named_things:
            continue
        if any(len(v) >= LONG_TEXT for v in samples[i]):
            free_text.add(i)
    if not header and set(kinds.values()) & ({"person_name"} | IDENTIFIERS):
        for i in range(width):
            if i not in kinds and _birth_dates_by_shape(samples[i]):
                kinds[i] = "date_of_birth"
    mixed = frozenset(
        i
        for i, kind in kinds.items()
        if kind == "person_name" and any(_not_person(v, identified) for v in samples[i])
    )
    organisation_columns = _header_pattern("organisation_columns")
    describes_organisations = any(organisation_columns.search(gazetteer.fold(h)) for h in header)
    home = not describes_organisations and _home_addresses(kinds, samples)
    return Plan(header_index, kinds, frozenset(free_text), context, header, mixed, home)


HOME_DISTINCT_SHARE = 0.8


def _home_addresses(kinds: dict[int, str], samples: dict[int, list[str]]) -> bool:
    if "person_name" not in kinds.values():
        return False
    for i, kind in kinds.items():
        values = samples[i]
        if kind != "street_address" or not values:
            continue
        office_words = vocabulary().words["office_address"].words
        offices = sum(1 for v in values if office_words.intersection(gazetteer.fold(v).split()))
        distinct = len(set(values)) >= len(values) * HOME_DISTINCT_SHARE
        if distinct and offices < len(values) * 0.2:
            return True
    return False


def _not_person(value: str, identified: bool = False) -> bool:
    """A value in a name column that names a place or an organisation instead (beside an
    identifier, a place-like name is still a person's: Albert Lea is someone's name there)."""
    return names.organisation(value) or (not identified and " " in value.strip() and names.place(value))


MIN_AGE_YEARS = 16
MIN_SPREAD_YEARS = 10


def _birth_dates_by_shape(values: list[str]) -> bool:
    """In a headerless table of people, the date column whose dates lie decades back and spread
    over decades is the birth dates; book-in, hearing and release dates cluster in recent years."""
    if len(values) < 5:
        return False
    dates = [d for v in values if (d := parse_date(v)) is not None and plausible_birth(d)]
    if len(dates) < len(values) * SHAPE_ALONE:
        return False
    years = sorted(d.year for d in dates)
    median_age = dt.date.today().year - years[len(years) // 2]
    return median_age >= MIN_AGE_YEARS and years[-1] - years[0] >= MIN_SPREAD_YEARS


def _header_rules_out_names(header: str) -> bool:
    """A header that names something other than a person (city, vendor, office, count)."""
    folded = gazetteer.fold(header)
    return bool(folded) and bool(
        _header_pattern("not_personal").search(folded) or _header_pattern("describes").search(folded)
    )


GENERIC_PLACE_HEADER = re.compile(r"^(?:LOCATION|CURRENT LOCATION|HOUSING|SITE)$")
COUNTRY_ONLY_HEADER = re.compile(r"^(?:COUNTRY|PAIS)$")


def _stands(kind: str, header: str, values: list[str], context: bool) -> bool:
    """Headers that mean a person's custody or nationality only in an immigration table: a
    'Location' column in an order list holds shop addresses, a 'Country' column in a customer
    list says where they live."""
    if kind == "detention_facility" and (GENERIC_PLACE_HEADER.match(header) or not header):
        return sum(1 for v in values if names.FACILITY_WORDS.search(v)) >= len(values) * HEADER_AGREEMENT
    if kind == "nationality" and COUNTRY_ONLY_HEADER.match(header):
        return context
    return True


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """The row that names the columns: the one among the first rows whose cells most look like
    column titles (known header words), followed by data."""
    best, best_score = None, 0.0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [c.strip() for c in row if c and c.strip()]
        if len(cells) < 2 and not (len(cells) == 1 and len(row) == 1):
            continue
        known = sum(
            1
            for c in cells
            if header_kind(c)
            or _header_pattern("describes").search(gazetteer.fold(c))
            or _header_pattern("not_personal").search(gazetteer.fold(c))
        )
        # Titles are words, though some carry a year or a level ("FY16 ADP", "Level A").
        textual = sum(1 for c in cells if len(c) <= 60 and _title_like(c))
        if textual < len(cells) * 0.8:
            continue
        score = known + 0.1 * len(cells)
        if known and score > best_score:
            best, best_score = index, score
    return best


def _title_like(cell: str) -> bool:
    letters = sum(1 for ch in cell if ch.isalpha())
    return letters > 0 and letters >= sum(1 for ch in cell if ch.isdigit()) and parse_date(cell) is None


def header_kind(text: str) -> str | None:
    folded = gazetteer.fold(text)
    if not folded or len(folded) > 60:
        return None
    if folded.startswith("A ") and ("NUMBER" in folded or "NO" in folded.split()):
        return "a_number"
    for kind, pattern in header_kinds():
        if pattern.search(folded):
            if _header_pattern("not_personal").search(folded) and kind not in ("date_of_birth",):
                # "Facility name" and "Number of detainees" are about places and counts.
                if kind == "detention_facility" and re.search(r"\bFACILITY NAME\b", folded):
                    return kind
                return None
            return kind
    return None


def _samples(rows: Sequence[Sequence[str]], width: int) -> dict[int, list[str]]:
    """Up to SAMPLE non-empty values per column, from the first rows only: the plan is made on
    what a table starts with, and a sparse column must not cost a pass over a million rows."""
    columns = itertools.zip_longest(*rows[: SAMPLE * 10], fillvalue="")  # transposed at C speed
    out = {
        i: list(itertools.islice(filter(None, map(str.strip, column)), SAMPLE))
        for i, column in zip(range(width), columns, strict=False)  # cells past the width: ignored
    }
    return {i: out.get(i, []) for i in range(width)}


# What a value of each kind looks like, for the share test below.
VALUE_SHAPES: dict[str, Callable[[str], bool]] = {
    "a_number": lambda v: a_number_cell(v) or (bool(A_NUMBER.fullmatch(v)) and valid_a_number(v)),
    "ssn": lambda v: bool(SSN.fullmatch(v) or (v.isdigit() and len(v) == 9)) and valid_ssn(v),
    "passport_number": valid_passport,
    "national_id": valid_national_id,
    "immigration_case_number": lambda v: bool(
        CASE_NUMBER.fullmatch(v) or A_NUMBER.fullmatch(v) or len(digits(v)) >= 8
    ),
    # Under a birth-date header any past date counts: presidents born in 1732 are people too.
    "date_of_birth": lambda v: (d := parse_date(v)) is not None and plausible_birth(d, headed=True),
    "email_address": lambda v: bool(EMAIL.fullmatch(v)),
    "street_address": lambda v: any(ch.isdigit() for ch in v) and any(ch.isalpha() for ch in v),
    "nationality": lambda v: gazetteer.is_country(v),
    "detention_facility": lambda v: any(ch.isalpha() for ch in v) and not v.replace(",", "").isdigit(),
    "person_name": lambda v: names.looks_like_name(v, single_ok=True),
}


def value_shape(kind: str, settings: DetectSettings) -> Callable[[str], bool]:
    """The test a value of `kind` must pass. Phone numbers are read in the policy's regions:
    under a phone title a number written without punctuation counts; with no title, only one
    written as phones are (punctuation, or a leading +)."""
    if kind == "phone_number":
        return functools.partial(phone_cell, regions=settings.phone_regions)
    return VALUE_SHAPES[kind]


def _phone_shaped(value: str, settings: DetectSettings) -> bool:
    return (
        not value.isdigit()
        and PHONE_CANDIDATE.search(value) is not None
        and phone_cell(value, settings.phone_regions)
    )


# Share of sampled values that must fit for a header's kind to stand.
HEADER_AGREEMENT = 0.5
SHAPE_ALONE = 0.8


def _decide(
    by_header: str | None,
    values: list[str],
    header: str,
    identified: bool = False,
    settings: DetectSettings = DEFAULT_SETTINGS,
) -> str | None:
    if not values:
        return None
    if by_header == "person_name" and identified:
        fits = sum(1 for v in values if names.looks_like_name(v, single_ok=True, evidence=False))
        return by_header if fits >= len(values) * HEADER_AGREEMENT and _distinct(values) else None
    if by_header is not None:
        fits = sum(1 for v in values if value_shape(by_header, settings)(v))
        if fits < len(values) * HEADER_AGREEMENT:
            return None
        if by_header == "person_name" and not _distinct(values):
            return None  # "Meets Standard" down 300 rows is a rating, not 300 people
        return by_header
    # No header meaning: only shapes that cannot be mistaken decide alone.
    for kind, test in (
        ("a_number", lambda v: bool(A_NUMBER.fullmatch(v)) and valid_a_number(v)),
        ("email_address", VALUE_SHAPES["email_address"]),
        ("ssn", lambda v: bool(SSN.fullmatch(v)) and valid_ssn(v)),
        ("immigration_case_number", lambda v: bool(CASE_NUMBER.fullmatch(v))),
        ("nationality", VALUE_SHAPES["nationality"]),
        ("detention_facility", lambda v: bool(FACILITY.search(v))),
        ("phone_number", functools.partial(_phone_shaped, settings=settings)),
    ):
        if sum(1 for v in values if test(v)) >= len(values) * SHAPE_ALONE:
            return kind
    return None


def _name_column_by_shape(values: list[str], beside_identifiers: bool) -> bool:
    if len(values) < 2 and not beside_identifiers:
        return False
    shaped = [v for v in values if names.looks_like_name(v)]
    if len(shaped) < len(values) * SHAPE_ALONE or not _distinct(values):
        return False
    if beside_identifiers:
        return True
    comma_caps = sum(
        1 for v in shaped if "," in v and v.replace(",", "").replace(" ", "").replace("-", "").isupper()
    )
    if comma_caps >= len(values) * SHAPE_ALONE:
        return True
    # Without a header or an identifier beside it, the values' own words must say names: most
    # hold a word that is a name far more often than an ordinary word, and few are mostly words.
    supported = sum(1 for v in shaped if names.known_name_words(v) >= 1 and names.name_evidence(v) > 0)
    return supported >= len(values) * 0.5


DISTINCT_MIN_SAMPLE = 8
DISTINCT_SHARE = 0.5


def _distinct(values: list[str]) -> bool:
    """People are mostly distinct down a column; categories (ratings, statuses) repeat."""
    if len(values) < DISTINCT_MIN_SAMPLE:
        return True
    return len(set(values)) >= len(values) * DISTINCT_SHARE


# --- rows to records -------------------------------------------------------------------------


def _scan_rows(table: Table, plan: Plan, start: int, assessment: Assessment) -> None:
    """Judge the rows a column at a time (one pass per classified column, value checks cached:
    a nationality column repeats a few dozen values). Rows are then accounted one by one while
    findings are still being listed, and in bulk (counted by which columns hold a value) once
    the findings list is full: a million-row export costs list passes, not a million records."""
    rows = table.rows[start:]
    cells = _columns(rows, plan.kinds)
    valid = {i: _valid_cells(kind, cells[i]) for i, kind in plan.kinds.items()}
    identified = bool(set(plan.kinds.values()) & (IDENTIFIERS | {"date_of_birth"}))
    for i in plan.mixed_names:
        valid[i] = [ok and not _not_person(v, identified) for ok, v in zip(valid[i], cells[i], strict=True)]
    for i, kind in plan.kinds.items():
        if assessment.allows_kind(kind):  # a column the policy allows holds nothing to find
            assessment.allowed_kinds[kind] += sum(valid[i])
            valid[i] = [False] * len(valid[i])
    text_rows = _rows_with_text(rows, plan)
    first_bulk = len(rows)
    for r, row in enumerate(rows):
        if assessment.full:
            first_bulk = r
            break
        _scan_row(table, plan, start, r, row, cells, valid, text_rows.get(r, ()), assessment)
    if first_bulk < len(rows):
        for r in sorted(k for k in text_rows if k >= first_bulk):
            _scan_row(table, plan, start, r, rows[r], cells, valid, text_rows[r], assessment)
        _account_bulk(table, plan, start, first_bulk, cells, valid, set(text_rows), assessment)


def _rows_with_text(rows: Sequence[Sequence[str]], plan: Plan) -> dict[int, list[tuple[int, str]]]:
    """Cells outside the classified columns that need reading as text: free-text columns, and
    any cell spelling out an identifier (A212345622, an e-mail, an SSN) in an unclassified one.
    Walked a column at a time: most columns of a long table are classified or empty."""
    width = max((len(r) for r in rows[: SAMPLE * 10]), default=0)
    out: dict[int, list[tuple[int, str]]] = {}
    for c in range(width):
        if c in plan.kinds:
            continue
        if c in plan.free_text:
            hits = [r for r, row in enumerate(rows) if c < len(row) and row[c].strip()]
        else:
            column = [row[c] if c < len(row) else "" for row in rows]
            # Each distinct value probed once: dates, codes and counts repeat down a column.
            flagged = {v for v in set(column) if _worth_probing(v)}
            hits = [r for r, value in enumerate(column) if value in flagged] if flagged else []
        for r in hits:
            out.setdefault(r, []).append((c, rows[r][c]))
    return out


def _scan_row(
    table: Table,
    plan: Plan,
    start: int,
    r: int,
    row: Sequence[str],
    cells: dict[int, list[str]],
    valid: dict[int, list[bool]],
    extra_text: Sequence[tuple[int, str]],
    assessment: Assessment,
) -> None:
    if not row:
        return
    found: list[tuple[str, int, str]] = []  # kind, column, value
    row_names = [cells[i][r] for i, k in plan.kinds.items() if k == "person_name" and valid[i][r]]
    if row_names:
        first = next(i for i, k in plan.kinds.items() if k == "person_name")
        found.append(("person_name", first, " ".join(row_names)))
    found.extend((k, i, cells[i][r]) for i, k in plan.kinds.items() if k != "person_name" and valid[i][r])
    if found or extra_text:
        number = table.row_number(start + r)
        row_hidden = table.hidden or number in table.hidden_rows
        _account_row(table, plan, number, row_hidden, found, list(extra_text), assessment)


def _account_bulk(
    table: Table,
    plan: Plan,
    start: int,
    first: int,
    cells: dict[int, list[str]],
    valid: dict[int, list[bool]],
    skip_rows: set[int],
    assessment: Assessment,
) -> None:
    """Rows from `first` on, past the findings list: counted by signature (which kinds the row
    holds), with distinct people keyed from the identifier or name columns."""
    columns = sorted(plan.kinds)
    kinds = [plan.kinds[i] for i in columns]
    flags = [valid[i][first:] for i in columns]
    signatures = Counter(zip(*flags, strict=True))
    for r in skip_rows:
        if r >= first:
            signatures[tuple(valid[i][r] for i in columns)] -= 1
    hidden_columns = {i for i in columns if table.first_column + i in table.hidden_columns}
    hidden_rows = (
        {r for r in range(first, len(flags[0]) + first) if table.row_number(start + r) in table.hidden_rows}
        - skip_rows
        if table.hidden_rows
        else set()
    )
    any_serious = False
    for signature, count in signatures.items():
        if count <= 0:
            continue
        present = {kinds[j] for j, ok in enumerate(signature) if ok}
        used = [columns[j] for j, ok in enumerate(signature) if ok]
        has_person = "person_name" in present or bool(present & IDENTIFIERS)
        if not has_person:
            for kind in present - ATTRIBUTE_KINDS:
                assessment.count_lone(kind, count)
            continue
        severity = record_severity(present, plan.immigration_context, plan.home_addresses)
        any_serious = any_serious or severity != "low"
        if table.hidden or (used and all(i in hidden_columns for i in used)):
            hidden = count
        else:
            hidden = sum(1 for r in hidden_rows if tuple(valid[i][r] for i in columns) == signature)
        assessment.add_records(present, count, severity, hidden, table.part)
    people = assessment.people if any_serious else assessment.minor_people
    people.update(_bulk_keys(plan, first, cells, valid, skip_rows))


def _bulk_keys(
    plan: Plan, first: int, cells: dict[int, list[str]], valid: dict[int, list[bool]], skip_rows: set[int]
) -> Iterator[str]:
    by_kind: dict[str, list[int]] = {}
    for i, kind in sorted(plan.kinds.items()):
        by_kind.setdefault(kind, []).append(i)
    a_col = by_kind.get("a_number", [None])[0]
    name_columns = by_kind.get("person_name", [])
    extra_col = next(
        (by_kind[k][0] for k in ("date_of_birth", "ssn", "passport_number", "national_id") if k in by_kind),
        None,
    )
    idents = [i for k, cols in by_kind.items() if k in IDENTIFIERS for i in cols]
    for r in range(first, len(next(iter(cells.values()), []))):
        if r in skip_rows:
            continue
        if a_col is not None and valid[a_col][r]:
            yield a_number_key(cells[a_col][r])
            continue
        parts = [cells[i][r] for i in name_columns if valid[i][r]]
        if parts:
            extra = cells[extra_col][r] if extra_col is not None and valid[extra_col][r] else ""
            yield f"N:{names.normalise_name(' '.join(parts))}|{extra}"
            continue
        ident = next((i for i in idents if valid[i][r]), None)
        if ident is not None:
            yield f"{plan.kinds[ident]}:{digits(cells[ident][r])}"


def _columns(rows: Sequence[Sequence[str]], wanted: Iterable[int]) -> dict[int, list[str]]:
    """The wanted columns as lists of stripped text. zip_longest transposes at C speed; rows
    cut short (trailing empty cells dropped) are padded with ''."""
    wanted = set(wanted)
    if not wanted or not rows:
        return {i: [] for i in wanted}
    transposed = itertools.zip_longest(*rows, fillvalue="")
    columns: dict[int, list[str]] = {}
    for index, column in enumerate(transposed):
        if index in wanted:
            columns[index] = [v.strip() for v in column]
    return {i: columns.get(i, [""] * len(rows)) for i in wanted}


# Kinds whose values repeat down a column (a few dozen countries, a few facilities): each
# distinct value is checked once. Identifiers, names and birth dates are mostly distinct, and
# checking them directly costs less than remembering them.
REPEATING_KINDS = frozenset({"nationality", "detention_facility", "street_address"})
HAS_LETTER = re.compile(r"[^\W\d_]")


def _valid_cells(kind: str, values: list[str]) -> list[bool]:
    if kind == "person_name":
        has_letter = HAS_LETTER.search
        return [bool(v) and not v.isdigit() and has_letter(v) is not None for v in values]
    if kind == "date_of_birth":
        earliest, today = birth_range(headed=True)  # once per column, not once per cell
        parsed = _iso_dates(values)
        if parsed is None:
            parsed = [parse_date(v) if v else None for v in values]
        return [d is not None and earliest <= d <= today for d in parsed]
    # A phone column was judged by libphonenumber on its sample; its cells by their shape.
    check = phone_like if kind == "phone_number" else VALUE_SHAPES[kind]
    if kind in REPEATING_KINDS:
        check = functools.lru_cache(maxsize=65_536)(check)
    return [bool(v) and check(v) for v in values]


def _iso_dates(values: list[str]) -> list[dt.date | None] | None:
    """A column of ISO dates and blanks (a workbook's date cells) parsed at C speed; None when
    some value is spelled otherwise."""
    filled = [v for v in values if v]
    if not all(len(v) == 10 and v[4] == "-" == v[7] for v in filled):
        return None
    try:
        parsed = iter(list(map(dt.date.fromisoformat, filled)))
    except ValueError:
        return None
    return [next(parsed) if v else None for v in values]


# An identifier spelled out: a letter or # before 8-9 digits (A212345622, A# 212 345 622),
# SSN and phone shapes (a number in international form too), a receipt number, a CURP. Dates
# and counts do not match, so they cost nothing.
PROBE = re.compile(
    r"[A-Za-z#]\W{0,3}\d{2,3}\W?\d{3}|\d{3}-\d{2}-\d{4}|\(\d{3}\)|\d{3}[.-]\d{3}[.-]\d{4}|\+\d{1,3}[\s.-]?\(?\d{2}"
)


def _worth_probing(value: str) -> bool:
    return len(value) >= 8 and ("@" in value or PROBE.search(value) is not None)


def _account_row(
    table: Table,
    plan: Plan,
    number: int,
    row_hidden: bool,
    found: list[tuple[str, int, str]],
    extra_text: list[tuple[int, str]],
    assessment: Assessment,
) -> None:
    # Long free-text cells (notes, remarks) may hold people of their own; short ones only
    # add identifiers to this row's person.
    for column, text in extra_text:
        hidden = row_hidden or (table.first_column + column) in table.hidden_columns
        location = Location(
            table.part,
            table.layer,
            hidden or table.hidden,
            number,
            column_letter(table.first_column + column),
            box=table.box(number, column),
        )
        if found:
            for hit in find_hits(text, 0, len(text), settings=assessment.settings):
                if hit.kind != "person_name" or not any(k == "person_name" for k, _, _ in found):
                    found.append((hit.kind, column, hit.value))
        else:
            detect_passage(Passage(text, location), assessment, plan.immigration_context)
    found = [f for f in found if not assessment.allows(f[0], f[2])]
    if not found:
        return
    kinds = {k for k, _, _ in found}
    has_person = "person_name" in kinds or bool(kinds & IDENTIFIERS)
    if not has_person:
        found = [f for f in found if f[0] not in ATTRIBUTE_KINDS]
        if not found:
            return
    severity = record_severity(kinds, plan.immigration_context, plan.home_addresses) if has_person else "low"
    any_hidden = row_hidden
    for kind, column, value in found:
        col_hidden = row_hidden or (table.first_column + column) in table.hidden_columns
        any_hidden = any_hidden or col_hidden
        location = Location(
            table.part,
            table.layer,
            col_hidden,
            number,
            column_letter(table.first_column + column),
            box=table.box(number, column),
        )
        assessment.add_finding(Finding(kind, location, 0.95, value, severity))
        if not has_person:
            assessment.add_lone(kind)
    if has_person:
        all_hidden = row_hidden or all((table.first_column + c) in table.hidden_columns for _, c, _ in found)
        assessment.add_record(kinds, _row_key(found), severity, all_hidden, table.part)


def _row_key(found: list[tuple[str, int, str]]) -> str | None:
    by_kind: dict[str, str] = {}
    for kind, _, value in found:
        by_kind.setdefault(kind, value)
    if "a_number" in by_kind:
        return a_number_key(by_kind["a_number"])
    if "person_name" in by_kind:
        extra = next(
            (by_kind[k] for k in ("date_of_birth", "ssn", "passport_number", "national_id") if k in by_kind),
            "",
        )
        return f"N:{names.normalise_name(by_kind['person_name'])}|{extra}"
    ident = next((k for k in by_kind if k in IDENTIFIERS), None)
    return f"{ident}:{digits(by_kind[ident])}" if ident else None
