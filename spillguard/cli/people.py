"""`spillguard people`: who a leaked file exposes, stored once each, sealed; listed masked."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from spillguard.cli.common import ShowValuesOption, fail, guarded, output_option, say
from spillguard.cli.respond import StoreOption
from spillguard.model import mask

people_app = typer.Typer(help="The people a leaked file exposes: extract, list.", no_args_is_help=True)

IncidentOption = Annotated[int, typer.Option("--incident", help="The incident's number.")]
KeyFileOption = Annotated[
    str | None,
    typer.Option("--key-file", help="Secret key file (spillguard keys secret FILE); else SPILLGUARD_KEY."),
]
# The person fields (people.records.FIELDS) and case fields (people.cases.CASE_FIELDS), named
# here so the command layer loads the people package only when a people command runs.
FIELDS = ("person_name", "a_number", "date_of_birth", "nationality", "detention_facility")
CASE_FIELDS = (
    *("attorney_name", "attorney_address", "attorney_email"),
    *("custody_status", "language", "removal_date"),
)
COLUMNS = ("id", *FIELDS, "records")
TABLE_CASE = ("custody_status", "language", "removal_date")


@people_app.command("extract")
def people_extract(
    incident: IncidentOption,
    file: Annotated[list[Path], typer.Option("--file", help="The leaked file; repeat for copies of it.")],
    key_file: KeyFileOption = None,
    store: StoreOption = None,
) -> None:
    """Read the leaked file, store each person once (by A-number, else name and birth date,
    else name, nationality and facility), sealed under the key; print the counts."""
    from spillguard.people.workflow import extract_people

    counts = guarded(lambda: extract_people(incident, file, key_file, store))
    say(
        f"people: {counts['records']:,} records read, {counts['people']:,} people, "
        f"{counts['merged']:,} duplicates merged, {counts['unresolved']:,} not resolved to one person (kept)"
    )
    for label, key in (("by nationality", "by_nationality"), ("by facility", "by_facility")):
        top = list(counts[key].items())[:10]
        if top:
            say(f"{label}: " + ", ".join(f"{name} {n:,}" for name, n in top))


@people_app.command("join")
def people_join(
    incident: IncidentOption,
    cases: Annotated[Path, typer.Option("--cases", help="The agency's case roster (CSV, XLSX, ODS).")],
    on: Annotated[str, typer.Option("--on", help="The key to join on (a_number).")] = "a_number",
    key_file: KeyFileOption = None,
    store: StoreOption = None,
) -> None:
    """Join the case roster: each person's attorney of record (name, address, e-mail), custody
    status, language and removal date. People without a case are kept and counted."""
    if on != "a_number":
        raise fail(f"cannot join on {on!r}: only a_number")
    from spillguard.people.workflow import join_cases

    counts = guarded(lambda: join_cases(incident, str(cases), key_file, store))
    say(
        f"people join: {counts['cases_joined']:,} people with a case, "
        f"{counts['cases_unmatched']:,} without one (listed by people list)"
    )


@people_app.command("list")
def people_list(
    incident: IncidentOption,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    show_values: ShowValuesOption = False,
    key_file: KeyFileOption = None,
    store: StoreOption = None,
) -> None:
    """List the incident's people, masked unless --show-values; unresolved records last."""
    if fmt not in ("table", "csv", "json"):
        raise fail(f"unknown format {fmt!r} (use table, csv or json)")
    from spillguard.people.workflow import stored_people

    found = guarded(lambda: stored_people(incident, key_file, store))
    rows = [_row(p, show_values) for p in found.people]
    loose = [_row(p, show_values) for p in found.unresolved]
    if fmt == "json":
        typer.echo(json.dumps({"people": rows, "unresolved": loose}, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=[*COLUMNS, *CASE_FIELDS, "resolved"], lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for row, resolved in [*((r, True) for r in rows), *((r, False) for r in loose)]:
            writer.writerow({**row, "resolved": resolved})
        typer.echo(out.getvalue(), nl=False)
    else:
        for row in rows:
            case = "  ".join(str(row.get(c) or "-") for c in TABLE_CASE) if "case" in row else "no case"
            say("  ".join(str(row.get(c) or "-") for c in COLUMNS) + f"  {case}")
        for row in loose:
            say("UNRESOLVED  " + "  ".join(str(row.get(c) or "-") for c in COLUMNS[1:]))
        say(f"{len(rows):,} people, {len(loose):,} unresolved records")


def _row(person: dict[str, Any], show_values: bool) -> dict[str, Any]:
    fields = person["fields"]
    row: dict[str, Any] = {"id": person["id"], "records": person["records"]}
    for kind in FIELDS:
        value = fields.get(kind, "")
        # Nationality and facility name no one; the rest is masked unless asked for.
        row[kind] = value if show_values or kind in ("nationality", "detention_facility") else mask(value)
    case = person.get("case")
    if case is not None:
        row["case"] = True
        for kind in CASE_FIELDS:
            value = case.get(kind, "")
            # Custody, language and the removal date name no one; the attorney is masked too.
            row[kind] = value if show_values or not kind.startswith("attorney") else mask(value)
    return row


# --- notices ---------------------------------------------------------------------------------

notices_app = typer.Typer(help="Notices to the exposed people and their attorneys.", no_args_is_help=True)


@notices_app.command("draft")
def notices_draft(
    incident: IncidentOption,
    output: Annotated[Path, output_option("Folder for the DOCX and PDF notices.", show_default=False)],
    organisation: Annotated[str, typer.Option("--from", help="The sending agency (letterhead).")],
    address: Annotated[str, typer.Option("--address", help="Its postal address; '; ' between lines.")],
    contact: Annotated[str, typer.Option("--contact", help="Where people reply: phone, e-mail.")],
    signer: Annotated[str, typer.Option("--signer", help="Who signs.")],
    title: Annotated[str, typer.Option("--title", help="The signer's title.")] = "Privacy Officer",
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Folder of notice.LANG.txt.j2 templates to add or override."),
    ] = None,
    due: Annotated[int, typer.Option("--due", min=1, max=365, help="Days to reply.")] = 30,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also convert each to PDF.")] = True,
    key_file: KeyFileOption = None,
    store: StoreOption = None,
) -> None:
    """One notice per person in their language (English and Spanish shipped) and one letter per
    attorney listing all their affected clients; DOCX, and PDF converted from the same document."""
    from spillguard.people.notices import Sender
    from spillguard.people.workflow import draft_notices

    sender = Sender(organisation, address, contact, signer, title)
    result = guarded(lambda: draft_notices(incident, output, key_file, store, sender, templates, due, pdf))
    rate = (result.people + result.attorneys) / result.seconds if result.seconds else 0.0
    say(
        f"notices: {result.people:,} to people, {result.attorneys:,} to attorneys, in {result.folder} "
        f"({result.seconds:.1f} s, {rate:.1f} notices/s)"
    )


@notices_app.command("track")
def notices_track(
    incident: IncidentOption,
    notice_id: Annotated[
        str, typer.Argument(metavar="NOTICE_ID", help="The notice's number, as notices status lists it.")
    ],
    state: Annotated[str, typer.Argument(help="sent, delivered, acknowledged or returned.")],
    store: StoreOption = None,
) -> None:
    """Record how far a notice has got (written to the incident's audit log)."""
    from spillguard.people.workflow import track_notice

    before = guarded(lambda: track_notice(incident, notice_id, state, store))
    say(f"notice {notice_id}: {before} -> {state}")


@notices_app.command("status")
def notices_status(
    incident: IncidentOption,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    store: StoreOption = None,
) -> None:
    """Every notice with its state and due date, and which are overdue (no reply by the due date)."""
    import datetime as dt

    from spillguard.store import open_store
    from spillguard.timefmt import iso_z

    def load() -> list[dict[str, Any]]:
        with open_store(store) as db:
            return db.notices(incident)

    notices = guarded(load)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for n in notices:
        overdue = n["state"] in ("drafted", "sent", "returned") and n["due"] < now
        rows.append(
            {
                **n,
                "drafted": iso_z(n["drafted"]),
                "due": iso_z(n["due"]),
                "changed": iso_z(n["changed"]),
                "overdue": overdue,
            }
        )
    if fmt == "json":
        typer.echo(json.dumps({"notices": rows}, indent=2))
        return
    if fmt != "table":
        raise fail(f"unknown format {fmt!r} (use table or json)")
    for r in rows:
        flag = "  OVERDUE" if r["overdue"] else ""
        say(f"{r['notice_id']}  {r['kind']:<8} {r['language']}  {r['state']:<12} due {r['due'][:10]}{flag}")
    counts = {
        s: sum(1 for r in rows if r["state"] == s)
        for s in ("drafted", "sent", "delivered", "acknowledged", "returned")
    }
    say(", ".join(f"{n} {s}" for s, n in counts.items()) + f"; {sum(r['overdue'] for r in rows)} overdue")


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
    app.add_typer(notices_app, name="notices")
