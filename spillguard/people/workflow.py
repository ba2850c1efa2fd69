"""What `spillguard people` does, as plain functions the CLI, the web service and tests call."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.files import write_atomic
from spillguard.isolate import read_records_in_worker
from spillguard.model import Uninspectable
from spillguard.people.identity import People, resolve
from spillguard.people.records import FIELDS, PersonRecord, TextRecord
from spillguard.people.sealed import Sealer, load_secret
from spillguard.policy import DEFAULT_POLICY, Policy
from spillguard.store import open_store


def read_records_isolated(path: str, policy: Policy | None = None) -> list[PersonRecord]:
    """The people records of a file, read in a worker under the policy's memory cap and time
    limit (the one isolation of spillguard.isolate): a leaked file or a repost is hostile input
    like any upload."""
    return [r for r in _read_isolated(path, policy, False) if isinstance(r, PersonRecord)]


def read_records_and_text_isolated(
    path: str, policy: Policy | None = None
) -> list[PersonRecord | TextRecord]:
    """As read_records_isolated, with the file's text handed over unread (for repost matching)."""
    return [r for r in _read_isolated(path, policy, True) if isinstance(r, PersonRecord | TextRecord)]


def _read_isolated(path: str, policy: Policy | None, text_as_is: bool) -> list[object]:
    if not stat.S_ISREG(os.stat(path).st_mode):  # a missing path is an OSError: one line, exit 2
        raise UserError(f"{path}: not a regular file")
    return read_records_in_worker(path, policy or DEFAULT_POLICY, text_as_is=text_as_is)


def read_people(paths: Sequence[Path]) -> list[PersonRecord]:
    """Every person record in these files, each read in an isolated worker; a file that cannot
    be read completely is an error naming it (a leak must be read whole, never in part)."""
    records: list[PersonRecord] = []
    for path in paths:
        try:
            records.extend(read_records_isolated(str(path)))
        except Uninspectable as exc:
            raise UserError(f"{path}: cannot be read completely: {exc}") from None
    return records


def _people_rows(db: Any, incident_id: int) -> tuple[list[tuple[int, bool, str]], dict[str, Any]]:
    """The incident's sealed people and their counts; an error before `people extract` ran."""
    rows = db.people(incident_id)
    counts = db.people_counts(incident_id)
    if counts is None:
        raise UserError(f"incident {incident_id} has no people yet: run spillguard people extract")
    return rows, counts


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
        people = resolve(read_people(files))
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
        rows, counts = _people_rows(db, incident_id)
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
        rows, counts = _people_rows(db, incident_id)
    people: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    for position, resolved, sealed in rows:
        value = sealer.open(sealed, _bound(incident_id, position))
        value["id"] = position + 1
        (people if resolved else unresolved).append(value)
    return StoredPeople(people, unresolved, counts)


# --- notices ---------------------------------------------------------------------------------

NOTICE_STATES = ("drafted", "sent", "delivered", "acknowledged", "returned")
# Forward only; a notice that comes back can be sent again.
NEXT_STATES = {
    "drafted": {"sent"},
    "sent": {"delivered", "acknowledged", "returned"},
    "delivered": {"acknowledged"},
    "returned": {"sent"},
    "acknowledged": set(),
}
EXPOSED_PHRASES = {
    "en": {
        "person_name": "your name",
        "a_number": "your A-number",
        "date_of_birth": "your date of birth",
        "nationality": "your nationality",
        "detention_facility": "the facility where you were held",
    },
    "es": {
        "person_name": "su nombre",
        "a_number": "su número A",
        "date_of_birth": "su fecha de nacimiento",
        "nationality": "su nacionalidad",
        "detention_facility": "el centro donde estuvo detenido/a",
    },
    "attorney": {
        "person_name": "their names",
        "a_number": "their A-numbers",
        "date_of_birth": "their dates of birth",
        "nationality": "their nationalities",
        "detention_facility": "the facilities where they were held",
    },
}


@dataclass(frozen=True)
class DraftResult:
    people: int
    attorneys: int
    seconds: float
    folder: Path


def _listing(fields: dict[str, str], language: str) -> str:
    phrases = EXPOSED_PHRASES.get(language, EXPOSED_PHRASES["en"])
    words = [phrases[k] for k in FIELDS if k in fields]
    from spillguard.assess import join_words

    return join_words(words, "y" if language == "es" else "and")  # "attorney" letters are in English


