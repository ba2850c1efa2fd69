"""Issue 13, the watcher's side: what a web server serves is watched, dot-folders included."""

from __future__ import annotations

from pathlib import Path

import pytest
from watchkit import roster, running_watcher, wait_for

from spillguard.watch import quarantine

pytest.importorskip("watchdog")


def test_rosters_in_dot_folders_of_a_web_root_are_taken_out(tmp_path: Path) -> None:
    www = tmp_path / "www"
    at_start = www / ".git" / "roster.xlsx"
    roster(at_start, seed=5)
    with running_watcher(tmp_path) as w:
        dropped = [w.root / ".spillguard" / "list.xlsx", w.root / "sub" / ".git" / "list.xlsx"]
        for n, path in enumerate(dropped):
            roster(path, seed=20 + n)
        for path in (at_start, *dropped):
            assert wait_for(lambda path=path: not path.exists()), path  # type: ignore[misc]
        assert w.watcher.wait_idle(60)
    held = {i.original for i in quarantine.items(w.folder)}
    assert held == {str(at_start), *map(str, dropped)}


def test_an_alert_for_a_zip_counts_the_people_inside(tmp_path: Path) -> None:
    import json
    import zipfile

    from watchkit import receiver

    staging = tmp_path / "staging"
    roster(staging / "a" / "list.xlsx", count=20, seed=9)
    with zipfile.ZipFile(staging / "bundle.zip", "w") as zf:
        zf.write(staging / "a" / "list.xlsx", "list.xlsx")
    with receiver() as inbox, running_watcher(tmp_path, alerts=[inbox.url]) as w:
        target = w.root / "bundle.zip"
        (staging / "bundle.zip").rename(target)
        assert wait_for(lambda: not target.exists())
        assert wait_for(lambda: bool(inbox.bodies))
    body = json.loads(inbox.bodies[0])["message"]
    assert "people: 20 individuals" in body and "a_number=20" in body, body
    held = quarantine.items(w.folder)
    assert held[0].reason["individuals"] == 20
