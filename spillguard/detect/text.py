"""Detection in free text: pattern rules, birth dates and A-numbers told by the words around
them, countries next to a person, and person names from shape, name tables and context.

A passage is cut into segments (lines and sentences); a segment that carries a person is one
record, with every finding in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from spillguard.assess import ATTRIBUTE_KINDS, IDENTIFIERS, Assessment, record_severity
from spillguard.detect import gazetteer, names
from spillguard.detect.dates import BIRTH_WORDS, DATE, parse_date, plausible_birth
from spillguard.detect.rules import (
    PATTERN_RULES,
    SSN_BARE,
    Rule,
    a_number_key,
    digits,
    placeholder_number,
    valid_a_number,
    valid_ssn,
)
from spillguard.detect.vocabulary import QUALIFIERS, places, vocabulary
from spillguard.model import DetectSettings, Finding, Location, Passage

SEGMENT_BREAK = re.compile(r"\n|(?<=[a-z0-9)\]])[.!?](?=\s+[A-Z\"“(])")
A_NUMBER_CONTEXT = re.compile(r"(?i)(?:\ba[\s-]?(?:number|num|no|#|file)|alien|registration)[^\n]{0,25}$")
SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social security)\b[^\n]{0,15}$")
# Words that tie the person of a sentence to custody or immigration proceedings. The agency's
# name (ICE, DHS) is not among them: an official of the agency is not a detainee.
IMMIGRATION_WORDS = re.compile(
    r"(?i:\b(?:asylum|asylee|detained|detainee|removal|removed|deport\w*|alien|noncitizen|"
    r"refugee|custody|book-?in|booked|a-number|respondent|apprehended|arrested|parole[ed]?)\b)"
)
CONTEXT_WINDOW = 30


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    start: int
    end: int
    value: str
    confidence: float


CARRIED_HEADER = "text-table-header"


def detect_passage(
    passage: Passage,
    assessment: Assessment,
    immigration_context: bool = False,
    carried: dict[str, Header] | None = None,
) -> None:
    """Find everything in one passage and add its findings and records to the assessment.
    `carried` keeps the last header line of text tables across passages of one file (a roster
    printed to PDF states its column titles on page 1 only)."""
    for hits, context in records(passage.text, immigration_context, carried, assessment.settings):
        _account(hits, passage.location, assessment, context)


DEFAULT_SETTINGS = DetectSettings()


def records(
    text: str,
    immigration_context: bool = False,
    carried: dict[str, Header] | None = None,
    settings: DetectSettings = DEFAULT_SETTINGS,
) -> Iterator[tuple[list[Hit], bool]]:
    """The records of a passage: each the hits about one person (or one lone finding), with
    whether its own sentences tie that person to custody or proceedings ("was detained",
    "respondent"); the page's topic alone does not."""
    header = carried.get(CARRIED_HEADER) if carried is not None else None
    record: list[Hit] = []  # the person the sentences are currently about
    context = immigration_context
    last_end = 0
    for start, end in segments(text):
        found = read_header(text[start:end])
        if found is not None:
            header = found
            if carried is not None:
                carried[CARRIED_HEADER] = found
        hits = find_hits(text, start, end, header, keep_attributes=True, settings=settings)
        same_line = "\n" not in text[last_end:start]
        last_end = end
        if not hits:
            continue
        # "Re: Edouard Gilles, A# 168-570-514. Date of birth: 21-Mar-1985. Nationality: Haitian."
        # is one person: a sentence naming nobody continues the record of the one before it.
        linked = immigration_context or bool(IMMIGRATION_WORDS.search(text, start, end))
        if record and same_line and _continues(record, hits):
            record.extend(hits)
            context = context or linked
            continue
        if record:
            yield record, context
        *earlier, record = _people(hits)
        for person in earlier:
            yield person, linked
        context = linked
    if record:
        yield record, context


def _people(hits: list[Hit]) -> list[list[Hit]]:
    """One segment may list several people: "Tomas Velarde (A212345678, Honduras), Ilse Marquez
    (A223456789, Guatemala)". A second name, or a second A-number, starts the next person; what
    follows belongs to the person before it."""
    people: list[list[Hit]] = [[]]
    for hit in sorted(hits, key=lambda h: h.start):
        current = people[-1]
        if hit.kind in ("person_name", "a_number") and any(
            h.kind == hit.kind and h.value != hit.value for h in current
        ):
            people.append([hit])
        else:
            current.append(hit)
    return people


