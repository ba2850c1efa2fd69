"""`spillguard publish SRC DEST`: only what passes the gate is copied, blocked files are listed
and left out (and taken down when an earlier run published them), nothing is half-published,
and a rerun copies only what changed."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from gatekit import NOW, approve, published, run

from spillguard.policy import load_policy
from spillguard.publish import MANIFEST, TEMP_PREFIX, ChangedError, LocalDestination, PublishError, publish
from testing.synth import (
    roster_people as make_people,
)
from testing.synth import (
    simple_roster_rows as roster_rows,
)
from testing.synth import (
    write_rows,
)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_blocked_files_are_listed_and_left_out(root: Path) -> None:
    done = run("publish", "site", "public", cwd=root)
    assert done.returncode == 1, done.stderr
    assert published(root / "public") == {"index.html", "files/facility-counts.csv", MANIFEST}
    assert "BLOCKED    files/roster.xlsx  8 people with A-numbers" in done.stdout
    assert "publish: 2 copied, 0 unchanged, 1 blocked, 0 removed, 0 failed" in done.stdout
    assert not temp_files(root / "public")
    source, copy = root / "site" / "index.html", root / "public" / "index.html"
    assert copy.read_bytes() == source.read_bytes()
    assert copy.stat().st_mtime == source.stat().st_mtime  # Last-Modified stays honest


def test_a_rerun_copies_only_what_changed(root: Path) -> None:
    run("publish", "site", "public", cwd=root)
    before = (root / "public" / "files" / "facility-counts.csv").stat().st_ino
    again = run("publish", "site", "public", cwd=root)
    assert "publish: 0 copied, 2 unchanged, 1 blocked" in again.stdout
    (root / "site" / "index.html").write_text("<html><body>Updated statistics</body></html>\n")
    third = run("publish", "site", "public", cwd=root)
    assert "published  index.html" in third.stdout
    assert "publish: 1 copied, 1 unchanged" in third.stdout
    assert (root / "public" / "files" / "facility-counts.csv").stat().st_ino == before
    assert (root / "public" / "index.html").read_text().startswith("<html><body>Updated")
    # a file deleted at the destination is copied again, even though the manifest knows it
    (root / "public" / "index.html").unlink()
    assert "published  index.html" in run("publish", "site", "public", cwd=root).stdout


def test_a_published_file_that_starts_to_block_is_taken_down(root: Path) -> None:
    run("publish", "site", "public", cwd=root)
    assert (root / "public" / "files" / "facility-counts.csv").exists()
    write_rows(root / "site" / "files" / "facility-counts.csv", roster_rows(make_people(6, seed=3)))
    done = run("publish", "site", "public", cwd=root)
    assert done.returncode == 1
    assert "REMOVED    files/facility-counts.csv  (now blocks)" in done.stdout
    assert not (root / "public" / "files" / "facility-counts.csv").exists()
    manifest = json.loads((root / "public" / MANIFEST).read_text())
    assert "files/facility-counts.csv" not in manifest["files"]


def test_a_file_gone_from_the_source_is_taken_down(root: Path) -> None:
    run("publish", "site", "public", cwd=root)
    (root / "public" / "keep-me.txt").write_text("not ours: never published by spillguard\n")
    (root / "site" / "index.html").unlink()
    done = run("publish", "site", "public", cwd=root)
    assert "REMOVED    index.html  (gone from source)" in done.stdout
    assert not (root / "public" / "index.html").exists()
    assert (root / "public" / "keep-me.txt").exists()


def test_an_approved_file_is_published(root: Path) -> None:
    policy = load_policy(str(root / "spillguard.toml"))
    folder = root / ".spillguard" / "approvals"
    roster = root / "site" / "files" / "roster.xlsx"
    approve(roster, root / "keys" / "alice.key", policy, folder, now=NOW)
    approve(roster, root / "keys" / "bob.key", policy, folder, now=NOW + timedelta(seconds=1))
    done = run("publish", "site", "public", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "public" / "files" / "roster.xlsx").read_bytes() == roster.read_bytes()


def test_a_file_that_changes_during_the_copy_is_not_published(root: Path) -> None:
    target = LocalDestination(root / "public")
    source = root / "site" / "index.html"
    with pytest.raises(ChangedError):
        target.put("index.html", source, "0" * 64)  # not the bytes the gate judged
    assert not (root / "public" / "index.html").exists()
    assert not temp_files(root / "public")


def test_a_failed_write_leaves_no_temp_file(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(PublishError, match=f"{MANIFEST}: cannot write: No space left on device"):
        publish(
            root / "site", str(root / "public"), load_policy("spillguard.toml"), Path("none"), NOW, jobs=0
        )
    assert not temp_files(root / "public")
    assert not (root / "public" / "index.html").exists()


def test_the_destination_must_not_be_inside_the_source(root: Path) -> None:
    done = run("publish", "site", "site/public", cwd=root)
    assert done.returncode == 2
    assert (
        done.stderr
        == "spillguard: error: site/public: the destination and the source must not contain each other\n"
    )
    assert run("publish", "site/index.html", "public", cwd=root).returncode == 2


def test_publish_is_in_the_audit_log(root: Path) -> None:
    from spillguard.audit import open_audit

    run("publish", "site", "public", cwd=root)
    log = open_audit(str(root / ".spillguard" / "audit.db"))
    entries = log.entries()
    log.close()
    assert [e.action for e in entries] == ["publish"]
    assert entries[0].detail["blocked"] == ["files/roster.xlsx"]
    assert sorted(entries[0].detail["copied"]) == ["files/facility-counts.csv", "index.html"]


def test_publish_to_an_fsspec_filesystem(root: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    result = publish(
        root / "site", "memory://public", load_policy("spillguard.toml"), Path("none"), NOW, jobs=0
    )
    fs = fsspec.filesystem("memory")
    assert fs.cat_file("/public/index.html") == (root / "site" / "index.html").read_bytes()
    assert not fs.exists("/public/files/roster.xlsx")
    assert [path for path, _ in result.blocked] == ["files/roster.xlsx"]
    again = publish(
        root / "site", "memory://public", load_policy("spillguard.toml"), Path("none"), NOW, jobs=0
    )
    assert not again.copied and len(again.unchanged) == 2
    shutil.rmtree(root / "site" / "files")
    third = publish(
        root / "site", "memory://public", load_policy("spillguard.toml"), Path("none"), NOW, jobs=0
    )
    assert [path for path, _ in third.removed] == ["files/facility-counts.csv"]


def test_a_file_that_cannot_be_written_is_reported_and_left_whole(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(src: object, dst: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copystat", full_disk)
    result = publish(
        root / "site", str(root / "public"), load_policy("spillguard.toml"), Path("none"), NOW, jobs=0
    )
    assert dict(result.failed) == {
        "index.html": "cannot write: No space left on device",
        "files/facility-counts.csv": "cannot write: No space left on device",
    }
    assert not result.complete
    assert published(root / "public") == {MANIFEST}
    assert not temp_files(root / "public")
