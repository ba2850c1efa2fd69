"""The audit log: a hash chain in SQLite with a head anchor beside it. `audit verify` names the
first edited, reordered or deleted entry, including entries deleted from the end."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pg
import pytest
from gatekit import run

from spillguard.audit import AuditError, open_audit, verify


@dataclass(frozen=True)
class Backend:
    """One audit log to tamper with: its URL, raw SQL on its database, and its anchor."""

    url: str
    folder: Path

    def sql(self, *statements: str) -> None:
        if self.url.startswith("postgresql://"):
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                for statement in statements:
                    db.execute(statement)  # type: ignore[arg-type]
            return
        db = sqlite3.connect(self.url)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()

    def drop_anchor(self) -> None:
        if self.url.startswith("postgresql://"):
            self.sql("DELETE FROM audit_head")
        else:
            Path(self.url + ".head").unlink()

    def set_anchor(self, count: int, digest: str) -> None:
        if self.url.startswith("postgresql://"):
            self.sql(f"UPDATE audit_head SET count = {count}, hash = '{digest}'")
        else:
            Path(self.url + ".head").write_text(json.dumps({"count": count, "hash": digest}))


@pytest.fixture(params=["sqlite", "postgresql"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A log of five gate decisions, in SQLite and in PostgreSQL."""
    if request.param == "sqlite":
        backend = Backend(str(tmp_path / "audit.db"), tmp_path)
        name = None
    else:
        server: pg.PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create_database()
        backend = Backend(server.url(name), tmp_path)
    audit = open_audit(backend.url)
    for n in range(1, 6):
        audit.append("gate", {"passed": n % 2 == 0, "files": [{"path": f"site/f{n}.csv", "verdict": "pass"}]})
    audit.close()
    yield backend
    if name is not None:
        server.drop_database(name)


def check(backend: Backend, head: str | None = None) -> str | None:
    audit = open_audit(backend.url)
    try:
        return verify(audit, head).problem
    finally:
        audit.close()


def test_an_intact_chain_verifies(log: Backend) -> None:
    audit = open_audit(log.url)
    entries = audit.entries()
    result = verify(audit)
    audit.close()
    assert result.ok and result.entries == 5
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert result.head == entries[-1].hash
    done = run("audit", "verify", "--audit", log.url, cwd=log.folder)
    assert done.returncode == 0 and "5 entries, chain intact" in done.stdout


def test_an_edited_entry_is_named(log: Backend) -> None:
    detail = json.dumps({"passed": True, "files": [{"path": "site/f3.csv", "verdict": "pass"}]})
    log.sql(f"UPDATE audit_chain SET detail = '{detail}' WHERE seq = 3")
    assert check(log) == "entry #3 was edited (its hash does not match it)"
    done = run("audit", "verify", "--audit", log.url, cwd=log.folder)
    assert done.returncode == 1 and "TAMPERED: entry #3 was edited" in done.stdout


def test_an_edited_time_or_actor_is_named(log: Backend) -> None:
    log.sql("UPDATE audit_chain SET actor = 'someone else' WHERE seq = 2")
    assert check(log) == "entry #2 was edited (its hash does not match it)"


def test_reordered_entries_are_named(log: Backend) -> None:
    # Swap the rows of #2 and #3 whole (content and hashes), so each entry is self-consistent.
    log.sql(
        "UPDATE audit_chain SET id = 100 WHERE seq = 2",
        "UPDATE audit_chain SET id = 2 WHERE seq = 3",
        "UPDATE audit_chain SET id = 3 WHERE seq = 2",
    )
    assert check(log) == "entry #3 is out of order (stored before #2)"


def test_a_deleted_entry_is_named(log: Backend) -> None:
    log.sql("DELETE FROM audit_chain WHERE seq = 3")
    assert check(log) == "entry #3 deleted (#4 follows #2)"


def test_a_deleted_and_renumbered_entry_breaks_the_chain(log: Backend) -> None:
    log.sql(
        "DELETE FROM audit_chain WHERE seq = 3",
        "UPDATE audit_chain SET seq = seq - 1 WHERE seq > 3",
    )
    assert check(log) == "entry #3 was edited (its hash does not match it)"


def test_entries_deleted_from_the_end_are_named(log: Backend) -> None:
    log.sql("DELETE FROM audit_chain WHERE seq >= 4")
    assert check(log) == "entry #4-#5 deleted from the end (the head anchor records 5)"


def test_a_missing_anchor_is_reported(log: Backend) -> None:
    log.drop_anchor()
    problem = check(log)
    assert problem is not None and "head anchor missing" in problem


def test_a_rewritten_log_is_caught_by_a_head_kept_elsewhere(log: Backend) -> None:
    audit = open_audit(log.url)
    kept = audit.entries()[-1].hash[:16]  # as the gate prints it, e.g. into a CI log
    audit.close()
    assert check(log, kept) is None
    # Someone deletes the last two entries and rewrites the anchor to match.
    log.sql("DELETE FROM audit_chain WHERE seq >= 4")
    audit = open_audit(log.url)
    last = audit.entries()[-1]
    audit.close()
    log.set_anchor(3, last.hash)
    assert check(log) is None  # the anchor alone cannot tell
    assert check(log, kept) == f"head {kept}… is not in the log (entries deleted or rewritten)"
    done = run("audit", "verify", "--audit", log.url, "--head", kept, cwd=log.folder)
    assert done.returncode == 1