def _continues(record: list[Hit], hits: list[Hit]) -> bool:
    if any(h.kind == "person_name" for h in hits):
        return False
    known = {digits(h.value) for h in record if h.kind == "a_number"}
    new = {digits(h.value) for h in hits if h.kind == "a_number"}
    return not (known and new and not new <= known)  # another A-number is another person


# Periods that end an abbreviation, not a sentence: "Mr. Xiao", "passport no. S7518".
ABBREVIATIONS = frozenset(
    (
        *("mr", "ms", "mrs", "mx", "dr", "sr", "sra", "srta", "jr", "st", "no", "nos", "vs", "etc"),
        *("inc", "ltd", "co", "corp", "dept", "apt", "ste", "gen", "gov", "sen", "rep", "hon"),
        *("prof", "lt", "col", "sgt", "capt", "approx", "fig", "vol", "ed", "eds", "art", "sec", "para"),
    )
)
LAST_WORD = re.compile(r"(\w+)$")


def segments(text: str) -> Iterator[tuple[int, int]]:
    """Lines and sentences: the unit in which a name and its identifiers form one record."""
    start = 0
    for match in SEGMENT_BREAK.finditer(text):
        if match.group(0) == "." and _abbreviation(text, match.start()):
            continue
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _abbreviation(text: str, period: int) -> bool:
    word = LAST_WORD.search(text, max(0, period - 8), period)
    return word is not None and (word.group(1).lower() in ABBREVIATIONS or len(word.group(1)) == 1)


@dataclass(frozen=True, slots=True)
class Header:
    """A line of column titles in text (a table printed to PDF, a roster pasted in an e-mail):
    it tells what the values on the lines below are."""

    names: bool
    a_numbers: bool
    nationality: bool
    birth_column: int | None  # which of the line's dates is the birth date (0-based)


HEADER_MIN_TITLES = 3


HEADER_MAX_LENGTH = 400  # a line of column titles is short
DIGIT = re.compile(r"\d")


def read_header(segment: str) -> Header | None:
    """A line of column titles, read with the same vocabulary as every table's header."""
    if len(segment) > HEADER_MAX_LENGTH or segment.count(" ") < 2 or DIGIT.search(segment):
        return None
    folded = gazetteer.fold(segment)
    if not folded:
        return None
    vocab = vocabulary()
    matched = {h.kind for h in vocab.headers if h.kind not in QUALIFIERS and h.pattern.search(folded)}
    described = len(vocab.header("describes").pattern.findall(folded))
    if len(matched) + described < HEADER_MIN_TITLES or not matched:
        return None
    # Which of the line's dates is the birth date: titles of dates in the order they stand.
    birth = vocab.header("date_of_birth").pattern
    dated = sorted(
        [(m.start(), True) for m in birth.finditer(folded)]
        + [(m.start(), False) for m in vocab.header("other_dates").pattern.finditer(folded)]
    )
    return Header(
        names="person_name" in matched,
        a_numbers="a_number" in matched,
        nationality="nationality" in matched,
        birth_column=next((i for i, (_, is_birth) in enumerate(dated) if is_birth), None),
    )


