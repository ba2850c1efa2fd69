"""Incident output quotes what others wrote (titles, file names, reverse-DNS names): control,
bidi and Rich markup characters are shown escaped, so no line can be faked (issue 13 item 15)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.respond import loggen


def test_incident_lines_escape_what_they_quote(app: typer.Typer, tmp_path: Path) -> None:
    leaked = tmp_path / "fy23\u202excsl.xlsx"
    leaked.write_bytes(b"x" * loggen.SIZE)
    store = str(tmp_path / "store.db")
    runner = CliRunner()
    title = "FY23\nincident 9 opened: innocent.csv"
    opened = runner.invoke(
        app, ["incident", "open", "--file", str(leaked), "--url", loggen.URLS[0], "--published",
              "2022-11-28T09:00:00Z", "--title", title, "--store", store],
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    assert "\u202e" not in opened.stdout and "fy23\\u202excsl.xlsx" in opened.stdout
    listed = runner.invoke(app, ["incident", "list", "--store", store])
    assert listed.stdout.count("\n") == 1, listed.stdout
    assert "FY23\\nincident 9 opened: innocent.csv" in listed.stdout
    assert len(listed.stdout.split("\t")) == 4  # the columns are still tab-separated


def test_a_reverse_dns_name_cannot_inject_rich_markup_or_escapes() -> None:
    import io

    from rich.console import Console

    from spillguard.respond.output import _shown

    shown = io.StringIO()
    Console(file=shown, width=200, color_system=None).print(_shown("[bold red]evil[/]\x1b[2J.example"))
    assert shown.getvalue() == "[bold red]evil[/]\\x1b[2J.example\n"
