"""The shared vocabulary, loaded once from `spillguard/data/` into frozen values:

- `vocabulary()`: what column titles mean (English and Spanish) and the closed word classes
  that end a street, a building or an organisation's name (`vocabulary.toml`);
- `name_evidence()`: for each word, how common it is as a surname, as a given name (US Census
  frequency tables, an international first-name dictionary) and as an ordinary English or
  Spanish word (wordfreq) (`name-evidence.tsv.gz`);
- `places()`: US states, counties and places, and the world's cities (`places.txt.gz`).

Every format's detector reads these; none keeps a word list of its own. Sources, licences and
how to regenerate the tables: `scripts/build-vocabulary.py` and `spillguard/data/README.md`.
"""

from __future__ import annotations

import gzip
import importlib.resources
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from spillguard.detect.gazetteer import disk_cached, fold


@dataclass(frozen=True, slots=True)
class HeaderMeaning:
    """One kind of column title: the pattern over the folded title, and the titles it must and
    must not match."""

    kind: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    non_examples: tuple[str, ...]

    def matches(self, title: str) -> bool:
        return self.pattern.search(fold(title)) is not None


@dataclass(frozen=True, slots=True)
class WordClass:
    name: str
    words: frozenset[str]
    examples: tuple[str, ...]
    non_examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    headers: tuple[HeaderMeaning, ...]  # in the order they are tried
    words: dict[str, WordClass]
    case_columns: tuple[HeaderMeaning, ...] = ()  # an agency's case roster (people join)

    def header(self, kind: str) -> HeaderMeaning:
        return next(h for h in self.headers if h.kind == kind)


# Header entries that are no kind of finding: they qualify the others.
QUALIFIERS = frozenset({"not_personal", "person_role", "describes", "other_dates", "organisation_columns"})


@cache
def vocabulary() -> Vocabulary:
    raw = tomllib.loads(importlib.resources.files("spillguard").joinpath("data/vocabulary.toml").read_text())
    headers = tuple(
        HeaderMeaning(
            kind, re.compile(entry["pattern"]), tuple(entry["examples"]), tuple(entry["non_examples"])
        )
        for kind, entry in raw["headers"].items()
    )
    words = {
        name: WordClass(
            name, frozenset(entry["words"]), tuple(entry["examples"]), tuple(entry["non_examples"])
        )
        for name, entry in raw["words"].items()
    }
    case_columns = tuple(
        HeaderMeaning(
            kind, re.compile(entry["pattern"]), tuple(entry["examples"]), tuple(entry["non_examples"])
        )
        for kind, entry in raw.get("case_columns", {}).items()
    )
    return Vocabulary(headers, words, case_columns)


# --- name evidence ---------------------------------------------------------------------------

# Packed per word: surname, given-name and word zipf (log10 of a frequency per billion), one
# byte each in tenths. Ints pickle and load at a third of the cost of tuples.
_SHIFT_SURNAME, _SHIFT_GIVEN = 16, 8


@cache
def name_evidence() -> dict[str, int]:
    return disk_cached("name-evidence", _read_name_evidence, ("data/name-evidence.tsv.gz",))


def _read_name_evidence() -> dict[str, int]:
    out: dict[str, int] = {}
    with gzip.open(
        str(importlib.resources.files("spillguard").joinpath("data/name-evidence.tsv.gz")), "rt"
    ) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            token, surname, given, word = line.rstrip("\n").split("\t")
            out[token] = (
                (round(float(surname) * 10) << _SHIFT_SURNAME)
                | (round(float(given) * 10) << _SHIFT_GIVEN)
                | round(float(word) * 10)
            )
    return out


@dataclass(frozen=True, slots=True)
class TokenFrequency:
    """How common one folded word is as a surname, a given name and an ordinary word (zipf;
    0 where the source does not have it)."""

    surname: float
    given: float
    word: float

    @property
    def known(self) -> bool:
        return bool(self.surname or self.given or self.word)


UNKNOWN = TokenFrequency(0.0, 0.0, 0.0)


def frequency(token: str) -> TokenFrequency:
    packed = name_evidence().get(token)
    if packed is None:
        return UNKNOWN
    return TokenFrequency(
        (packed >> _SHIFT_SURNAME) / 10, ((packed >> _SHIFT_GIVEN) & 0xFF) / 10, (packed & 0xFF) / 10
    )


@cache
def places() -> frozenset[str]:
    return disk_cached("places", _read_places, ("data/places.txt.gz",))


def _read_places() -> frozenset[str]:
    path = str(importlib.resources.files("spillguard").joinpath("data/places.txt.gz"))
    with gzip.open(path, "rt") as fh:
        return frozenset(line.rstrip("\n") for line in fh if not line.startswith("#"))
