"""Commands of the incident workflow: `incident`, `exposure`, `clawback` (the `respond` extra)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from spillguard.cli.common import guarded, output_option, policy_from, say, terminal_width, write_output
from spillguard.respond.workflow import (
    CommandError,
    find_exposure,
    incident_dict,
    open_incident,
    write_clawback_letters,
    write_exposure_html,
)
from spillguard.store import open_store
from spillguard.terminal import printable
from spillguard.timefmt import iso_z, parse_instant

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Incident store: a SQLite path or sqlite:///path, or postgresql://user@host/db "
        "[.spillguard/incidents.db].",
    ),
]
IncidentIdArgument = Annotated[int, typer.Argument(metavar="ID", help="The incident's number.")]
TzOption = Annotated[
    str | None, typer.Option("--tz", help="Zone for times given without an offset (IANA name).")
]


def _instant(text: str | None, tz: str | None) -> datetime | None:
    return parse_instant(text, tz) if text else None


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
    opened = guarded(
        lambda: open_incident(
            file,
            url,
            _instant(published, tz),
            _instant(removed, tz),
            _instant(notified, tz),
            title,
            store,
        )
    )
    if opened.scan_problem:
        say(f"spillguard: warning: {opened.scan_problem}; recorded without a scan report", err=True)
    incident = opened.incident
    say(f"incident {incident.id} opened: {incident.file_name} sha256:{incident.sha256}")


@incident_app.command("show")
def incident_show(
    incident_id: IncidentIdArgument,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    store: StoreOption = None,
) -> None:
    """Show an incident, its window and the claw-back letters' tracking."""

    def run() -> None:
        with open_store(store) as db:
            incident = db.incident(incident_id)
            data = incident_dict(incident, db.letters(incident_id))
        if fmt == "json":
            typer.echo(json.dumps(data, indent=2))  # JSON escapes control characters itself
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
            say(f"{label:<13} {value}")
        for letter in data["letters"]:
            say(f"letter        {letter['entity_id']} ({letter['entity_name']}): {letter['state']}")

    guarded(run)


@incident_app.command("report")
def incident_report_command(
    incident_id: Annotated[int, typer.Option("--incident", help="The incident's number.")],
    output: Annotated[str | None, output_option("Write the page here (else stdout).")] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Show times in this zone too (IANA name) [UTC].")
    ] = None,
    store: StoreOption = None,
) -> None:
    """One self-contained HTML page: what was exposed, who fetched it, claw-back, notices, holds,
    reposts, and a risk-of-harm assessment on OMB M-17-12's factors. Names no one."""
    from spillguard.respond.incident_report import incident_report

    page = guarded(lambda: incident_report(incident_id, store, tz), extra="needs the respond extra")
    write_output(page, output)
    if output:
        say(f"wrote {output}")


@incident_app.command("list")
def incident_list(store: StoreOption = None) -> None:
    """List the incidents in the store."""

    def run() -> None:
        with open_store(store) as db:
            incidents = db.incidents()
        for incident in incidents:
            removed = iso_z(incident.removed) if incident.removed else "not removed"
            _tab_separated(str(incident.id), incident.title, iso_z(incident.published), removed)

    guarded(run)


@incident_app.command("update")
def incident_update(
    incident_id: IncidentIdArgument,
    removed: Annotated[str | None, typer.Option("--removed", help="When it was taken down.")] = None,
    notified: Annotated[
        str | None, typer.Option("--notified", help="When the publisher learned of it.")
    ] = None,
    tz: TzOption = None,
    store: StoreOption = None,
) -> None:
    """Set when the file was removed or when the publisher was notified."""

    def run() -> None:
        if removed is None and notified is None:
            raise CommandError("nothing to update: give --removed or --notified")
        with open_store(store) as db:
            db.update_times(incident_id, removed=_instant(removed, tz), notified=_instant(notified, tz))
        say(f"incident {incident_id} updated")

    guarded(run)


