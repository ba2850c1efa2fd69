"""Values the incident store holds, and the interface every backend provides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from spillguard.errors import UserError

# A claw-back letter moves forward through these states, never back.
LETTER_STATES = ("drafted", "sent", "acknowledged", "certified")


class StoreError(UserError, ValueError):
    """A store that cannot be opened, or a reference to something it does not hold."""


@dataclass(frozen=True)
class NewIncident:
    """What `incident open` records."""

    title: str
    file_name: str
    sha256: str
    size: int
    report: dict[str, Any] | None  # the scan report (spec/report.md) as the scanner gave it
    urls: tuple[str, ...]
    published: datetime
    removed: datetime | None = None
    notified: datetime | None = None


@dataclass(frozen=True)
class Incident:
    id: int
    created: datetime
    title: str
    file_name: str
    sha256: str
    size: int
    report: dict[str, Any] | None
    urls: tuple[str, ...]
    published: datetime
    removed: datetime | None
    notified: datetime | None


@dataclass(frozen=True)
class Letter:
    """One claw-back letter to one entity, and how far it has got."""

    entity_id: str
    entity_name: str
    docx: str
    pdf: str
    state: str
    drafted: datetime
    sent: datetime | None = None
    acknowledged: datetime | None = None
    certified: datetime | None = None


class IncidentStore(Protocol):
    def create_incident(self, new: NewIncident) -> Incident: ...

    def incident(self, incident_id: int) -> Incident: ...

    def incidents(self) -> list[Incident]: ...

    def update_times(
        self, incident_id: int, *, removed: datetime | None, notified: datetime | None
    ) -> Incident: ...

    def save_exposure(self, incident_id: int, exposure: dict[str, Any]) -> None: ...

    def latest_exposure(self, incident_id: int) -> dict[str, Any] | None: ...

    def record_letter(
        self, incident_id: int, entity_id: str, entity_name: str, docx: str, pdf: str
    ) -> Letter: ...

    def set_letter_state(self, incident_id: int, entity_id: str, state: str, at: datetime) -> Letter: ...

    def letters(self, incident_id: int) -> list[Letter]: ...

    def save_people(
        self,
        incident_id: int,
        sealed: Sequence[tuple[bool, str]],
        counts: dict[str, Any],
        action: str = "people extract",
    ) -> None: ...
    def people(self, incident_id: int) -> list[tuple[int, bool, str]]: ...
    def people_counts(self, incident_id: int) -> dict[str, Any] | None: ...
    def record_notices(self, incident_id: int, notices: Sequence[dict[str, Any]]) -> None: ...
    def notices(self, incident_id: int) -> list[dict[str, Any]]: ...
    def set_notice_state(self, incident_id: int, notice_id: str, state: str, at: datetime) -> None: ...
    def record_review(
        self, incident_id: int, position: int, review: dict[str, Any], at: datetime
    ) -> None: ...
    def reviews(self, incident_id: int) -> dict[int, dict[str, Any]]: ...
    def record_repost(self, incident_id: int, place: str, people: int, at: datetime) -> None: ...
    def reposts(self, incident_id: int) -> list[tuple[datetime, str, int]]: ...
    def audit_log(self, incident_id: int) -> list[tuple[datetime, str, str]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None: ...
