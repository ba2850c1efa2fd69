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


# --- 4. watcher blind spots --------------------------------------------------------------------


def test_a_symlinked_folder_present_at_start_is_watched(tmp_path: Path) -> None:
    outside = tmp_path / "shared" / "data"
    outside.mkdir(parents=True)
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "data").symlink_to(outside)
    with running_watcher(tmp_path) as w:
        dropped = outside / "list.xlsx"
        roster(dropped, seed=31)
        assert wait_for(lambda: not dropped.exists())
        assert w.watcher.wait_idle(60)
    assert [i.original for i in quarantine.items(w.folder)] == [str(w.root / "data" / "list.xlsx")]


def test_an_atomic_deploy_is_followed_and_the_site_stays_up(tmp_path: Path) -> None:
    import os

    releases = tmp_path / "releases"
    for n in (1, 2):
        (releases / str(n)).mkdir(parents=True)
        (releases / str(n) / "index.html").write_text(f"<html><body>Release {n}</body></html>\n")
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "current").symlink_to(releases / "1")
    with running_watcher(tmp_path) as w:
        assert w.watcher.wait_idle(60)
        leaked = releases / "2" / "roster.xlsx"
        roster(leaked, seed=41)
        os.symlink(releases / "2", w.root / ".current-next")
        os.rename(w.root / ".current-next", w.root / "current")  # the deploy's atomic swap
        assert wait_for(lambda: not leaked.exists())
        assert w.watcher.wait_idle(60)
    current = w.root / "current"
    assert current.is_symlink() and (current / "index.html").is_file()  # the site is up
    assert all(i.original.endswith("roster.xlsx") for i in quarantine.items(w.folder))


def test_a_link_and_a_fifo_are_taken_out_across_file_systems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    folder = quarantine.open_quarantine(tmp_path / "q")
    www = tmp_path / "www"
    target = tmp_path / "elsewhere" / "list.xlsx"
    roster(target)
    www.mkdir()
    (www / "list.xlsx").symlink_to(target)
    os.mkfifo(www / "pipe.csv")

    def cross_device(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(quarantine.os, "rename", cross_device)
    link = quarantine.take(www / "list.xlsx", folder, {"verdict": "block"})
    pipe = quarantine.take(www / "pipe.csv", folder, {"verdict": "block"})
    assert not os.path.lexists(www / "list.xlsx") and not os.path.lexists(www / "pipe.csv")
    assert os.readlink(folder / link.stored) == str(target)
    assert os.path.lexists(folder / pipe.stored)
    assert target.exists()  # the link's target is not ours to move


def test_a_clean_workbook_uploaded_slowly_is_not_judged_mid_write(tmp_path: Path) -> None:
    import time

    from testing.synth import facility_counts, write_workbook

    staging = tmp_path / "staging"
    staging.mkdir()
    write_workbook(staging / "counts.xlsx", {"Counts": facility_counts()})
    data = (staging / "counts.xlsx").read_bytes()
    with running_watcher(tmp_path) as w:
        target = w.root / "counts.xlsx"
        with target.open("wb") as upload:  # an upload with pauses: 1.5 s between its halves
            upload.write(data[: len(data) // 2])
            upload.flush()
            time.sleep(1.5)
            upload.write(data[len(data) // 2 :])
        assert wait_for(lambda: any(o.path == str(target) and o.action == "passed" for o in w.outcomes))
        assert w.watcher.wait_idle(60)
    assert target.exists() and not quarantine.items(w.folder)
