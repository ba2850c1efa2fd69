"""Who is who: records that share an A-number are one person; else the same name and birth
date; else the same name, nationality and facility. Names match whatever their order
(`LAST, FIRST` = `First Last`), accents, middle initials or script (Cyrillic, Arabic and Han
are transliterated with anyascii). A record with none of these keys cannot be resolved to one
person: it is kept and listed, never dropped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii

from spillguard.detect.dates import parse_date
from spillguard.detect.gazetteer import fold
from spillguard.detect.rules import a_number_key, valid_a_number
from spillguard.people.records import PersonRecord


def name_key(name: str) -> str:
    """Order-, accent-, script- and initial-free: `GARCIA LOPEZ, María J.` and `Maria Garcia
    Lopez` -> `GARCIALOPEZMARIA`; `王伟` and `Wei Wang` -> `WANGWEI` (the words sorted, then
    joined, since some scripts write a name without spaces)."""
    return "".join(sorted(name_words(name)))


def name_words(text: str) -> list[str]:
    """The words a name key is made of: folded, transliterated, initials left out."""
    return [w for w in fold(text if text.isascii() else anyascii(text)).split() if len(w) > 1]


def date_key(value: str) -> str:
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else ""


@dataclass
class Person:
    """One person, merged from the records that are theirs."""

    fields: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    records: int = 0

    def add(self, record: PersonRecord) -> None:
        for kind, value in record.fields.items():
            self.fields.setdefault(kind, value)
        self.sources.append(record.where)
        self.records += 1


@dataclass(frozen=True)
class People:
    people: list[Person]
    unresolved: list[PersonRecord]
    records: int

    @property
    def merged(self) -> int:
        """Records that turned out to repeat a person already counted."""
        return self.records - len(self.people) - len(self.unresolved)

    def counts(self, kind: str) -> dict[str, int]:
        """People by nationality or facility (folded spelling), most first."""
        found = Counter(fold(p.fields[kind]) for p in self.people if p.fields.get(kind))
        return dict(found.most_common())


def keys(record: PersonRecord) -> list[tuple[str, ...]]:
    f = record.fields
    out: list[tuple[str, ...]] = []
    number = f.get("a_number", "")
    if number and valid_a_number(number):
        out.append(("A", a_number_key(number)))
    name = name_key(f.get("person_name", ""))
    if name:
        born = date_key(f.get("date_of_birth", ""))
        if born:
            out.append(("ND", name, born))
        nationality, facility = fold(f.get("nationality", "")), fold(f.get("detention_facility", ""))
        if nationality and facility:
            out.append(("NNF", name, nationality, facility))
    return out


def resolve(records: Iterable[PersonRecord]) -> People:
    """Merge records into people (union-find over their keys: two records sharing any key are
    one person, and so on transitively)."""
    items = list(records)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # The A-numbers each group holds: two groups with different A-numbers are two people,
    # however alike their names and birth dates (namesakes born the same day exist).
    numbers: dict[int, set[str]] = {}
    owner: dict[tuple[str, ...], int] = {}
    unresolved: list[PersonRecord] = []
    keyed: list[int] = []
    for index, record in enumerate(items):
        found = keys(record)
        if not found:
            unresolved.append(record)
            continue
        keyed.append(index)
        numbers[index] = {k[1] for k in found if k[0] == "A"}
        for key in found:
            if key not in owner:
                owner[key] = index
                continue
            mine, theirs = root(index), root(owner[key])
            if mine == theirs:
                continue
            if numbers[mine] and numbers[theirs] and not numbers[mine] & numbers[theirs]:
                continue
            parent[mine] = theirs
            numbers[theirs] |= numbers.pop(mine)
    people: dict[int, Person] = {}
    for index in keyed:
        people.setdefault(root(index), Person()).add(items[index])
    return People(list(people.values()), unresolved, len(items))
