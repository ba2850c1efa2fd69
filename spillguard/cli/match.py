"""`spillguard fingerprint` and `spillguard match`: an index of the leaked people that holds no
value in clear, and a search of any document or page for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from spillguard.cli.common import EXIT_BLOCKED, EXIT_OK, fail, guarded
from spillguard.cli.people import KeyFileOption
from spillguard.match.index import Index, build_index, fingerprint_key
from spillguard.match.matcher import FileMatch, match_paths
from spillguard.model import Uninspectable
from spillguard.people.identity import resolve
from spillguard.people.records import PersonRecord
from spillguard.people.sealed import load_secret
from spillguard.people.workflow import read_records_isolated


def fingerprint_command(
    leaked: Annotated[list[Path], typer.Argument(help="The leaked file(s).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Where to write the index.")],
    key_file: KeyFileOption = None,
) -> None:
    """Build the repost index of the people in the leaked files: keyed fingerprints (HMAC-SHA256,
    the key kept apart) of A-numbers, names with birth dates, names with nationality and facility."""

    def run() -> int:
        key = fingerprint_key(load_secret(key_file))
        records: list[PersonRecord] = []
        for path in leaked:
            try:
                records.extend(read_records_isolated(str(path)))
            except Uninspectable as exc:
                raise fail(f"{path}: cannot be read completely: {exc}") from None
        return build_index(key, resolve(records).people, out)

    count = guarded(run)
    typer.echo(f"wrote {out}: {count:,} people fingerprinted (no value in clear; useless without the key)")


def match_command(
    targets: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs.", show_default=False)],
    index: Annotated[Path, typer.Option("--index", help="The index from spillguard fingerprint.")],
    key_file: KeyFileOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Report how many leaked people each file or page holds, and where; never the values.
    Exit 1 when any leaked person is found, 0 when none, 2 for bad input."""
    if fmt not in ("table", "json"):
        raise fail(f"unknown format {fmt!r} (use table or json)")

    def run() -> list[FileMatch]:
        key = fingerprint_key(load_secret(key_file))
        return match_paths(targets, Index.load(index), key)

    found = guarded(run)
    if fmt == "json":
        typer.echo(json.dumps({"files": [f.as_dict() for f in found]}, indent=2))
    else:
        for f in found:
            state = "ERROR" if f.error else ("FOUND" if f.people else "CLEAN")
            where = f"  at {', '.join(f.locations[:3])}" if f.locations else ""
            error = f"  {f.error}" if f.error else ""
            typer.echo(f"{state:<6} {f.path}  {len(f.people):,} leaked people{where}{error}")
    raise typer.Exit(EXIT_BLOCKED if any(f.people for f in found) else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("fingerprint")(fingerprint_command)
    app.command("match")(match_command)
