"""Where the gate plugs in, tested for real in a git repository made in a temp folder: the plain
git pre-commit hook (examples/git/pre-commit), the pre-push and pre-receive examples (the
pre-commit framework's hook is in test_precommit.py, the GitHub Action and the CI example in
test_action.py). A commit of the roster is refused, and goes through once two trusted people
have approved it; changing the roster voids the approvals."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from gatekit import SPILLGUARD, env_with_spillguard, make_keys, policy_text, write_roster

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env_with_spillguard(),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def spillguard(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SPILLGUARD), *args],
        cwd=cwd,
        env=env_with_spillguard(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site repository whose policy trusts alice and bob; their private keys live outside it."""
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    repo = tmp_path / "site-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "spillguard.toml").write_text(policy_text(keys))
    (repo / "index.html").write_text("<html><body>Detention statistics</body></html>\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "--no-verify", "-m", "site")
    return repo


def add_approvals(repo: Path, file: str = "files/roster.xlsx") -> None:
    keys = repo.parent / "keys"
    for name in ("alice", "bob"):
        done = spillguard(
            repo, "approve", file, "--key", str(keys / f"{name}.key"), "--reason", "court order 24-117"
        )
        assert done.returncode == 0, done.stderr


def test_a_commit_of_the_roster_is_refused_until_two_people_approve_it(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(EXAMPLES / "git" / "pre-commit", hook)
    hook.chmod(0o755)
    write_roster(repo / "files" / "roster.xlsx")
    git(repo, "add", "files/roster.xlsx")
    refused = git(repo, "commit", "-q", "-m", "add roster", check=False)
    assert refused.returncode != 0
    # git shows a hook's output on stderr
    assert "files/roster.xlsx" in refused.stderr and "0 valid of 2 needed" in refused.stderr
    assert "commit refused" in refused.stderr
    assert git(repo, "log", "--oneline").stdout.count("\n") == 1

    add_approvals(repo)
    # Approvals that are not staged are not part of the commit, so they do not count.
    assert git(repo, "commit", "-q", "-m", "add roster", check=False).returncode != 0
    git(repo, "add", ".spillguard/approvals")
    done = git(repo, "commit", "-q", "-m", "add roster with approvals", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "APPROVED  files/roster.xlsx" in done.stderr

    # Another roster under the same name: the approvals were for other bytes.
    write_roster(repo / "files" / "roster.xlsx", seed=99)
    git(repo, "add", "files/roster.xlsx")
    voided = git(repo, "commit", "-q", "-m", "update roster", check=False)
    assert voided.returncode != 0
    assert "wrong file" in voided.stderr
    # The hook's audit log is kept inside .git, where it is never committed.
    assert (repo / ".git" / "spillguard-audit.db").exists()
    assert spillguard(repo, "audit", "verify", "--audit", ".git/spillguard-audit.db").returncode == 0


def test_the_pre_commit_hook_judges_the_staged_bytes_not_the_working_tree(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(EXAMPLES / "git" / "pre-commit", hook)
    hook.chmod(0o755)
    roster = repo / "files" / "roster.xlsx"
    write_roster(roster)
    git(repo, "add", "files/roster.xlsx")
    (roster).write_text("replaced in the working tree only\n")
    assert git(repo, "commit", "-q", "-m", "sneak", check=False).returncode != 0


def test_the_pre_push_example_refuses_a_push_of_an_unapproved_roster(repo: Path) -> None:
    remote = repo.parent / "remote.git"
    git(repo.parent, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    hook = repo / ".git" / "hooks" / "pre-push"
    shutil.copy(EXAMPLES / "git" / "pre-push", hook)
    hook.chmod(0o755)
    assert git(repo, "push", "-q", "origin", "main", check=False).returncode == 0  # nothing blocks yet

    write_roster(repo / "files" / "roster.xlsx")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "--no-verify", "-m", "roster, hook skipped")
    refused = git(repo, "push", "-q", "origin", "main", check=False)
    assert refused.returncode != 0
    assert "push of refs/heads/main refused" in refused.stderr

    add_approvals(repo)
    git(repo, "add", ".spillguard/approvals")
    git(repo, "commit", "-q", "--no-verify", "-m", "approvals")
    done = git(repo, "push", "-q", "origin", "main", check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pre_receive_example_guards_the_server(repo: Path) -> None:
    server = repo.parent / "server.git"
    git(repo.parent, "init", "-q", "--bare", str(server))
    hook = server / "hooks" / "pre-receive"
    shutil.copy(EXAMPLES / "git" / "pre-receive", hook)
    hook.chmod(0o755)
    git(repo, "remote", "add", "server", str(server))
    assert git(repo, "push", "-q", "server", "main", check=False).returncode == 0

    write_roster(repo / "files" / "roster.xlsx")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "--no-verify", "-m", "roster")
    refused = git(repo, "push", "-q", "server", "main", check=False)
    assert refused.returncode != 0
    assert "refs/heads/main refused" in refused.stderr
    assert git(server, "log", "--oneline", "main").stdout.count("\n") == 1

    add_approvals(repo)
    git(repo, "add", ".spillguard/approvals")
    git(repo, "commit", "-q", "--no-verify", "-m", "approvals")
    done = git(repo, "push", "-q", "server", "main", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (server / "spillguard-audit.db").exists()
