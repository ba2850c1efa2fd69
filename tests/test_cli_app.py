"""The root command: every family's commands, in the order help has always listed them, and a
suggestion for a mistyped command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from spillguard.cli.app import FAMILIES, build

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


def test_families_name_exactly_the_commands_their_modules_register() -> None:
    for name, commands in FAMILIES.items():
        group = typer.main.get_command(build([commands[0]]))
        assert isinstance(group, click.Group)
        assert sorted(group.list_commands(click.Context(group))) == sorted(commands), name


def test_a_command_loads_only_its_own_family() -> None:
    probe = (
        "import sys\n"
        "from spillguard.cli.app import FAMILIES, build\n"
        "build(['scan'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('spillguard.cli.', 'spillguard.respond'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "spillguard.cli.scan" in loaded
    for other in (
        "spillguard.cli.respond",
        "spillguard.cli.people",
        "spillguard.cli.watch",
        "spillguard.respond",
    ):
        assert f"'{other}" not in loaded


def test_the_shell_completes_commands_and_options() -> None:
    """Typer's completion, as bash asks for it after `--install-completion`."""

    def complete(words: str) -> list[str]:
        env = dict(os.environ, _SPILLGUARD_COMPLETE="complete_bash", COMP_WORDS=words)
        env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        done = subprocess.run(
            [str(Path(sys.executable).with_name("spillguard"))], env=env, capture_output=True, text=True
        )
        return done.stdout.split()

    assert "scan" in complete("spillguard sc") and "baseline" in complete("spillguard ba")
    assert "--quiet" in complete("spillguard scan --q")


def test_no_process_to_spare_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spare worker is a head start, never a condition: when the system will not fork one,
    the scan goes on without it (its own worker fails closed if none can be had either)."""
    import spillguard.__main__ as entry
    from spillguard.isolate import Spare

    def no_fork(self: Spare) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(Spare, "__init__", no_fork)
    assert entry._spare() is None
