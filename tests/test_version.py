"""One version, from spillguard/_version.py: the package, the build metadata, the reports and
both ways of running the command say the same."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys

import pytest

import spillguard
from spillguard._version import __version__
from spillguard.model import Report

ENTRY_POINT = shutil.which("spillguard", path=os.path.dirname(sys.executable))


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "spillguard"],
        [ENTRY_POINT or "spillguard"],
        [sys.executable, "-m", "spillguard.cli"],
    ],
    ids=["python -m spillguard", "spillguard", "python -m spillguard.cli"],
)
def test_version_option_prints_the_version(command: list[str]) -> None:
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"spillguard {__version__}\n"


def test_every_place_has_the_same_version() -> None:
    assert spillguard.__version__ == __version__
    assert importlib.metadata.version("spillguard") == __version__
    assert Report("2026-01-01T00:00:00Z", 0.0, ()).as_dict()["tool"] == {
        "name": "spillguard",
        "version": __version__,
    }