def find_hits(
    text: str,
    start: int,
    end: int,
    header: Header | None = None,
    keep_attributes: bool = False,
    settings: DetectSettings = DEFAULT_SETTINGS,
) -> list[Hit]:
    """Everything found in text[start:end]. Birth dates, nationalities and facilities are kept
    only beside a person, unless `keep_attributes` (the caller joins sentences into records)."""
    segment = text[start:end]
    if len(segment.strip()) < 3:
        return []
    lowered = segment.lower()
    hits = [
        h for rule in PATTERN_RULES if _prefilter(rule, lowered) for h in _rule_hits(rule, segment, settings)
    ]
    hits.extend(_contextual_identifiers(segment, hits, header))
    hits.extend(_birth_dates(segment, header))
    has_person_signal = any(h.kind in IDENTIFIERS or h.kind == "date_of_birth" for h in hits)
    found_names = _not_facility_names(
        segment, find_names(segment, has_person_signal, header is not None and header.names), hits
    )
    hits.extend(found_names)
    if found_names or any(h.kind in IDENTIFIERS for h in hits):
        if has_person_signal or (header is not None and header.nationality):
            hits.extend(_nationalities(segment, hits))
        else:
            hits.extend(_cued_nationalities(segment, hits))
    elif keep_attributes:
        hits.extend(_cued_nationalities(segment, hits))
    else:
        # Facilities and countries with nobody attached are routine (lists, statistics).
        hits = [h for h in hits if h.kind not in ATTRIBUTE_KINDS]
    return [replace(h, start=h.start + start, end=h.end + start) for h in _dedupe(hits)]


# Between a facility and another name for it: "Dallas County Jail – Lew Sterrett",
# "DELAWARE CO JAIL (GEORGE W. HILL)", "Processing Center (D. RAY JAMES)".
ALIAS_GAP = re.compile(r"^[\s(\[–—,:-]*$")
FACILITY_LIST = 2


def _not_facility_names(segment: str, found: list[Hit], hits: list[Hit]) -> list[Hit]:
    """Names that are facilities' names: written right beside a facility as its other name, or
    standing uncued in a sentence that lists facilities ("... include the Karnes County Family
    Staging Center, South Texas Family Staging Center, Wyndham Hidalgo")."""
    facilities = [h for h in hits if h.kind == "detention_facility"]
    if not facilities or not found:
        return found
    listing = len(facilities) >= FACILITY_LIST and not any(h.kind in IDENTIFIERS for h in hits)
    kept = []
    for name in found:
        alias = any(
            ALIAS_GAP.match(
                segment[f.end : name.start] if f.end <= name.start else segment[name.end : f.start]
            )
            for f in facilities
            if f.end <= name.start or name.end <= f.start
        )
        if alias or (listing and not _cued(segment, name.start, name.end)):
            continue
        kept.append(name)
    return kept


def _prefilter(rule: Rule, lowered: str) -> bool:
    return not rule.keywords or any(k in lowered for k in rule.keywords)


def _rule_hits(rule: Rule, segment: str, settings: DetectSettings) -> Iterator[Hit]:
    assert rule.pattern is not None
    if rule.finder is not None:
        # The pattern is the cheap test; the finder (a library) finds and checks the values.
        if rule.pattern.search(segment):
            for start, end, value in rule.finder(segment, settings):
                yield Hit(rule.kind, start, end, value.strip(), 0.9)
        return
    for match in rule.pattern.finditer(segment):
        group = rule.group or next((i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)), 0)
        if rule.kind in ("street_address", "detention_facility", "email_address"):
            group = 0
        value = match.group(group)
        if rule.validator is not None and not rule.validator(value):
            continue
        begin = match.start(group)
        if rule.kind == "a_number" and " " in value and NUMBER_AFTER.match(segment, match.end(group)):
            continue  # "Male A 780 406 206 0 0 0": classification level A, then counts
        if rule.kind == "detention_facility":
            begin, value = _facility_name(segment, begin, match.end(group))
        yield Hit(rule.kind, begin, match.end(group), value.strip(), 0.9)


NUMBER_AFTER = re.compile(r"\s+\d")


def _facility_name(segment: str, start: int, end: int) -> tuple[int, str]:
    """The facility pattern takes up to five capitalised words before 'Processing Center';
    on a roster line those may be the date and nationality in the columns before it."""
    words = list(re.finditer(r"\S+", segment[start:end]))
    for word in words:
        token = word.group(0)
        if any(ch.isdigit() for ch in token) or gazetteer.fold(token) in gazetteer.countries():
            continue
        if token.isupper() and len(words) > 3 and token not in ("ICE", "US"):
            continue  # a capitals column before a title-case facility name
        begin = start + word.start()
        return begin, segment[begin:end]
    return start, segment[start:end]


