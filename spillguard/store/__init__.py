"""The incident store: incidents, their exposure analyses, claw-back letters and an audit log.

`open_store(url)` picks the backend from the URL (see `spillguard.store.database_url`): SQLite by
default (a file path or `sqlite:///path`, stdlib only), PostgreSQL by `postgresql://` URL
(psycopg, in the respond extra). Both run the same SQL (`spillguard.store.sql`).
"""

from __future__ import annotations

from pathlib import Path

from spillguard.store.database_url import DatabaseURL, parse_database_url
from spillguard.store.records import (
    LETTER_STATES,
    Incident,
    IncidentStore,
    Letter,
    NewIncident,
    StoreError,
)

DEFAULT_STORE = Path(".spillguard") / "incidents.db"

__all__ = [
    "DEFAULT_STORE",
    "LETTER_STATES",
    "DatabaseURL",
    "Incident",
    "IncidentStore",
    "Letter",
    "NewIncident",
    "StoreError",
    "open_store",
    "parse_database_url",
]


def open_store(url: str | None = None) -> IncidentStore:
    """The store at `url`: a path, sqlite:/// or postgresql:// URL; None is `.spillguard/incidents.db`."""
    database = parse_database_url(url, DEFAULT_STORE)
    if database.kind == "postgresql":
        from spillguard.store.postgres import PostgresStore

        return PostgresStore(database)
    from spillguard.store.sqlite import SqliteStore

    return SqliteStore(database.path)
