"""The incident store: incidents, their exposure analyses, claw-back letters and an audit log.

`open_store(url)` picks the backend from the URL. SQLite (the default, a file path or
`sqlite:///path`) ships with Python; a PostgreSQL backend can implement `IncidentStore`
later without touching the commands.
"""

from __future__ import annotations

from pathlib import Path

from spillguard.store.model import (
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
    "Incident",
    "IncidentStore",
    "Letter",
    "NewIncident",
    "StoreError",
    "open_store",
]


def open_store(url: str | None = None) -> IncidentStore:
    """The store at `url`: a path or sqlite:/// URL; None is `.spillguard/incidents.db`."""
    target = url or str(DEFAULT_STORE)
    if target.startswith(("postgresql:", "postgres:", "postgresql+")):
        raise StoreError("PostgreSQL stores are not supported yet; use a SQLite path")
    if "://" in target and not target.startswith("sqlite:///"):
        raise StoreError(f"unsupported store URL scheme in {target.split('://')[0]!r}")
    from spillguard.store.sqlite import SqliteStore

    return SqliteStore(Path(target.removeprefix("sqlite:///")))
