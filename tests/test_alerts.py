"""Alerts: what a message says (never a value), bad URLs, retries of a dead channel."""

from __future__ import annotations

import json
import threading

import pytest
from watchkit import free_port, receiver, wait_for

from spillguard.watch.alerts import Alert, Alerter, AlertError, Channel

pytest.importorskip("apprise")

ALERT = Alert(
    subject="/srv/www/files/roster.xlsx",
    action="quarantined",
    verdict="block",
    severity="critical",
    individuals=12,
    records=12,
    counts={"a_number": 12, "person_name": 12},
    where="/srv/quarantine/x-roster.xlsx",
    sha256="ab" * 32,
)


def test_body_names_file_verdict_counts_and_place() -> None:
    body = ALERT.body()
    expected = (
        "/srv/www/files/roster.xlsx",
        "verdict: block (critical)",
        "a_number=12, person_name=12",
        "12 individuals",
        "where: /srv/quarantine/x-roster.xlsx",
        "action: quarantined",
    )
    for text in expected:
        assert text in body


def test_delivered_to_a_json_webhook() -> None:
    with receiver() as inbox:
        alerter = Alerter([inbox.url])
        alerter.send(ALERT)
        alerter.close()
        assert wait_for(lambda: bool(inbox.bodies), 30)
    posted = json.loads(inbox.bodies[0])
    assert "a_number=12" in posted["message"] and "spillguard" in posted["title"]
    assert alerter.sent == 1 and alerter.failed == 0


def test_unknown_url_is_an_error_at_start() -> None:
    with pytest.raises(AlertError, match="not understood"):
        Alerter(["nosuchscheme://token@host"])


def test_dead_channel_is_retried_then_reported_and_the_next_alert_still_goes() -> None:
    reported: list[tuple[str, str]] = []
    seen = threading.Event()

    def failed(channel: Channel, alert: Alert, problem: str) -> None:
        reported.append((channel.shown, problem))
        seen.set()

    with receiver() as inbox:
        alerter = Alerter(
            [f"json://127.0.0.1:{free_port()}/", inbox.url], failed, attempts=3, first_pause=0.01
        )
        alerter.send(ALERT)
        alerter.send(ALERT)
        alerter.close()
        assert seen.wait(30)
        assert wait_for(lambda: len(inbox.bodies) == 2, 30)
    assert len(reported) == 2 and "after 3 attempts" in reported[0][1]
    assert alerter.failed == 2 and alerter.sent == 2
