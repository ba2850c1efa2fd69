"""The values that flow through the pipeline: what extractors give, what detectors find, what
the report says. All frozen: a finding is a fact about a file, not something to edit."""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from spillguard._version import __version__

# Where a piece of text sits in its file. Layers name what a reader would have to do to see it.
Layer = Literal[
    "cell",
    "text",
    "comment",
    "metadata",
    "pivot_cache",
    "tracked_change",
    "hidden_text",
    "under_redaction",
    "formula",
    "defined_name",
    "attachment",
    "external_link",
    "annotation",
    "form_field",
    "notes",
    "attribute",
    "ocr",
]

Verdict = Literal["block", "warn", "pass"]
# A rectangle in a picture (pixels) or on a PDF page (points from the top-left corner):
# left, top, right, bottom.
Box = tuple[int, int, int, int]
Severity = Literal["critical", "high", "medium", "low", "none"]
SEVERITY_ORDER: dict[str, int] = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
VERDICT_ORDER: dict[str, int] = {"pass": 0, "warn": 1, "block": 2}

_Slotted = TypeVar("_Slotted")


def pickled_as_tuple(cls: type[_Slotted]) -> type[_Slotted]:
    """Pickle a frozen slots dataclass as (class, field values). A scan's findings cross from
    its worker process in a pickle, and the default path (one setattr per field through
    dataclasses' __setstate__) costs more than a thousand findings' detection."""
    values: Callable[[Any], tuple[object, ...]] = operator.attrgetter(*cls.__slots__)  # type: ignore[attr-defined]

    def reduce(self: _Slotted) -> tuple[type[_Slotted], tuple[object, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[assignment, method-assign]
    return cls


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Location:
    """Where something was found, in the file's own terms (sheet and cell, page, part)."""

    part: str
    layer: str = "text"
    hidden: bool = False
    row: int | None = None
    column: str | None = None
    page: int | None = None
    offset: int | None = None
    box: Box | None = None  # where in a picture or on a page text was read by OCR

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "part": self.part,
            "layer": self.layer,
            "hidden": self.hidden,
            "row": self.row,
            "column": self.column,
            "page": self.page,
            "offset": self.offset,
        }
        if self.box is not None:
            out["box"] = list(self.box)  # an added key: present only for text read by OCR
        return out

    def label(self) -> str:
        """Short human form: `sheet:Roster!C7`, `page:2@140`, `comment`."""
        text = self.part
        if self.row is not None and self.column is not None:
            text += f"!{self.column}{self.row}"
        elif self.row is not None:
            text += f"!row {self.row}"
        if self.offset is not None:
            text += f"@{self.offset}"
        return text


@dataclass(frozen=True, slots=True)
class Passage:
    """Free text: a paragraph, a comment, a metadata field, a PDF page's text."""

    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class Table:
    """A grid of text as the file holds it, header not yet told apart from data.

    Rows are sequences of strings ('' for an empty cell). `row_numbers` gives each row's
    1-based number in its part; `hidden_rows` and `hidden_columns` use those numbers and
    0-based column indices. A long table may arrive in chunks that share one `key`: the
    detector decides the header and column kinds on the first chunk and keeps them.
    """

    part: str
    rows: Sequence[Sequence[str]]
    layer: str = "cell"
    hidden: bool = False
    row_numbers: Sequence[int] | None = None
    first_column: int = 0
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    key: str = ""
    is_continuation: bool = False
    # Tables read by OCR: each cell's box, keyed by (row number, 0-based column index).
    boxes: Mapping[tuple[int, int], Box] | None = None

    def row_number(self, index: int) -> int:
        return self.row_numbers[index] if self.row_numbers is not None else index + 1

    def box(self, row: int, column: int) -> Box | None:
        return self.boxes.get((row, column)) if self.boxes is not None else None


@dataclass(frozen=True, slots=True)
class Embedded:
    """A file inside a file (archive member, PDF attachment, embedded workbook): scanned as its
    own entry `OUTER!name`."""

    name: str
    data: bytes
    layer: str = "attachment"
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Covered:
    """Characters under one drawn box on a page (layer `under_redaction`, located by page and
    box): reported as covered text whatever they say, since the box says someone meant to hide
    them. `text` is "" when the characters cannot be decoded (no text mapping, shifted
    glyphs); `glyphs` counts them either way."""

    text: str
    location: Location
    glyphs: int


Content = Passage | Table | Embedded | Covered


class Uninspectable(Exception):
    """The file cannot be fully inspected; it blocks. The message is the reason shown to users."""


class PictureNotRead(Uninspectable):
    """A picture that may hold text was not read (OCR not installed, turned off or timed out).
    Raised after everything else in the file was given, so the rest is still judged; it blocks
    unless the policy accepts unread pictures (a folder of photos)."""


class MediaNotRead(PictureNotRead):
    """Audio or video: only its container metadata was read. Judged like an unread picture,
    by the policy's own setting for media (`[media] unread`, default warn)."""


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class DetectSettings:
    """What the policy tells the detectors (immutable, passed in with each file's assessment).
    `phone_regions`: where a phone number written without its country code (`(202) 732-4242`,
    `020 7946 0958`) is read as dialled; ISO 3166 codes as libphonenumber knows them. A number
    in international form (`+44 20 7946 0958`) is read anywhere."""

    phone_regions: tuple[str, ...] = ("US",)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    location: Location
    confidence: float
    value: str  # raw; masked on output unless the user asked for values
    severity: str = "low"
    record: int | None = None  # index of the person-record this finding belongs to, if any

    def as_dict(self, show_values: bool = False) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "confidence": round(self.confidence, 2),
            "value": self.value if show_values else mask(self.value, self.kind),
            "location": self.location.as_dict(),
        }