def _contextual_identifiers(segment: str, hits: list[Hit], header: Header | None) -> Iterator[Hit]:
    """A bare number is an A-number or an SSN only where the words just before say so."""
    taken = {(h.start, h.end) for h in hits}
    for match in re.finditer(r"(?<![\d-])(\d{8,9})(?![\d-])", segment):
        if (match.start(), match.end()) in taken or not valid_a_number(match.group(1)):
            continue
        before = segment[max(0, match.start() - CONTEXT_WINDOW) : match.start()]
        if A_NUMBER_CONTEXT.search(before) or (header is not None and header.a_numbers):
            yield Hit("a_number", match.start(), match.end(), match.group(1), 0.8)
    for match in SSN_BARE.finditer(segment):
        before = segment[max(0, match.start() - CONTEXT_WINDOW) : match.start()]
        if SSN_CONTEXT.search(before) and valid_ssn(match.group(1)):
            yield Hit("ssn", match.start(), match.end(), match.group(1), 0.8)


def _birth_dates(segment: str, header: Header | None) -> Iterator[Hit]:
    for index, match in enumerate(DATE.finditer(segment)):
        before = segment[max(0, match.start() - CONTEXT_WINDOW) : match.start()]
        under_header = header is not None and header.birth_column == index
        if not under_header and not BIRTH_WORDS.search(before):
            continue
        date = parse_date(match.group(0))
        if date is not None and plausible_birth(date):
            yield Hit("date_of_birth", match.start(), match.end(), match.group(0), 0.9)


NATIONALITY_CUE = re.compile(
    r"(?i)\b(?:citizen(?:ship)?|nationality|national|native|nacionalidad|born in|from)\b\W{0,3}(?:of\W+)?$"
)


def _cued_nationalities(segment: str, hits: list[Hit]) -> Iterator[Hit]:
    """Next to a bare name, a country is a nationality only where words say so ('a citizen of
    Honduras', 'a Guatemalan national'); 'Jordan Estrada' or 'Georgia Avenue' are not."""
    for hit in _nationalities(segment, hits):
        before = segment[max(0, hit.start - CONTEXT_WINDOW) : hit.start]
        after = segment[hit.end : hit.end + 12]
        demonym = gazetteer.fold(hit.value) not in gazetteer.country_names()
        if NATIONALITY_CUE.search(before) or (demonym and re.match(r"(?i)\s+(?:national|citizen)", after)):
            yield hit


def _nationalities(segment: str, hits: list[Hit]) -> Iterator[Hit]:
    names = " ".join(gazetteer.fold(h.value) for h in hits if h.kind == "person_name")
    found = gazetteer.countries_in(segment)
    for name in found:
        if any(name != other and f" {name} " in f" {other} " for other in found):
            continue  # CHINA inside "CHINA, PEOPLES REPUBLIC OF": one nationality, not two
        if f" {name} " in f" {names} ":
            continue  # a country word inside a name (Hong Kong Li, Guadalupe) is not a nationality
        start, end = _locate(segment, name)
        yield Hit("nationality", start, end, name, 0.7)


def _locate(segment: str, folded: str) -> tuple[int, int]:
    """Where a folded phrase ('CHINA PEOPLES REPUBLIC OF') stands in the original text."""
    words = [re.escape(w) for w in folded.split()]
    pattern = r"(?i)(?<!\w)" + r"[\W_]+".join(w.replace("S", "['’]?S") for w in words) + r"(?!\w)"
    match = re.search(pattern, segment)
    if match:
        return match.start(), match.end()
    return 0, len(segment)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str]] = set()
    out = []
    for hit in hits:
        key = (hit.kind, hit.value)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


# --- names in text ---------------------------------------------------------------------------

CAPS_COMMA_NAME = re.compile(
    r"(?<![^\W\d_])([^\W\d_a-z][^\W\d_a-z'’-]+(?:[ -][^\W\d_a-z][^\W\d_a-z'’-]+){0,2}),\s?"
    r"([^\W\d_a-z][^\W\d_a-z'’-]+(?: [^\W\d_a-z][^\W\d_a-z'’-]+){0,2})(?![^\W\d_])"
)
# "Kovranez, Telumi": the same order in title case; common in prose ("Smith, John said"), so
# only taken with an identifier on the line or a word that says person.
TITLE_COMMA_NAME = re.compile(
    r"(?<![^\W\d_])([^\W\d_a-z][^\W\d_A-Z'’-]+(?:[ -][^\W\d_a-z][^\W\d_A-Z'’-]+){0,2}),\s?"
    r"([^\W\d_a-z][^\W\d_A-Z'’-]+(?: [^\W\d_a-z][^\W\d_A-Z'’-]+){0,2})(?![^\W\d_])"
)


