"""From findings to a judgement: which findings make up one person's record, how severe that
record is, how many distinct people a file exposes, and the file's verdict in plain words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spillguard.model import SEVERITY_ORDER, DetectSettings, Finding

if TYPE_CHECKING:
    from spillguard.policy import Allowance

IDENTIFIERS = frozenset({"a_number", "ssn", "passport_number", "national_id", "immigration_case_number"})
# Linking a person to any of these says something about immigration status or custody.
IMMIGRATION_KINDS = frozenset({"a_number", "immigration_case_number", "nationality", "detention_facility"})
CONTACT_KINDS = frozenset({"phone_number", "email_address", "street_address"})
# Kinds that describe a person but are no finding on their own: a table of counts by
# nationality or by facility is a routine aggregate, not a leak.
ATTRIBUTE_KINDS = frozenset({"nationality", "detention_facility", "date_of_birth"})
LONE_SEVERITY: dict[str, str] = {
    "a_number": "medium",
    "ssn": "medium",
    "passport_number": "medium",
    "national_id": "medium",
    "immigration_case_number": "medium",
    "phone_number": "low",
    "email_address": "low",
    "street_address": "low",
    "person_name": "low",
    "gps_location": "medium",  # where a photo was taken: often a home or a shelter
}
KIND_PHRASES: dict[str, str] = {
    "a_number": "A-numbers",
    "person_name": "names",
    "date_of_birth": "birth dates",
    "nationality": "nationalities",
    "detention_facility": "detention facilities",
    "ssn": "Social Security numbers",
    "passport_number": "passport numbers",
    "national_id": "national identity numbers",
    "phone_number": "phone numbers",
    "email_address": "e-mail addresses",
    "street_address": "street addresses",
    "immigration_case_number": "case numbers",
    "gps_location": "photo locations",
    "covered_text": "covered text under drawn boxes",
}
REASON_ORDER = tuple(KIND_PHRASES)


def record_severity(kinds: Iterable[str], immigration_context: bool, home_address: bool = False) -> str:
    """Severity of one person's record from what is linked in it. `immigration_context` says the
    record itself ties the person to custody or proceedings (a "Detainee" column, "was detained"
    in the same sentence), never merely that the page is about immigration; `home_address`
    that its street address is a private person's, not an office's or a facility's."""
    found = set(kinds)
    if "person_name" in found:
        if found & IMMIGRATION_KINDS or immigration_context:
            return "critical"
        if found & (IDENTIFIERS | {"date_of_birth"}):
            return "high"
        if home_address and "street_address" in found:
            return "high"  # where a private person lives
        return "low"  # a name, or a name with work contact details: a directory, a byline
    identifiers = found & IDENTIFIERS
    if identifiers and len(found) >= 2:
        return "high"  # an A-number with a birth date or facility identifies the person
    if identifiers:
        return "medium"
    return "low"


@dataclass
class Assessment:
    """What one file exposes, accumulated as the detectors go (one per file, never shared)."""

    max_findings: int = 10_000
    findings: list[Finding] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    records: int = 0
    hidden_records: int = 0
    people: set[str] = field(default_factory=set)
    # People found only as a bare name (a document author, a name in a byline): counted as
    # individuals only when the file exposes nobody more seriously.
    minor_people: set[str] = field(default_factory=set)
    record_kinds: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    hidden_parts: Counter[str] = field(default_factory=Counter)
    truncated: bool = False
    # What the policy leaves out of this file (allowed kinds, allowlisted values). Detectors
    # ask `allows` before a finding joins a record, so the record's severity is judged
    # without it; what was left out is counted, so stale allowlist entries can be told.
    allow: Allowance | None = None
    allowed_kinds: Counter[str] = field(default_factory=Counter)
    allowed_entries: Counter[int] = field(default_factory=Counter)
    settings: DetectSettings = field(default_factory=DetectSettings)  # what the policy tells detectors

    def allows(self, kind: str, value: str) -> bool:
        if self.allow is None:
            return False
        if self.allow.allows_kind(kind):
            self.allowed_kinds[kind] += 1
            return True
        entry = self.allow.match(kind, value)
        if entry is None:
            return False
        self.allowed_entries[entry.index] += 1
        return True

    def allows_kind(self, kind: str) -> bool:
        return self.allow is not None and self.allow.allows_kind(kind)

    def add_finding(self, finding: Finding) -> None:
        self.counts[finding.kind] += 1
        if len(self.findings) < self.max_findings:
            self.findings.append(finding)
        else:
            self.truncated = True

    def add_record(
        self, kinds: Iterable[str], person_key: str | None, severity: str, hidden: bool, part: str
    ) -> None:
        kinds = set(kinds)
        self.records += 1
        self.record_kinds.update(kinds)
        self.severities[severity] += 1
        if person_key:
            (self.minor_people if severity == "low" else self.people).add(person_key)
        if hidden:
            self.hidden_records += 1
            self.hidden_parts[part] += 1

    def add_lone(self, kind: str) -> None:
        self.severities[LONE_SEVERITY.get(kind, "low")] += 1

    @property
    def full(self) -> bool:
        """The findings list holds all it may: from here on, findings are only counted."""
        return len(self.findings) >= self.max_findings

    def count_lone(self, kind: str, count: int) -> None:
        self.counts[kind] += count
        self.severities[LONE_SEVERITY.get(kind, "low")] += count
        self.truncated = True

    def add_records(self, kinds: set[str], count: int, severity: str, hidden: int, part: str) -> None:
        """`count` records with the same kinds, past the findings list (counted, not listed)."""
        self.records += count
        self.severities[severity] += count
        for kind in kinds:
            self.record_kinds[kind] += count
            self.counts[kind] += count
        if hidden:
            self.hidden_records += hidden
            self.hidden_parts[part] += hidden
        self.truncated = True

    @property
    def individuals(self) -> int:
        return len(self.people) if self.people else len(self.minor_people)

    @property
    def severity(self) -> str:
        present = [s for s, n in self.severities.items() if n]
        return max(present, key=SEVERITY_ORDER.__getitem__, default="none")

    def reason(self) -> str:
        if not self.records:
            if not self.counts:
                return "no personal data found"
            kinds = [KIND_PHRASES[k] for k in REASON_ORDER if self.counts.get(k)]
            return f"{join_words(kinds)} without a person they belong to"
        people = self.individuals or self.records
        noun = "person" if people == 1 else "people"
        kinds = [KIND_PHRASES[k] for k in REASON_ORDER if self.record_kinds.get(k)]
        text = f"{people:,} {noun} with {join_words(kinds)}"
        if self.hidden_records:
            where = ", ".join(sorted(self.hidden_parts)[:3])
            share = "all" if self.hidden_records == self.records else f"{self.hidden_records:,}"
            text += f" ({share} hidden: {where})"
        return text


def join_words(words: list[str], conjunction: str = "and") -> str:
    """`a, b and c`: a list as a sentence says it."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]
