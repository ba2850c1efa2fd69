"""SQLite backend of the incident store (stdlib sqlite3, one file, WAL journal)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spillguard.respond.timefmt import iso_z, parse_instant
from spillguard.store.model import LETTER_STATES, Incident, Letter, NewIncident, StoreError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    report TEXT,
    published TEXT NOT NULL,
    removed TEXT,
    notified TEXT
);
CREATE TABLE IF NOT EXISTS incident_urls (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE IF NOT EXISTS exposures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    created TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS letters (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    entity_id TEXT NOT NULL,
    entity_name TEXT NOT NULL,
    docx TEXT NOT NULL,
    pdf TEXT NOT NULL,
    state TEXT NOT NULL,
    drafted TEXT NOT NULL,
    sent TEXT,
    acknowledged TEXT,
    certified TEXT,
    PRIMARY KEY (incident_id, entity_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: datetime | None) -> str | None:
    return iso_z(value) if value else None


def _read_time(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


class SqliteStore:
    """IncidentStore over one SQLite file; created with its folder on first use."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable incident store: {exc}") from exc
        self.path = path

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"store schema {row[0]} is newer than this spillguard understands")

    def close(self) -> None:
        self._db.close()

    # --- incidents ---------------------------------------------------------------------------

    def create_incident(self, new: NewIncident) -> Incident:
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO incidents (created, title, file_name, sha256, size, report, "
                "published, removed, notified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    iso_z(_now()),
                    new.title,
                    new.file_name,
                    new.sha256,
                    new.size,
                    json.dumps(new.report) if new.report is not None else None,
                    iso_z(new.published),
                    _time(new.removed),
                    _time(new.notified),
                ),
            )
            incident_id = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO incident_urls VALUES (?, ?, ?)",
                [(incident_id, i, url) for i, url in enumerate(new.urls)],
            )
            self._audit(incident_id, "open", f"{new.file_name} sha256:{new.sha256}")
        return self.incident(incident_id)

    def incident(self, incident_id: int) -> Incident:
        row = self._db.execute(
            "SELECT id, created, title, file_name, sha256, size, report, published, removed, "
            "notified FROM incidents WHERE id = ?",
            (incident_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no incident {incident_id} in {self.path}")
        return self._incident(row)

    def incidents(self) -> list[Incident]:
        rows = self._db.execute(
            "SELECT id, created, title, file_name, sha256, size, report, published, removed, "
            "notified FROM incidents ORDER BY id"
        ).fetchall()
        return [self._incident(row) for row in rows]

    def _incident(self, row: tuple[Any, ...]) -> Incident:
        urls = self._db.execute(
            "SELECT url FROM incident_urls WHERE incident_id = ? ORDER BY position", (row[0],)
        ).fetchall()
        return Incident(
            id=row[0],
            created=parse_instant(row[1]),
            title=row[2],
            file_name=row[3],
            sha256=row[4],
            size=row[5],
            report=json.loads(row[6]) if row[6] else None,
            urls=tuple(u for (u,) in urls),
            published=parse_instant(row[7]),
            removed=_read_time(row[8]),
            notified=_read_time(row[9]),
        )

    def update_times(
        self, incident_id: int, *, removed: datetime | None, notified: datetime | None
    ) -> Incident:
        self.incident(incident_id)
        with self._transaction():
            for column, value in (("removed", removed), ("notified", notified)):
                if value is not None:
                    self._db.execute(
                        f"UPDATE incidents SET {column} = ? WHERE id = ?",
                        (iso_z(value), incident_id),
                    )
                    self._audit(incident_id, f"set {column}", iso_z(value))
        return self.incident(incident_id)

    # --- exposure ----------------------------------------------------------------------------

    def save_exposure(self, incident_id: int, exposure: dict[str, Any]) -> None:
        self.incident(incident_id)
        with self._transaction():
            self._db.execute(
                "INSERT INTO exposures (incident_id, created, result) VALUES (?, ?, ?)",
                (incident_id, iso_z(_now()), json.dumps(exposure)),
            )
            clients = len(exposure.get("clients", ()))
            self._audit(incident_id, "exposure", f"{clients} clients")

    def latest_exposure(self, incident_id: int) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT result FROM exposures WHERE incident_id = ? ORDER BY id DESC LIMIT 1",
            (incident_id,),
        ).fetchone()
        return json.loads(row[0]) if row else None

    # --- letters -----------------------------------------------------------------------------

    def record_letter(
        self, incident_id: int, entity_id: str, entity_name: str, docx: str, pdf: str
    ) -> Letter:
        """A drafted letter; writing it again keeps the tracking state it has reached."""
        self.incident(incident_id)
        with self._transaction():
            self._db.execute(
                "INSERT INTO letters (incident_id, entity_id, entity_name, docx, pdf, state, "
                "drafted) VALUES (?, ?, ?, ?, ?, 'drafted', ?) "
                "ON CONFLICT (incident_id, entity_id) DO UPDATE SET "
                "entity_name = excluded.entity_name, docx = excluded.docx, pdf = excluded.pdf, "
                "drafted = excluded.drafted",
                (incident_id, entity_id, entity_name, docx, pdf, iso_z(_now())),
            )
            self._audit(incident_id, "letter drafted", entity_id)
        return self._letter(incident_id, entity_id)

    def set_letter_state(self, incident_id: int, entity_id: str, state: str, at: datetime) -> Letter:
        if state not in LETTER_STATES[1:]:
            raise StoreError(f"unknown letter state {state!r} (use {', '.join(LETTER_STATES[1:])})")
        self.incident(incident_id)
        current = self._letter(incident_id, entity_id)
        if LETTER_STATES.index(state) < LETTER_STATES.index(current.state):
            raise StoreError(f"letter to {entity_id} is already {current.state}")
        with self._transaction():
            self._db.execute(
                # state is one of LETTER_STATES (checked above), so naming its column is safe
                f"UPDATE letters SET state = ?, {state} = ? WHERE incident_id = ? AND entity_id = ?",
                (state, iso_z(at), incident_id, entity_id),
            )
            self._audit(incident_id, f"letter {state}", entity_id)
        return self._letter(incident_id, entity_id)

    def letters(self, incident_id: int) -> list[Letter]:
        rows = self._db.execute(
            "SELECT entity_id FROM letters WHERE incident_id = ? ORDER BY entity_id", (incident_id,)
        ).fetchall()
        return [self._letter(incident_id, entity_id) for (entity_id,) in rows]

    def _letter(self, incident_id: int, entity_id: str) -> Letter:
        row = self._db.execute(
            "SELECT entity_id, entity_name, docx, pdf, state, drafted, sent, acknowledged, "
            "certified FROM letters WHERE incident_id = ? AND entity_id = ?",
            (incident_id, entity_id),
        ).fetchone()
        if row is None:
            raise StoreError(f"incident {incident_id} has no letter to {entity_id!r}")
        return Letter(
            entity_id=row[0],
            entity_name=row[1],
            docx=row[2],
            pdf=row[3],
            state=row[4],
            drafted=parse_instant(row[5]),
            sent=_read_time(row[6]),
            acknowledged=_read_time(row[7]),
            certified=_read_time(row[8]),
        )

    # --- audit -------------------------------------------------------------------------------

    def _audit(self, incident_id: int, action: str, detail: str) -> None:
        self._db.execute(
            "INSERT INTO audit (incident_id, at, action, detail) VALUES (?, ?, ?, ?)",
            (incident_id, iso_z(_now()), action, detail),
        )

    def audit_log(self, incident_id: int) -> list[tuple[datetime, str, str]]:
        rows = self._db.execute(
            "SELECT at, action, detail FROM audit WHERE incident_id = ? ORDER BY id", (incident_id,)
        ).fetchall()
        return [(parse_instant(at), action, detail) for at, action, detail in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (the connection is in autocommit)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
