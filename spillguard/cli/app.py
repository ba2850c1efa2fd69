"""The Typer app: the root command, `--version`, and the explicit list of command families.
Adding a family (people, notices, holds, ...) is one module under `spillguard/cli/` with a
`register(app)` function, and one line in `FAMILIES`.

Every family is registered on every start. Building only the family of the command being run
was measured (benchmarks/bench_trees.py, 40 alternating runs on the 6,525-row roster): no
difference in CPU time (0.286 s against 0.284 s), so the simple way stays."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spillguard._version import __version__
from spillguard.cli import baseline, gate, holds, match, people, respond, scan, watch
from spillguard.cli.common import EXIT_INTERRUPTED, use_command_class

FAMILIES = (
    scan,
    respond,
    people,
    holds,
    match,
    gate,
    baseline,
    watch,
)  # each module's register(app) adds its commands, in help order


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spillguard {__version__}")
        raise typer.Exit(0)


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """Keep personal data off public websites, and run the response when some gets through."""


def build() -> typer.Typer:
    app = typer.Typer(
        name="spillguard",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Help is plain text: Rich markup would swallow what stands in brackets ([approvers]).
        rich_markup_mode=None,
    )
    app.callback()(_root)
    for family in FAMILIES:
        family.register(app)
    use_command_class(app)  # help leaves out retired option names (common.RETIRED)
    return app


def main() -> None:
    app = build()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("spillguard: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
