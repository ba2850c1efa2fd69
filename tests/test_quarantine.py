"""The quarantine: atomic moves that leave nothing readable behind, the manifest, restore."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from gatekit import NOW, approve, make_keys, run, write_policy
from watchkit import roster

from spillguard.policy import load_policy
from spillguard.watch import quarantine


def test_take_renames_records_and_locks_down(tmp_path: Path) -> None:
    folder = quarantine.open_quarantine(tmp_path / "q")
    leak = tmp_path / "www" / "leak.xlsx"
    roster(leak)
    item = quarantine.take(leak, folder, {"verdict": "block", "counts": {"a_number": 12}})
    assert not os.path.lexists(leak)
    stored = folder / item.stored
    assert stored.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
    assert item.original == str(leak) and len(item.sha256) == 64 and item.mode == 0o644
    assert quarantine.items(folder) == [item]


def test_take_across_file_systems_copies_fsyncs_then_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = quarantine.open_quarantine(tmp_path / "q")
    leak = tmp_path / "www" / "leak.xlsx"
    roster(leak)
    data = leak.read_bytes()

    def cross_device(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(quarantine.os, "rename", cross_device)
    item = quarantine.take(leak, folder, {"verdict": "block"})
    assert not os.path.lexists(leak)
    assert (folder / item.stored).read_bytes() == data
    assert "copied across file systems" in item.notes


def test_take_reports_a_file_that_changed_since_the_scan(tmp_path: Path) -> None:
    folder = quarantine.open_quarantine(tmp_path / "q")
    leak = tmp_path / "leak.csv"
    leak.write_text("x\n")
    item = quarantine.take(leak, folder, {"sha256": "0" * 64})
    assert "the file changed between the scan and the move" in item.notes


def test_restore_refuses_a_blocking_file_unless_forced(tmp_path: Path) -> None:
    leak = tmp_path / "www" / "leak.xlsx"
    roster(leak)
    item = quarantine.take(leak, quarantine.open_quarantine(tmp_path / "q"), {"verdict": "block"})
    refused = run("quarantine", "restore", item.id[:12], "-q", "q", "--audit", "a.db", cwd=tmp_path)
    assert refused.returncode == 2 and "still blocks" in refused.stderr
    assert not leak.exists()
    listed = run("quarantine", "list", "-q", "q", cwd=tmp_path)
    assert item.id in listed.stdout and "1 held" in listed.stdout
    forced = run("quarantine", "restore", item.id, "-q", "q", "--force", "--audit", "a.db", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert leak.exists() and leak.stat().st_mode & 0o777 == 0o644
    assert quarantine.items(tmp_path / "q")[0].restored
    shown = run("audit", "show", "--audit", "a.db", cwd=tmp_path)
    assert "quarantine-restore" in shown.stdout


def test_restore_puts_back_an_approved_file(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    policy_file = write_policy(tmp_path, keys)
    policy = load_policy(str(policy_file))
    leak = tmp_path / "www" / "court-list.xlsx"
    roster(leak)
    for name in ("alice", "bob"):
        approve(leak, tmp_path / "keys" / f"{name}.key", policy, tmp_path / "approvals", now=NOW)
    item = quarantine.take(leak, quarantine.open_quarantine(tmp_path / "q"), {"verdict": "block"})
    result = run("quarantine", "restore", item.id, "-q", "q", "--policy", str(policy_file),
                 "--approvals", "approvals", "--audit", "a.db", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "approved" in result.stdout and leak.exists()


def test_restore_never_overwrites(tmp_path: Path) -> None:
    folder = quarantine.open_quarantine(tmp_path / "q")
    leak = tmp_path / "page.txt"
    leak.write_text("old\n")
    item = quarantine.take(leak, folder, {})
    leak.write_text("new\n")
    with pytest.raises(quarantine.QuarantineError, match="restore never overwrites"):
        quarantine.put_back(folder, item)
    assert leak.read_text() == "new\n"
