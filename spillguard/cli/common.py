"""What every command family shares: exit codes, the one error guard, the options several
families take, the policy and approvals a command runs under, and writing its output.

Every expected error is one line (`spillguard: error: what`) and exit status 2: the library
raises a `UserError` (or an `OSError`) and `guarded` says it; a command never shows a
traceback for bad input, and the gate never passes a file because something around it failed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from spillguard.errors import UserError
from spillguard.files import write_text_atomic
from spillguard.policy import DEFAULT_POLICY, POLICY_FILE, Policy, load_policy
from spillguard.terminal import printable

EXIT_OK = 0
EXIT_BLOCKED = 1  # something blocks, or (watchers) was quarantined or found
EXIT_USAGE = 2  # bad input or an internal error
EXIT_INTERRUPTED = 130

T = TypeVar("T")

PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy", "-p", help=f"Policy file (default: {POLICY_FILE} here if present, else built-in)."
    ),
]
ApprovalsOption = Annotated[
    str | None, typer.Option("--approvals", help="Folder of approvals [.spillguard/approvals].")
]
AuditOption = Annotated[
    str | None, typer.Option("--audit", help="Audit log: a SQLite path or URL [.spillguard/audit.db].")
]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=0, help="Workers (default: all cores).")]
OutputOption = Annotated[str | None, typer.Option("--output", "-o", help="Write the report to this file.")]
ShowValuesOption = Annotated[bool, typer.Option("--show-values", help="Print found values unmasked.")]


def fail(message: str) -> typer.Exit:
    """One clear line on stderr and exit 2: bad input never earns a traceback."""
    say(f"spillguard: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def say(line: str, *, err: bool = False) -> None:
    """Print one line for people to read, with what it quotes from files (names, URLs, sheet
    names) unable to break it into more lines or reorder it (terminal.printable)."""
    typer.echo(printable(line), err=err)


def guarded(action: Callable[[], T], *, extra: str | None = None) -> T:
    """Run a command's action, turning a `UserError` or an `OSError` into one line and exit
    status 2. `extra`: what to install when a module of an optional extra is missing."""
    try:
        return action()
    except UserError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise fail(f"{where}{exc.strerror or exc}") from None
    except ImportError as exc:
        if extra is None:
            raise
        raise fail(f"{extra} ({exc.name} is missing)") from None


def find_policy(start: Path | None = None) -> Path | None:
    """spillguard.toml in the working directory or the nearest folder above it, up to the
    repository's root (a folder holding .git), as ruff and pre-commit find their settings."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if (folder / POLICY_FILE).is_file():
            return folder / POLICY_FILE
        if (folder / ".git").exists():
            return None
    return None


def policy_from(path: str | None) -> Policy | None:
    """The policy a command runs under: the file given, else spillguard.toml found from the
    working directory up (find_policy), else None (the built-in one). A policy found above the
    working directory is named on stderr: which rules judge the files is never a guess. A bad
    file is one line and exit 2."""
    found = Path(path) if path else find_policy()
    if found is None:
        return None
    if path is None and found.parent != Path.cwd().absolute():
        say(f"spillguard: policy in force: {found}", err=True)
    return guarded(lambda: load_policy(str(found)))


def policy_or_default(path: str | None) -> Policy:
    """`policy_from`, with the built-in policy for None."""
    return policy_from(path) or DEFAULT_POLICY


def approvals_dir(path: str | None) -> Path:
    """The approvals folder given, else `.spillguard/approvals` beside the policy in force (so
    a gate run from a subfolder finds the site's approvals), else in the working directory."""
    from spillguard.approvals import DEFAULT_APPROVALS

    if path:
        return Path(path)
    found = find_policy()
    if found is None or found.parent == Path.cwd().absolute():
        return DEFAULT_APPROVALS  # relative, as approvals and messages have always named it
    return found.parent / DEFAULT_APPROVALS


def write_output(text: str, output: str | Path | None, *, parents: bool = False) -> None:
    """The command's output: to stdout, or written atomically (temp file, then rename) to
    `output`, so a reader never sees half a report. `parents`: create missing folders."""
    if output is None or output == "":
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(Path(output), text, parents=parents)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
