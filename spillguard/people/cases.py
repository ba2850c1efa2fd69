"""The agency's case roster, joined to the exposed people by A-number: who represents each of
them (attorney of record: name, address, e-mail), custody status, language and removal date.
Read with the scanner's own readers (CSV, XLSX, ODS, ...); the columns are told by their titles
from the shared vocabulary (`[case_columns]` in data/vocabulary.toml)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence

from spillguard.detect.columns import find_header
from spillguard.detect.gazetteer import fold
from spillguard.detect.rules import a_number_key, valid_a_number
from spillguard.detect.vocabulary import vocabulary
from spillguard.errors import UserError
from spillguard.extract import extract
from spillguard.extract.base import Limits, Source
from spillguard.extract.sniff import sniff
from spillguard.model import Table

CASE_FIELDS = (
    "attorney_name",
    "attorney_address",
    "attorney_email",
    "custody_status",
    "language",
    "removal_date",
)


def column_meanings(header: Sequence[str]) -> dict[int, str]:
    """Column index -> case field, each field at most once (the first column that says it)."""
    out: dict[int, str] = {}
    for index, title in enumerate(header):
        folded = fold(title)
        for meaning in vocabulary().case_columns:
            if meaning.kind not in out.values() and meaning.pattern.search(folded):
                out[index] = meaning.kind
                break
    return out


def read_cases(path: str) -> dict[str, dict[str, str]]:
    """A-number (A + nine digits) -> the case's fields."""
    limits = Limits()
    source = Source.from_path(path, os.stat(path).st_size, time.monotonic() + limits.timeout_seconds)
    cases: dict[str, dict[str, str]] = {}
    for table in _tables(source, limits):
        header_index = find_header(table.rows)
        if header_index is None:
            continue
        meanings = column_meanings(table.rows[header_index])
        number_column = next((i for i, kind in meanings.items() if kind == "a_number"), None)
        if number_column is None:
            continue
        for row in table.rows[header_index + 1 :]:
            number = row[number_column].strip() if number_column < len(row) else ""
            if not valid_a_number(number):
                continue
            fields = {
                kind: row[i].strip() for i, kind in meanings.items() if kind != "a_number" and i < len(row)
            }
            cases[a_number_key(number)] = {k: v for k, v in fields.items() if v}
    if not cases:
        raise UserError(f"{path}: no case roster found (a table with an A-number column)")
    return cases


def _tables(source: Source, limits: Limits) -> Iterator[Table]:
    for item in extract(sniff(source), source, limits):
        if isinstance(item, Table) and not item.is_continuation:
            yield item