def find_names(segment: str, has_person_signal: bool, under_name_header: bool = False) -> list[Hit]:
    """Person names in a segment. A run of capitalised words is a name when name tables know
    its words, when words around it say it is a person (Mr., respondent, born, A#), or when it
    is written LAST, FIRST on a line that also holds an identifier. Officials named with their
    title are not reported."""
    hits: list[Hit] = []
    covered: list[tuple[int, int]] = []
    comma_names = (
        (match, pattern is CAPS_COMMA_NAME)
        for pattern in (CAPS_COMMA_NAME, TITLE_COMMA_NAME)
        for match in pattern.finditer(segment)
    )
    for match, capitals in comma_names:
        end = _cut_at_label(segment, match.start(), match.end())
        value = segment[match.start() : end]
        if not names.looks_like_name(value) or _official(segment, match.start(), end):
            continue
        if _country_phrase(segment, match.start()):
            continue  # "CHINA, PEOPLE'S REPUBLIC OF" has the shape of LAST, FIRST
        if not capitals and HOUSE_NUMBER_BEFORE.search(segment, 0, match.start()):
            continue  # "544 Laura Hill, Mackenziemouth" is a street and a town
        known = capitals and names.known_name_words(value) >= 2
        if has_person_signal or known or _cued(segment, match.start(), end):
            hits.append(Hit("person_name", match.start(), end, value, 0.9))
            covered.append((match.start(), end))
    for match in TITLED_SURNAME.finditer(segment):
        start, end = match.span(1)
        if not any(s <= start < e for s, e in covered) and names.looks_like_name(
            match.group(1), single_ok=True
        ):
            hits.append(Hit("person_name", start, end, match.group(1), 0.8))
            covered.append((start, end))
    for start, end in _capitalised_runs(segment):
        start = _after_leading_cue(segment, start, end)
        if any(s <= start < e for s, e in covered):
            continue
        value = segment[start:end]
        if not names.looks_like_name(value) or _official(segment, start, end):
            continue
        if HOUSE_NUMBER_BEFORE.search(segment, 0, start):
            continue  # "3020 Conrad Lane": a street
        if _before_zip(segment, start, end):
            continue  # "HOUSTON HARRIS TX 77032": a city and a county
        score = _name_score(value, segment, start, end, has_person_signal)
        if has_person_signal and (under_name_header or not segment[:start].strip()):
            score += 1.0  # a roster line: the name leads, the identifier follows
        if score >= 2.0:
            hits.append(Hit("person_name", start, end, value, min(0.95, 0.5 + score / 10)))
    return hits


def _cut_at_label(segment: str, start: int, end: int) -> int:
    """End of a LAST, FIRST match before the first capitalised field label it swallowed."""
    comma = segment.index(",", start, end)
    for token in re.finditer(r"\S+", segment[comma + 1 : end]):
        if gazetteer.fold(token.group(0)) in vocabulary().words["field_label"].words:
            cut = comma + 1 + token.start()
            return start + len(segment[start:cut].rstrip())
    return end


def _after_leading_cue(segment: str, start: int, end: int) -> int:
    """Start of a capitalised run once a leading cue word (Mr., Respondent) is stepped over: the
    cue says a name follows, it is not part of it."""
    first = names.NAME_TOKEN.match(segment, start, end)
    if first is None or not names.PERSON_CUES_BEFORE.search(first.group(0)):
        return start
    following = names.NAME_TOKEN.search(segment, first.end(), end)
    return following.start() if following else start


# "Mr. Xiao", "Sra. Gómez": a courtesy title makes one capitalised word a person.
TITLED_SURNAME = re.compile(
    r"\b(?:Mr|Ms|Mrs|Mx|Miss|Sr|Sra|Srta|Dr)\.?(?:/(?:Mr|Ms|Mrs)\.?)?\s+([^\W\d_][^\W\d_'’-]+)(?![^\W\d_]|\s+[^\W\d_a-z])"
)


