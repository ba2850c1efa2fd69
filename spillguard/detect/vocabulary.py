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

import bisect
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

# The table is kept as one string of the sorted words and one byte string of their zipfs (three
# bytes a word, in tenths: surname, given name, word), searched by bisection: two objects load
# from the disk cache in a millisecond, where a dict of 166,000 entries took 40.


@dataclass(frozen=True, slots=True)
class SortedTable:
    words: list[str]
    values: bytes  # `width` bytes per word, in the words' order
    width: int

    def get(self, word: str) -> bytes | None:
        i = bisect.bisect_left(self.words, word)
        if i < len(self.words) and self.words[i] == word:
            return self.values[i * self.width : (i + 1) * self.width]
        return None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None


@cache
def name_evidence() -> SortedTable:
    words, values = disk_cached("name-evidence", _read_name_evidence, ("data/name-evidence.tsv.gz",))
    return SortedTable(words.split("\n"), values, 3)


def _read_name_evidence() -> tuple[str, bytes]:
    rows: list[tuple[str, bytes]] = []
    with gzip.open(
        str(importlib.resources.files("spillguard").joinpath("data/name-evidence.tsv.gz")), "rt"
    ) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            token, surname, given, word = line.rstrip("\n").split("\t")
            rows.append((token, bytes(round(float(z) * 10) for z in (surname, given, word))))
    rows.sort()
    return "\n".join(t for t, _ in rows), b"".join(v for _, v in rows)


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
    return TokenFrequency(packed[0] / 10, packed[1] / 10, packed[2] / 10)


@cache
def places() -> SortedTable:
    words = disk_cached("places", _read_places, ("data/places.txt.gz",))
    return SortedTable(words.split("\n"), b"", 0)


def _read_places() -> str:
    path = str(importlib.resources.files("spillguard").joinpath("data/places.txt.gz"))
    with gzip.open(path, "rt") as fh:
        return "\n".join(sorted(line.rstrip("\n") for line in fh if not line.startswith("#")))
