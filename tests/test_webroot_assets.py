"""A web root as a new user has one: fonts, an icon, SVG, JavaScript, CSS, a source map,
WebAssembly, a WAV and an MP4, and one roster. `watch --once` and `gate` take only the
roster; the media are listed as not inspected; a policy can make them block; a relaxed
uninspectable file is written to the audit log with the rule that let it through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import webassets as wa
from gatekit import make_keys, run, write_policy

from spillguard.audit import open_audit

pytest.importorskip("fontTools")
pytest.importorskip("mutagen")


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    return tmp_path, wa.web_root(tmp_path / "www")


def test_watch_once_quarantines_only_the_roster(site: tuple[Path, dict[str, Path]]) -> None:
    pytest.importorskip("watchdog")
    tmp, files = site
    result = run("watch", "www", "--quarantine", "q", "--once", "--audit", "a.db", cwd=tmp)
    assert result.returncode == 1, result.stderr
    gone = [name for name, path in files.items() if not path.exists()]
    assert gone == ["files/roster.xlsx"], result.stdout
    assert f"{len(files)} scanned, 1 quarantined" in result.stdout
    not_read = sorted(line.split()[2] for line in result.stdout.splitlines() if line.startswith("NOT READ"))
    assert not_read == sorted(str(files[m]) for m in ("media/briefing.mp4", "media/briefing.wav"))


def test_gate_refuses_only_the_roster_and_lists_media_as_not_inspected(
    site: tuple[Path, dict[str, Path]],
) -> None:
    tmp, files = site
    write_policy(tmp, make_keys(tmp / "keys", "alice"))
    result = run("gate", "www", "--format", "json", cwd=tmp)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    verdicts = {f["path"].removeprefix("www/"): f["verdict"] for f in report["files"]}
    assert {k for k, v in verdicts.items() if v == "block"} == {"files/roster.xlsx"}
    assert {k for k, v in verdicts.items() if v == "warn"} == {"media/briefing.wav", "media/briefing.mp4"}
    assert len(verdicts) == len(files)
    media = [f for f in report["files"] if f["path"].startswith("www/media/")]
    assert all("not inspected" in f["reason"] and f["uninspectable"] is None for f in media)
    table = run("gate", "www", cwd=tmp)
    assert "not inspected" in table.stdout and "briefing.mp4" in table.stdout


def test_a_policy_makes_media_block(site: tuple[Path, dict[str, Path]]) -> None:
    tmp, _ = site
    write_policy(tmp, make_keys(tmp / "keys", "alice"), '[media]\nunread = "block"\n')
    result = run("gate", "www", "--format", "json", cwd=tmp)
    blocked = {f["path"] for f in json.loads(result.stdout)["files"] if f["verdict"] == "block"}
    assert blocked == {"www/files/roster.xlsx", "www/media/briefing.wav", "www/media/briefing.mp4"}


def test_a_relaxed_uninspectable_file_is_recorded_in_the_audit_log(tmp_path: Path) -> None:
    (tmp_path / "www" / "assets").mkdir(parents=True)
    (tmp_path / "www" / "assets" / "model.bin").write_bytes(b"\x13\x37\x00\x01" + bytes(range(256)) * 4)
    rule = '[[paths]]\npattern = "www/assets/*"\nuninspectable = "pass"\nreason = "model weights"\n'
    write_policy(tmp_path, make_keys(tmp_path / "keys", "alice"), rule)
    result = run("gate", "www", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    log = open_audit(str(tmp_path / ".spillguard" / "audit.db"))
    try:
        (entry,) = [e for e in log.entries() if e.action == "gate"]
    finally:
        log.close()
    (item,) = entry.detail["files"]  # type: ignore[index]
    assert item["not_inspected"] == "unknown binary type"
    assert item["relaxed"] == {"pattern": "www/assets/*", "verdict": "pass", "reason": "model weights"}
