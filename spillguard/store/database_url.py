"""Where a database lives, from the URL a user types: SQLite by default, PostgreSQL by URL.

Shared by everything in spillguard that keeps records in a database (the incident store now,
the gate's audit log next), so every `--store`/`--db` option accepts the same spellings:

- a plain path, or `sqlite:///relative/path`, `sqlite:////absolute/path` (SQLAlchemy's form);
- `postgresql://user[:password]@host[:port]/db[?param=value]` (libpq's URL, so every libpq
  parameter such as `sslmode` works); `postgres://` and SQLAlchemy's `postgresql+psycopg://`
  name the same server and are accepted too.

Usage::

    database = parse_database_url(url, default=Path(".spillguard") / "audit.db")
    connection = database.connect()   # sqlite3 or psycopg connection, autocommit
    print(database.display)           # safe to print: the password is masked

`connect()` gives an autocommit connection on both drivers, so a caller states its
transactions itself (`BEGIN` ... `COMMIT`) and nothing is left half-open by an implicit one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from spillguard.store.records import StoreError

Kind = Literal["sqlite", "postgresql"]

SQLITE_PREFIX = "sqlite:///"
# SQLAlchemy spells a driver after a plus (postgresql+psycopg://); the server is the same.
POSTGRES_SCHEMES = ("postgresql", "postgres")
PASSWORD_MASK = "***"


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database location: `target` is a file path (sqlite) or a libpq URL (postgresql)."""

    kind: Kind
    target: str

    @property
    def path(self) -> Path:
        if self.kind != "sqlite":
            raise StoreError(f"{self.display} is not a SQLite file")
        return Path(self.target)

    @property
    def display(self) -> str:
        """The location for messages and logs: a PostgreSQL password never appears."""
        return self.target if self.kind == "sqlite" else mask_password(self.target)

    def connect(self) -> Any:
        """An open autocommit connection: sqlite3.Connection or psycopg.Connection."""
        if self.kind == "sqlite":
            return _connect_sqlite(self.path)
        return _connect_postgres(self.target, self.display)


def parse_database_url(url: str | None, default: Path) -> DatabaseURL:
    """The database at `url` (a path or URL); None or "" is the SQLite file `default`."""
    if not url:
        return DatabaseURL("sqlite", str(default))
    scheme, separator, rest = url.partition("://")
    if not separator:
        return DatabaseURL("sqlite", url)
    base = scheme.lower().split("+", 1)[0]
    if base in POSTGRES_SCHEMES:
        return DatabaseURL("postgresql", "postgresql://" + rest)
    if url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
        return DatabaseURL("sqlite", url.removeprefix(SQLITE_PREFIX))
    raise StoreError(
        f"unsupported database URL scheme {scheme!r} (use a path, sqlite:///path or postgresql://...)"
    )


def mask_password(url: str) -> str:
    """`url` with the password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD_MASK}@{hostinfo}"))


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit; callers open their own BEGIN ... COMMIT.
        return sqlite3.connect(path, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open: {exc}") from exc


def _connect_postgres(url: str, display: str) -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError("PostgreSQL needs psycopg: install spillguard[respond]") from exc
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        # libpq's messages name host and port, never the password; the URL is masked anyway.
        raise StoreError(f"{display}: cannot connect: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
