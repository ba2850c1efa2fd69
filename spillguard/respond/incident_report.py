"""The incident on one page: what was exposed, for how long and to whom, the claw-back letters,
the notices and holds, reposts found, and a risk-of-harm assessment on the factors OMB M-17-12
names (nature and sensitivity of the data, number of people, how long and how openly it was
exposed, evidence that it was taken). One self-contained HTML file (charts are inline SVG, no
scripts), autoescaped: log fields are attacker text. Names no one: counts and places only."""

from __future__ import annotations

import importlib.resources
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spillguard.assess import KIND_PHRASES
from spillguard.errors import UserError
from spillguard.store import open_store
from spillguard.timefmt import iso_z

# Kinds whose exposure says something about immigration status, custody or identity theft risk.
SENSITIVE = {
    "a_number",
    "immigration_case_number",
    "detention_facility",
    "nationality",
    "ssn",
    "passport_number",
    "national_id",
}
LEVELS = ("low", "moderate", "high")


@dataclass(frozen=True)
class Factor:
    name: str
    level: str
    why: str


def kinds_found(report: dict[str, Any] | None) -> dict[str, int]:
    """Findings by kind over a scan report's files (spec/report.md): what the file exposed."""
    kinds: dict[str, int] = {}
    for entry in (report or {}).get("files", []):
        for kind, n in (entry.get("counts") or {}).items():
            if n:
                kinds[kind] = kinds.get(kind, 0) + int(n)
    return kinds


def assess_risk(
    kinds: dict[str, int], people: int, hours: float | None, outside_complete: int, outside_any: int
) -> list[Factor]:
    """The four factors of OMB M-17-12 section VII, each rated with its reason."""
    sensitive = sorted(k for k in kinds if k in SENSITIVE)
    nature = Factor(
        "Nature and sensitivity of the data",
        "high" if sensitive else ("moderate" if "date_of_birth" in kinds else "low"),
        f"found: {', '.join(KIND_PHRASES.get(k, k) for k in sorted(kinds)) or 'nothing'}"
        + ("; immigration status and custody expose people to retaliation and harm" if sensitive else ""),
    )
    number = Factor(
        "Number of people affected",
        "high" if people >= 500 else ("moderate" if people >= 10 else "low"),
        f"{people:,} distinct people",
    )
    if hours is None:
        exposure = Factor(
            "Duration and openness of the exposure", "high", "still public, or the removal time is unknown"
        )
    else:
        exposure = Factor(
            "Duration and openness of the exposure",
            "high" if hours >= 1 else "moderate",
            f"public on the open web, without login, for {hours:.1f} hours",
        )
    taken = Factor(
        "Evidence the data was taken",
        "high" if outside_complete else ("moderate" if outside_any else "low"),
        f"{outside_complete:,} outside clients received a complete copy, {outside_any:,} received some of it",
    )
    return [nature, number, exposure, taken]


def overall(factors: Sequence[Factor]) -> str:
    return max((f.level for f in factors), key=LEVELS.index, default="low")


def bar_svg(title: str, counts: Sequence[tuple[str, int]], colour: str = "#1f4e79") -> str:
    """A horizontal bar chart (labels on their own lines: they never overlap), as inline SVG."""
    from matplotlib.figure import Figure

    rows = list(counts)[:12]
    if not rows:
        return ""
    figure = Figure(figsize=(7, 0.4 * len(rows) + 0.9), layout="constrained")
    axes = figure.add_subplot()
    labels = [label[:40] for label, _ in rows][::-1]
    values = [value for _, value in rows][::-1]
    bars = axes.barh(labels, values, color=colour)
    axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8)
    axes.set_title(title, fontsize=10, loc="left")
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values) * 1.15 or 1)
    out = io.StringIO()
    figure.savefig(out, format="svg")
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def both_zones(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({iso_z(value)})"


def incident_report(incident_id: int, store: str | None, tz: str | None) -> str:
    import jinja2

    from spillguard.respond.exposure import exposure_from_dict
    from spillguard.respond.html_report import downloads_plot_svg, timeline

    try:
        zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"unknown time zone {tz!r} (an IANA name, e.g. America/New_York)") from None
    with open_store(store) as db:
        incident = db.incident(incident_id)
        exposure_data = db.latest_exposure(incident_id)
        letters = db.letters(incident_id)
        counts = db.people_counts(incident_id) or {}
        notices = db.notices(incident_id)
        reviews = db.reviews(incident_id)
        reposts = db.reposts(incident_id)
    report = incident.report or {}
    kinds = kinds_found(report)
    people = int(
        counts.get("people")
        or max((int(f.get("individuals") or 0) for f in report.get("files", [])), default=0)
    )
    end = incident.removed
    hours = (end - incident.published).total_seconds() / 3600 if end else None
    plot, clients = "", []
    outside_complete = outside_any = 0
    if exposure_data is not None:
        exposure = exposure_from_dict(exposure_data)
        clients = list(exposure.clients)
        outside = [c for c in clients if not c.internal]
        outside_complete = sum(1 for c in outside if c.complete)
        outside_any = sum(1 for c in outside if c.bytes)
        plot = downloads_plot_svg(
            exposure, timeline(exposure, incident.published, incident.notified, incident.removed)
        )
    factors = assess_risk(kinds, people, hours, outside_complete, outside_any)
    now = datetime.now(UTC)
    notice_states = {
        s: sum(1 for n in notices if n["state"] == s)
        for s in ("drafted", "sent", "delivered", "acknowledged", "returned")
    }
    overdue = sum(1 for n in notices if n["state"] in ("drafted", "sent", "returned") and n["due"] < now)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = (
        importlib.resources.files("spillguard").joinpath("data/incident-report.html.j2").read_text("utf-8")
    )
    return env.from_string(template).render(
        incident=incident,
        when=lambda v: both_zones(v, zone),
        hours=hours,
        kinds=[
            (KIND_PHRASES.get(k, k.replace("_", " ")), n)
            for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
        ],
        people=people,
        counts=counts,
        nationality_chart=bar_svg(
            "People by nationality", list((counts.get("by_nationality") or {}).items())
        ),
        facility_chart=bar_svg(
            "People by facility", list((counts.get("by_facility") or {}).items()), "#5b7f3a"
        ),
        notice_chart=bar_svg("Notices by state", [(s, n) for s, n in notice_states.items() if n], "#7a4b94"),
        plot=plot,
        clients=clients,
        outside_complete=outside_complete,
        outside_any=outside_any,
        letters=letters,
        notices=len(notices),
        notice_states=notice_states,
        overdue=overdue,
        reviews=len(reviews),
        reposts=reposts,
        factors=factors,
        overall=overall(factors),
        iso=iso_z,
        generated=both_zones(now, zone),
    )
