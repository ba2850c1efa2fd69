"""`spillguard watch`: a roster dropped into a web root is taken out; everything else stays."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from gatekit import NOW, approve, make_keys, run, write_policy
from watchkit import clean_files, receiver, roster, running_watcher, wait_for

from spillguard.audit import open_audit, verify
from spillguard.policy import load_policy
from spillguard.watch import quarantine
from spillguard.watch.alerts import Alerter

pytest.importorskip("watchdog")
pytest.importorskip("apprise")


def audit_actions(path: Path) -> list[tuple[str, dict[str, object]]]:
    log = open_audit(str(path))
    try:
        assert verify(log).ok
        return [(e.action, e.detail) for e in log.entries()]
    finally:
        log.close()


def test_roster_dropped_is_quarantined_and_clean_files_stay(tmp_path: Path) -> None:
    with running_watcher(tmp_path) as w:
        clean = clean_files(w.root / "news", 5)
        target = w.root / "files" / "detained.xlsx"
        roster(target)
        assert wait_for(lambda: not target.exists())
        assert w.watcher.wait_idle(60)
    assert all(p.exists() for p in clean)
    held = quarantine.items(w.folder)
    assert [i.original for i in held] == [str(target)]
    stored = w.folder / held[0].stored
    assert stored.stat().st_mode & 0o777 == 0o600
    assert w.folder.stat().st_mode & 0o777 == 0o700
    assert held[0].reason["individuals"] == 12 and held[0].reason["verdict"] == "block"
    actions = audit_actions(w.audit)
    taken = [d for a, d in actions if a == "quarantine"]
    assert len(taken) == 1 and taken[0]["sha256"] == held[0].sha256 and taken[0]["path"] == str(target)


def test_modified_in_place_and_moved_in_files_are_caught(tmp_path: Path) -> None:
    outside = tmp_path / "staging"
    with running_watcher(tmp_path) as w:
        page = w.root / "stats.xlsx"
        page.write_bytes(b"")  # an empty file first, then the roster written over it
        roster(outside / "x.xlsx")
        page.write_bytes((outside / "x.xlsx").read_bytes())
        assert wait_for(lambda: not page.exists())
        roster(outside / "sub" / "list.xlsx", seed=3)
        (outside / "sub").rename(w.root / "sub")  # a whole folder moved in
        assert wait_for(lambda: not (w.root / "sub" / "list.xlsx").exists())
    assert len(quarantine.items(w.folder)) == 2


def test_approved_roster_stays(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    policy = load_policy(str(write_policy(tmp_path, keys)))
    approvals = tmp_path / "approvals"
    staged = tmp_path / "staged" / "court-list.xlsx"
    roster(staged, seed=5)
    for name in ("alice", "bob"):
        approve(staged, tmp_path / "keys" / f"{name}.key", policy, approvals, now=NOW)
    with running_watcher(tmp_path, policy=policy, approvals=approvals) as w:
        target = w.root / "court-list.xlsx"
        os.link(staged, target)
        unapproved = w.root / "other.xlsx"
        roster(unapproved, seed=6)
        assert wait_for(lambda: not unapproved.exists())
        assert w.watcher.wait_idle(60)
        assert target.exists()
        assert {o.action for o in w.outcomes if o.path == str(target)} == {"approved"}
    assert any(a == "watch-approved" for a, _ in audit_actions(w.audit))


def test_burst_deletes_and_renames_mid_scan_do_not_stop_the_watcher(tmp_path: Path) -> None:
    with running_watcher(tmp_path) as w:
        clean = clean_files(w.root / "burst", 300)
        # Churn while the burst is being scanned: deleted, renamed, and a FIFO that would hang
        # a careless open().
        for path in clean[:40]:
            path.unlink()
        for path in clean[40:80]:
            path.rename(path.with_suffix(".htm"))
        os.mkfifo(w.root / "pipe")
        target = w.root / "burst" / "roster.xlsx"
        roster(target, seed=9)
        assert wait_for(lambda: not target.exists())
        assert w.watcher.wait_idle(120)
    assert all(p.with_suffix(".htm").exists() for p in clean[40:80])
    assert all(p.exists() for p in clean[80:])
    originals = {i.original for i in quarantine.items(w.folder)}
    assert str(target) in originals
    assert not any(o.endswith(".html") or o.endswith(".htm") for o in originals)


def test_restart_rebuilds_from_the_sweep_with_once(tmp_path: Path) -> None:
    root, folder = tmp_path / "www", tmp_path / "q"
    clean_files(root, 3)
    roster(root / "files" / "while-down.xlsx")
    result = run("watch", str(root), "--quarantine", str(folder), "--once", "--audit", str(tmp_path / "a.db"),
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "QUARANTINED" in result.stdout and "while-down.xlsx" in result.stdout
    assert not (root / "files" / "while-down.xlsx").exists()
    again = run("watch", str(root), "--quarantine", str(folder), "--once", "--audit", str(tmp_path / "a.db"),
                cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "3 scanned, 0 quarantined" in again.stdout


def test_alert_carries_counts_and_never_the_people(tmp_path: Path) -> None:
    with receiver() as inbox, running_watcher(tmp_path, alerts=[inbox.url]) as w:
        target = w.root / "roster.xlsx"
        people = roster(target, seed=21)
        assert wait_for(lambda: not target.exists())
        assert wait_for(lambda: bool(inbox.bodies))
    body = json.loads(inbox.bodies[0])["message"]
    assert str(target) in body and "verdict: block" in body and "a_number=12" in body
    assert "quarantine" in body
    for person in people:
        assert person.a_number not in body and person.family not in body and person.given not in body


def test_failing_alert_channel_is_retried_logged_and_the_watcher_goes_on(tmp_path: Path) -> None:
    from watchkit import free_port

    from spillguard.watch.audit_sink import AuditSink

    sink = AuditSink(str(tmp_path / "audit.db"))
    failures: list[str] = []
    done = threading.Event()

    def failed(channel: object, alert: object, problem: str) -> None:
        failures.append(problem)
        sink.append("alert-failed", {"problem": problem})
        done.set()

    dead = Alerter([f"json://127.0.0.1:{free_port()}/"], failed, attempts=2, first_pause=0.05)
    with running_watcher(tmp_path, alerter=dead) as w:
        first, second = w.root / "a.xlsx", w.root / "b.xlsx"
        roster(first, seed=1)
        assert wait_for(lambda: not first.exists())
        assert done.wait(60)
        roster(second, seed=2)
        assert wait_for(lambda: not second.exists())
    assert failures and "after 2 attempts" in failures[0]
    assert any(a == "alert-failed" for a, _ in audit_actions(tmp_path / "audit.db"))


def test_quarantine_must_be_outside_the_web_root(tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    result = run("watch", "www", "--quarantine", "www/q", "--once", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("spillguard: error:") and "outside the web root" in result.stderr
