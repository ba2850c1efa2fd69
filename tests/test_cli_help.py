"""Every command's help as a user reads it: every option says what it does, no help string
ends in " .", and text in square brackets survives (Rich markup would swallow `[approvers]`)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import typer.main
from typer.testing import CliRunner

from spillguard.cli.app import build


def commands() -> Iterator[tuple[list[str], click.Command]]:
    root = typer.main.get_command(build())

    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                child = command.get_command(context, name)
                assert child is not None
                yield from walk(child, [*path, name])

    yield from walk(root, [])


def test_every_option_says_what_it_does() -> None:
    missing = [
        f"{' '.join(path)} {option.opts[0]}"
        for path, command in commands()
        for option in command.params
        if isinstance(option, click.Option) and not (option.help or "").strip() and option.opts[0] != "--help"
    ]
    assert not missing, missing


def test_no_help_string_ends_in_a_space_before_the_full_stop() -> None:
    spaced = [
        f"{' '.join(path)} {getattr(p, 'opts', ['?'])[0]}"
        for path, command in commands()
        for p in command.params
        if (getattr(p, "help", None) or "").rstrip().endswith(" .")
    ]
    assert not spaced, spaced


def test_brackets_in_help_survive() -> None:
    shown = CliRunner().invoke(build(), ["keys", "new", "--help"], terminal_width=200).output
    assert "[approvers]" in shown