def test_appends_continue_the_chain_across_opens(log: Backend) -> None:
    audit = open_audit(log.url)
    entry = audit.append("approve", {"file": "site/f1.csv"})
    audit.close()
    assert entry.seq == 6
    assert check(log) is None


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://spill:s3cret-word@127.0.0.1:{pg.free_port()}/audit?connect_timeout=5"
    with pytest.raises(AuditError, match="cannot connect"):
        open_audit(url)
    (tmp_path / "a.txt").write_text("nothing\n")
    done = run("gate", "a.txt", "--audit", url, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("spillguard: error: postgresql://spill:***@127.0.0.1:")
    assert "s3cret-word" not in done.stderr and done.stderr.count("\n") == 1
    assert done.stdout == ""


def test_the_gate_writes_to_a_postgresql_log(tmp_path: Path, postgres_server: pg.PostgresServer) -> None:
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    (tmp_path / "a.txt").write_text("nothing\n")
    assert run("gate", "a.txt", "--audit", url, cwd=tmp_path).returncode == 0
    assert run("gate", "a.txt", "--audit", url, cwd=tmp_path).returncode == 0
    done = run("audit", "verify", "--audit", url, cwd=tmp_path)
    assert done.returncode == 0 and "2 entries, chain intact" in done.stdout
    postgres_server.drop_database(name)


def test_a_log_that_cannot_be_written_stops_the_gate(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing\n")
    (tmp_path / "blocker").write_text("a file where the log's folder would be")
    done = run("gate", "a.txt", "--audit", "blocker/audit.db", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("spillguard: error: blocker/audit.db: ")
    assert done.stdout == ""  # no verdict is printed that the log did not keep
    (tmp_path / "not-sqlite.db").write_text("x" * 200)
    done = run("audit", "verify", "--audit", "not-sqlite.db", cwd=tmp_path)
    assert done.returncode == 2 and "not-sqlite.db: not a usable audit log" in done.stderr


# --- issue 13: a log that lost its tail is never extended; a missing log is an error ---------


def test_a_gate_refuses_to_extend_a_log_whose_tail_was_deleted(log: Backend) -> None:
    log.sql("DELETE FROM audit_chain WHERE seq > 4")
    (log.folder / "a.txt").write_text("nothing\n")
    done = run("gate", "a.txt", "--audit", log.url, cwd=log.folder)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to append to a damaged audit log: entry #5 deleted from the end" in done.stderr
    assert done.stderr.count("\n") == 1
    verified = run("audit", "verify", "--audit", log.url, cwd=log.folder)
    assert verified.returncode == 1 and "TAMPERED: entry #5 deleted from the end" in verified.stdout


def test_an_append_refuses_a_log_with_an_edited_last_entry_or_no_anchor(log: Backend) -> None:
    log.sql("UPDATE audit_chain SET actor = 'someone else' WHERE seq = 5")
    with pytest.raises(AuditError, match="entry #5 was edited"):
        open_audit(log.url).append("gate", {"passed": True})
    log.sql("DELETE FROM audit_chain WHERE seq = 5")
    log.drop_anchor()
    audit = open_audit(log.url)
    with pytest.raises(AuditError, match="head anchor missing"):
        audit.append("gate", {"passed": True})
    audit.close()
    assert [e.seq for e in open_audit(log.url, create=False).entries()] == [1, 2, 3, 4]


def test_an_emptied_log_with_its_anchor_is_not_started_again(log: Backend) -> None:
    log.sql("DELETE FROM audit_chain")
    with pytest.raises(AuditError, match="entry #1-#5 deleted from the end"):
        open_audit(log.url).append("gate", {"passed": True})


def test_verifying_a_log_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    done = run("audit", "verify", "--audit", "typo.db", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "spillguard: error: typo.db: no audit log there\n"
    assert not (tmp_path / "typo.db").exists()
    # the database and its anchor both deleted: still no log, not an empty chain
    (tmp_path / "a.txt").write_text("nothing\n")
    assert run("gate", "a.txt", "--audit", "audit.db", cwd=tmp_path).returncode == 0
    (tmp_path / "audit.db").unlink()
    (tmp_path / "audit.db.head").unlink()
    assert run("audit", "verify", "--audit", "audit.db", cwd=tmp_path).returncode == 2
    assert run("audit", "show", "--audit", "audit.db", cwd=tmp_path).returncode == 2


def test_an_audit_path_in_a_missing_folder_creates_no_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing\n")
    missing = tmp_path / "nonexistent"
    for command in (["gate", "a.txt"], ["audit", "verify"]):
        done = run(*command, "--audit", str(missing / "a.db"), cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert not missing.exists()


def test_a_detail_with_a_key_given_twice_does_not_verify(log: Backend) -> None:
    audit = open_audit(log.url)
    third = audit.entries()[2]
    audit.close()
    # The hash covers the value JSON keeps (the last); SQL's JSON functions may read the first.
    original = json.dumps(third.detail, sort_keys=True)
    forged = '{"passed": true, ' + original[1:]
    log.sql(f"UPDATE audit_chain SET detail = '{forged}' WHERE seq = 3")
    assert check(log) == "entry #3 was edited (its hash does not match it)"
