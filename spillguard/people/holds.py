"""Holds on removals: nobody a leak exposed is removed or transferred before they have been
told and their case reviewed. `check` reads a removal or transfer manifest and lists every
affected person on it without a notice that went out (sent, delivered or acknowledged) and a
signed review; `clear` records such a review (Ed25519, like a gate approval) in the store and
the audit log; `removals` says who was removed before the leak was found, after it was found
but before they were told, and after."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spillguard.approvals import canonical, load_private_key, public_key_text
from spillguard.detect.dates import parse_date
from spillguard.errors import UserError
from spillguard.model import Uninspectable
from spillguard.people.identity import keys
from spillguard.people.records import PersonRecord
from spillguard.people.workflow import read_records_isolated, stored_people
from spillguard.store import open_store

NOTIFIED_STATES = frozenset({"sent", "delivered", "acknowledged"})


@dataclass(frozen=True)
class Held:
    person: int  # the id `people list` shows
    where: str  # the manifest row
    notified: bool
    reviewed: bool


def check_manifest(incident_id: int, manifest: Path, key_file: str | None, store: str | None) -> list[Held]:
    """Everyone on the manifest who was exposed, with whether they were told and reviewed."""
    found = stored_people(incident_id, key_file, store)
    owner: dict[tuple[str, ...], int] = {}
    for stored in found.people:
        for key in keys(PersonRecord(stored["fields"], "")):
            owner.setdefault(key, stored["id"])
    with open_store(store) as db:
        notices = db.notices(incident_id)
        reviewed = {position + 1 for position in db.reviews(incident_id)}
    notified = {n["position"] + 1 for n in notices if n["kind"] == "person" and n["state"] in NOTIFIED_STATES}
    out: list[Held] = []
    seen: set[int] = set()
    try:
        records = read_records_isolated(str(manifest))
    except Uninspectable as exc:
        raise UserError(f"{manifest}: cannot be read completely: {exc}") from None
    for record in records:
        person = next((owner[k] for k in keys(record) if k in owner), None)
        if person is None or person in seen:
            continue
        seen.add(person)
        where = record.where.replace(str(manifest), manifest.name, 1)
        out.append(Held(person, where, person in notified, person in reviewed))
    return out


def clear_hold(
    incident_id: int, person: int, reason: str, key_path: Path, who: str | None, store: str | None
) -> dict[str, Any]:
    """Record a signed review of one person's case, lifting their hold."""
    if not reason.strip():
        raise UserError("a review needs a --reason")
    private = load_private_key(key_path)
    with open_store(store) as db:
        count = len(db.people(incident_id))
        if not 1 <= person <= count:
            raise UserError(f"incident {incident_id} has no person {person} (people list shows the ids)")
        now = dt.datetime.now(dt.UTC)
        review = {
            "incident": incident_id,
            "person": person,
            "reason": reason,
            "who": who or key_path.stem,
            "key": public_key_text(private),
            "at": now.isoformat(),
        }
        review["signature"] = base64.b64encode(private.sign(canonical(review))).decode()
        db.record_review(incident_id, person - 1, review, now)
    return review


def removals(incident_id: int, key_file: str | None, store: str | None) -> dict[str, int]:
    """Removed people by when: before the leak was found, after it but before their notice
    went out, after their notice; and those with no removal date."""
    found = stored_people(incident_id, key_file, store)
    with open_store(store) as db:
        incident = db.incident(incident_id)
        notices = db.notices(incident_id)
    sent = {
        n["position"] + 1: n["changed"].date()
        for n in notices
        if n["kind"] == "person" and n["state"] in NOTIFIED_STATES
    }
    discovered = (incident.notified or incident.removed or incident.published).date()
    counts = {"before discovery": 0, "after discovery, before notice": 0, "after notice": 0, "not removed": 0}
    for person in found.people:
        removed = parse_date(person.get("case", {}).get("removal_date", ""))
        if removed is None:
            counts["not removed"] += 1
        elif removed < discovered:
            counts["before discovery"] += 1
        elif person["id"] not in sent or removed < sent[person["id"]]:
            counts["after discovery, before notice"] += 1
        else:
            counts["after notice"] += 1
    return counts