def draft_notices(
    incident_id: int,
    out: Path,
    key_file: str | None,
    store: str | None,
    sender: Any,
    template_folder: Path | None = None,
    due_days: int = 30,
    pdf: bool = True,
) -> DraftResult:
    """One notice per person in their language and one letter per attorney, DOCX and the PDF
    converted from it; recorded in the store with a due date."""
    import datetime as dt
    import time

    from spillguard.people.notices import language_of, people_date, render_word, templates, to_pdf

    started = time.perf_counter()
    found = stored_people(incident_id, key_file, store)
    with open_store(store) as db:
        incident = db.incident(incident_id)
    shipped = templates(template_folder)
    languages = {name.split(".", 1)[1] for name in shipped if name.startswith("notice.")}
    today = dt.datetime.now(dt.UTC)
    due = today + dt.timedelta(days=due_days)
    out.mkdir(parents=True, exist_ok=True)
    drafts: list[dict[str, Any]] = []
    by_attorney: dict[str, list[dict[str, Any]]] = {}

    def dates(language: str) -> dict[str, str]:
        return {
            "published": people_date(incident.published.date(), language),
            "removed": people_date(incident.removed.date(), language) if incident.removed else "—",
        }

    for person in found.people:
        fields, case = person["fields"], person.get("case", {})
        language = language_of(case.get("language", ""), languages)
        notice_id = f"N{person['id']:05d}"
        number = fields.get("a_number", "")
        context = {
            "person": {"name": fields.get("person_name", ""), "a_number_tail": number[-4:] or "—"},
            "incident": dates(language),
            "exposed": _listing(fields, language),
            "notice_id": notice_id,
            "sender": sender,
            "due": people_date(due.date(), language),
        }
        address = [
            fields.get("person_name", ""),
            "c/o " + fields["detention_facility"] if "detention_facility" in fields else "",
        ]
        path = out / f"{notice_id}.docx"
        document = render_word(
            shipped[f"notice.{language}"],
            context,
            sender,
            address,
            people_date(today.date(), language),
            language,
        )
        write_atomic(path, document)
        drafts.append(
            {
                "notice_id": notice_id,
                "kind": "person",
                "position": person["id"] - 1,
                "language": language,
                "docx": path,
            }
        )
        attorney = case.get("attorney_email") or case.get("attorney_name")
        if attorney:
            by_attorney.setdefault(attorney, []).append({"person": person, "notice_id": notice_id})
    for index, (_, clients) in enumerate(sorted(by_attorney.items()), start=1):
        case = clients[0]["person"]["case"]
        notice_id = f"A{index:04d}"
        context = {
            "attorney": {"name": case.get("attorney_name", "Counsel")},
            "clients": [
                {
                    "name": c["person"]["fields"].get("person_name", ""),
                    "a_number": c["person"]["fields"].get("a_number", ""),
                    "notice_id": c["notice_id"],
                }
                for c in clients
            ],
            "incident": dates("en"),
            "exposed": _listing(clients[0]["person"]["fields"], "attorney"),
            "sender": sender,
            "due": people_date(due.date(), "en"),
        }
        recipient = [
            case.get("attorney_name", ""),
            case.get("attorney_address", ""),
            case.get("attorney_email", ""),
        ]
        path = out / f"{notice_id}.docx"
        write_atomic(
            path,
            render_word(shipped["attorney.en"], context, sender, recipient, people_date(today.date(), "en")),
        )
        drafts.append(
            {"notice_id": notice_id, "kind": "attorney", "position": None, "language": "en", "docx": path}
        )
    pdfs = to_pdf([d["docx"] for d in drafts]) if pdf else {}
    written = sum(1 for d in drafts if d["docx"].is_file())
    if written != len(drafts):
        raise UserError(f"{len(drafts) - written} notices were not written")
    with open_store(store) as db:
        db.record_notices(
            incident_id,
            [
                {
                    **d,
                    "docx": str(d["docx"]),
                    "pdf": str(pdfs.get(d["docx"], "")),
                    "drafted": today,
                    "due": due,
                }
                for d in drafts
            ],
        )
    attorneys = sum(1 for d in drafts if d["kind"] == "attorney")
    return DraftResult(len(drafts) - attorneys, attorneys, time.perf_counter() - started, out)


def track_notice(incident_id: int, notice_id: str, state: str, store: str | None) -> str:
    import datetime as dt

    if state not in NOTICE_STATES[1:]:
        raise UserError(f"unknown state {state!r} (use {', '.join(NOTICE_STATES[1:])})")
    with open_store(store) as db:
        current = next((n for n in db.notices(incident_id) if n["notice_id"] == notice_id), None)
        if current is None:
            raise UserError(f"incident {incident_id} has no notice {notice_id}")
        if state not in NEXT_STATES[current["state"]]:
            raise UserError(f"notice {notice_id} is {current['state']}: it cannot become {state}")
        db.set_notice_state(incident_id, notice_id, state, dt.datetime.now(dt.UTC))
    return current["state"]
