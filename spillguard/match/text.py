"""Leaked people in extracted text, at the speed of a regex scan. Every key of the index holds
an A-number or a birth date (or a nationality and facility, which tables give as columns), so a
line of text can only be a leaked person if it holds something shaped like an A-number, or a
date beside a name. RE2 (linear time, a DFA) finds those lines in one pass over the bytes; only
they are read closely: their A-numbers and dates with the scanner's own patterns, their names
as every run of two to five words that all stand in some leaked name (the index keeps a bitmap
of keyed name words), each fingerprinted the way the index was.

The rule of the index stands: an A-number alone counts; a name counts with a birth date in the
same line, unless the line's own A-number says it is someone else. Names with a nationality and
facility but no A-number and no date are matched in tables (by column), not in prose."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import re2

from spillguard.detect.dates import MONTHS, parse_date
from spillguard.detect.rules import A_NUMBER, a_number_key, valid_a_number
from spillguard.match.index import Index, fingerprint
from spillguard.people.identity import name_words

# Dates as dates.DATE spells them, without its look-arounds (RE2 has none): parse_date checks
# each one found, with a character of context either side.
DATES = (
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}[ -](?i:{MONTHS})[a-z]*\.?[ ,-]+\d{{2,4}}"
    rf"|(?i:{MONTHS})[a-z]*\.? \d{{1,2}},? \d{{4}}"
)
# Two words of a name side by side ("Maria Garcia", "GARCIA, MARIA", "Maria J. Garcia"), in
# UTF-8 bytes: any byte of a multi-byte character counts as a letter.
_LETTER = r"[A-Za-z\x80-\xff]"
_BETWEEN = r"[^A-Za-z\x80-\xff\d\n]"
BIRTH_LABEL = r"born|birth|dob|d\.o\.b|nacimiento|nacid[oa]"
TWO_WORDS = rf"{_LETTER}{{2,}}{_BETWEEN}{{1,4}}(?:{_LETTER}{_BETWEEN}{{1,3}})?{_LETTER}{{2,}}"


# What a line needs to hold to be read closely: a run of digits an A-number can be (with or
# without its A), or a date with two words beside each other on its line, or a birth date
# labelled as one with two such words on one of the two lines above ("Name: Maria Garcia" over
# "DOB: 05/03/1987"). Read over the text's UTF-8 bytes as Latin-1, so that a class of bytes is
# a class of bytes.
def _bytes_options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.log_errors = False  # RE2 would write to stderr when text fills its DFA cache
    return options


ANCHOR = re2.compile(
    (
        r"\d{3}[ -]\d{3}[ -]\d{3}|\d{2}[ -]\d{3}[ -]\d{3}|\d{8,9}"
        rf"|{TWO_WORDS}[^\n]*(?:{DATES})|(?:{DATES})[^\n]*{TWO_WORDS}"
        rf"|{TWO_WORDS}[^\n]*\n(?:[^\n]*\n)?[^\n]*(?i:{BIRTH_LABEL})[^\n]*(?:{DATES})"
    ).encode(),
    _bytes_options(),
)
DATE_IN_LINE = re2.compile(DATES.encode(), _bytes_options())
# Nothing shorter can be an A-number: records without such a run skip the A-number patterns.
NUMBER_RUN = re.compile(r"\d{2,3}[ -]?\d{3}[ -]?\d{3}")
# An A-number written without its A or a label: looked up, but not taken as the line's own
# A-number (a nine-digit number may be anything else).
BARE_NUMBER = re.compile(r"(?<![\w-])(\d{3}[ -]?\d{3}[ -]?\d{3}|\d{8})(?![\w-])")
NAME_WORDS = range(2, 6)  # a name is two to five words (one-letter initials left out)


def people_in_text(index: Index, key: bytes, text: str) -> Iterator[tuple[int, set[int]]]:
    """Where (the offset in the text of its first line) the text names leaked people, with who
    they are. A record is read whole: the lines an anchor spans."""
    data = text.encode("utf-8", "surrogatepass")
    hot: dict[str, bool] = {}  # each word of the text keyed and looked up once
    done = 0
    chars_before = counted = 0  # characters in data[:counted], counted as far as needed
    for anchor in ANCHOR.finditer(data):
        if done and anchor.end() <= done:
            continue  # within lines read already
        # From its first line not read already to the end of its last line.
        start = max(data.rfind(b"\n", 0, anchor.start()) + 1, done + 1 if done else 0)
        end = data.find(b"\n", anchor.end())
        done = end if end >= 0 else len(data)
        people = people_in_record(index, key, data[start:done], hot)
        if people:
            chars_before += len(data[counted:start].decode("utf-8", "replace"))
            counted = start
            yield chars_before, people


def people_in_record(index: Index, key: bytes, record: bytes, hot: dict[str, bool] | None = None) -> set[int]:
    """The leaked people one record (a line, or a name and the birth date below it) is, by the
    rule of Index.people_in."""
    line = record.decode("utf-8", "replace")
    own: set[str] = set()
    by_number: set[int] = set()
    if NUMBER_RUN.search(line):
        own = {a_number_key(n) for n in _a_numbers(line) if valid_a_number(n)}
        bare = {a_number_key(m.group(1)) for m in BARE_NUMBER.finditer(line) if valid_a_number(m.group(1))}
        by_number = {n for number in own | bare for n, _ in index.people_of(fingerprint(key, ("A", number)))}
    has_number = bool(own or by_number)
    people = set(by_number)
    names = _names(index, key, line, {} if hot is None else hot)
    born = {d.isoformat() for d in _dates(record)} if names else set()
    for date in born:
        for name in names:
            for number, indexed_number in index.people_of(fingerprint(key, ("ND", name, date))):
                if not (has_number and indexed_number and number not in by_number):
                    people.add(number)
    return people


def _names(index: Index, key: bytes, line: str, hot: dict[str, bool]) -> set[str]:
    """The name keys the line may hold: every run of two to five words that all stand in some
    leaked name (a name key is its words sorted and joined, as people.identity.name_key)."""
    words = name_words(line)
    for word in words:
        if word not in hot:
            hot[word] = index.has_name_word(key, word)
    at_hot = [at for at, word in enumerate(words) if hot[word]]
    names: set[str] = set()
    if len(at_hot) < NAME_WORDS.start:
        return names  # most lines: no two words of leaked names
    runs: list[list[str]] = []
    for at in at_hot:  # runs of hot words side by side
        if runs and hot[words[at - 1]]:  # runs is empty at the first word
            runs[-1].append(words[at])
        else:
            runs.append([words[at]])
    for run in runs:
        for size in range(NAME_WORDS.start, min(len(run), NAME_WORDS.stop - 1) + 1):
            names.update("".join(sorted(run[at : at + size])) for at in range(len(run) - size + 1))
    return names


def _dates(record: bytes) -> Iterator[dt.date]:
    for match in DATE_IN_LINE.finditer(record):
        start, end = match.span()
        if day := parse_date(record[max(0, start - 1) : end + 1].decode("ascii", "replace")):
            yield day


def _a_numbers(line: str) -> Iterator[str]:
    for match in A_NUMBER.finditer(line):
        yield match.group(1) or match.group(2)
