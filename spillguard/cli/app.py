"""The Typer app: the root command, `--version`, and the explicit list of command families.
Adding a family (people, notices, holds, ...) is one module under `spillguard/cli/` with a
`register(app)` function, and one line in `FAMILIES`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spillguard._version import __version__
from spillguard.cli import gate, respond, scan, watch
from spillguard.cli.common import EXIT_INTERRUPTED

FAMILIES = (scan, gate, watch, respond)  # each module's register(app) adds its commands


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
    )
    app.callback()(_root)
    for family in FAMILIES:
        family.register(app)
    return app


def main() -> None:
    app = build()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("spillguard: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
