"""The gate's audit log: every gate decision, approval and publish, appended as a hash chain.

Each entry holds the hash of the one before it, and its own hash is
sha256(prev_hash + canonical JSON of the entry). Editing an entry breaks its hash; deleting or
reordering entries breaks the links and the sequence numbers. Deleting entries from the END
leaves a valid shorter chain, so the log keeps a head anchor outside the database: a small
file beside it (`audit.db.head`) with the count and hash of the last entry, rewritten under
the database's write lock on every append. `audit verify` checks the chain against it, and
against a head hash recorded elsewhere when one is given (`--head`: 12 or more hex digits, as
the gate prints them, kept e.g. in a CI log): someone who can rewrite both the database and
the anchor file can only be caught that way.

`open_audit(url)`: a path or `sqlite:///path` (default `.spillguard/audit.db`), or a
`postgresql://` URL, whose anchor is a one-row table instead (see TableAnchor). Entries never
hold personal values: paths, hashes, verdicts, counts, names of approvers.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from spillguard.errors import UserError

DEFAULT_AUDIT = Path(".spillguard") / "audit.db"
GENESIS = "0" * 64
HEAD_SUFFIX = ".head"
LOCK_WAIT_MS = 30_000  # two gates appending at once: the second waits for the first


class AuditError(UserError, ValueError):
    """An audit log that cannot be opened or written; the message names it."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    action: str  # gate | approve | publish
    actor: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "actor": self.actor,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Head:
    count: int
    hash: str


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


class AuditLog(Protocol):
    """What every backend provides."""

    location: str

    def append(self, action: str, detail: dict[str, Any]) -> Entry: ...

    def entries(self) -> list[Entry]: ...  # in storage order, as found

    def head(self) -> Head | None: ...  # the anchor; None when there is none

    def close(self) -> None: ...


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL of SQLite and PostgreSQL here."""

    name: str
    schema: tuple[str, ...]
    begin: tuple[str, ...]  # statements that open a write transaction holding the append lock
    errors: tuple[type[BaseException], ...]
    param: str = "?"

    def sql(self, text: str) -> str:
        return text.replace("?", self.param)


SQLITE = Dialect(
    name="sqlite",
    schema=(
        "CREATE TABLE IF NOT EXISTS audit_chain (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "seq INTEGER NOT NULL UNIQUE, at TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, "
        "detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    ),
    # IMMEDIATE takes the write lock at once: the last hash cannot change under us.
    begin=("BEGIN IMMEDIATE",),
    errors=(sqlite3.Error,),
)


def _postgres_dialect() -> Dialect:
    import psycopg

    return Dialect(
        name="postgresql",
        schema=(
            "CREATE TABLE IF NOT EXISTS audit_chain (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, "
            "at TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL, "
            "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, count BIGINT NOT NULL, "
            "hash TEXT NOT NULL)",
        ),
        # EXCLUSIVE blocks other writers (and other appenders' locks) but not readers.
        begin=("BEGIN", "LOCK TABLE audit_chain IN EXCLUSIVE MODE"),
        errors=(psycopg.Error,),
        param="%s",
    )


def open_audit(url: str | None = None, *, create: bool = True) -> AuditLog:
    """The audit log at `url`: a path or `sqlite:///path` (default `.spillguard/audit.db`), or a
    `postgresql://` URL (needs psycopg, in the respond extra).

    `create=False` (reading, verifying): a log that does not exist is an error, never an empty
    chain, and nothing is created. A log named explicitly is never given a folder: only the
    default `.spillguard/` is made when missing (a typo in `--audit` is an error)."""
    from spillguard.store.database_url import parse_database_url
    from spillguard.store.records import StoreError

    try:
        database = parse_database_url(url, DEFAULT_AUDIT)
        if database.kind == "sqlite":
            path = database.path
            if path.is_dir():
                raise AuditError(f"{database.display}: is a folder, not an audit log")
            if not create and not path.exists():
                raise AuditError(f"{database.display}: no audit log there")
            if url and not path.parent.is_dir():
                raise AuditError(f"{database.display}: no such folder: {path.parent}")
        db = database.connect()
    except StoreError as exc:
        raise AuditError(str(exc)) from None
    if database.kind == "postgresql":
        dialect = _postgres_dialect()
        return SqlAuditLog(db, dialect, database.display, TableAnchor(db, dialect), create=create)
    path = database.path
    anchor = FileAnchor(path.with_name(path.name + HEAD_SUFFIX))
    return SqlAuditLog(db, SQLITE, database.display, anchor, create=create)


def record(url: str | None, action: str, detail: dict[str, Any]) -> tuple[str, Entry]:
    """Append one entry to the log at `url`, opened for it and closed after: the log's
    location and the entry. Every writer of the log (gate, publish, approve, the watchers)
    appends through here."""
    log = open_audit(url)
    try:
        return log.location, log.append(action, detail)
    finally:
        log.close()


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return f"uid {os.getuid()}"


class Anchor(Protocol):
    """Where the count and hash of the last entry are kept, apart from the entries."""

    def read(self) -> Head | None: ...

    def write(self, head: Head) -> None: ...  # inside the append transaction


class FileAnchor:
    """SQLite: a file beside the database. Deleting entries then means editing two files."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Head | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Head(int(data["count"]), str(data["hash"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"{self.path}: unreadable head anchor: {exc}") from None

    def write(self, head: Head) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".audit-head-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"count": head.count, "hash": head.hash}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class TableAnchor:
    """PostgreSQL: a one-row table written in the append's transaction. It stops a deletion
    that forgets it; someone who can rewrite both tables is caught only by `--head`."""

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db, self._dialect = db, dialect

    def read(self) -> Head | None:
        row = self._db.execute("SELECT count, hash FROM audit_head WHERE id = 1").fetchone()
        return Head(int(row[0]), str(row[1])) if row else None

    def write(self, head: Head) -> None:
        self._db.execute(
            self._dialect.sql(
                "INSERT INTO audit_head (id, count, hash) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET count = excluded.count, hash = excluded.hash"
            ),
            (head.count, head.hash),
        )


