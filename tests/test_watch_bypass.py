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
