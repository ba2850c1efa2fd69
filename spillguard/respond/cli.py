"""Commands of the incident workflow (`incident`, `exposure`, `clawback`).

Thin: parse options, call the library, print. Heavy libraries (duckdb, matplotlib, docx,
reportlab, jinja2) load inside the commands so `spillguard --help` and `scan` stay fast.
"""

from __future__ import annotations

import hashlib
import importlib.util
import ipaddress
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

EXIT_USAGE = 2
RESPOND_MODULES = ("duckdb", "jinja2", "maxminddb")

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Incident store: a SQLite path or sqlite:///path, or postgresql://user@host/db "
        "[.spillguard/incidents.db].",
    ),
]
TzOption = Annotated[
    str | None, typer.Option("--tz", help="Zone for times given without an offset (IANA name).")
]


class CommandError(Exception):
    """Bad input: one line on stderr, exit 2."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"spillguard: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _need_respond_extra() -> None:
    missing = [m for m in RESPOND_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise CommandError(f"{missing[0]} is missing: install spillguard[respond]")


def _guarded(action: Any) -> Any:
    """Run `action`, turning every expected error into one line and exit status 2."""
    from spillguard.respond.attribution import AttributionError
    from spillguard.respond.entities import EntitiesError
    from spillguard.respond.exposure import ExposureError
    from spillguard.respond.letters import LetterError
    from spillguard.respond.logformats import LogFormatError
    from spillguard.respond.timefmt import TimeError
    from spillguard.store import StoreError

    expected = (
        CommandError,
        AttributionError,
        EntitiesError,
        ExposureError,
        LetterError,
        LogFormatError,
        TimeError,
        StoreError,
        OSError,
    )
    try:
        return action()
    except expected as exc:
        raise _fail(str(exc)) from None


def _instant(text: str | None, tz: str | None) -> datetime | None:
    from spillguard.respond.timefmt import parse_instant

    return parse_instant(text, tz) if text else None


def _write_or_print(text: str, output: Path | None) -> None:
    from spillguard.respond.files import write_text_atomic

    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(output, text)


def _scan_report(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The scanner's report of the leaked file, or None and why not.

    Only the public API is used (`spillguard.scan(paths) -> Report` with `as_dict()`), so the
    incident workflow never depends on scanner internals; and a scanner failure must not stop
    an incident from being recorded, hence the broad except at this boundary.
    """
    try:
        from spillguard import scan
    except ImportError as exc:
        return None, f"scanner not available ({exc})"
    try:
        result = scan([str(path)]).as_dict()
    except Exception as exc:
        return None, f"scan failed ({type(exc).__name__}: {exc})"
    return (result, None) if isinstance(result, dict) else (None, "scan gave no report")


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- incident ------------------------------------------------------------------------------

incident_app = typer.Typer(
    help="Record and follow an incident: the leaked file, where and when it was public.",
    no_args_is_help=True,
)


