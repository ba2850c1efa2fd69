"""What `spillguard people` does, as plain functions the CLI, the web service and tests call."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.isolate import read_records_in_worker
from spillguard.model import Uninspectable
from spillguard.people.identity import People, resolve
from spillguard.people.records import FIELDS, PersonRecord
from spillguard.people.sealed import Sealer, load_secret
from spillguard.policy import DEFAULT_POLICY, Policy
from spillguard.store import open_store


def read_records_isolated(path: str, policy: Policy | None = None) -> list[PersonRecord]:
    """The people records of a file, read in a worker under the policy's memory cap and time
    limit (the one isolation of spillguard.isolate): a leaked file or a repost is hostile input
    like any upload."""
    records = read_records_in_worker(path, policy or DEFAULT_POLICY)
    return [r for r in records if isinstance(r, PersonRecord)]


def _bound(incident_id: int, position: int) -> str:
    return f"incident {incident_id} person {position}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_people(
    incident_id: int, files: Sequence[Path], key_file: str | None, store: str | None
) -> dict[str, Any]:
    """Read the leaked file (and any copies given with it), resolve the people in it, store each
    once sealed, and return the counts (stored too, in clear: they name nobody)."""
    sealer = Sealer(load_secret(key_file))
    with open_store(store) as db:
        incident = db.incident(incident_id)
        if not files:
            raise UserError("give the leaked file with --file (the store keeps only its hash)")
        if not any(_sha256(f) == incident.sha256 for f in files):
            raise UserError(
                f"none of the files is the one recorded with incident {incident_id} "
                f"({incident.file_name}, sha256:{incident.sha256[:16]})"
            )
        records: list[PersonRecord] = []
        for path in files:
            try:
                records.extend(read_records_isolated(str(path)))
            except Uninspectable as exc:
                raise UserError(f"{path}: cannot be read completely: {exc}") from None
        people = resolve(records)
        counts = _counts(people, len(files))
        sealed = [(True, _person_value(p.fields, p.sources, p.records)) for p in people.people]
        sealed += [(False, _person_value(r.fields, [r.where], 1)) for r in people.unresolved]
        db.save_people(
            incident_id,
            [(ok, sealer.seal(v, _bound(incident_id, i))) for i, (ok, v) in enumerate(sealed)],
            counts,
        )
    return counts


def _person_value(fields: dict[str, str], sources: list[str], records: int) -> dict[str, Any]:
    return {"fields": {k: fields[k] for k in FIELDS if k in fields}, "sources": sources, "records": records}


def _counts(people: People, files: int) -> dict[str, Any]:
    return {
        "files": files,
        "records": people.records,
        "people": len(people.people),
        "merged": people.merged,
        "unresolved": len(people.unresolved),
        "by_nationality": people.counts("nationality"),
        "by_facility": people.counts("detention_facility"),
    }


def join_cases(incident_id: int, cases_path: str, key_file: str | None, store: str | None) -> dict[str, Any]:
    """Add each person's case (attorney, custody, language, removal date) from the agency's case
    roster, by A-number; people without a case are counted and listed, never dropped."""
    from spillguard.detect.rules import a_number_key
    from spillguard.people.cases import read_cases

    cases = read_cases(cases_path)
    sealer = Sealer(load_secret(key_file))
    with open_store(store) as db:
        rows = db.people(incident_id)
        counts = db.people_counts(incident_id)
        if counts is None:
            raise UserError(f"incident {incident_id} has no people yet: run spillguard people extract")
        joined = unmatched = 0
        resealed: list[tuple[bool, str]] = []
        for position, resolved, sealed in rows:
            value = sealer.open(sealed, _bound(incident_id, position))
            number = value["fields"].get("a_number", "")
            case = cases.get(a_number_key(number)) if number else None
            if resolved:
                if case is None:
                    unmatched += 1
                    value.pop("case", None)
                else:
                    joined += 1
                    value["case"] = case
            resealed.append((resolved, sealer.seal(value, _bound(incident_id, position))))
        counts = {**counts, "cases_joined": joined, "cases_unmatched": unmatched}
        db.save_people(incident_id, resealed, counts, action="people join")
    return counts


@dataclass(frozen=True)
class StoredPeople:
    people: list[dict[str, Any]]
    unresolved: list[dict[str, Any]]
    counts: dict[str, Any]


def stored_people(incident_id: int, key_file: str | None, store: str | None) -> StoredPeople:
    sealer = Sealer(load_secret(key_file))
    with open_store(store) as db:
        rows = db.people(incident_id)
        counts = db.people_counts(incident_id)
    if counts is None:
        raise UserError(f"incident {incident_id} has no people yet: run spillguard people extract")
    people: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    for position, resolved, sealed in rows:
        value = sealer.open(sealed, _bound(incident_id, position))
        value["id"] = position + 1
        (people if resolved else unresolved).append(value)
    return StoredPeople(people, unresolved, counts)
