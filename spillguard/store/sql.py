"""The incident store in SQL both SQLite and PostgreSQL speak; a `Dialect` holds what differs.

Everything a backend varies is in its `Dialect`: the parameter marker, the column types of ids,
instants and JSON, how a write transaction starts, how schema creation is serialized, and how
instants and JSON come back from the driver. Statements here are written with `?` markers and
translated once, in `SqlStore._run`.

Values are written the same way on both: instants as UTC ISO 8601 text (`iso_z`) and JSON as
text. sqlite3 stores them as given; psycopg sends a str untyped, so PostgreSQL parses it into
the column's TIMESTAMPTZ or JSON type. Only what is read back differs (str there, datetime or
parsed JSON here), hence the two read functions in the dialect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from spillguard.store.records import LETTER_STATES, Incident, Letter, NewIncident, StoreError
from spillguard.timefmt import iso_z

SCHEMA_VERSION = 1
# {id}, {time} and {json} are the dialect's column types; everything else is common SQL.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
    id {id},
    created {time} NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    report {json},
    published {time} NOT NULL,
    removed {time},
    notified {time}
);
CREATE TABLE IF NOT EXISTS incident_urls (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE IF NOT EXISTS exposures (
    id {id},
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    created {time} NOT NULL,
    result {json} NOT NULL
);
CREATE TABLE IF NOT EXISTS letters (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    entity_id TEXT NOT NULL,
    entity_name TEXT NOT NULL,
    docx TEXT NOT NULL,
    pdf TEXT NOT NULL,
    state TEXT NOT NULL,
    drafted {time} NOT NULL,
    sent {time},
    acknowledged {time},
    certified {time},
    PRIMARY KEY (incident_id, entity_id)
);
CREATE TABLE IF NOT EXISTS people (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    position INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE IF NOT EXISTS people_counts (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents(id),
    created {time} NOT NULL,
    counts {json} NOT NULL
);
CREATE TABLE IF NOT EXISTS notices (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    notice_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    position INTEGER,
    language TEXT NOT NULL,
    docx TEXT NOT NULL,
    pdf TEXT NOT NULL,
    state TEXT NOT NULL,
    drafted {time} NOT NULL,
    due {time} NOT NULL,
    changed {time} NOT NULL,
    PRIMARY KEY (incident_id, notice_id)
);
CREATE TABLE IF NOT EXISTS hold_reviews (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    position INTEGER NOT NULL,
    at {time} NOT NULL,
    review {json} NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE IF NOT EXISTS repost_matches (
    id {id},
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    at {time} NOT NULL,
    place TEXT NOT NULL,
    people INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id {id},
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    at {time} NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
)
"""

INCIDENT_COLUMNS = "id, created, title, file_name, sha256, size, report, published, removed, notified"
LETTER_COLUMNS = "entity_id, entity_name, docx, pdf, state, drafted, sent, acknowledged, certified"


@dataclass(frozen=True)
class Dialect:
    """What one database does differently from the common SQL above."""

    placeholder: str  # the driver's parameter marker, replacing `?`
    id_type: str  # an auto-assigned integer primary key
    time_type: str
    json_type: str
    begin: str  # starts a write transaction
    schema_lock: str | None  # run first in the schema transaction, so two first opens do not race
    read_time: Callable[[Any], datetime]
    read_json: Callable[[Any], Any]
    errors: tuple[type[Exception], ...]  # the driver's errors, reported as StoreError

    def schema(self) -> list[str]:
        text = SCHEMA.format(id=self.id_type, time=self.time_type, json=self.json_type)
        return [statement.strip() for statement in text.split(";")]


