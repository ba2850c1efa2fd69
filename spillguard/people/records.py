"""Every record about a person in a file, with its fields: the same readers and the same
classifier the scan uses (tables a column at a time, text a record at a time), but keeping the
values, so the responders can tell who was exposed. Only ever run on a file already leaked."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from spillguard.detect.columns import Plan, plan_table
from spillguard.detect.text import Header, records
from spillguard.extract import extract
from spillguard.extract.base import Limits, Source
from spillguard.extract.sniff import sniff
from spillguard.model import Embedded, Passage, Table, Uninspectable

# What identifies or describes a person; the rest of a row (a phone, a case note) is not kept.
FIELDS = ("person_name", "a_number", "date_of_birth", "nationality", "detention_facility")
MAX_DEPTH = 4  # archives in archives


@dataclass(frozen=True)
class PersonRecord:
    """One row or passage about one person: kind -> value, and where it stands."""

    fields: dict[str, str]
    where: str


@dataclass(frozen=True)
class TextRecord:
    """Text not yet read for people (a passage, or a table row with no column of people), for
    a reader faster than the scanner's own (repost matching looks only for known people)."""

    text: str
    where: str
    offset: int | None = None  # where the text starts in its part, when it is a passage


def read_records(
    path: str, limits: Limits | None = None, *, text_as_is: bool = False
) -> Iterator[PersonRecord | TextRecord]:
    """The person records of a file; with `text_as_is`, its text is handed over as TextRecords
    instead of being read by the scanner's text detector."""
    limits = limits or Limits()
    size = os.stat(path).st_size
    source = Source.from_path(path, size, time.monotonic() + limits.timeout_seconds)
    yield from _records(source, limits, text_as_is)


def _records(source: Source, limits: Limits, text_as_is: bool) -> Iterator[PersonRecord | TextRecord]:
    kind = sniff(source)
    if kind == "empty":
        return
    plans: dict[str, Plan] = {}
    carried: dict[str, Header] = {}
    for item in extract(kind, source, limits):
        if isinstance(item, Table):
            yield from _table_records(item, plans, source.name, text_as_is)
        elif isinstance(item, Passage) and text_as_is:
            yield TextRecord(item.text, f"{source.name}!{item.location.part}", item.location.offset)
        elif isinstance(item, Passage):
            for fields in _text_people(item.text, carried):
                yield PersonRecord(fields, f"{source.name}!{item.location.part}")
        elif isinstance(item, Embedded):
            if source.depth >= MAX_DEPTH:
                raise Uninspectable(f"over limit: nested deeper than {MAX_DEPTH}")
            child = Source.from_bytes(
                f"{source.name}!{item.name}", item.data, source.depth + 1, source.deadline
            )
            yield from _records(child, limits, text_as_is)


def _text_people(text: str, carried: dict[str, Header] | None = None) -> Iterator[dict[str, str]]:
    """The fields of each person a passage names (the scanner's own grouping of records)."""
    for hits, _ in records(text, carried=carried):
        fields: dict[str, str] = {}
        for hit in hits:
            if hit.kind in FIELDS:
                fields.setdefault(hit.kind, hit.value)
        if "person_name" in fields or "a_number" in fields:
            yield fields


def _table_records(
    table: Table, plans: dict[str, Plan], name: str, text_as_is: bool
) -> Iterator[PersonRecord | TextRecord]:
    key = table.key or table.part
    plan = plans.get(key) if table.is_continuation else None
    if plan is None:
        plan = plan_table(table.rows, table.part)
        plans[key] = plan
    start = plan.header_index + 1 if plan.header_index is not None and not table.is_continuation else 0
    columns = sorted((i, k) for i, k in plan.kinds.items() if k in FIELDS)
    if not any(k in ("person_name", "a_number") for _, k in columns):
        # No column names a person: the rows may still be lines of text split at commas (a
        # paste read as CSV), so each row is read as one.
        for index in range(start, len(table.rows)):
            line = " ; ".join(c for c in table.rows[index] if c.strip())
            where = f"{name}!{table.part}!row {table.row_number(index)}"
            if text_as_is:
                yield TextRecord(line, where)
                continue
            for person in _text_people(line):
                yield PersonRecord(person, where)
        return
    for index in range(start, len(table.rows)):
        row = table.rows[index]
        fields: dict[str, str] = {}
        for column, kind in columns:
            value = row[column].strip() if column < len(row) else ""
            if not value:
                continue
            # First and last name columns make one name.
            fields[kind] = f"{fields[kind]} {value}" if kind == "person_name" and kind in fields else value
        if "person_name" in fields or "a_number" in fields:
            yield PersonRecord(fields, f"{name}!{table.part}!row {table.row_number(index)}")
