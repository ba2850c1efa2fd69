"""What every command family shares: exit codes, the one error guard, the options several
families take, the policy and approvals a command runs under, and writing its output.

Every expected error is one line (`spillguard: error: what`) and exit status 2: the library
raises a `UserError` (or an `OSError`) and `guarded` says it; a command never shows a
traceback for bad input, and the gate never passes a file because something around it failed.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
import typer.core

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
# One name for one thing in every command. Names a command used before are kept working but
# left out of help (RETIRED), so old scripts and documented commands run and help teaches one
# vocabulary: `--output/-o` (never `--out`), `--jobs/-j` (never `--workers`), `--by` for who
# decided (allow said `--who`), and `-q` is `--quiet` (the watchers' `--quarantine` keeps its
# old `-q` unlisted).
OUTPUT_NAMES = ("--output", "-o", "--out")
JOBS_NAMES = ("--jobs", "-j", "--workers")
RETIRED = {"--output": {"--out"}, "--jobs": {"--workers"}, "--quarantine": {"-q"}, "--by": {"--who"}}


def output_option(help: str, **settings: Any) -> Any:
    """`--output/-o` (and the retired `--out`) with this help: every command that writes a file
    or a folder of files names it so."""
    return typer.Option(*OUTPUT_NAMES, help=help, **settings)


def jobs_option(help: str, *, least: int) -> Any:
    """`--jobs/-j` (and the retired `--workers`): how many worker processes scan files."""
    return typer.Option(*JOBS_NAMES, min=least, help=help)


JobsOption = Annotated[int | None, jobs_option("Worker processes [all cores].", least=0)]
# The watchers run beside a web server for days: two workers unless told otherwise.
WatcherJobsOption = Annotated[int, jobs_option("Worker processes that scan files.", least=1)]
OutputOption = Annotated[str | None, output_option("Write the report to this file.")]
ByOption = Annotated[
    str, typer.Option("--by", "--who", help="Who decided (kept with the entry).", show_default=False)
]
ShowValuesOption = Annotated[bool, typer.Option("--show-values", help="Print found values unmasked.")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="List only the files that block, and the summary.")
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour, even on a terminal (also: NO_COLOR set).")
]


def visible_names(option: click.Option) -> list[str]:
    """The names help shows for `option`: all of them but the retired ones."""
    long_names = [name for name in option.opts if name.startswith("--")]
    retired = RETIRED.get(long_names[0], set()) if long_names else set()
    return [name for name in option.opts if name not in retired]


class Command(typer.core.TyperCommand):
    """A command whose help leaves out retired option names (RETIRED; they still parse) and
    says what each argument is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._restore_argument_help()

    def _restore_argument_help(self) -> None:
        """click 8.5's Argument sets `help` after Typer's does, so every argument's help was
        lost; it is read again from the command function's annotations."""
        from typer.models import ArgumentInfo
        from typer.utils import get_params_from_function

        function = getattr(self.callback, "__wrapped__", None)
        if function is None:
            return
        declared = get_params_from_function(function)
        for param in self.params:
            info = getattr(declared.get(param.name or ""), "default", None)
            lost = isinstance(param, typer.core.TyperArgument) and not param.help
            if lost and isinstance(info, ArgumentInfo):
                param.help = info.help

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Nothing: format_options lists the arguments first, as Typer's help always has."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            shown = param
            if isinstance(param, click.Option) and visible_names(param) != param.opts:
                shown = copy.copy(param)  # a copy: the command still parses every name
                shown.opts = visible_names(param)
            record = shown.get_help_record(ctx)
            if record is not None and param.param_type_name in records:
                # Typer escapes its `[default: ...]` for Rich; help here is plain text.
                records[param.param_type_name].append((record[0], record[1].replace("\\[", "[")))
        for title, rows in (("Arguments", records["argument"]), ("Options", records["option"])):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def use_command_class(app: typer.Typer) -> None:
    """Every command of `app` and of its sub-apps built as `Command`."""
    for info in _command_infos(app):
        if info.cls in (None, typer.core.TyperCommand):  # Typer's default, not a class of ours
            info.cls = Command


def _command_infos(app: typer.Typer) -> Iterator[Any]:
    yield from app.registered_commands
    for group in app.registered_groups:
        if group.typer_instance is not None:
            yield from _command_infos(group.typer_instance)


PROGRESS_FROM = 20  # files; a shorter run is over before a bar could say anything


def progress_bar(console: Any = None, *, no_color: bool = False) -> Callable[[int, int, str], None] | None:
    """A progress bar on stderr when it is a terminal (or on `console`): files done of all
    (`12/340`) and the file just done, escaped as every line is (terminal.printable). Shown
    once a run has PROGRESS_FROM files; gone when the run ends. Rich leaves colour out itself
    when NO_COLOR is set; `no_color` (--no-color) does too."""
    if console is None and not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Column

    bar = Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        # markup=False: a file named `[bold]x` is a name, not a style
        TextColumn(
            "{task.fields[path]}", markup=False, table_column=Column(no_wrap=True, overflow="ellipsis")
        ),
        transient=True,
        console=console or Console(stderr=True, no_color=no_color),
    )
    task = bar.add_task("scanning", total=None, path="")

    def update(done: int, total: int, path: str) -> None:
        if total < PROGRESS_FROM:
            return
        bar.update(task, completed=done, total=total, path=printable(path))
        if not bar.live.is_started:
            bar.start()
        if done >= total:
            bar.stop()

    return update


PIPE_WIDTH = 160  # columns for a table written to a pipe or a file: the width it always had


def terminal_width() -> int:
    """Columns a table may take: the terminal's (or $COLUMNS), else PIPE_WIDTH."""
    import shutil

    return shutil.get_terminal_size(fallback=(PIPE_WIDTH, 24)).columns


def colour_wanted(no_color: bool, output: str | Path | None = None) -> bool:
    """Colour only for a person at a terminal: stdout is a TTY, the output is not a file,
    NO_COLOR is unset or empty (no-color.org), and --no-color was not given."""
    return not no_color and not output and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def fail(message: str) -> typer.Exit:
    """One clear line on stderr and exit 2: bad input never earns a traceback."""
    say(f"spillguard: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def say(line: str, *, err: bool = False) -> None:
    """Print one line for people to read, with what it quotes from files (names, URLs, sheet
    names) unable to break it into more lines or reorder it (terminal.printable)."""
    typer.echo(printable(line), err=err)


def say_labelled(label: str, tone: str, text: str, *, colour: bool) -> None:
    """`say` for a line that starts with a verdict label: the label (ours) in the colour of
    `tone` (terminal.VERDICT_COLOURS) when `colour`, the rest escaped as `say` does."""
    from spillguard.terminal import VERDICT_COLOURS, paint

    typer.echo(paint(label, VERDICT_COLOURS[tone], colour) + printable(text))


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