class SqlAuditLog:
    """AuditLog over one database connection (autocommit; transactions are explicit)."""

    def __init__(
        self, db: Any, dialect: Dialect, location: str, anchor: Anchor, *, create: bool = True
    ) -> None:
        self.location = location
        self._db, self._dialect, self._anchor = db, dialect, anchor
        try:
            if dialect.name == "sqlite":
                db.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
            if create:
                for statement in dialect.schema:
                    db.execute(statement)
            else:
                db.execute("SELECT 1 FROM audit_chain LIMIT 1").fetchall()
        except dialect.errors as exc:
            db.close()
            if not create and "audit_chain" in str(exc):
                raise AuditError(f"{location}: no audit log there") from None
            raise AuditError(f"{location}: not a usable audit log: {_first_line(exc)}") from None

    def close(self) -> None:
        self._db.close()

    def append(self, action: str, detail: dict[str, Any]) -> Entry:
        detail = storable(detail)
        failures: tuple[type[BaseException], ...] = (*self._dialect.errors, OSError)
        try:
            # The lock is held from reading the last hash to writing the anchor, so two gates
            # running at once cannot both link to the same entry.
            for statement in self._dialect.begin:
                self._db.execute(statement)
            try:
                row = self._db.execute(
                    f"SELECT {COLUMNS} FROM audit_chain ORDER BY id DESC LIMIT 1"
                ).fetchone()
                last = _entry(row) if row else None
                problem = tail_problem(last, self._anchor.read())
                if problem:
                    raise AuditError(
                        f"{self.location}: refusing to append to a damaged audit log: {problem} "
                        "(see `spillguard audit verify`)"
                    )
                seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
                at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
                actor = _actor()
                content = {"seq": seq, "at": at, "action": action, "actor": actor, "detail": detail}
                digest = entry_hash(prev, content)
                self._db.execute(
                    self._dialect.sql(
                        "INSERT INTO audit_chain (seq, at, action, actor, detail, prev_hash, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)"
                    ),
                    (seq, at, action, actor, json.dumps(detail, sort_keys=True), prev, digest),
                )
                self._anchor.write(Head(seq, digest))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except failures as exc:
            raise AuditError(f"{self.location}: cannot append to the audit log: {_first_line(exc)}") from None
        return Entry(seq, at, action, actor, detail, prev, digest)

    def entries(self) -> list[Entry]:
        try:
            rows = self._db.execute(f"SELECT {COLUMNS} FROM audit_chain ORDER BY id").fetchall()
        except self._dialect.errors as exc:
            raise AuditError(f"{self.location}: cannot read the audit log: {_first_line(exc)}") from None
        return [_entry(row) for row in rows]

    def head(self) -> Head | None:
        try:
            return self._anchor.read()
        except self._dialect.errors as exc:
            raise AuditError(f"{self.location}: cannot read the head anchor: {_first_line(exc)}") from None


