"""The HTML exposure report: timeline, downloads over time, entities and what each took.

One self-contained file (the plot is inline SVG) so it can be attached to a ticket or
handed to counsel. Jinja2 autoescaping is on: user agents and referrers are attacker text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from spillguard.respond.entities import Entity
from spillguard.respond.exposure import Exposure
from spillguard.timefmt import iso_z


@dataclass(frozen=True)
class TimelineEvent:
    time: datetime
    what: str


def timeline(
    exposure: Exposure,
    published: datetime | None,
    notified: datetime | None,
    removed: datetime | None,
) -> list[TimelineEvent]:
    events = [
        TimelineEvent(published, "published") if published else None,
        TimelineEvent(first, "first outside download")
        if (first := exposure.first_outside_download())
        else None,
        TimelineEvent(notified, "publisher notified") if notified else None,
        TimelineEvent(removed, "removed") if removed else None,
    ]
    return sorted((e for e in events if e is not None), key=lambda e: e.time)


def downloads_plot_svg(exposure: Exposure, events: Sequence[TimelineEvent]) -> str:
    """Requests for the file over time (complete-size responses apart), as inline SVG."""
    # Figure directly, not pyplot: no GUI backend, no global figure registry.
    from matplotlib import dates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axes = figure.add_subplot()
    size = exposure.query.size
    times = [float(dates.date2num(r.time)) for r in exposure.requests]
    full = [float(dates.date2num(r.time)) for r in exposure.requests if r.bytes >= size]
    marks = [float(dates.date2num(e.time)) for e in events]
    if times:
        # bins over the whole window, so quiet stretches show as quiet
        span = (min(times + marks), max(times + marks) + 1e-6)
        bins = 48
        axes.hist(times, bins=bins, range=span, color="#9bb7d4", label="requests")
        axes.hist(full, bins=bins, range=span, color="#1f4e79", label="full-size responses")
    for number, (event, at) in enumerate(zip(events, marks, strict=True)):
        axes.axvline(at, color="#b22222", linestyle="--", lw=1)
        # alternate heights so events minutes apart do not print over each other
        height = 0.98 if number % 2 == 0 else 0.55
        axes.annotate(
            event.what,
            (at, height),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=8,
            color="#b22222",
            # a white ground so a label over a bar stays legible
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )
    axes.xaxis.set_major_formatter(dates.DateFormatter("%m-%d %H:%M", tz=UTC))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("time (UTC)")
    axes.set_ylabel("requests")
    if times:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, frameon=False, fontsize=8)
    out = io.StringIO()
    figure.savefig(out, format="svg")
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Exposure report{% if title %}: {{ title }}{% endif %}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top;font-size:.9em}th{background:#f0f0f0}
.complete{color:#b22222;font-weight:bold}.muted{color:#777}
</style></head><body>
<h1>Exposure report{% if title %}: {{ title }}{% endif %}</h1>
<p>File size {{ "{:,}".format(query.size) }} bytes{% if sha256 %},
SHA-256 <code>{{ sha256 }}</code>{% endif %}.
Addresses: {% for u in query.urls %}<code>{{ u }}</code>{% if not loop.last %}, {% endif %}{% endfor %}.
Window: {{ start }} to {{ end }}. All times UTC.</p>
<h2>Timeline</h2>
<table><tr><th>time</th><th>event</th></tr>
{% for e in events %}<tr><td>{{ iso(e.time) }}</td><td>{{ e.what }}</td></tr>{% endfor %}
</table>
<h2>Downloads over time</h2>
{{ plot | safe }}
<h2>Entities and what each took</h2>
<table><tr><th>entity</th><th>addresses</th><th>class</th><th>first seen</th><th>last seen</th>
<th>requests</th><th>bytes</th><th>copy</th></tr>
{% for e in entities %}<tr><td>{{ e.name }}<br><span class="muted">{{ e.id }}</span></td>
<td>{{ e.ips | join(", ") }}</td><td>{{ e.agent_classes | join(", ") }}</td>
<td>{{ iso(e.first_seen) }}</td><td>{{ iso(e.last_seen) }}</td><td>{{ e.requests }}</td>
<td>{{ "{:,}".format(e.bytes) }}</td>
<td>{% if e.complete %}<span class="complete">complete</span>
{%- elif e.bytes %}partial{% else %}refused{% endif %}
{% if e.internal %}<span class="muted">(internal)</span>{% endif %}</td></tr>
{% endfor %}</table>
<h2>Clients</h2>
<table><tr><th>address</th><th>user agent</th><th>statuses</th><th>referrers</th><th>requested as</th></tr>
{% for c in clients %}<tr><td>{{ c.ip }}{% if c.hostname %}<br>{{ c.hostname }}{% endif %}</td>
<td>{{ c.user_agent or "" }}</td>
<td>{% for s, n in c.statuses %}{{ s }}×{{ n }} {% endfor %}</td>
<td>{{ c.referrers | join(", ") }}</td><td>{{ c.targets | join(", ") }}</td></tr>
{% endfor %}</table>
<h2>Logs read</h2>
<table><tr><th>log</th><th>format</th><th>lines</th><th>malformed</th><th>requests for the file</th>
<th>before window</th><th>after window</th></tr>
{% for l in logs %}<tr><td>{{ l.path }}</td><td>{{ l.format }}{% if l.gzip %} (gzip){% endif %}</td>
<td>{{ l.lines }}</td><td>{{ l.malformed }}</td><td>{{ l.matched }}</td>
<td>{{ l.before_window }}</td><td>{{ l.after_window }}</td></tr>{% endfor %}
</table>
<p class="muted">Made by spillguard. Client classes come from user agents, which clients can fake.</p>
</body></html>
"""


def render_html(
    exposure: Exposure,
    entities: Sequence[Entity],
    *,
    title: str | None = None,
    sha256: str | None = None,
    published: datetime | None = None,
    notified: datetime | None = None,
    removed: datetime | None = None,
) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    events = timeline(exposure, published or exposure.query.start, notified, removed or exposure.query.end)
    q = exposure.query
    return env.from_string(TEMPLATE).render(
        title=title,
        sha256=sha256,
        query=q,
        start=iso_z(q.start) if q.start else "the start of the logs",
        end=iso_z(q.end) if q.end else "the end of the logs",
        events=events,
        plot=downloads_plot_svg(exposure, events),
        entities=entities,
        clients=exposure.clients,
        logs=exposure.logs,
        iso=iso_z,
    )
