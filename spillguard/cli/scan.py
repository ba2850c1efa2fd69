"""Commands of the scanner: `scan` and `rules`."""

from __future__ import annotations

from typing import Annotated

import typer

from spillguard.cli.common import (
    EXIT_BLOCKED,
    EXIT_OK,
    JobsOption,
    NoColorOption,
    OutputOption,
    PolicyOption,
    QuietOption,
    ShowValuesOption,
    colour_wanted,
    fail,
    guarded,
    policy_from,
    progress_bar,
    write_output,
)
from spillguard.isolate import Spare
from spillguard.report import FORMATS
from spillguard.report.formats import render_table
from spillguard.scan import scan


def scan_command(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, directories or archives.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, sarif or csv.")] = "table",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every finding.")] = False,
    quiet: QuietOption = False,
    show_values: ShowValuesOption = False,
    jobs: JobsOption = None,
    output: OutputOption = None,
    policy: PolicyOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Find personal data in files a website might publish. Exit 0: nothing blocks; 1: something
    blocks; 2: usage or internal error."""
    if format not in FORMATS:
        raise fail(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    if quiet and format != "table":
        raise fail("--quiet shortens the table; the other formats list every file")
    rules = policy_from(policy)
    spare = ctx.obj if isinstance(ctx.obj, Spare) else None  # started by spillguard/__main__.py
    report = guarded(
        lambda: scan(paths, rules, jobs=jobs, progress=progress_bar(no_color=no_color), spare=spare)
    )
    if format == "table":
        text = render_table(report, show_values, verbose, quiet=quiet, colour=colour_wanted(no_color, output))
    else:
        text = FORMATS[format](report, show_values, verbose)
    write_output(text, output)
    raise typer.Exit(EXIT_BLOCKED if report.verdict == "block" else EXIT_OK)


def rules_command() -> None:
    """Every rule: what it finds, why publishing it harms, an example, known false alarms."""
    from spillguard.detect.rules import RULES  # the detectors: `scan` leaves them to its worker

    for rule in RULES:
        typer.echo(f"{rule.id}  ({rule.kind})  {rule.title}")
        typer.echo(f"  finds:        {rule.finds}")
        typer.echo(f"  why it harms: {rule.why}")
        if rule.examples:
            typer.echo(f"  example:      {rule.examples[0]}")
        typer.echo(f"  false alarms: {rule.false_alarms}")
        typer.echo("")


def register(app: typer.Typer) -> None:
    """Add the scanner's commands to the main CLI."""
    app.command("scan")(scan_command)
    app.command("rules")(rules_command)
