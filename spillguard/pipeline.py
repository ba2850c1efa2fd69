"""One file through the pipeline: source -> extract -> detect -> assess -> FileReport, with
the file's members (archive entries, attachments) as reports of their own. `scan.py` runs this
for many files, each in a worker process with the limits."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import IO, Any

from spillguard.assess import Assessment
from spillguard.extract import extract
from spillguard.extract.base import Source
from spillguard.extract.sniff import refuse, sniff
from spillguard.model import (
    SEVERITY_ORDER,
    VERDICT_ORDER,
    Embedded,
    FileReport,
    Location,
    MediaNotRead,
    Passage,
    PictureNotRead,
    Uninspectable,
    mask,
    uninspectable_report,
)
from spillguard.policy import DEFAULT_POLICY, Policy

HASH_BLOCK = 1024 * 1024


def scan_bytes(name: str, data: bytes, policy: Policy | None = None) -> list[FileReport]:
    """Scan content held in memory (an upload) in this process."""
    policy = policy or DEFAULT_POLICY
    deadline = time.monotonic() + policy.limits.timeout_seconds
    return scan_source(Source.from_bytes(name, data, deadline=deadline), policy)


def scan_path(path: str, policy: Policy) -> list[FileReport]:
    """One top-level file: its report and its members' reports.

    The file is opened once and everything (the hash, the type, the parse) reads that one
    descriptor, so a file renamed over it between the hash and the parse is not what gets
    judged. Its fstat before and after must agree, or the file changed while being read (an
    edit in place) and is uninspectable. Opened non-blocking and checked with fstat, so a FIFO
    or a device is refused without being read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return [uninspectable_report(path, 0, "", "unknown", f"unreadable: {exc.strerror or exc}")]
    opened = OpenedFile(fd)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return [uninspectable_report(path, 0, "", "unknown", "not a regular file")]
    if info.st_size > policy.limits.max_file_bytes:
        return [uninspectable_report(path, info.st_size, "", "unknown", f"over limit: {info.st_size} bytes")]
    deadline = time.monotonic() + policy.limits.timeout_seconds
    source = Source(path, info.st_size, opened.reader, 0, deadline)
    reports = scan_source(source, policy)
    if _fingerprint(os.fstat(fd)) != _fingerprint(info):
        return [uninspectable_report(path, info.st_size, "", "unknown", "changed while being read")]
    return reports


