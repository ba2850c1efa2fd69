"""Countries, and the disk cache every word table loads through. Loaded once per process on
first use (they are read-only facts about the world, not state). Names, places and the
vocabulary of headers: vocabulary.py.

- countries: ISO 3166 through pycountry, plus the agency spellings ("CHINA, PEOPLES REPUBLIC OF")
  derived from the official names, plus demonyms (`data/demonyms.txt`).

Tests generate people from Faker and from random syllables, so they measure names these lists
never saw.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import pickle
import re
import time
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import TypeVar

_NON_ALPHA = re.compile(r"[^A-Z ]+")


def fold(text: str) -> str:
    """Upper-case ASCII form for lookups: accents dropped, punctuation to spaces, spaces folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NON_ALPHA.sub(" ", text.upper()).split())


T = TypeVar("T")
BASE_SOURCES = ("data/demonyms.txt",)


def disk_cached(name: str, build: Callable[[], T], data_files: tuple[str, ...] = ()) -> T:
    """Parsing the census and name-dictionary files takes a few hundred milliseconds; a pickle
    of the result loads in a few. The cache is keyed by the data files' sizes and times, written
    atomically, and skipped silently where the cache folder is not writable."""
    package = importlib.resources.files("spillguard")
    sources = [
        *(package.joinpath(f) for f in (*BASE_SOURCES, *data_files)),
        importlib.util.find_spec("pycountry").origin or "",  # type: ignore[union-attr]
    ]
    stamp = "-".join(f"{os.stat(str(p)).st_size}.{int(os.stat(str(p)).st_mtime)}" for p in sources)
    key = f"{name}-{stamp}-3"
    folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "spillguard")
    path = os.path.join(folder, f"{key}.pickle")
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # type: ignore[no-any-return]
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass
    value = build()
    try:
        import tempfile

        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(folder, name, keep=path)
    except OSError:
        pass
    return value


CACHE_DAYS = 30


def _prune(folder: str, name: str, keep: str) -> None:
    """Remove this list's caches for data files long gone (every fresh install keys a new one).
    Only old ones: two installs in use side by side would otherwise delete each other's."""
    horizon = time.time() - CACHE_DAYS * 86400
    for entry in os.scandir(folder):
        if entry.name.startswith(f"{name}-") and entry.path != keep and entry.name.endswith(".pickle"):
            try:
                if entry.stat().st_mtime < horizon:
                    os.unlink(entry.path)
            except OSError:
                pass


@cache
def countries() -> frozenset[str]:
    """Folded country names in the spellings agencies use, and demonyms."""
    return disk_cached("countries", _build_countries)


def _build_countries() -> frozenset[str]:
    import pycountry

    names = set(country_names())
    for country in pycountry.historic_countries:
        names.update(_spellings(country.name))
    text = importlib.resources.files("spillguard").joinpath("data/demonyms.txt").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            names.update(fold(part) for part in line.split("|") if part.strip())
    names.discard("")
    return frozenset(names)


@cache
def country_names() -> frozenset[str]:
    """Countries only, without demonyms: 'Honduras' but not 'Honduran'."""
    return disk_cached("country-names", _build_country_names)


def _build_country_names() -> frozenset[str]:
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.update(_spellings(value))
    return frozenset(names)


def _spellings(name: str) -> set[str]:
    """'Korea, Republic of' -> {KOREA REPUBLIC OF, REPUBLIC OF KOREA, KOREA}; "People's Republic
    of China" -> {..., CHINA PEOPLES REPUBLIC OF}."""
    base = fold(name.replace("'", ""))
    out = {base}
    if "," in name:
        head, _, tail = name.partition(",")
        out.add(fold(head))
        out.add(fold(f"{tail} {head}".replace("'", "")))
    match = re.match(r"(.+?) of (?:the )?(.+)$", name.replace("'", ""))
    if match:
        out.add(fold(f"{match.group(2)}, {match.group(1)} of"))
        out.add(fold(f"{match.group(2)}, {match.group(1)} of the"))
        out.add(fold(match.group(2)))
    return out


def is_country(text: str) -> bool:
    return fold(text) in countries()


@cache
def country_automaton() -> object:
    """Aho-Corasick over folded country names and demonyms, for finding them inside text."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for name in countries():
        if len(name) >= 4:  # short codes and 'USA'-like forms match too many words in prose
            automaton.add_word(f" {name} ", name)
    automaton.make_automaton()
    return automaton


def countries_in(text: str) -> list[str]:
    """Country names and demonyms standing as whole words in `text`."""
    folded = f" {fold(text)} "
    automaton = country_automaton()
    return [value for _, value in automaton.iter(folded)]  # type: ignore[attr-defined]
