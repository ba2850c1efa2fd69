"""Output people read: verdicts in colour on a terminal and never in a file or a pipe (nor with
NO_COLOR or --no-color), --quiet listing only what blocks, the progress bar's count and file,
and exposure's table as wide as the terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from gatekit import SPILLGUARD, run, write_site
from rich.console import Console
from typer.testing import CliRunner

from spillguard.cli.app import build
from spillguard.cli.common import progress_bar
from tests.respond import loggen

RED, GREEN, YELLOW = "\x1b[31m", "\x1b[32m", "\x1b[33m"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A roster (blocks), routine statistics (pass) and bytes nobody can read (uninspectable)."""
    root = write_site(tmp_path_factory.mktemp("out") / "site")
    (root / "files" / "blob.bin").write_bytes(bytes(range(1, 256)) * 8 + b"\x00" * 64)
    return root


def in_terminal(*args: str, cwd: Path, **env: str) -> str:
    """The command with its stdout on a pseudo-terminal, as a person at a shell runs it; what it
    printed there (the terminal's \\r\\n made \\n again)."""
    command = [str(SPILLGUARD)] if SPILLGUARD.exists() else ["python", "-m", "spillguard.cli"]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    master, slave = pty.openpty()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [*command, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=errors, cwd=cwd, env=environment
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        process.wait(timeout=120)
        errors.seek(0)
        assert process.returncode in (0, 1), errors.read().decode()
    return b"".join(chunks).decode().replace("\r\n", "\n")


def line_of(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if name in line)


def test_verdicts_are_coloured_on_a_terminal(site: Path) -> None:
    shown = in_terminal("scan", "site", cwd=site.parent)
    assert line_of(shown, "roster.xlsx").startswith(f"{RED}BLOCK")
    assert line_of(shown, "facility-counts.csv").startswith(f"{GREEN}PASS")
    assert line_of(shown, "blob.bin").startswith(f"{YELLOW}BLOCK")  # blocks: nobody could read it
    gate = in_terminal("gate", "site", "--audit", str(site.parent / "audit.db"), cwd=site.parent)
    assert line_of(gate, "roster.xlsx").startswith(f"{RED}BLOCK")
    assert line_of(gate, "blob.bin").startswith(f"{YELLOW}BLOCK")
    public = site.parent / "public"
    published = in_terminal(
        "publish", "site", str(public), "--audit", str(site.parent / "audit.db"), cwd=site.parent
    )
    assert line_of(published, "roster.xlsx").startswith(f"{RED}BLOCKED\x1b[0m    files/roster.xlsx")
    assert line_of(published, "index.html").startswith(f"{GREEN}published\x1b[0m  index.html")
    assert (
        "\x1b"
        not in run(
            "publish", "site", str(public), "--audit", str(site.parent / "audit.db"), cwd=site.parent
        ).stdout
    )


def test_no_colour_in_pipes_files_or_when_asked_not_to(site: Path, tmp_path: Path) -> None:
    assert "\x1b" not in run("scan", "site", cwd=site.parent).stdout  # a pipe
    assert "\x1b" not in in_terminal("scan", "site", cwd=site.parent, NO_COLOR="1")
    assert "\x1b" not in in_terminal("scan", "site", "--no-color", cwd=site.parent)
    assert "\x1b" not in in_terminal(
        "gate", "site", "--no-color", "--audit", str(tmp_path / "a.db"), cwd=site.parent
    )
    report = tmp_path / "report.txt"
    assert in_terminal("scan", "site", "-o", str(report), cwd=site.parent) == ""
    assert "BLOCK" in report.read_text() and "\x1b" not in report.read_text()
    # NO_COLOR set but empty is unset (no-color.org)
    assert RED in in_terminal("scan", "site", cwd=site.parent, NO_COLOR="")


def test_quiet_lists_only_what_blocks_and_the_summary(site: Path, tmp_path: Path) -> None:
    full = run("scan", "site", cwd=site.parent)
    quiet = run("scan", "site", "-q", cwd=site.parent)
    assert full.returncode == quiet.returncode == 1
    assert "PASS" in full.stdout and "PASS" not in quiet.stdout
    assert "facility-counts.csv" not in quiet.stdout and "index.html" not in quiet.stdout
    assert [line.split()[:2] for line in quiet.stdout.splitlines()[:-1]] == [
        ["BLOCK", "site/files/blob.bin"],
        ["BLOCK", "site/files/roster.xlsx"],
    ]
    timeless = [re.sub(r" in [0-9.]+s:", ":", out.splitlines()[-1]) for out in (full.stdout, quiet.stdout)]
    assert timeless == ["4 files scanned: 2 blocked, 0 warned, 2 passed"] * 2
    gate = run("gate", "site", "--quiet", "--audit", str(tmp_path / "a.db"), cwd=site.parent)
    assert gate.returncode == 1
    lines = gate.stdout.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["BLOCK", "BLOCK"]
    assert lines[2].startswith("gate: 4 files: 2 blocked") and lines[3].startswith("audit: entry #1")
    assert len(lines) == 4


def test_quiet_is_for_the_table(site: Path) -> None:
    done = run("scan", "site", "-q", "--format", "json", cwd=site.parent)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "spillguard: error: --quiet shortens the table; the other formats list every file"
    ]


def test_the_progress_bar_shows_the_count_and_the_file_escaped() -> None:
    screen = io.StringIO()
    update = progress_bar(Console(file=screen, force_terminal=True, width=100))
    assert update is not None
    for done in range(1, 26):
        update(done, 25, "site/odd\x1b[2J\nname.csv" if done == 1 else f"site/files/{done}.csv")
    shown = screen.getvalue()
    assert " 1/25" in shown and "25/25" in shown and "site/files/25.csv" in shown
    assert "site/odd\\x1b[2J\\nname.csv" in shown  # a name cannot clear the screen or add a line
    assert "\x1b[2J" not in shown


def test_no_progress_bar_for_a_few_files() -> None:
    screen = io.StringIO()
    update = progress_bar(Console(file=screen, force_terminal=True, width=100))
    assert update is not None
    for done in range(1, 6):
        update(done, 5, f"site/{done}.csv")
    assert screen.getvalue() == ""


def test_exposure_table_fits_the_terminal(tmp_path: Path) -> None:
    log = loggen.write_log(tmp_path, "iis")
    args = ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE)]
    for columns in (60, 100):
        shown = CliRunner().invoke(build(), args, env={"COLUMNS": str(columns)})
        assert shown.exit_code == 0, shown.output
        assert "clients requested the file" in shown.stdout
        assert max(map(len, shown.stdout.splitlines())) <= columns
    wide = CliRunner().invoke(build(), args, env={"COLUMNS": "300"})
    assert max(map(len, wide.stdout.splitlines())) > 100  # a wide terminal is used, not folded to 100
