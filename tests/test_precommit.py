"""The pre-commit hook as a site repository wires it: its .pre-commit-config.yaml names this
repository (a snapshot of the working tree, committed in a temp folder, as pre-commit accepts a
local path for `repo:`) at a commit, and the real pre-commit builds the hook's own virtualenv from
.pre-commit-hooks.yaml with pip. A commit of a roster is refused; a web font and a favicon go
through; the hook's audit log and its head anchor stay in the git folder, in a linked worktree
too, and leave nothing in the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import webassets
from gatekit import SITE_EDITOR, SPILLGUARD, make_keys, policy_text
from pre_commit.clientlib import load_manifest

from testing.synth import roster_people, write_workbook

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / ".pre-commit-hooks.yaml"
ROSTER_HEADER = ["Name", "A-Number", "Date of Birth", "Nationality"]
AUDIT = "spillguard-audit.db"
INSTALL_TIMEOUT = 600  # the first run builds the hook's virtualenv with pip


def hook_env(pre_commit_home: Path) -> dict[str, str]:
    """What a site editor's shell has: git, but not this project's virtualenv (the hook must bring
    everything it needs in its own), and no user git or pre-commit configuration."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    ours = str(SPILLGUARD.parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != ours)
    env.update(SITE_EDITOR, PRE_COMMIT_HOME=str(pre_commit_home))
    return env


def run(cwd: Path, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
    )


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = run(cwd, env, "git", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def snapshot_of_this_repository(dest: Path, env: dict[str, str]) -> str:
    """This repository's files as they are in the working tree (tracked, and new ones not ignored),
    committed in `dest`: what a tag of it would hold. Returns the commit."""
    listed = run(REPO, env, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed.returncode != 0:
        pytest.skip("the project is not a git checkout")
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not in the snapshot
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, env, "init", "-q", "-b", "main")
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-q", "-m", "spillguard, as tagged")
    return git(dest, env, "rev-parse", "HEAD").strip()


def write_roster(path: Path) -> Path:
    """A roster of 30 invented people: name, A-number, birth date and nationality."""
    rows: list[list[object]] = [ROSTER_HEADER]
    for person in roster_people(30, seed=16, invented=True):
        rows.append(
            [
                person.roster_name,
                f"A{person.a_number}",
                person.date_of_birth.strftime("%m/%d/%Y"),
                person.nationality("agency"),
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook(path, {"Detained": rows})


def uncommitted(repo: Path, env: dict[str, str]) -> set[str]:
    """Every path git sees in the working tree that is not committed, ignored ones included."""
    out = git(repo, env, "status", "--porcelain", "--untracked-files=all", "--ignored")
    return {line[3:] for line in out.splitlines()}


def test_the_manifest_is_one_pre_commit_accepts() -> None:
    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(hooks) == {"spillguard", "spillguard-gate"}
    # The old id is the same hook under its old name.
    assert {**hooks["spillguard-gate"], "id": "spillguard"} == hooks["spillguard"]
    hook = hooks["spillguard"]
    assert hook["language"] == "python" and hook["types"] == ["file"] and hook["require_serial"]
    assert "spillguard gate --audit" in hook["entry"] and "--absolute-git-dir" in hook["entry"]
    # pip installs the hook with the project's pinned versions: the file it names is shipped.
    constraints = hook["additional_dependencies"][hook["additional_dependencies"].index("-c") + 1]
    assert (REPO / constraints).is_file()


def test_pre_commit_refuses_a_roster_and_passes_a_font_and_an_icon(tmp_path: Path) -> None:
    env = hook_env(tmp_path / "pre-commit-home")
    project = tmp_path / "spillguard"
    project.mkdir()
    rev = snapshot_of_this_repository(project, env)

    site = tmp_path / "site"
    site.mkdir()
    git(site, env, "init", "-q", "-b", "main")
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    (site / "spillguard.toml").write_text(policy_text(keys))
    (site / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {project}\n    rev: {rev}\n    hooks:\n      - id: spillguard\n"
    )
    (site / "index.html").write_text("<html><body><h1>Detention statistics</h1></body></html>\n")
    git(site, env, "add", ".")
    git(site, env, "commit", "-q", "-m", "site")
    installed = run(site, env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    write_roster(site / "files" / "roster.xlsx")
    git(site, env, "add", "files/roster.xlsx")
    refused = run(site, env, "git", "commit", "-m", "add the detention roster")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    # git shows a hook's output on stderr
    assert "Failed" in refused.stderr and "files/roster.xlsx" in refused.stderr
    assert "0 valid of 2 needed" in refused.stderr
    assert git(site, env, "log", "--oneline").count("\n") == 1
    git(site, env, "reset", "-q", "files/roster.xlsx")

    # Fonts fail closed without fontTools and brotli, icons without Pillow: both pass only
    # because the hook's environment has the extras that read them.
    (site / "assets").mkdir()
    (site / "assets" / "agency-sans.woff2").write_bytes(webassets.font(webassets.CLEAN_NAMES, "woff2"))
    (site / "favicon.ico").write_bytes(webassets.icon())
    git(site, env, "add", "assets/agency-sans.woff2", "favicon.ico")
    passed = run(site, env, "git", "commit", "-m", "web font and icon")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stderr
    assert git(site, env, "ls-files").split() == [
        ".pre-commit-config.yaml",
        "assets/agency-sans.woff2",
        "favicon.ico",
        "index.html",
        "spillguard.toml",
    ]

    # Approved by two trusted people, the roster goes in with its approvals (which the hook
    # does not scan as site files).
    for name in ("alice", "bob"):
        key = tmp_path / "keys" / f"{name}.key"
        # into the hook's audit log: `approve` alone would start one in the working tree
        approve = ["approve", "files/roster.xlsx", "--key", str(key), "--audit", f".git/{AUDIT}"]
        done = run(site, env, str(SPILLGUARD), *approve, "--reason", "court order 24-117")
        assert done.returncode == 0, done.stderr
    git(site, env, "add", "files/roster.xlsx", ".spillguard/approvals")
    approved = run(site, env, "git", "commit", "-m", "roster, approved")
    assert approved.returncode == 0, approved.stdout + approved.stderr

    # Every run wrote to the audit log inside .git; the working tree holds nothing the hook made.
    assert uncommitted(site, env) == set()
    assert (site / ".git" / AUDIT).is_file() and (site / ".git" / f"{AUDIT}.head").is_file()
    verified = run(site, env, str(SPILLGUARD), "audit", "verify", "--audit", str(site / ".git" / AUDIT))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # In a linked worktree .git is a file: the log goes to that worktree's git folder.
    worktree = tmp_path / "site-draft"
    git(site, env, "worktree", "add", "-q", "-b", "draft", str(worktree))
    write_roster(worktree / "files" / "second-roster.xlsx")
    git(worktree, env, "add", "files/second-roster.xlsx")
    refused = run(worktree, env, "git", "commit", "-m", "another roster")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "files/second-roster.xlsx" in refused.stderr
    assert (site / ".git" / "worktrees" / "site-draft" / AUDIT).is_file()
    assert uncommitted(worktree, env) == {"files/second-roster.xlsx"}