@incident_app.command("open")
def incident_open(
    file: Annotated[Path, typer.Option("--file", help="The leaked file (read, never printed).")],
    url: Annotated[list[str], typer.Option("--url", help="A public address of the file; repeat.")],
    published: Annotated[str, typer.Option("--published", help="When it went public.")],
    removed: Annotated[str | None, typer.Option("--removed", help="When it was taken down.")] = None,
    notified: Annotated[
        str | None, typer.Option("--notified", help="When the publisher learned of it.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="A short name.")] = None,
    tz: TzOption = None,
    store: StoreOption = None,
) -> None:
    """Record an incident: the file's hash, size and scan report, its URLs and exposure window."""

    def run() -> None:
        from spillguard.store import NewIncident, open_store

        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        start = _instant(published, tz)
        end = _instant(removed, tz)
        if start is None:
            raise CommandError("--published is required")
        if end is not None and end < start:
            raise CommandError("--removed is before --published")
        sha256, size = _sha256(file)
        report, problem = _scan_report(file)
        if problem:
            typer.echo(f"spillguard: warning: {problem}; recorded without a scan report", err=True)
        new = NewIncident(
            title=title or file.name,
            file_name=file.name,
            sha256=sha256,
            size=size,
            report=report,
            urls=tuple(url),
            published=start,
            removed=end,
            notified=_instant(notified, tz),
        )
        with open_store(store) as db:
            incident = db.create_incident(new)
        typer.echo(f"incident {incident.id} opened: {incident.file_name} sha256:{sha256}")

    _guarded(run)


def _incident_dict(incident: Any, letters: list[Any]) -> dict[str, Any]:
    from spillguard.respond.timefmt import iso_z

    def t(value: datetime | None) -> str | None:
        return iso_z(value) if value else None

    return {
        "id": incident.id,
        "title": incident.title,
        "created": t(incident.created),
        "file": {"name": incident.file_name, "sha256": incident.sha256, "size": incident.size},
        "urls": list(incident.urls),
        "published": t(incident.published),
        "notified": t(incident.notified),
        "removed": t(incident.removed),
        "report": incident.report,
        "letters": [
            {
                "entity_id": x.entity_id,
                "entity_name": x.entity_name,
                "state": x.state,
                "drafted": t(x.drafted),
                "sent": t(x.sent),
                "acknowledged": t(x.acknowledged),
                "certified": t(x.certified),
                "docx": x.docx,
                "pdf": x.pdf,
            }
            for x in letters
        ],
    }


@incident_app.command("show")
def incident_show(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    store: StoreOption = None,
) -> None:
    """Show an incident, its window and the claw-back letters' tracking."""

    def run() -> None:
        from spillguard.store import open_store

        with open_store(store) as db:
            incident = db.incident(incident_id)
            data = _incident_dict(incident, db.letters(incident_id))
        if fmt == "json":
            typer.echo(json.dumps(data, indent=2))
            return
        if fmt != "table":
            raise CommandError(f"unknown format {fmt!r} (use table or json)")
        verdict = (incident.report or {}).get("verdict")
        for label, value in (
            ("incident", f"{incident.id}: {incident.title}"),
            ("file", f"{incident.file_name} ({incident.size:,} bytes)"),
            ("sha256", incident.sha256),
            ("scan verdict", verdict or "no scan report"),
            ("urls", "\n              ".join(incident.urls)),
            ("published", data["published"]),
            ("notified", data["notified"] or "-"),
            ("removed", data["removed"] or "not yet"),
        ):
            typer.echo(f"{label:<13} {value}")
        for letter in data["letters"]:
            typer.echo(f"letter        {letter['entity_id']} ({letter['entity_name']}): {letter['state']}")

    _guarded(run)


@incident_app.command("list")
def incident_list(store: StoreOption = None) -> None:
    """List the incidents in the store."""

    def run() -> None:
        from spillguard.respond.timefmt import iso_z
        from spillguard.store import open_store

        with open_store(store) as db:
            incidents = db.incidents()
        for incident in incidents:
            removed = iso_z(incident.removed) if incident.removed else "not removed"
            typer.echo(f"{incident.id}\t{incident.title}\t{iso_z(incident.published)}\t{removed}")

    _guarded(run)


@incident_app.command("update")
def incident_update(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    removed: Annotated[str | None, typer.Option("--removed")] = None,
    notified: Annotated[str | None, typer.Option("--notified")] = None,
    tz: TzOption = None,
    store: StoreOption = None,
) -> None:
    """Set when the file was removed or when the publisher was notified."""

    def run() -> None:
        from spillguard.store import open_store

        if removed is None and notified is None:
            raise CommandError("nothing to update: give --removed or --notified")
        with open_store(store) as db:
            db.update_times(incident_id, removed=_instant(removed, tz), notified=_instant(notified, tz))
        typer.echo(f"incident {incident_id} updated")

    _guarded(run)


@incident_app.command("track")
def incident_track(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    entity: Annotated[str, typer.Argument(help="Entity id of the letter (e.g. AS64500).")],
    state: Annotated[str, typer.Argument(help="sent, acknowledged or certified.")],
    at: Annotated[str | None, typer.Option("--at", help="When; default now.")] = None,
    tz: TzOption = None,
    store: StoreOption = None,
) -> None:
    """Record a claw-back letter's progress: sent, acknowledged, certified."""

    def run() -> None:
        from spillguard.store import open_store

        when = _instant(at, tz) or datetime.now(UTC)
        with open_store(store) as db:
            letter = db.set_letter_state(incident_id, entity, state, when)
        typer.echo(f"letter to {letter.entity_id}: {letter.state}")

    _guarded(run)


# --- exposure ------------------------------------------------------------------------------


def exposure_command(
    logs: Annotated[list[Path], typer.Argument(metavar="LOG...", help="Access logs, plain or gzip.")],
    incident: Annotated[
        int | None,
        typer.Option(
            "--incident", help="Take file and window from this incident, and save the result to it."
        ),
    ] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Address of the file; repeat.")] = None,
    size: Annotated[int | None, typer.Option("--size", help="File size in bytes.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Window start (published).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end (removed).")] = None,
    match_name: Annotated[
        bool, typer.Option("--match-name", help="Also match any path ending in the file's name.")
    ] = False,
    asn_db: Annotated[
        Path | None, typer.Option("--asn-db", help="Network owners: .mmdb or ip-to-ASN TSV.")
    ] = None,
    rdns: Annotated[bool, typer.Option("--rdns", help="Look up host names (uses the network).")] = False,
    internal: Annotated[
        list[str] | None, typer.Option("--internal", help="The publisher's own network (CIDR); repeat.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report here.")] = None,
    tz: TzOption = None,
    log_tz: Annotated[
        str | None, typer.Option("--log-tz", help="Zone of log times that carry no offset.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Who fetched the leaked file: every request for it in the logs, per client."""

    def run() -> None:
        _need_respond_extra()
        from rich.console import Console

        from spillguard.respond import output as out
        from spillguard.respond.attribution import open_owner_database, reverse_dns
        from spillguard.respond.entities import group_clients
        from spillguard.respond.exposure import ExposureQuery, analyze, attribute
        from spillguard.respond.html_report import render_html
        from spillguard.respond.timefmt import zone
        from spillguard.store import open_store

        if fmt not in ("table", "json", "csv"):
            raise CommandError(f"unknown format {fmt!r} (use table, json or csv)")
        if log_tz:
            zone(log_tz)
        for log in logs:
            if not log.is_file():
                raise CommandError(f"{log}: no such log")
        networks = [_network(text) for text in internal or ()]
        record = None
        if incident is not None:
            if url or size or start or end:
                raise CommandError("--incident takes the URLs, size and window from the store")
            with open_store(store) as db:
                record = db.incident(incident)
            query = ExposureQuery(record.urls, record.size, record.published, record.removed, match_name)
        else:
            if not url or size is None:
                raise CommandError("give --incident ID, or --url and --size")
            query = ExposureQuery(tuple(url), size, _instant(start, tz), _instant(end, tz), match_name)
        owners = open_owner_database(asn_db) if asn_db else None
        exposure = analyze(logs, query, log_tz=log_tz)
        hostnames = reverse_dns(c.ip for c in exposure.clients) if rdns else None
        exposure = attribute(exposure, owners, hostnames, networks)
        if record is not None:
            with open_store(store) as db:
                db.save_exposure(record.id, exposure.as_dict())
        if fmt == "json":
            _write_or_print(out.to_json(exposure), output)
        elif fmt == "csv":
            _write_or_print(out.to_csv(exposure), output)
        elif output is not None:
            raise CommandError("--output needs --format json or csv")
        else:
            out.print_table(exposure, Console(width=160))
        if html is not None:
            from spillguard.respond.files import write_text_atomic

            page = render_html(
                exposure,
                group_clients(exposure.clients),
                title=record.title if record else None,
                sha256=record.sha256 if record else None,
                notified=record.notified if record else None,
            )
            write_text_atomic(html, page)

    _guarded(run)


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise CommandError(f"--internal {text!r} is not a network (e.g. 192.0.2.0/24)") from exc


# --- clawback ------------------------------------------------------------------------------


def clawback_command(
    incident: Annotated[int | None, typer.Option("--incident", help="The incident.")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="Folder with letter.txt.j2.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where letters go.")] = Path("letters"),
    entities_file: Annotated[
        Path | None, typer.Option("--entities", help="JSON: merge, drop, rename entities first.")
    ] = None,
    include_partial: Annotated[
        bool, typer.Option("--include-partial", help="Also write to entities that got part of the file.")
    ] = False,
    init_template: Annotated[
        Path | None,
        typer.Option("--init-template", help="Write the default template to this folder and stop."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Write one claw-back letter (DOCX and PDF) per entity that got a copy."""

    def run() -> None:
        _need_respond_extra()
        from spillguard.respond import letters
        from spillguard.respond.entities import (
            apply_overrides,
            group_clients,
            letter_recipients,
            load_overrides,
        )
        from spillguard.respond.exposure import exposure_from_dict
        from spillguard.respond.timefmt import iso_z
        from spillguard.store import open_store

        if init_template is not None:
            path = letters.write_default_template(init_template)
            typer.echo(f"wrote {path}; edit it, then run clawback --template {init_template}")
            return
        if incident is None or template is None:
            raise CommandError("give --incident ID and --template DIR")
        text = letters.load_template(template)
        with open_store(store) as db:
            record = db.incident(incident)
            stored = db.latest_exposure(incident)
            if stored is None:
                raise CommandError(f"incident {incident} has no exposure yet: run exposure --incident")
            entities = group_clients(exposure_from_dict(stored).clients)
            if entities_file is not None:
                entities = apply_overrides(entities, load_overrides(entities_file))
            recipients = letter_recipients(entities, include_partial)
            info = letters.LetterIncident(
                id=record.id,
                title=record.title,
                file_name=record.file_name,
                sha256=record.sha256,
                size=record.size,
                urls=record.urls,
                published=iso_z(record.published),
                removed=iso_z(record.removed) if record.removed else None,
            )
            written = letters.write_letters(text, info, recipients, out_dir, datetime.now(UTC))
            for letter in written:
                db.record_letter(
                    record.id, letter.entity.id, letter.entity.name, str(letter.docx), str(letter.pdf)
                )
                typer.echo(f"{letter.entity.id}\t{letter.entity.name}\t{letter.docx}\t{letter.pdf}")
        typer.echo(f"{len(written)} letter(s) written to {out_dir}")

    _guarded(run)


def register(app: typer.Typer) -> None:
    """Add the incident-response commands to the main CLI."""
    app.add_typer(incident_app, name="incident")
    app.command("exposure")(exposure_command)
    app.command("clawback")(clawback_command)
