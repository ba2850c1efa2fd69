"""`spillguard holds`: nobody exposed is removed before being told and having their case
reviewed. `check` exits 1 listing who on a manifest is not yet cleared, 0 when it is clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from spillguard.cli.common import EXIT_BLOCKED, EXIT_OK, fail, guarded, say
from spillguard.cli.people import IncidentOption, KeyFileOption
from spillguard.cli.respond import StoreOption

holds_app = typer.Typer(help="Holds on removals of the people a leak exposed.", no_args_is_help=True)


@holds_app.command("check")
def holds_check(
    manifest: Annotated[Path, typer.Argument(help="A removal or transfer manifest (CSV, XLSX, ...).")],
    incident: IncidentOption,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    key_file: KeyFileOption = None,
    store: StoreOption = None,
) -> None:
    """Exit 1 listing every exposed person on the manifest without a notice that went out and a
    signed review; 0 when the manifest is clear; 2 for bad input."""
    from spillguard.people.holds import check_manifest

    if fmt not in ("table", "json"):
        raise fail(f"unknown format {fmt!r} (use table or json)")
    affected = guarded(lambda: check_manifest(incident, manifest, key_file, store))
    held = [h for h in affected if not (h.notified and h.reviewed)]
    if fmt == "json":
        rows = [
            {"person": h.person, "at": h.where, "notified": h.notified, "reviewed": h.reviewed} for h in held
        ]
        typer.echo(json.dumps({"affected": len(affected), "held": rows}, indent=2))
    else:
        for h in held:
            missing = " and ".join(w for w, ok in (("notice", h.notified), ("review", h.reviewed)) if not ok)
            say(f"HOLD  person {h.person}  {h.where}  no {missing}")
        say(f"holds: {len(affected):,} exposed people on the manifest, {len(held):,} not cleared")
    raise typer.Exit(EXIT_BLOCKED if held else EXIT_OK)


@holds_app.command("clear")
def holds_clear(
    person: Annotated[int, typer.Argument(metavar="PERSON", help="The id people list shows.")],
    incident: IncidentOption,
    reason: Annotated[str, typer.Option("--reason", help="Why the case may go ahead.")],
    key: Annotated[Path, typer.Option("--key", help="The reviewer's signing key (spillguard keys new).")],
    who: Annotated[
        str | None, typer.Option("--by", "--who", help="The reviewer's name [the key's name].")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Record a signed review of a person's case (written to the incident's audit log)."""
    from spillguard.approvals import fingerprint
    from spillguard.people.holds import clear_hold

    review = guarded(lambda: clear_hold(incident, person, reason, key, who, store))
    say(f"person {person}: review recorded, signed by {review['who']} ({fingerprint(review['key'])})")


@holds_app.command("removals")
def holds_removals(
    incident: IncidentOption, key_file: KeyFileOption = None, store: StoreOption = None
) -> None:
    """Who was removed before the leak was found, after it but before their notice, after it."""
    from spillguard.people.holds import removals

    counts = guarded(lambda: removals(incident, key_file, store))
    for label, count in counts.items():
        say(f"{label:<32} {count:,}")


def register(app: typer.Typer) -> None:
    app.add_typer(holds_app, name="holds")