@incident_app.command("track")
def incident_track(
    incident_id: IncidentIdArgument,
    entity: Annotated[str, typer.Argument(help="Entity id of the letter (e.g. AS64500).")],
    state: Annotated[str, typer.Argument(help="sent, acknowledged or certified.")],
    at: Annotated[str | None, typer.Option("--at", help="When; default now.")] = None,
    tz: TzOption = None,
    store: StoreOption = None,
) -> None:
    """Record a claw-back letter's progress: sent, acknowledged, certified."""

    def run() -> None:
        when = _instant(at, tz) or datetime.now(UTC)
        with open_store(store) as db:
            letter = db.set_letter_state(incident_id, entity, state, when)
        say(f"letter to {letter.entity_id}: {letter.state}")

    guarded(run)


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
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report here.")] = None,
    tz: TzOption = None,
    log_tz: Annotated[
        str | None, typer.Option("--log-tz", help="Zone of log times that carry no offset.")
    ] = None,
    store: StoreOption = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="How the logs are written, in GoAccess's syntax: a preset (COMBINED, VCOMBINED, "
            "COMMON, VCOMMON, W3C, CLOUDFRONT, CLOUDSTORAGE, AWSELB, AWSALB, AWSS3, CADDY, SQUID, "
            'TRAEFIKCLF) or a format string such as \'%h %^[%d:%t %^] "%r" %s %b "%R" "%u"\' '
            "[recognised from each log's lines].",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format", help="The %d field's format (strftime; %s, %f, %* for epoch) [%d/%b/%Y]."
        ),
    ] = None,
    time_format: Annotated[
        str | None, typer.Option("--time-format", help="The %t field's format (strftime) [%H:%M:%S].")
    ] = None,
    datetime_format: Annotated[
        str | None,
        typer.Option("--datetime-format", help="The %x field's format (strftime) [%d/%b/%Y:%H:%M:%S %z]."),
    ] = None,
    trust_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trust-proxy",
            help="A proxy or load balancer in front of the server (CIDR; repeat): when it is the "
            "connecting address, the client is the right-most untrusted address of "
            "X-Forwarded-For (the format's ~h{, } field). Added to the policy's "
            "[exposure] trusted_proxies.",
        ),
    ] = None,
) -> None:
    """Who fetched the leaked file: every request for it in the logs, per client."""

    def run() -> None:
        if fmt not in ("table", "json", "csv"):
            raise CommandError(f"unknown format {fmt!r} (use table, json or csv)")
        if fmt == "table" and output is not None:
            raise CommandError("--output needs --format json or csv")
        policy = policy_from(None)  # spillguard.toml may name the site's proxies
        found = find_exposure(
            logs,
            incident=incident,
            urls=url or (),
            size=size,
            start=_instant(start, tz),
            end=_instant(end, tz),
            match_name=match_name,
            asn_db=asn_db,
            rdns=rdns,
            internal=internal or (),
            log_tz=log_tz,
            store=store,
            log_format=log_format,
            date_format=date_format,
            time_format=time_format,
            datetime_format=datetime_format,
            trust_proxy=trust_proxy or (),
            policy_proxies=policy.trusted_proxies if policy else (),
        )
        from spillguard.respond import output as out

        if fmt == "json":
            write_output(out.to_json(found.exposure), output, parents=True)
        elif fmt == "csv":
            write_output(out.to_csv(found.exposure), output, parents=True)
        else:
            from rich.console import Console

            out.print_table(found.exposure, Console(width=terminal_width()))
        if html is not None:
            write_exposure_html(found, html)

    guarded(run)


# --- clawback ------------------------------------------------------------------------------


def clawback_command(
    incident: Annotated[int | None, typer.Option("--incident", help="The incident.")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="Folder with letter.txt.j2.")] = None,
    out_dir: Annotated[Path, output_option("Folder the letters go to.")] = Path("letters"),
    entities_file: Annotated[
        Path | None, typer.Option("--entities", help="JSON: merge, drop, rename entities first.")
    ] = None,
    include_partial: Annotated[
        bool, typer.Option("--include-partial", help="Also write to entities that got part of the file.")
    ] = False,
    init_template: Annotated[
        Path | None,
        typer.Option("--init-template", help="Write the default templates to this folder and stop."),
    ] = None,
    organisation: Annotated[str, typer.Option("--from", help="The sending agency (letterhead).")] = "",
    address: Annotated[str, typer.Option("--address", help="Its postal address; '; ' between lines.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Where recipients reply.")] = "",
    signer: Annotated[str, typer.Option("--signer", help="Who signs.")] = "",
    title: Annotated[str, typer.Option("--title", help="The signer's title.")] = "",
    store: StoreOption = None,
) -> None:
    """Write one claw-back letter (DOCX, and PDF converted from it) per organisation that got a
    copy, one per subscriber of an access provider (sent to the provider to pass on), and a
    cache-removal request to each search engine and web archive."""

    def run() -> None:
        if init_template is not None:
            from spillguard.respond.letters import write_default_template
            from spillguard.respond.workflow import need_respond_extra

            need_respond_extra()
            path = write_default_template(init_template)
            say(
                f"wrote {path} and the other Word templates; edit them in Word, "
                f"then run clawback --template {init_template}"
            )
            return
        if incident is None or template is None:
            raise CommandError("give --incident ID and --template DIR")
        from spillguard.people.notices import Sender

        sender = Sender(organisation, address, contact, signer, title)
        written = write_clawback_letters(
            incident, template, out_dir, entities_file, include_partial, store, sender
        )
        for letter in written:
            _tab_separated(letter.entity.id, letter.entity.name, str(letter.docx), str(letter.pdf))
        say(f"{len(written)} letter(s) written to {out_dir}")

    guarded(run)


def register(app: typer.Typer) -> None:
    """Add the incident-response commands to the main CLI."""
    app.add_typer(incident_app, name="incident")
    app.command("exposure")(exposure_command)
    app.command("clawback")(clawback_command)


def _tab_separated(*fields: str) -> None:
    """One line of tab-separated fields, each escaped (a tab or newline inside a field would
    make another column or line)."""
    typer.echo("\t".join(printable(field) for field in fields))
