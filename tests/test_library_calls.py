"""What the commands do, called as the library: the functions the CLI parses and prints around
take plain arguments, scan in workers, and say bad input with a UserError."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from gatekit import NOW, make_keys, write_policy
from watchkit import clean_files, roster

from spillguard.approvals import ApprovalError, load_approvals
from spillguard.audit import open_audit
from spillguard.errors import UserError
from spillguard.extract.base import Limits
from spillguard.gate import approve_file
from spillguard.policy import DEFAULT_POLICY, Policy, load_policy
from spillguard.watch import quarantine
from spillguard.watch.webroot import WatchConfig, watch_webroot


def _entries(audit: Path) -> list[str]:
    log = open_audit(str(audit))
    try:
        return [entry.action for entry in log.entries()]
    finally:
        log.close()


def test_approve_file_signs_writes_and_records(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys", "alice")
    policy = load_policy(str(write_policy(tmp_path, keys)))
    leak = tmp_path / "court-list.xlsx"
    roster(leak)
    audit = tmp_path / "audit.db"
    done = approve_file(
        str(leak),
        policy,
        tmp_path / "keys" / "alice.key",
        "court order",
        "30d",
        tmp_path / "ok",
        str(audit),
        NOW,
    )
    assert (done.report.verdict, done.trusted, done.audit_seq) == ("block", True, 1)
    assert done.approval.expires is not None and done.path.is_file()
    assert [a.signer for a in load_approvals(tmp_path / "ok")] == ["alice"]
    assert _entries(audit) == ["approve"]
    with pytest.raises(ApprovalError, match="already in the past"):
        approve_file(str(leak), policy, tmp_path / "keys" / "alice.key", "late", "2020-01-01",
                     tmp_path / "ok", str(audit), NOW + timedelta(days=1))  # fmt: skip
    assert issubclass(ApprovalError, UserError)


def test_restore_scans_in_a_worker_under_the_memory_cap(tmp_path: Path) -> None:
    folder = quarantine.open_quarantine(tmp_path / "q")
    big, notice = tmp_path / "www" / "dump.txt", tmp_path / "www" / "notice.txt"
    big.parent.mkdir(parents=True)
    big.write_bytes(b"Visiting hours are nine to five.\n" * 2_000_000)  # 66 MB
    notice.write_text("Visiting hours are nine to five, every day of the week.\n")
    held = quarantine.take(big, folder, {"verdict": "block"})
    # A worker capped at 32 MB cannot even take in a 66 MB file: uninspectable, so it blocks
    # and stays in quarantine. Scanned in this process, nothing would have capped it.
    capped = Policy(limits=Limits(max_memory_bytes=32 * 1024 * 1024))
    with pytest.raises(quarantine.QuarantineError, match="still blocks"):
        quarantine.restore(folder, held.id, capped, tmp_path / "approvals", str(tmp_path / "a.db"))
    assert not big.exists()
    item = quarantine.take(notice, folder, {"verdict": "block"})
    done = quarantine.restore(folder, item.id, DEFAULT_POLICY, tmp_path / "approvals", str(tmp_path / "a.db"))
    assert notice.exists() and done.decision.passes and done.item.restored
    assert done.audit_seq == 1 and _entries(tmp_path / "a.db") == ["quarantine-restore"]


def test_watch_webroot_once_sweeps_quarantines_and_logs(tmp_path: Path) -> None:
    www = tmp_path / "www"
    roster(www / "files" / "roster.xlsx")
    clean_files(www, 3)
    config = WatchConfig(www, tmp_path / "q", DEFAULT_POLICY, tmp_path / "approvals", workers=1)
    seen: list[str] = []
    counts = watch_webroot(
        config,
        str(tmp_path / "a.db"),
        [],
        threading.Event(),
        once=True,
        on_outcome=lambda o: seen.append(o.action),
    )
    assert (counts.scanned, counts.quarantined, counts.failed) == (4, 1, 0)
    assert not (www / "files" / "roster.xlsx").exists()
    assert "quarantined" in seen
    assert _entries(tmp_path / "a.db") == ["watch-start", "quarantine", "watch-stop"]
