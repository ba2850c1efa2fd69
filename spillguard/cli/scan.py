"""Commands of the scanner: `scan` and `rules`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from spillguard.cli.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    JobsOption,
    OutputOption,
    PolicyOption,
    ShowValuesOption,
    fail,
    guarded,
    policy_from,
    write_output,
)
from spillguard.detect.rules import RULES
from spillguard.report import FORMATS
from spillguard.scan import scan


def scan_command(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or archives.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, sarif or csv.")] = "table",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every finding.")] = False,
    show_values: ShowValuesOption = False,
    jobs: JobsOption = None,
    output: OutputOption = None,
    policy: PolicyOption = None,
) -> None:
    """Find personal data in files a website might publish. Exit 0: nothing blocks; 1: something
    blocks; 2: usage or internal error."""
    if format not in FORMATS:
        raise fail(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    rules = policy_from(policy)
    report = guarded(lambda: scan(paths, rules, jobs=jobs, progress=_progress_bar()))
    write_output(FORMATS[format](report, show_values, verbose), output)
    raise typer.Exit(EXIT_BLOCKED if report.verdict == "block" else EXIT_OK)


def rules_command() -> None:
    """Every rule: what it finds, why publishing it harms, an example, known false alarms."""
    for rule in RULES:
        typer.echo(f"{rule.id}  ({rule.kind})  {rule.title}")
        typer.echo(f"  finds:        {rule.finds}")
        typer.echo(f"  why it harms: {rule.why}")
        if rule.examples:
            typer.echo(f"  example:      {rule.examples[0]}")
        typer.echo(f"  false alarms: {rule.false_alarms}")
        typer.echo("")


def _progress_bar() -> Callable[[int, int], None] | None:
    """A progress bar on stderr when it is a terminal and the run is long enough to need one."""
    import sys

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


def register(app: typer.Typer) -> None:
    """Add the scanner's commands to the main CLI."""
    app.command("scan")(scan_command)
    app.command("rules")(rules_command)
