"""The root command: every family's commands, in the order help has always listed them, and a
suggestion for a mistyped command."""

from __future__ import annotations

import click
import typer.main
from typer.testing import CliRunner

from spillguard.cli.app import build

COMMANDS = [
    "scan", "rules", "exposure", "clawback", "fingerprint", "match", "gate", "publish", "approve",
    "allow", "watch", "monitor", "incident", "people", "notices", "holds", "keys", "audit", "baseline",
    "quarantine",
]  # fmt: skip


def test_help_lists_every_command_in_its_order() -> None:
    group = typer.main.get_command(build())
    assert isinstance(group, click.Group)
    assert group.list_commands(click.Context(group)) == COMMANDS


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = CliRunner().invoke(build(), ["clawbak"])
    assert result.exit_code == 2
    assert "Did you mean 'clawback'?" in result.output