HOUSE_NUMBER_BEFORE = re.compile(r"\d\s+$")
STATE_AND_ZIP = re.compile(r",?\s*(?:([A-Z]{2})\s+)?\d{5}(?:-\d{4})?\b")


def _before_zip(segment: str, start: int, end: int) -> bool:
    """A run followed by a state code and a ZIP code, or ending in a state code before one, is
    the city and county of an address line."""
    match = STATE_AND_ZIP.match(segment, end)
    if match and (match.group(1) is None or gazetteer.fold(match.group(1)) in places()):
        return True
    last = segment[start:end].rsplit(" ", 1)[-1]
    return len(last) == 2 and last.isupper() and bool(re.match(r"\s+\d{5}\b", segment[end:]))


def _country_phrase(segment: str, start: int) -> bool:
    head = segment[start:].split(",", 1)[0]
    return gazetteer.fold(head) in gazetteer.countries()


# What may stand between the words of one name: a space, a hyphen, the quotes around a
# nickname (Eric A. "Rick" Crawford).
RUN_GAPS = frozenset({" ", "-", ' "', '" ', " “", "” ", " '", "' "})


def _capitalised_runs(segment: str) -> Iterator[tuple[int, int]]:
    """Spans of 2-5 consecutive capitalised words (particles like de, van allowed inside) that
    can be a person: the words just before a street suffix or an organisation word are that
    street's or organisation's name (Ted Turner Drive, Joe Corley Processing Center), and
    ordinary words and titles at either end are trimmed ("Secretary", "The")."""
    run: list[tuple[int, int, str]] = []
    for match in names.NAME_TOKEN.finditer(segment):
        token = match.group(0)
        capital = names.capitalised(token)
        joined = bool(run) and segment[run[-1][1] : match.start()] in RUN_GAPS
        particle = token[0].islower() and names.fold_word(token) in names.PARTICLES
        if joined and (capital or particle):
            run.append((match.start(), match.end(), token))
            continue
        yield from _person_parts(run)
        run = [(match.start(), match.end(), token)] if capital else []
    yield from _person_parts(run)


@cache
def _ends_other() -> frozenset[str]:
    words = vocabulary().words
    return words["organisation"].words | words["street_suffix"].words


def _person_parts(run: list[tuple[int, int, str]]) -> Iterator[tuple[int, int]]:
    ends_other = _ends_other()
    part: list[tuple[int, int, str]] = []
    for item in run:
        if names.fold_word(item[2]) in ends_other:
            part = []  # what came before names this organisation or street
            continue
        part.append(item)
    yield from _trimmed(part)


# Ordinary words at the edge of a run are not part of a name: "Meets", "Acting", "The".
EDGE_WORD_EVIDENCE = -2.0


def _trimmed(run: list[tuple[int, int, str]]) -> Iterator[tuple[int, int]]:
    titles = vocabulary().words["official_title"].words

    def edge_word(token: str, last: bool) -> bool:
        folded = names.fold_word(token)
        if len(folded) < 2 or folded in titles:
            return True
        if folded in gazetteer.countries():
            # "Chinese" before a name is a nationality; JORDAN after a given name a surname.
            return not (last and names.surname(folded))
        return folded not in names.PARTICLES and names.word_evidence(folded) <= EDGE_WORD_EVIDENCE

    while run and edge_word(run[0][2], last=False):
        run = run[1:]
    while run and edge_word(run[-1][2], last=len(run) > 1):
        run = run[:-1]
    if len(run) >= 2:
        yield run[0][0], run[-1][1]


