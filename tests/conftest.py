"""Shared fixtures. Tests build their documents at test time; the real-world corpora in
../shared/corpora are read in place (never copied) and tests that use them skip without them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def corpora_root() -> Path | None:
    env = os.environ.get("SPILLGUARD_CORPORA")
    root = Path(env) if env else REPO.parent / "shared" / "corpora"
    return root if root.is_dir() else None


@pytest.fixture
def corpora() -> Path:
    root = corpora_root()
    if root is None:
        pytest.skip("../shared/corpora is absent")
    return root
