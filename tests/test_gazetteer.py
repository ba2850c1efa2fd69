"""The word lists' disk caches: read back, rebuilt when missing, and old ones cleared away."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from spillguard.detect import gazetteer


def test_a_cache_is_written_read_back_and_old_ones_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "spillguard"
    folder.mkdir()
    old, recent, other = (
        folder / f for f in ("demo-old-1.pickle", "demo-recent-1.pickle", "else-old-1.pickle")
    )
    for stale in (old, recent, other):
        stale.write_bytes(b"not a pickle")
    long_ago = time.time() - (gazetteer.CACHE_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    built: list[int] = []

    def build() -> frozenset[str]:
        built.append(1)
        return frozenset({"ANA"})

    assert gazetteer.disk_cached("demo", build) == frozenset({"ANA"})
    assert gazetteer.disk_cached("demo", build) == frozenset({"ANA"})
    assert built == [1]  # the second came from the disk
    left = sorted(p.name for p in folder.iterdir())
    assert "demo-old-1.pickle" not in left  # this list's, and old: cleared
    assert {"demo-recent-1.pickle", "else-old-1.pickle"} <= set(left)  # in use, or another list's
    assert len([n for n in left if n.startswith("demo-") and n != "demo-recent-1.pickle"]) == 1
