"""The incident workflow's steps as library calls with plain arguments: open an incident,
work out its exposure from the access logs, write the claw-back letters. The commands in
`spillguard.cli.respond` parse and print around these; the web service calls them too."""

from __future__ import annotations

import hashlib
import importlib.util
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.files import write_text_atomic
from spillguard.store import NewIncident, open_store
from spillguard.store.records import Incident
from spillguard.timefmt import iso_z, zone

RESPOND_MODULES = ("duckdb", "jinja2", "maxminddb", "crawleruseragents")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class CommandError(UserError):
    """Arguments that do not fit together (the message says which)."""


def need_respond_extra() -> None:
    missing = [m for m in RESPOND_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise CommandError(f"{missing[0]} is missing: install spillguard[respond]")


# --- incident ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    incident: Incident
    scan_problem: str | None  # why the incident carries no scan report, if it does not


def open_incident(
    file: Path,
    urls: Sequence[str],
    published: datetime | None,
    removed: datetime | None,
    notified: datetime | None,
    title: str | None,
    store: str | None,
) -> Opened:
    """Record an incident: the leaked file's hash, size and scan report, its URLs and window."""
    if not file.is_file():
        raise CommandError(f"{file}: no such file")
    if published is None:
        raise CommandError("--published is required")
    if removed is not None and removed < published:
        raise CommandError("--removed is before --published")
    sha256, size = _sha256(file)
    report, problem = scan_report(file)
    new = NewIncident(
        title=title or file.name,
        file_name=file.name,
        sha256=sha256,
        size=size,
        report=report,
        urls=tuple(urls),
        published=published,
        removed=removed,
        notified=notified,
    )
    with open_store(store) as db:
        return Opened(db.create_incident(new), problem)


def scan_report(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The scanner's report of the leaked file, or None and why not.

    Only the public API is used (`spillguard.scan(paths) -> Report` with `as_dict()`), so the
    incident workflow never depends on scanner internals; and a scanner failure must not stop
    an incident from being recorded, hence the broad except at this boundary.
    """
    from spillguard import scan  # the public API, looked up when called

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


def incident_dict(incident: Any, letters: list[Any]) -> dict[str, Any]:
    """An incident and its letters' tracking, as `incident show --format json` prints it."""

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


# --- exposure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposureRun:
    exposure: Any  # spillguard.respond.exposure.Exposure (duckdb loads with it)
    incident: Incident | None  # the incident it was taken from and saved to, if any


def find_exposure(
    logs: Sequence[Path],
    *,
    incident: int | None = None,
    urls: Sequence[str] = (),
    size: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    match_name: bool = False,
    asn_db: Path | None = None,
    rdns: bool = False,
    internal: Sequence[str] = (),
    log_tz: str | None = None,
    store: str | None = None,
    log_format: str | None = None,
    date_format: str | None = None,
    time_format: str | None = None,
    datetime_format: str | None = None,
    trust_proxy: Sequence[str] = (),
    policy_proxies: Sequence[str] = (),
) -> ExposureRun:
    """Who fetched the leaked file: every request for it in `logs`, per client, with network
    owners (`asn_db`), host names (`rdns`) and the publisher's own networks (`internal`,
    CIDR) marked. With `incident`, the file and window come from the store and the result is
    saved to it; otherwise `urls` and `size` (and the window `start`..`end`) say what to find.
    `log_format`: a GoAccess preset or format string (with its date, time or date-and-time
    format) instead of recognising each log's format; `trust_proxy`: CIDRs of the proxies in
    front of the server, whose X-Forwarded-For (read by the format's ~h) is believed;
    `policy_proxies`: the same from the policy, used where the format reads the header."""
    need_respond_extra()
    from spillguard.respond.attribution import open_owner_database, reverse_dns
    from spillguard.respond.exposure import ExposureQuery, analyze, attribute
    from spillguard.respond.logformats import declare_format

    if log_tz:
        zone(log_tz)
    declared = None
    if log_format is not None:
        declared = declare_format(log_format, date_format, time_format, datetime_format)
    elif date_format or time_format or datetime_format:
        raise CommandError("--date-format, --time-format and --datetime-format go with --log-format")
    for log in logs:
        if not log.is_file():
            raise CommandError(f"{log}: no such log")
    networks = [_network(text) for text in internal]
    proxies = [_network(text, "--trust-proxy") for text in trust_proxy]
    if declared is not None and declared.compiled is not None and declared.compiled.has_xff:
        proxies += [_network(text, "exposure.trusted_proxies") for text in policy_proxies]
    record = None
    if incident is not None:
        if urls or size or start or end:
            raise CommandError("--incident takes the URLs, size and window from the store")
        with open_store(store) as db:
            record = db.incident(incident)
        query = ExposureQuery(record.urls, record.size, record.published, record.removed, match_name)
    else:
        if not urls or size is None:
            raise CommandError("give --incident ID, or --url and --size")
        query = ExposureQuery(tuple(urls), size, start, end, match_name)
    owners = open_owner_database(asn_db) if asn_db else None
    exposure = analyze(logs, query, log_tz=log_tz, log_format=declared, trusted_proxies=proxies)
    hostnames = reverse_dns(c.ip for c in exposure.clients) if rdns else None
    exposure = attribute(exposure, owners, hostnames, networks)
    if record is not None:
        with open_store(store) as db:
            db.save_exposure(record.id, exposure.as_dict())
    return ExposureRun(exposure, record)


def write_exposure_html(run: ExposureRun, path: Path) -> None:
    """The exposure's HTML report (timeline, downloads plot, entities), written atomically."""
    from spillguard.respond.entities import group_clients
    from spillguard.respond.html_report import render_html

    record = run.incident
    page = render_html(
        run.exposure,
        group_clients(run.exposure.clients),
        title=record.title if record else None,
        sha256=record.sha256 if record else None,
        notified=record.notified if record else None,
    )
    write_text_atomic(path, page)


def _network(text: str, option: str = "--internal") -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise CommandError(f"{option} {text!r} is not a network (e.g. 192.0.2.0/24)") from exc


# --- claw-back letters ---------------------------------------------------------------------


def _holds(report: dict[str, Any] | None) -> str:
    """What kinds of data the scan found in the file, in words (never the values)."""
    from spillguard.assess import KIND_PHRASES, join_words
    from spillguard.respond.incident_report import kinds_found

    kinds = kinds_found(report)
    return join_words([KIND_PHRASES[k] for k in KIND_PHRASES if k in kinds]) or "personal data"


def write_clawback_letters(
    incident: int,
    template: Path,
    out_dir: Path,
    entities_file: Path | None,
    include_partial: bool,
    store: str | None,
    sender: Any = None,
) -> list[Any]:
    """One claw-back letter (DOCX and PDF) per entity that got a copy of the incident's file,
    from its latest exposure; each is recorded in the store. The letters written."""
    need_respond_extra()
    from spillguard.people.notices import Sender
    from spillguard.respond import letters
    from spillguard.respond.entities import apply_overrides, group_clients, letter_recipients, load_overrides
    from spillguard.respond.exposure import exposure_from_dict

    templates = letters.load_template(template)
    sender = sender or Sender("", "", "", "", "")
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
            published=letters.for_people(record.published),
            removed=letters.for_people(record.removed) if record.removed else None,
            holds=_holds(record.report),
        )
        written = letters.write_letters(templates, info, recipients, out_dir, datetime.now(UTC), sender)
        for letter in written:
            db.record_letter(
                record.id, letter.entity.id, letter.entity.name, str(letter.docx), str(letter.pdf)
            )
    return written
