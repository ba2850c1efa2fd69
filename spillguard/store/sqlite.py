"""SQLite backend of the incident store (stdlib sqlite3, one file, WAL journal)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from spillguard.store.database_url import DatabaseURL
from spillguard.store.records import StoreError
from spillguard.store.sql import Dialect, SqlStore
from spillguard.timefmt import parse_instant

SQLITE = Dialect(
    placeholder="?",
    # AUTOINCREMENT: an id is never reused, even after the newest row is deleted.
    id_type="INTEGER PRIMARY KEY AUTOINCREMENT",
    time_type="TEXT",  # UTC ISO 8601 with a Z, which also sorts by time
    json_type="TEXT",
    # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing
    # when it tries to upgrade a read lock.
    begin="BEGIN IMMEDIATE",
    schema_lock=None,  # BEGIN IMMEDIATE already serializes schema creation
    read_time=parse_instant,
    read_json=json.loads,
    errors=(sqlite3.DatabaseError,),
)


class SqliteStore(SqlStore):
    """IncidentStore over one SQLite file; created with its folder on first use."""

    def __init__(self, path: Path) -> None:
        db = DatabaseURL("sqlite", str(path)).connect()
        try:
            db.execute("PRAGMA foreign_keys = ON")
            # WAL: readers (incident show) do not block the writer (exposure saving a result).
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{path}: not a usable incident store: {exc}") from exc
        super().__init__(db, SQLITE, str(path))
        self.path = path
