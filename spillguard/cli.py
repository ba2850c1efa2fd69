"""The `spillguard` command. Thin: every command parses its options and calls the library."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from spillguard import POLICY_FILE

if TYPE_CHECKING:
    from spillguard.policy import Policy

app = typer.Typer(
    name="spillguard",
    help="Keep personal data off public websites, and run the response when some gets through.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USAGE = 2
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy", "-p", help=f"Policy file (default: {POLICY_FILE} here if present, else built-in)."
    ),
]
T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    """One clear line on stderr and exit 2: bad input never earns a traceback."""
    typer.echo(f"spillguard: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def run_guarded(action: Callable[[], T], expected: tuple[type[Exception], ...]) -> T:
    """Run a command's action, turning the errors it expects, and OS errors, into one line
    and exit status 2."""
    try:
        return action()
    except expected as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise fail(f"{where}{exc.strerror or exc}") from None


def policy_from(path: str | None) -> Policy | None:
    """The policy a command runs under: the file given, else spillguard.toml in the working
    directory, else None for the built-in one (loaded only where needed). A bad file is one line
    and exit 2."""
    from pathlib import Path

    if path is None and not Path(POLICY_FILE).is_file():
        return None
    from spillguard.policy import PolicyError, load_policy

    return run_guarded(lambda: load_policy(path or POLICY_FILE), (PolicyError,))


@app.command()
def scan(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or archives.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, sarif or csv.")] = "table",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every finding.")] = False,
    show_values: Annotated[bool, typer.Option("--show-values", help="Print found values unmasked.")] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=0, help="Workers (default: all cores).")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Find personal data in files a website might publish. Exit 0: nothing blocks; 1: something
    blocks; 2: usage or internal error."""
    # The writers load here, while a one-file scan's worker (started before the parser) scans.
    from spillguard.report import FORMATS
    from spillguard.scan import ScanError
    from spillguard.scan import scan as run_scan

    if format not in FORMATS:
        raise fail(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    try:
        report = run_scan(paths, policy_from(policy), jobs=jobs, progress=_progress_bar())
    except ScanError as exc:
        raise fail(str(exc)) from None
    text = FORMATS[format](report, show_values, verbose)
    if output:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)
    raise typer.Exit(1 if report.verdict == "block" else 0)


@app.command()
def rules() -> None:
    """Every rule: what it finds, why publishing it harms, an example, known false alarms."""
    from spillguard.detect.rules import RULES

    for rule in RULES:
        typer.echo(f"{rule.id}  ({rule.kind})  {rule.title}")
        typer.echo(f"  finds:        {rule.finds}")
        typer.echo(f"  why it harms: {rule.why}")
        if rule.examples:
            typer.echo(f"  example:      {rule.examples[0]}")
        typer.echo(f"  false alarms: {rule.false_alarms}")
        typer.echo("")


def write_atomically(path: str, text: str) -> None:
    """Write to a temp file beside the target, then rename: never a half-written report."""
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".spillguard-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


def _progress_bar() -> Callable[[int, int], None] | None:
    """A progress bar on stderr when it is a terminal and the run is long enough to need one."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(stderr=True))
    task = bar.add_task("scanning", total=None)

    def update(done: int, total: int) -> None:
        if total < 20:
            return
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()

    return update


def _register_subcommands() -> None:
    # Explicit list: each line plugs one family of commands into the CLI.
    from spillguard.gate_cli import register as register_gate
    from spillguard.respond.cli import register as register_respond
    from spillguard.watch.cli import register as register_watch

    register_respond(app)
    register_gate(app)
    register_watch(app)


# Commands defined in this module; a run of one of them skips building the others, which
# costs Typer tens of milliseconds of signature inspection on every start.
CORE_COMMANDS = frozenset({"scan", "rules"})


def main() -> None:
    if not (len(sys.argv) > 1 and sys.argv[1] in CORE_COMMANDS):
        _register_subcommands()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("spillguard: interrupted", err=True)
        sys.exit(130)
    finally:
        # What the command made is garbage in a moment. Frozen, it is left out of the full
        # collection the interpreter runs on its way out, which on a one-file scan's hundreds
        # of thousands of objects took ~20 ms, as long as parsing the command line.
        gc.freeze()


if __name__ == "__main__":
    main()
