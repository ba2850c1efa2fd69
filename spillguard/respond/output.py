"""Exposure results as a table (for a terminal), JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from spillguard.respond.exposure import Client, Exposure
from spillguard.terminal import printable
from spillguard.timefmt import iso_z

CSV_COLUMNS = (
    "ip", "first_seen", "last_seen", "requests", "bytes", "complete", "statuses", "agent_class",
    "user_agent", "asn", "organization", "hostname", "internal", "referrers", "targets",
    "agent_operator",
)  # fmt: skip


def _statuses(client: Client) -> str:
    return " ".join(f"{status}×{count}" for status, count in client.statuses)


def to_json(exposure: Exposure) -> str:
    return json.dumps(exposure.as_dict(), indent=2, ensure_ascii=False) + "\n"


def to_csv(exposure: Exposure) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in exposure.clients:
        writer.writerow(
            [
                c.ip, iso_z(c.first_seen), iso_z(c.last_seen), c.requests, c.bytes,
                "yes" if c.complete else "no", _statuses(c), c.agent_class, c.user_agent or "",
                f"AS{c.asn}" if c.asn else "", c.organization or "", c.hostname or "",
                "yes" if c.internal else "no", " ".join(c.referrers), " ".join(c.targets),
                c.agent_operator or "",
            ]
        )  # fmt: skip
    return out.getvalue()


def _agent(client: Client) -> str:
    """The class, and an AI crawler's operator under it (whom a deletion request goes to)."""
    if client.agent_operator:
        return f"{client.agent_class}\n{_shown(client.agent_operator)}"
    return client.agent_class


def _shown(text: str) -> str:
    """Text from the logs, DNS or a database (a reverse-DNS name is the attacker's to pick) as
    a table cell: escapes for control and bidi characters, and no Rich markup."""
    from rich.markup import escape

    return escape(printable(text))


def print_table(exposure: Exposure, console: Console) -> None:
    q = exposure.query
    window = f"{iso_z(q.start) if q.start else 'start of logs'} → "
    window += iso_z(q.end) if q.end else "end of logs"
    table = Table(title=f"Requests for the leaked file, {window}", title_justify="left")
    for column in ("client", "first seen", "last seen", "req", "bytes", "copy", "status",
                   "class", "network"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for c in exposure.clients:
        network = " ".join(filter(None, (f"AS{c.asn}" if c.asn else None, c.organization)))
        table.add_row(
            _shown(c.ip)
            + (f"\n{_shown(c.hostname)}" if c.hostname else "")
            + (" (internal)" if c.internal else ""),
            iso_z(c.first_seen), iso_z(c.last_seen), str(c.requests), f"{c.bytes:,}",
            c.outcome,
            _statuses(c), _agent(c), _shown(network) or "-",
        )  # fmt: skip
    console.print(table)
    complete = sum(c.complete for c in exposure.clients)
    console.print(f"{len(exposure.clients)} clients requested the file, {complete} got a complete copy.")
    first = exposure.first_outside_download()
    if first:
        console.print(f"First outside download: {iso_z(first)}")
    for log in exposure.logs:
        outside = ""
        if log.before_window or log.after_window:
            outside = f", {log.before_window} before and {log.after_window} after the window"
        console.print(
            f"{_shown(log.path)}: {log.format}{' (gzip)' if log.gzip else ''}, {log.lines:,} lines, "
            f"{log.malformed:,} malformed, {log.matched:,} requests for the file{outside}"
        )