COLUMNS = "seq, at, action, actor, detail, prev_hash, hash"


def storable(value: Any) -> Any:
    """`value` with every string valid UTF-8: a file name that is not (a byte the file system
    holds, which Python keeps as a lone surrogate) is kept with that byte as `\\xe9`."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def _entry(row: Any) -> Entry:
    seq, at, action, actor, detail, prev, digest = row
    try:
        parsed = json.loads(detail, object_pairs_hook=_no_duplicate_keys)
    except (ValueError, TypeError):
        # verify reports the broken hash. A key given twice is refused too: the hash covers
        # the value JSON keeps (the last), while SQL's JSON functions may read the first.
        parsed = {"unreadable": str(detail)}
    return Entry(int(seq), at, action, actor, parsed, prev, digest)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a key given twice")
    return out


def tail_problem(last: Entry | None, anchor: Head | None) -> str | None:
    """What is wrong with the end of the log, checked before every append so that a log that
    lost its tail is never extended into a shorter chain that verifies."""
    count, head = (last.seq, last.hash) if last else (0, GENESIS)
    if last is not None and entry_hash(last.prev_hash, last.content()) != last.hash:
        return f"entry #{last.seq} was edited (its hash does not match it)"
    if anchor is None:
        return "head anchor missing: cannot tell if entries were deleted" if count else None
    if anchor.count > count:
        gone = f"#{count + 1}" if anchor.count == count + 1 else f"#{count + 1}-#{anchor.count}"
        return f"entry {gone} deleted from the end (the head anchor records {anchor.count})"
    if anchor.count != count or anchor.hash != head:
        return f"head anchor does not match entry #{count} (the log was rewritten)"
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str  # hash of the last entry, GENESIS for an empty log
    problem: str | None  # the first thing wrong, naming the entry

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(log: AuditLog, expected_head: str | None = None) -> Verification:
    """Walk the chain from the first entry; the first broken entry is named."""
    entries = log.entries()
    anchor = log.head()
    prev, expected = GENESIS, 1
    seen: set[str] = set()
    present = {entry.seq for entry in entries}
    for entry in entries:
        if entry_hash(entry.prev_hash, entry.content()) != entry.hash:
            return Verification(
                len(entries), prev, f"entry #{entry.seq} was edited (its hash does not match it)"
            )
        if entry.seq > expected and expected in present:
            return Verification(
                len(entries), prev, f"entry #{entry.seq} is out of order (stored before #{expected})"
            )
        if entry.seq > expected:
            missing = f"#{expected}" if entry.seq == expected + 1 else f"#{expected}-#{entry.seq - 1}"
            return Verification(
                len(entries), prev, f"entry {missing} deleted (#{entry.seq} follows #{expected - 1})"
            )
        if entry.seq < expected:
            return Verification(
                len(entries), prev, f"entry #{entry.seq} is out of order (after #{expected - 1})"
            )
        if entry.prev_hash != prev:
            return Verification(len(entries), prev, f"entry #{entry.seq} does not link to #{expected - 1}")
        seen.add(entry.hash)
        prev, expected = entry.hash, expected + 1
    count = expected - 1
    problem = tail_problem(entries[-1] if entries else None, anchor)
    if problem:
        return Verification(count, prev, problem)
    if expected_head and not any(h.startswith(expected_head.lower()) for h in seen):
        return Verification(
            count, prev, f"head {expected_head[:16]}… is not in the log (entries deleted or rewritten)"
        )
    return Verification(count, prev, None)
