"""Helpers shared by the gate tests: the spillguard command, approvers' keys, policies and a small
site with an invented roster. Everything is made at test time."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from spillguard.approvals import Approval, load_private_key, new_key_pair, sign, write_approval
from spillguard.policy import Policy, load_policy
from spillguard.scan import scan
from testing.synth import facility_counts, roster_people, simple_roster_rows, write_rows, write_workbook

SPILLGUARD = Path(sys.executable).with_name("spillguard")
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user or a hook runs it."""
    command = [str(SPILLGUARD)] if SPILLGUARD.exists() else [sys.executable, "-m", "spillguard.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False, input=stdin
    )


# Who commits in the test repositories, with no user or system git configuration read.
SITE_EDITOR = {
    "GIT_AUTHOR_NAME": "Site Editor",
    "GIT_AUTHOR_EMAIL": "editor@agency.example",
    "GIT_COMMITTER_NAME": "Site Editor",
    "GIT_COMMITTER_EMAIL": "editor@agency.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def env_with_spillguard() -> dict[str, str]:
    """The environment git hooks run in: spillguard on PATH, no user git config."""
    env = dict(os.environ)
    env["PATH"] = f"{SPILLGUARD.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(SITE_EDITOR)
    return env


def write_roster(path: Path, seed: int = 7, count: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook(path, {"Roster": simple_roster_rows(roster_people(count, seed=seed))})


def write_site(root: Path) -> Path:
    """A small site: a hidden-free roster that blocks, routine statistics that pass."""
    write_roster(root / "files" / "roster.xlsx")
    write_rows(root / "files" / "facility-counts.csv", facility_counts())
    (root / "index.html").write_text("<html><body><h1>Detention statistics</h1></body></html>\n")
    return root


def make_keys(folder: Path, *names: str) -> dict[str, str]:
    """Key pairs for `names`; returns name -> public key text."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names:
        _, public = new_key_pair(name, folder)
        out[name] = public.read_text().split()[0]
    return out


def policy_text(approvers: dict[str, str], extra: str = "") -> str:
    lines = ["[approvers]", *(f'{name} = "{key}"' for name, key in approvers.items())]
    return "\n".join(lines) + "\n" + extra


def write_policy(folder: Path, approvers: dict[str, str], extra: str = "") -> Path:
    path = folder / "spillguard.toml"
    path.write_text(policy_text(approvers, extra))
    return path


def approve(
    file: Path,
    key_file: Path,
    policy: Policy,
    folder: Path,
    *,
    now: datetime = NOW,
    expires: datetime | None = None,
    reason: str = "approved by the privacy office",
) -> tuple[Approval, Path]:
    """An approval made through the library, with a chosen clock (for expiry)."""
    report = scan([str(file)], policy, jobs=0).files[0]
    approval = sign(
        report, policy.for_path(report.path), load_private_key(key_file), key_file.stem, reason, now, expires
    )
    return approval, write_approval(approval, folder)


def published(dest: Path) -> set[str]:
    """The files (and links) in a publish destination, relative to it."""
    return {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file() or p.is_symlink()}


__all__ = [
    "NOW",
    "SPILLGUARD",
    "approve",
    "env_with_spillguard",
    "load_policy",
    "make_keys",
    "policy_text",
    "published",
    "run",
    "write_policy",
    "write_roster",
    "write_site",
]
