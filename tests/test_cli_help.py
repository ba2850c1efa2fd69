"""Every command's help as a user reads it: every option and argument says what it does, no help
string ends in " .", text in square brackets survives (Rich markup would swallow
`[approvers]`), and one thing has one name in every command (`--output/-o`, `--jobs/-j`,
`--format/-f`), with the names commands used before still working but left out of help."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import click
import typer.main
from typer.testing import CliRunner

from spillguard.cli.app import build
from spillguard.cli.common import RETIRED, visible_names

# What each short name means, in every command that has it.
SHORT_NAMES = {
    "-o": "--output",
    "-j": "--jobs",
    "-f": "--format",
    "-p": "--policy",
    "-q": "--quiet",
    "-v": "--verbose",
}
# `-n` is a number in both places it appears: which finding (`allow -n 3`), how many entries
# (`audit show -n 5`, as tail and git log).
NUMBER = {"--finding", "--last"}
# Names of the same things that other tools use, which no command may take up as its own.
SYNONYMS = {"--out", "--outdir", "--out-dir", "--output-dir", "--workers", "--threads", "--processes"}


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


def options() -> Iterator[tuple[str, click.Option]]:
    for path, command in commands():
        for param in command.params:
            if isinstance(param, click.Option) and param.opts[0] != "--help":
                yield " ".join(path), param


def help_text(path: list[str], command: click.Command) -> str:
    return command.get_help(click.Context(command, info_name=" ".join(["spillguard", *path])))


def test_every_option_says_what_it_does() -> None:
    missing = [f"{where} {option.opts[0]}" for where, option in options() if not (option.help or "").strip()]
    assert not missing, missing


def test_every_argument_and_command_says_what_it_is() -> None:
    missing = [
        f"{' '.join(path)} {param.human_readable_name}"
        for path, command in commands()
        for param in command.params
        if isinstance(param, click.Argument) and not (param.help or "").strip()
    ]
    missing += [" ".join(path) for path, command in commands() if path and not (command.help or "").strip()]
    assert not missing, missing


def test_argument_help_is_shown() -> None:
    shown = CliRunner().invoke(build(), ["scan", "--help"], terminal_width=200).output
    assert "Files, directories or archives." in shown
    assert "\\[" not in shown  # Typer's escaping for Rich, in plain text


def test_no_help_string_ends_in_a_space_before_the_full_stop() -> None:
    spaced = [
        f"{' '.join(path)} {getattr(p, 'opts', [p.name])[0]}"
        for path, command in commands()
        for p in command.params
        if (getattr(p, "help", None) or "").rstrip().endswith(" .")
    ]
    spaced += [" ".join(path) for path, command in commands() if (command.help or "").rstrip().endswith(" .")]
    assert not spaced, spaced


def test_brackets_in_help_survive() -> None:
    shown = CliRunner().invoke(build(), ["keys", "new", "--help"], terminal_width=200).output
    assert "[approvers]" in shown


def test_one_thing_has_one_name_in_every_command() -> None:
    meanings: dict[str, set[str]] = defaultdict(set)
    wrong = []
    for where, option in options():
        names = visible_names(option)
        long_names = [n for n in names if n.startswith("--")]
        if long_names and long_names[0] in SYNONYMS:
            wrong.append(f"{where}: {long_names[0]} is not our name for it")
        for name in names:
            if not name.startswith("--"):
                meanings[name].add(long_names[0] if long_names else name)
        for long_name, short in (("--output", "-o"), ("--jobs", "-j")):
            if long_name in names and short not in names:
                wrong.append(f"{where}: {long_name} without {short}")
    for short, longs in meanings.items():
        allowed = NUMBER if short == "-n" else {SHORT_NAMES.get(short, next(iter(longs)))}
        if not longs <= allowed:
            wrong.append(f"{short} means {sorted(longs)}")
    assert not wrong, wrong
    assert meanings["-o"] == {"--output"} and meanings["-j"] == {"--jobs"} and meanings["-f"] == {"--format"}


def test_retired_names_are_left_out_of_help() -> None:
    retired = {name for names in RETIRED.values() for name in names if name.startswith("--")}
    shown = [
        f"{' '.join(path)}: {name}"
        for path, command in commands()
        for name in retired
        if f"{name} " in help_text(path, command) or f"{name}," in help_text(path, command)
    ]
    assert not shown, shown


def test_retired_names_still_work() -> None:
    """`fingerprint LEAKED --key-file K --out INDEX` is documented; scripts say `--workers` and
    `--who`."""

    def parsed(path: str, *args: str) -> dict[str, object]:
        command = typer.main.get_command(build())
        for name in path.split():
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), name)
            assert found is not None
            command = found
        return {k: str(v) for k, v in command.make_context(path, list(args)).params.items()}

    assert parsed("fingerprint", "leak.xlsx", "--key-file", "k", "--out", "i")["output"] == "i"
    assert parsed("fingerprint", "leak.xlsx", "-o", "i")["output"] == "i"
    assert parsed("scan", "site", "--out", "r.json")["output"] == "r.json"
    assert parsed("notices draft", *SENDER, "--incident", "1", "--out", "n")["output"] == "n"
    assert parsed("incident report", "--incident", "1", "--out", "p.html")["output"] == "p.html"
    assert parsed("clawback", "--out", "letters2")["out_dir"] == "letters2"
    assert parsed("watch", "www", "-q", "q", "--workers", "3")["jobs"] == "3"
    assert parsed("monitor", "https://site.example/", "--workers", "3")["jobs"] == "3"
    assert parsed("gate", "site", "--workers", "1", "-j", "2")["jobs"] == "2"  # the last one given
    assert parsed("allow", "f.txt", "-n", "1", "--reason", "r", "--who", "desk")["who"] == "desk"
    assert (
        parsed("holds clear", "17", "--incident", "1", "--reason", "r", "--key", "k", "--who", "x")["who"]
        == "x"
    )


SENDER = ("--from", "Agency", "--address", "1 Main St", "--contact", "desk@agency.example", "--signer", "A B")
