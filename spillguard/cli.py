"""The `spillguard` command. Thin: every command parses its options and calls the library."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="spillguard",
    help="Keep personal data off public websites, and run the response when some gets through.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USAGE = 2


def fail(message: str) -> typer.Exit:
    """One clear line on stderr and exit 2: bad input never earns a traceback."""
    typer.echo(f"spillguard: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _register_subcommands() -> None:
    # Explicit list: each line plugs one family of commands into the CLI.
    from spillguard.respond.cli import register as register_respond

    register_respond(app)


def main() -> None:
    _register_subcommands()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("spillguard: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