@dataclass(frozen=True)
class FileReport:
    path: str
    sha256: str
    size: int
    type: str
    verdict: str
    severity: str
    reason: str
    individuals: int
    records: int
    counts: dict[str, int]
    findings: tuple[Finding, ...]
    uninspectable: str | None = None
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self, show_values: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "type": self.type,
            "verdict": self.verdict,
            "severity": self.severity,
            "reason": self.reason,
            "individuals": self.individuals,
            "records": self.records,
            "counts": dict(self.counts),
            "uninspectable": {"reason": self.uninspectable} if self.uninspectable else None,
            "findings": [f.as_dict(show_values) for f in self.findings],
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Report:
    """A scan of many files: one FileReport per file and member, in a stable order. Its
    `as_dict` is the JSON contract of spec/report.md."""

    started: str
    seconds: float
    files: tuple[FileReport, ...]
    tool_version: str = __version__
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return max((f.verdict for f in self.files), key=VERDICT_ORDER.__getitem__, default="pass")

    def as_dict(self, show_values: bool = False) -> dict[str, object]:
        return {
            "schema": "spillguard.report/1",
            "tool": {"name": "spillguard", "version": self.tool_version},
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "verdict": self.verdict,
            "files": [f.as_dict(show_values) for f in self.files],
        }


MASK_DIGITS = 2  # digits of an identifier a masked value may keep: too few to look it up
DATE_KINDS = frozenset({"date_of_birth"})
_YEAR = re.compile(r"(?<!\d)(1[89]|20)\d\d(?!\d)")


def mask(value: str, kind: str = "") -> str:
    """Enough for a reviewer to tell values apart without reading them: the first and last
    character of each word-ish run, and never more than two digits in all (`A212345622` ->
    `A*******22`, `GARCIA, ANA` -> `G****A, A*A`). A date keeps only its century
    (`05/24/1982` -> `**/**/19**`): the day, the month and the year would single a person out."""
    text = value.strip()
    if kind in DATE_KINDS:
        return _mask_date(text)
    if len(text) <= 2:
        return "*" * len(text)
    if len(text) <= 5:
        shown = text[0] + "*" * (len(text) - 2) + text[-1]
    elif " " not in text and len(text) >= 8:
        shown = text[:2] + "*" * (len(text) - 4) + text[-2:]
    else:
        words = []
        for word in text.split(" "):
            if len(word) <= 2:
                words.append(word[:1] + "*" * (len(word) - 1))
            else:
                words.append(word[0] + "*" * (len(word) - 2) + word[-1])
        shown = " ".join(words)
    return _keep_last_digits(shown, MASK_DIGITS)


def _keep_last_digits(text: str, keep: int) -> str:
    """`text` with every digit but the last `keep` shown ones starred."""
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    hide = set(digits[: max(len(digits) - keep, 0)])
    return "".join("*" if i in hide else char for i, char in enumerate(text))


def _mask_date(text: str) -> str:
    year = _YEAR.search(text)
    kept = range(year.start(), year.start() + 2) if year else range(0)
    return "".join(char if i in kept or not char.isalnum() else "*" for i, char in enumerate(text))


def uninspectable_report(path: str, size: int, digest: str, kind: str, reason: str) -> FileReport:
    return FileReport(
        path=path,
        sha256=digest,
        size=size,
        type=kind,
        verdict="block",
        severity="high",
        reason=f"uninspectable: {reason}",
        individuals=0,
        records=0,
        counts={},
        findings=(),
        uninspectable=reason,
    )


def worker_failed(path: str, reason: str) -> list[FileReport]:
    """The report for a file whose worker never answered: uninspectable, so it blocks."""
    return [uninspectable_report(path, _size(path), "", "unknown", reason)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