def _fingerprint(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class OpenedFile:
    """One open descriptor that any number of readers share, each with its own position
    (`os.pread`), closed when the last of them is gone (a parser thread may outlive the scan)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def reader(self) -> IO[bytes]:
        return io.BufferedReader(_PositionalReader(self), HASH_BLOCK)

    def __del__(self) -> None:
        os.close(self.fd)


class _PositionalReader(io.RawIOBase):
    def __init__(self, opened: OpenedFile) -> None:
        self._opened = opened
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = os.fstat(self._opened.fd).st_size + offset
        else:
            raise ValueError(f"whence {whence}")
        if position < 0:
            raise OSError(22, "negative seek position")
        self._position = position
        return position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = os.pread(self._opened.fd, len(view), self._position)
        view[: len(data)] = data
        self._position += len(data)
        return len(data)


def scan_source(source: Source, policy: Policy) -> list[FileReport]:
    policy = policy.for_path(source.name)  # the path rules that apply to this file
    reports = _scan_source(source, policy)
    return [relax_uninspectable(reports[0], policy), *reports[1:]]


def _scan_source(source: Source, policy: Policy) -> list[FileReport]:
    clock = time.perf_counter()
    digest = _sha256(source)
    members: list[FileReport] = []
    kind = "unknown"
    assessment = Assessment(max_findings=policy.max_findings, allow=policy.allowance, settings=policy.detect)

    def on_embedded(item: Embedded) -> None:
        child = Source.from_bytes(f"{source.name}!{item.name}", item.data, source.depth + 1, source.deadline)
        members.extend(scan_source(child, policy))

    try:
        kind = sniff(source)
        if kind == "empty":
            return [_report(source, digest, kind, assessment, policy, clock, reason="empty file")]
        refuse(kind)
        contents = extract(kind, source, policy.limits)  # may start reading in the background
        from spillguard.detect import detect

        detect(contents, assessment, on_embedded, source.check_time)
    except PictureNotRead as exc:
        report = _report(source, digest, kind, assessment, policy, clock)
        return [_roll_up(_unread(report, exc, policy), members), *members]
    except Uninspectable as exc:
        return [uninspectable_report(source.name, source.size, digest, kind, str(exc)), *members]
    except MemoryError:
        return [
            uninspectable_report(source.name, source.size, digest, kind, "over limit: memory"),
            *members,
        ]
    except RecursionError:
        return [
            uninspectable_report(source.name, source.size, digest, kind, "over limit: nesting depth"),
            *members,
        ]
    except Exception as exc:  # a parser bug on odd input: fail closed, and say so
        return [
            uninspectable_report(
                source.name, source.size, digest, kind, f"internal error ({exc.__class__.__name__})"
            ),
            *members,
        ]
    _mask_locations(assessment)
    report = _report(source, digest, kind, assessment, policy, clock)
    return [_roll_up(report, members), *members]


NAME_WORD = re.compile(r"[^\W\d_]{3,}")
MAX_LOCATION_TEXTS = 1000  # distinct parts (sheets, slides, comments) whose names are checked


def _mask_locations(assessment: Assessment) -> None:
    """Location text is the file's own (a sheet named after a person, an A-number in a
    comment's author): what the detectors flag in it, and any value found in the file that
    it repeats, is masked there, since reports print locations as they are."""
    from spillguard.detect import detect

    parts = sorted({f.location.part for f in assessment.findings})[:MAX_LOCATION_TEXTS]
    if not parts:
        return
    scratch = Assessment(settings=assessment.settings)
    detect([Passage(part, Location(part="location")) for part in parts], scratch, lambda _: None)
    flagged = {f.value.strip(): f.kind for f in (*scratch.findings, *assessment.findings)}
    for f in assessment.findings:  # a sheet named `WANG XIAOMING` for the row `WANG, XIAOMING`
        if f.kind == "person_name":
            flagged.update((word, f.kind) for word in NAME_WORD.findall(f.value))
    every_part = "\n".join(parts)  # one pass over all the text first: most values are in none
    flagged = {value: kind for value, kind in flagged.items() if len(value) > 2 and value in every_part}
    if not flagged:
        return
    masked_parts = {part: _masked(part, flagged) for part in parts}
    hidden = Counter({_masked(part, flagged): n for part, n in assessment.hidden_parts.items()})
    assessment.hidden_parts = hidden  # named in the reason ("3 hidden: sheet:...")
    assessment.findings[:] = [
        f
        if masked_parts.get(f.location.part, f.location.part) == f.location.part
        else replace(f, location=replace(f.location, part=masked_parts[f.location.part]))
        for f in assessment.findings
    ]


def _masked(text: str, values: dict[str, str]) -> str:
    for value in sorted(values, key=len, reverse=True):  # a full name before its given name
        if value in text:
            text = text.replace(value, mask(value, values[value]))
    return text


NAMED_ENTRIES = 3  # allowlist entries a reason names one by one; a baseline's hundreds are counted


def allowlist_parts(counts: Mapping[int, int]) -> list[str]:
    """`allowlist #2=1` for each entry that suppressed something, or, past NAMED_ENTRIES of
    them (a baseline), `40 allowlist entries=52`."""
    if len(counts) > NAMED_ENTRIES:
        return [f"{len(counts)} allowlist entries={sum(counts.values())}"]
    return [f"allowlist #{i}={n}" for i, n in sorted(counts.items())]


def _report(
    source: Source,
    digest: str,
    kind: str,
    assessment: Assessment,
    policy: Policy,
    clock: float,
    reason: str | None = None,
    verdict: str | None = None,
) -> FileReport:
    severity = assessment.severity
    extra: dict[str, object] = {}
    if assessment.truncated:
        extra["findings_truncated"] = True
    suppressed = ""
    if assessment.allowed_kinds or assessment.allowed_entries:
        total = sum(assessment.allowed_kinds.values()) + sum(assessment.allowed_entries.values())
        extra["allowed"] = {
            "kinds": dict(assessment.allowed_kinds),
            "allowlist": sorted(assessment.allowed_entries),
            "allowlist_counts": {str(i): n for i, n in sorted(assessment.allowed_entries.items())},
            "suppressed": total,
        }
        # Said in the reason, so a policy that hides a roster cannot make it read "no
        # personal data found" and nothing more.
        parts = [f"allow_kinds {k}={n}" for k, n in sorted(assessment.allowed_kinds.items())]
        parts += allowlist_parts(assessment.allowed_entries)
        suppressed = f" ({total} finding(s) suppressed by the policy: {', '.join(parts)})"
    return FileReport(
        path=source.name,
        sha256=digest,
        size=source.size,
        type=kind,
        verdict=verdict or policy.verdict(severity),
        severity=severity,
        reason=(reason or assessment.reason()) + suppressed,
        individuals=assessment.individuals,
        records=assessment.records,
        counts=dict(assessment.counts),
        findings=tuple(assessment.findings),
        seconds=time.perf_counter() - clock,
        extra=extra,
    )


def _unread(report: FileReport, exc: PictureNotRead, policy: Policy) -> FileReport:
    """A file with a picture that may hold text and was not read (OCR missing, turned off or
    timed out) fails closed: uninspectable, blocking, with what was read still listed. A
    policy that accepts unread pictures (`unread_pictures = "warn"` or `"pass"`, for a folder
    of photos) judges the file by what was read and notes the rest in the reason. Audio and
    video are judged the same way by `[media] unread`, which accepts them with a warning
    unless the policy says otherwise."""
    reason = str(exc)
    media = isinstance(exc, MediaNotRead)
    accepted = policy.unread_media if media else policy.unread_pictures
    if accepted not in VERDICT_ORDER or accepted == "block":
        severity = max(report.severity, "high", key=SEVERITY_ORDER.__getitem__)
        reason_shown = f"uninspectable: {reason}"
        return replace(report, verdict="block", severity=severity, reason=reason_shown, uninspectable=reason)
    verdict = max(report.verdict, accepted, key=VERDICT_ORDER.__getitem__)
    extra = {**report.extra, ("not_inspected" if media else "pictures_not_read"): reason}
    return replace(report, verdict=verdict, reason=f"{report.reason}; {reason}", extra=extra)


def relax_uninspectable(report: FileReport, policy: Policy) -> FileReport:
    """A file that cannot be inspected, under a path rule that relaxes it for this reason
    (`uninspectable = "warn"`): the rule's verdict instead of block, with the reason and the
    rule kept in the report (and so in the gate's audit entry)."""
    relaxation = policy.uninspectable
    reason = report.uninspectable
    if reason is None or relaxation is None or not relaxation.covers(reason) or policy.forbidden:
        return report
    extra = {
        **report.extra,
        "not_inspected": reason,
        "relaxed": {"pattern": relaxation.pattern, "verdict": relaxation.verdict, "reason": relaxation.why},
    }
    return replace(
        report,
        verdict=relaxation.verdict,
        severity=report.severity if report.findings else "none",
        reason=f"not inspected: {reason} (policy {relaxation.pattern}: {relaxation.verdict})",
        uninspectable=None,
        extra=extra,
    )


def _roll_up(report: FileReport, members: list[FileReport]) -> FileReport:
    """A container is as bad as the worst thing inside it: publishing the zip publishes them."""
    worst = max(members, key=lambda m: VERDICT_ORDER[m.verdict], default=None)
    if worst is None or VERDICT_ORDER[worst.verdict] <= VERDICT_ORDER[report.verdict]:
        return report
    blocked = [m for m in members if m.verdict == worst.verdict]
    plural = "s" if len(blocked) != 1 else ""
    inner = worst.path.split("!", 1)[-1]
    reason = f"{len(blocked)} member{plural} {worst.verdict}: {inner}: {worst.reason}"
    severity = max(report.severity, worst.severity, key=SEVERITY_ORDER.__getitem__)
    return replace(report, verdict=worst.verdict, severity=severity, reason=reason)


def _sha256(source: Source) -> str:
    digest = hashlib.sha256()
    with source.open() as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
