"""Issue 13: the ways around the gate an attacker (or an unlucky operator) found, each as the
attacker would do it. Every document is made at test time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from gatekit import NOW, make_keys, write_policy, write_roster, write_site

import spillguard.pipeline as pipeline
import spillguard.publish as publishing
from spillguard.policy import DEFAULT_POLICY, load_policy
from spillguard.publish import publish
from testing.synth import facility_counts, write_rows


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path / "site")
    write_policy(tmp_path, make_keys(tmp_path / "keys", "alice", "bob"))
    return tmp_path


def published(dest: Path) -> set[str]:
    return {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file() or p.is_symlink()}


def run_publish(root: Path, **kwargs: Any) -> publishing.PublishResult:
    policy = load_policy(str(root / "spillguard.toml"))
    return publish(root / "site", str(root / "public"), policy, root / "approvals", NOW, jobs=0, **kwargs)


# --- 1. publish race -------------------------------------------------------------------------


def test_a_clean_file_renamed_in_for_the_parse_does_not_publish_the_roster(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roster is there for the hash, a clean file is renamed over it for the parse, and the
    roster is renamed back before the copy: the gate must judge the bytes it hashed."""
    target = root / "site" / "files" / "report.xlsx"
    write_roster(target)
    roster_copy = write_roster(root / "spare" / "roster.xlsx")
    clean = root / "spare" / "clean.csv"
    write_rows(clean, facility_counts())
    real_sniff = pipeline.sniff
    real_gate = publishing.run_gate
    swapped: list[str] = []

    def sniff_after_swap(source: Any) -> str:
        if source.name == str(target) and not swapped:
            os.replace(clean, target)  # between the hash and the parse
            swapped.append("clean in")
        return real_sniff(source)

    def gate_then_swap_back(*args: Any, **kwargs: Any) -> Any:
        result = real_gate(*args, **kwargs)
        os.replace(roster_copy, target)  # between the gate and the copy
        return result

    monkeypatch.setattr(pipeline, "sniff", sniff_after_swap)
    monkeypatch.setattr(publishing, "run_gate", gate_then_swap_back)
    result = run_publish(root)
    assert swapped
    assert "files/report.xlsx" in [path for path, _ in result.blocked]
    assert "files/report.xlsx" not in published(root / "public")


def test_a_file_edited_in_place_while_it_is_read_is_uninspectable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "counts.csv"
    write_rows(target, facility_counts())
    real_sniff = pipeline.sniff

    def sniff_then_edit(source: Any) -> str:
        kind = real_sniff(source)
        with open(target, "ab") as fh:
            fh.write(b"more,rows\n")
        return kind

    monkeypatch.setattr(pipeline, "sniff", sniff_then_edit)
    report = pipeline.scan_path(str(target), DEFAULT_POLICY)[0]
    assert report.verdict == "block"
    assert report.uninspectable == "changed while being read"