def _name_score(value: str, segment: str, start: int, end: int, has_person_signal: bool) -> float:
    """How strongly a capitalised run reads as a person: a given name first, a surname last
    (each more often a name than a word), the words around it, an identifier on the line; less
    where its words are mostly ordinary words ("Funds Disbursement", "En Español")."""
    tokens = [gazetteer.fold(t) for t in names.name_tokens(value)]
    tokens = [t for t in tokens if t not in names.PARTICLES]
    if len(tokens) < 2:
        return 0.0
    score = 0.0
    if names.given_name(tokens[0]):
        score += 1.5
    if names.surname(tokens[-1]):
        score += 1.0
    score += 0.25 * sum(1 for t in tokens[1:-1] if names.given_name(t) or names.surname(t))
    evidence = sum(names.word_evidence(t) for t in tokens)
    if evidence < 0:
        score += evidence / 2  # mostly ordinary words
    if _cued(segment, start, end):
        score += 2.0
    if has_person_signal:
        score += 1.0
    if value.isupper() and "," not in value:
        score -= 0.5  # headings and acronyms are often capitals
    return score


def _cued(segment: str, start: int, end: int) -> bool:
    before = segment[max(0, start - CONTEXT_WINDOW) : start]
    after = segment[end : end + CONTEXT_WINDOW]
    return bool(names.PERSON_CUES_BEFORE.search(before) or names.PERSON_CUES_AFTER.search(after))


TITLE_CHAIN_WORDS = 14
TITLE_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "&", "to", "in"})
TITLE_TOKEN = re.compile(r"\([^()]{1,12}\)|[\w’'.&-]+")


# ", Field Office Director for ERO Houston,", ", acting special agent in charge,": a title
# phrase right after the name, up to the next comma or the end of the sentence.
TITLE_AFTER = re.compile(r"\s*,\s*([^,.;:()]{2,80})")


def _official(segment: str, start: int, end: int) -> bool:
    """Named in a role: a title just before ("Director Jane Roe"), a title phrase of capitalised
    words ending where the name begins ("Assistant Director of Cyber and Operational Technology
    Tracy Cormier", "Deputy Secretary of Homeland Security (DHS) John K. Tien"), or a title
    phrase set off by a comma after it ("John Roe, Field Office Director for ERO Houston")."""
    if names.OFFICIAL_TITLES.search(segment[max(0, start - 40) : start]):
        return True
    titles = vocabulary().words["official_title"].words
    after = TITLE_AFTER.match(segment, end)
    if after and any(gazetteer.fold(w) in titles for w in after.group(1).split()[:6]):
        return True
    before = TITLE_TOKEN.findall(segment[max(0, start - 160) : start])
    for token in reversed(before[-TITLE_CHAIN_WORDS:]):
        word = token.rstrip(".")
        if gazetteer.fold(word) in titles:
            return True
        if token.startswith("(") or word.lower() in TITLE_CONNECTORS or (word[:1].isupper()):
            continue
        return False
    return False


# --- records ---------------------------------------------------------------------------------


def _account(hits: list[Hit], location: Location, assessment: Assessment, context: bool) -> None:
    hits = [h for h in hits if not assessment.allows(h.kind, h.value)]
    kinds = {h.kind for h in hits}
    has_person = "person_name" in kinds or bool(kinds & IDENTIFIERS)
    if not has_person:
        # Facilities and countries with nobody attached are routine (lists, statistics).
        hits = [h for h in hits if h.kind not in ATTRIBUTE_KINDS]
        kinds = {h.kind for h in hits}
    severity = record_severity(kinds, context) if has_person else "low"
    if has_person:
        assessment.add_record(kinds, _person_key(hits), severity, location.hidden, location.part)
    for hit in hits:
        at = (
            replace(location, offset=(location.offset or 0) + hit.start)
            if location.offset is not None
            else location
        )
        assessment.add_finding(Finding(hit.kind, at, hit.confidence, hit.value, severity))
        if not has_person:
            assessment.add_lone(hit.kind)


def _person_key(hits: list[Hit]) -> str | None:
    for hit in hits:
        if hit.kind == "a_number":
            return a_number_key(hit.value)
    values = [h.value for h in hits if h.kind == "person_name"]
    if not values:
        ident = next((h for h in hits if h.kind in IDENTIFIERS), None)
        return f"{ident.kind}:{digits(ident.value) or ident.value}" if ident else None
    dob = next((h.value for h in hits if h.kind == "date_of_birth"), "")
    return f"N:{names.normalise_name(values[0])}|{dob}"


__all__ = ["detect_passage", "find_hits", "find_names", "placeholder_number"]