class Connection(Protocol):
    """The part of a DB-API connection the store uses (sqlite3 and psycopg both have it)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def close(self) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: datetime | None) -> str | None:
    return iso_z(value) if value else None


def _document(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


class SqlStore:
    """IncidentStore over one autocommit connection; `dialect` says how to talk to it.

    `where` names the store in messages (a path, or a URL with its password masked).
    """

    def __init__(self, db: Connection, dialect: Dialect, where: str) -> None:
        self._db = db
        self._dialect = dialect
        self.where = where
        try:
            self._create_schema()
        except dialect.errors as exc:
            db.close()
            raise StoreError(f"{where}: not a usable incident store: {exc}") from exc
        except StoreError:
            db.close()
            raise

    def _run(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        # Store SQL has no `?` or `%` inside literals, so a plain replace is exact.
        return self._db.execute(sql.replace("?", self._dialect.placeholder), tuple(parameters))

    def _create_schema(self) -> None:
        with self._transaction():
            if self._dialect.schema_lock:
                self._run(self._dialect.schema_lock)
            for statement in self._dialect.schema():
                self._run(statement)
            self._check_version()

    def _check_version(self) -> None:
        row = self._run("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self._run("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"store schema {row[0]} is newer than this spillguard understands")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _read_time(self, value: Any) -> datetime | None:
        return self._dialect.read_time(value) if value is not None else None

    # --- incidents ---------------------------------------------------------------------------

    def create_incident(self, new: NewIncident) -> Incident:
        with self._transaction():
            row = self._run(
                "INSERT INTO incidents (created, title, file_name, sha256, size, report, "
                "published, removed, notified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    iso_z(_now()),
                    new.title,
                    new.file_name,
                    new.sha256,
                    new.size,
                    _document(new.report),
                    iso_z(new.published),
                    _time(new.removed),
                    _time(new.notified),
                ),
            ).fetchone()
            incident_id = int(row[0])
            for position, url in enumerate(new.urls):
                self._run("INSERT INTO incident_urls VALUES (?, ?, ?)", (incident_id, position, url))
            self._audit(incident_id, "open", f"{new.file_name} sha256:{new.sha256}")
        return self.incident(incident_id)

    def incident(self, incident_id: int) -> Incident:
        row = self._run(f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if row is None:
            raise StoreError(f"no incident {incident_id} in {self.where}")
        return self._incident(row)

    def incidents(self) -> list[Incident]:
        rows = self._run(f"SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY id").fetchall()
        return [self._incident(row) for row in rows]

    def _incident(self, row: Sequence[Any]) -> Incident:
        urls = self._run(
            "SELECT url FROM incident_urls WHERE incident_id = ? ORDER BY position", (row[0],)
        ).fetchall()
        read_time = self._dialect.read_time
        return Incident(
            id=int(row[0]),
            created=read_time(row[1]),
            title=row[2],
            file_name=row[3],
            sha256=row[4],
            size=int(row[5]),
            report=self._dialect.read_json(row[6]) if row[6] is not None else None,
            urls=tuple(u for (u,) in urls),
            published=read_time(row[7]),
            removed=self._read_time(row[8]),
            notified=self._read_time(row[9]),
        )

    def update_times(
        self, incident_id: int, *, removed: datetime | None, notified: datetime | None
    ) -> Incident:
        self.incident(incident_id)
        with self._transaction():
            for column, value in (("removed", removed), ("notified", notified)):
                if value is not None:
                    self._run(
                        # column is one of the two literals above, so naming it is safe
                        f"UPDATE incidents SET {column} = ? WHERE id = ?",
                        (iso_z(value), incident_id),
                    )
                    self._audit(incident_id, f"set {column}", iso_z(value))
        return self.incident(incident_id)

    # --- exposure ----------------------------------------------------------------------------

    def save_exposure(self, incident_id: int, exposure: dict[str, Any]) -> None:
        self.incident(incident_id)
        with self._transaction():
            self._run(
                "INSERT INTO exposures (incident_id, created, result) VALUES (?, ?, ?)",
                (incident_id, iso_z(_now()), json.dumps(exposure)),
            )
            clients = len(exposure.get("clients", ()))
            self._audit(incident_id, "exposure", f"{clients} clients")

    def latest_exposure(self, incident_id: int) -> dict[str, Any] | None:
        row = self._run(
            "SELECT result FROM exposures WHERE incident_id = ? ORDER BY id DESC LIMIT 1",
            (incident_id,),
        ).fetchone()
        if row is None:
            return None
        result: dict[str, Any] = self._dialect.read_json(row[0])
        return result

    # --- people (sealed: the store never holds a personal field in clear) ---------------------

    def save_people(
        self,
        incident_id: int,
        sealed: Sequence[tuple[bool, str]],
        counts: dict[str, Any],
        action: str = "people extract",
    ) -> None:
        """Replace the incident's people: (resolved, sealed value) in order, and their counts."""
        self.incident(incident_id)
        with self._transaction():
            self._run("DELETE FROM people WHERE incident_id = ?", (incident_id,))
            self._run("DELETE FROM people_counts WHERE incident_id = ?", (incident_id,))
            for position, (resolved, value) in enumerate(sealed):
                self._run(
                    "INSERT INTO people (incident_id, position, resolved, sealed) VALUES (?, ?, ?, ?)",
                    (incident_id, position, int(resolved), value),
                )
            self._run(
                "INSERT INTO people_counts (incident_id, created, counts) VALUES (?, ?, ?)",
                (incident_id, iso_z(_now()), json.dumps(counts)),
            )
            self._audit(incident_id, action, f"{counts.get('people', 0)} people")

    def people(self, incident_id: int) -> list[tuple[int, bool, str]]:
        """(position, resolved, sealed value) of the incident's people, in order."""
        self.incident(incident_id)
        rows = self._run(
            "SELECT position, resolved, sealed FROM people WHERE incident_id = ? ORDER BY position",
            (incident_id,),
        ).fetchall()
        return [(int(r[0]), bool(r[1]), str(r[2])) for r in rows]

    def people_counts(self, incident_id: int) -> dict[str, Any] | None:
        row = self._run("SELECT counts FROM people_counts WHERE incident_id = ?", (incident_id,)).fetchone()
        if row is None:
            return None
        counts: dict[str, Any] = self._dialect.read_json(row[0])
        return counts

    # --- notices to people and attorneys ------------------------------------------------------

    def record_notices(self, incident_id: int, notices: Sequence[dict[str, Any]]) -> None:
        """Replace the incident's drafted notices (a new draft supersedes the last one)."""
        self.incident(incident_id)
        with self._transaction():
            self._run("DELETE FROM notices WHERE incident_id = ?", (incident_id,))
            for n in notices:
                self._run(
                    "INSERT INTO notices (incident_id, notice_id, kind, position, language, docx, pdf, state,"
                    " drafted, due, changed) VALUES (?, ?, ?, ?, ?, ?, ?, 'drafted', ?, ?, ?)",
                    (
                        incident_id, n["notice_id"], n["kind"], n["position"], n["language"], n["docx"],
                        n["pdf"], iso_z(n["drafted"]), iso_z(n["due"]), iso_z(n["drafted"]),
                    ),
                )  # fmt: skip
            self._audit(incident_id, "notices draft", f"{len(notices)} notices")

    def notices(self, incident_id: int) -> list[dict[str, Any]]:
        self.incident(incident_id)
        rows = self._run(
            "SELECT notice_id, kind, position, language, docx, pdf, state, drafted, due, changed"
            " FROM notices WHERE incident_id = ? ORDER BY notice_id",
            (incident_id,),
        ).fetchall()
        keys = (
            "notice_id",
            "kind",
            "position",
            "language",
            "docx",
            "pdf",
            "state",
            "drafted",
            "due",
            "changed",
        )
        out = []
        for row in rows:
            item = dict(zip(keys, row, strict=True))
            for key in ("drafted", "due", "changed"):
                item[key] = self._read_time(item[key])
            out.append(item)
        return out

    def set_notice_state(self, incident_id: int, notice_id: str, state: str, at: datetime) -> None:
        with self._transaction():
            found = self._run(
                "SELECT state FROM notices WHERE incident_id = ? AND notice_id = ?", (incident_id, notice_id)
            ).fetchone()
            if found is None:
                raise StoreError(f"incident {incident_id} has no notice {notice_id}")
            self._run(
                "UPDATE notices SET state = ?, changed = ? WHERE incident_id = ? AND notice_id = ?",
                (state, iso_z(at), incident_id, notice_id),
            )
            self._audit(incident_id, "notice", f"{notice_id}: {found[0]} -> {state}")

    # --- holds on removals ---------------------------------------------------------------------

    def record_review(self, incident_id: int, position: int, review: dict[str, Any], at: datetime) -> None:
        """A signed review clearing a person's hold (replaces an earlier one)."""
        self.incident(incident_id)
        with self._transaction():
            self._run(
                "DELETE FROM hold_reviews WHERE incident_id = ? AND position = ?", (incident_id, position)
            )
            self._run(
                "INSERT INTO hold_reviews (incident_id, position, at, review) VALUES (?, ?, ?, ?)",
                (incident_id, position, iso_z(at), json.dumps(review)),
            )
            self._audit(incident_id, "hold cleared", f"person {position + 1} by {review.get('who', '?')}")

    def reviews(self, incident_id: int) -> dict[int, dict[str, Any]]:
        rows = self._run(
            "SELECT position, review FROM hold_reviews WHERE incident_id = ?", (incident_id,)
        ).fetchall()
        return {int(r[0]): self._dialect.read_json(r[1]) for r in rows}

    # --- reposts found by match --watch ---------------------------------------------------------

    def record_repost(self, incident_id: int, place: str, people: int, at: datetime) -> None:
        self.incident(incident_id)
        with self._transaction():
            self._run(
                "INSERT INTO repost_matches (incident_id, at, place, people) VALUES (?, ?, ?, ?)",
                (incident_id, iso_z(at), place, people),
            )
            self._audit(incident_id, "repost found", f"{people} leaked people at {place}")

    def reposts(self, incident_id: int) -> list[tuple[datetime, str, int]]:
        rows = self._run(
            "SELECT at, place, people FROM repost_matches WHERE incident_id = ? ORDER BY id", (incident_id,)
        ).fetchall()
        return [(self._read_time(r[0]) or _now(), str(r[1]), int(r[2])) for r in rows]

    # --- letters -----------------------------------------------------------------------------

    def record_letter(
        self, incident_id: int, entity_id: str, entity_name: str, docx: str, pdf: str
    ) -> Letter:
        """A drafted letter; writing it again keeps the tracking state it has reached."""
        self.incident(incident_id)
        with self._transaction():
            self._run(
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
            self._run(
                # state is one of LETTER_STATES (checked above), so naming its column is safe
                f"UPDATE letters SET state = ?, {state} = ? WHERE incident_id = ? AND entity_id = ?",
                (state, iso_z(at), incident_id, entity_id),
            )
            self._audit(incident_id, f"letter {state}", entity_id)
        return self._letter(incident_id, entity_id)

    def letters(self, incident_id: int) -> list[Letter]:
        rows = self._run(
            "SELECT entity_id FROM letters WHERE incident_id = ? ORDER BY entity_id", (incident_id,)
        ).fetchall()
        return [self._letter(incident_id, entity_id) for (entity_id,) in rows]

    def _letter(self, incident_id: int, entity_id: str) -> Letter:
        row = self._run(
            f"SELECT {LETTER_COLUMNS} FROM letters WHERE incident_id = ? AND entity_id = ?",
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
            drafted=self._dialect.read_time(row[5]),
            sent=self._read_time(row[6]),
            acknowledged=self._read_time(row[7]),
            certified=self._read_time(row[8]),
        )

    # --- audit -------------------------------------------------------------------------------

    def _audit(self, incident_id: int, action: str, detail: str) -> None:
        self._run(
            "INSERT INTO audit (incident_id, at, action, detail) VALUES (?, ?, ?, ?)",
            (incident_id, iso_z(_now()), action, detail),
        )

    def audit_log(self, incident_id: int) -> list[tuple[datetime, str, str]]:
        rows = self._run(
            "SELECT at, action, detail FROM audit WHERE incident_id = ? ORDER BY id", (incident_id,)
        ).fetchall()
        return [(self._dialect.read_time(at), action, detail) for at, action, detail in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._dialect.begin)


class _Transaction:
    """BEGIN ... COMMIT, rolled back on error (the connection is in autocommit)."""

    def __init__(self, db: Connection, begin: str) -> None:
        self._db = db
        self._begin = begin

    def __enter__(self) -> None:
        self._db.execute(self._begin)

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
