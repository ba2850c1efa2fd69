"""Shared fixtures. Tests build their documents at test time; the real-world corpora in
../shared/corpora are read in place (never copied) and tests that use them skip without them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pg
import pytest
from gatekit import make_keys, write_policy, write_site

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg.PostgresServer]:
    """One PostgreSQL server per test process (each xdist worker has its own), on loopback,
    stopped at the end. Skips without the server binaries, except under CI, where it fails."""
    problems = pg.missing_requirements()
    bin_dir = pg.server_bin()
    if problems or bin_dir is None:
        pg.require_postgres("; ".join(problems))
    server = pg.start_server(bin_dir)
    yield server
    pg.stop_server(server)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory of a publishing test: a small site (gatekit.write_site), two
    approvers' keys and a policy that trusts them."""
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path / "site")
    write_policy(tmp_path, make_keys(tmp_path / "keys", "alice", "bob"))
    return tmp_path
