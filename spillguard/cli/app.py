"""The Typer app: the root command, `--version`, and the explicit list of command families.
Adding a family (people, notices, holds, ...) is one module under `spillguard/cli/` with a
`register(app)` function, and one line in `FAMILIES` naming the commands it registers (a test
holds the two together).

A command loads only its own family: `spillguard scan` does not import the incident store,
the letters or the watchers (a third of the start-up of a one-file scan in an upload path).
Help and unknown commands load them all."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Annotated

import typer

from spillguard._version import __version__
from spillguard.cli.common import EXIT_INTERRUPTED, use_command_class
from spillguard.isolate import Spare

# Each module under spillguard/cli/ and the commands its register(app) adds, in help order.
FAMILIES = {
    "scan": ("scan", "rules"),
    "respond": ("incident", "exposure", "clawback"),
    "people": ("people", "notices"),
    "holds": ("holds",),
    "match": ("fingerprint", "match"),
    "gate": ("gate", "publish", "approve", "allow", "keys", "audit"),
    "baseline": ("baseline",),
    "watch": ("watch", "quarantine", "monitor"),
}


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


def families(args: list[str]) -> list[ModuleType]:
    """The family modules a command line needs: the one owning its command, else all."""
    command = args[0] if args else ""
    names = [name for name, commands in FAMILIES.items() if command in commands] or list(FAMILIES)
    return [importlib.import_module(f"spillguard.cli.{name}") for name in names]


def build(args: list[str] | None = None) -> typer.Typer:
    """The app for this command line (all of it when `args` is None)."""
    app = typer.Typer(
        name="spillguard",
        no_args_is_help=True,
        add_completion=True,  # --install-completion and --show-completion for bash, zsh, fish, PowerShell
        pretty_exceptions_enable=False,
        # Help is plain text: Rich markup would swallow what stands in brackets ([approvers]).
        rich_markup_mode=None,
    )
    app.callback()(_root)
    for family in families(args or []):
        family.register(app)
    use_command_class(app)  # help leaves out retired option names (common.RETIRED)
    return app


def main(spare: Spare | None = None) -> None:
    """Run the command line; `spare`: a scanner worker started before this module loaded, for
    the command to take on (spillguard/__main__.py), stopped here if it does not."""
    try:
        build(sys.argv[1:])(obj=spare)
    except KeyboardInterrupt:
        typer.echo("spillguard: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as done:
        if spare is None:
            raise
        # A scan has written its report and stopped its workers, and holds nothing else (no
        # store, no log): what is left to tear down the system does at exit.
        spare.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(done.code if isinstance(done.code, int) else 2)
    finally:
        if spare is not None:
            spare.close()
