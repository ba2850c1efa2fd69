"""The pipeline: source -> extract -> detect -> assess -> FileReport, parallel over files.

Every top-level file runs in a worker process with a memory cap and a time limit, so a parser
that hangs or a bomb that eats memory costs one `uninspectable` verdict, never the scan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from spillguard import __version__
from spillguard.assess import Assessment
from spillguard.extract import extract
from spillguard.extract.base import Limits, Source
from spillguard.extract.sniff import refuse, sniff
from spillguard.model import (
    SEVERITY_ORDER,
    VERDICT_ORDER,
    Embedded,
    FileReport,
    PictureNotRead,
    Uninspectable,
)
from spillguard.policy import DEFAULT_POLICY, Policy

HASH_BLOCK = 1024 * 1024
EXIT_MEMORY = 71  # a forked scan child's exit codes
EXIT_INTERNAL = 70


@dataclass(frozen=True)
class Report:
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


class ScanError(Exception):
    """A problem with what the user asked for (a path that does not exist): exit 2."""


def scan(
    paths: Iterable[str],
    policy: Policy | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan files, directories and archives; return one report entry per file and member.

    `jobs`: worker processes (default: all cores); 0 scans in this process with no time or
    memory isolation (for debugging).
    """
    policy = policy or DEFAULT_POLICY
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    targets = list(expand(paths))
    jobs = os.cpu_count() or 1 if jobs is None else jobs
    if jobs == 0:
        results = [scan_path(path, policy) for path in targets]
        if progress:
            progress(len(targets), len(targets))
    elif len(targets) == 1 and hasattr(os, "fork"):
        # One file, the upload-path case: a single forked child isolates it without the
        # hundreds of milliseconds a worker pool takes to start and stop.
        results = [_scan_forked(targets[0], policy)]
    else:
        results = _scan_parallel(targets, policy, jobs, progress)
    files = tuple(report for batch in results for report in batch)
    return Report(started.isoformat().replace("+00:00", "Z"), time.perf_counter() - clock, files)


def scan_bytes(name: str, data: bytes, policy: Policy | None = None) -> list[FileReport]:
    """Scan content held in memory (an upload) in this process."""
    policy = policy or DEFAULT_POLICY
    deadline = time.monotonic() + policy.limits.timeout_seconds
    return scan_source(Source.from_bytes(name, data, deadline=deadline), policy)


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Files under the given paths, in a stable order; directories recursively. Symlinked
    directories are followed once (a web server would serve them), loops are not."""
    for path in paths:
        if not os.path.lexists(path):
            raise ScanError(f"no such file or directory: {path}")
        if os.path.isdir(path):
            yield from _walk(path, set())
        else:
            yield path


def _walk(root: str, seen: set[tuple[int, int]]) -> Iterator[str]:
    try:
        info = os.stat(root)
    except OSError:
        yield root  # reported as unreadable by scan_path
        return
    if (info.st_dev, info.st_ino) in seen:
        return
    seen.add((info.st_dev, info.st_ino))
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        yield root
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:  # a link to itself (ELOOP): it leads nowhere, like a dangling link
            is_dir = False
        if is_dir:
            yield from _walk(entry.path, seen)
        elif _is_file(entry) or not entry.is_symlink():
            yield entry.path


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=True)
    except OSError:
        return False


def scan_path(path: str, policy: Policy) -> list[FileReport]:
    """One top-level file: its report and its members' reports."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return [_uninspectable(path, 0, "", "unknown", f"unreadable: {exc.strerror or exc}")]
    if not stat.S_ISREG(info.st_mode):
        return [_uninspectable(path, 0, "", "unknown", "not a regular file")]
    if info.st_size > policy.limits.max_file_bytes:
        return [_uninspectable(path, info.st_size, "", "unknown", f"over limit: {info.st_size} bytes")]
    deadline = time.monotonic() + policy.limits.timeout_seconds
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return [_uninspectable(path, info.st_size, "", "unknown", f"unreadable: {exc.strerror or exc}")]
    return scan_source(Source.from_path(path, info.st_size, deadline), policy)


def scan_source(source: Source, policy: Policy) -> list[FileReport]:
    clock = time.perf_counter()
    policy = policy.for_path(source.name)  # the path rules that apply to this file
    digest = _sha256(source)
    members: list[FileReport] = []
    kind = "unknown"
    assessment = Assessment(max_findings=policy.max_findings, allow=policy.allowance)

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
        return [_roll_up(_unread_pictures(report, str(exc), policy), members), *members]
    except Uninspectable as exc:
        return [_uninspectable(source.name, source.size, digest, kind, str(exc)), *members]
    except MemoryError:
        return [
            _uninspectable(source.name, source.size, digest, kind, "over limit: memory"),
            *members,
        ]
    except RecursionError:
        return [
            _uninspectable(source.name, source.size, digest, kind, "over limit: nesting depth"),
            *members,
        ]
    except Exception as exc:  # a parser bug on odd input: fail closed, and say so
        return [
            _uninspectable(
                source.name, source.size, digest, kind, f"internal error ({exc.__class__.__name__})"
            ),
            *members,
        ]
    report = _report(source, digest, kind, assessment, policy, clock)
    return [_roll_up(report, members), *members]


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
    if assessment.allowed_kinds or assessment.allowed_entries:
        extra["allowed"] = {
            "kinds": dict(assessment.allowed_kinds),
            "allowlist": sorted(assessment.allowed_entries),
        }
    return FileReport(
        path=source.name,
        sha256=digest,
        size=source.size,
        type=kind,
        verdict=verdict or policy.verdict(severity),
        severity=severity,
        reason=reason or assessment.reason(),
        individuals=assessment.individuals,
        records=assessment.records,
        counts=dict(assessment.counts),
        findings=tuple(assessment.findings),
        seconds=time.perf_counter() - clock,
        extra=extra,
    )


def _unread_pictures(report: FileReport, reason: str, policy: Policy) -> FileReport:
    """A file with a picture that may hold text and was not read (OCR missing, turned off or
    timed out) fails closed: uninspectable, blocking, with what was read still listed. A
    policy that accepts unread pictures (`unread_pictures = "warn"` or `"pass"`, for a folder
    of photos) judges the file by what was read and notes the rest in the reason."""
    accepted = policy.unread_pictures
    if accepted not in VERDICT_ORDER or accepted == "block":
        severity = max(report.severity, "high", key=SEVERITY_ORDER.__getitem__)
        reason_shown = f"uninspectable: {reason}"
        return replace(report, verdict="block", severity=severity, reason=reason_shown, uninspectable=reason)
    verdict = max(report.verdict, accepted, key=VERDICT_ORDER.__getitem__)
    extra = {**report.extra, "pictures_not_read": reason}
    return replace(report, verdict=verdict, reason=f"{report.reason}; {reason}", extra=extra)


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


def _uninspectable(path: str, size: int, digest: str, kind: str, reason: str) -> FileReport:
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


def _sha256(source: Source) -> str:
    digest = hashlib.sha256()
    with source.open() as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


# --- workers ---------------------------------------------------------------------------------


def _worker_init(limits: Limits) -> None:
    import resource

    # Workers never print; native parsers (Rust panics, pdfium) would write noise to the
    # user's terminal, so their stderr goes nowhere.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)

    # A decompression bomb or a runaway parser fails with MemoryError in its worker.
    limit = limits.max_memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS,
        (limit, hard if hard != resource.RLIM_INFINITY and hard < limit else limit),
    )


def _scan_forked(path: str, policy: Policy) -> list[FileReport]:
    """Scan one file in a forked child with the worker limits; its reports come back pickled
    through a pipe. A child that overruns the time limit is killed; one that dies is a crash."""
    import pickle
    import selectors
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: scan, send, and leave without running the parent's cleanup
        os.close(read_end)
        status = 0
        try:
            _worker_init(policy.limits)
            payload = pickle.dumps(scan_path(path, policy))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except MemoryError:
            status = EXIT_MEMORY
        except BaseException:
            status = EXIT_INTERNAL
        os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + policy.limits.timeout_seconds + 10
    chunks: list[bytes] = []
    timed_out = False
    with os.fdopen(read_end, "rb", buffering=0) as pipe, selectors.DefaultSelector() as selector:
        selector.register(pipe, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            block = pipe.read(1 << 20)
            if not block:
                break
            chunks.append(block)
    # Unpickled while the child's memory is being torn down; it counts only if the child
    # then exits cleanly (a child killed mid-write leaves a payload that does not load).
    reports: list[FileReport] | None = None
    if chunks and not timed_out:
        try:
            reports = pickle.loads(b"".join(chunks))
        except Exception:
            reports = None
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return _failed(path, "timed out")
    if status != 0 or reports is None:
        code = os.waitstatus_to_exitcode(status)
        reasons = {EXIT_MEMORY: "over limit: memory", EXIT_INTERNAL: "internal error in worker"}
        return _failed(path, reasons.get(code, f"parser crashed (exit {code})"))
    return reports


def _scan_parallel(
    targets: list[str], policy: Policy, jobs: int, progress: Callable[[int, int], None] | None
) -> list[list[FileReport]]:
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    results: list[list[FileReport]] = []
    # The worker's own deadline stops well-behaved extractors; this one kills stuck ones.
    hard_timeout = policy.limits.timeout_seconds + 10
    with ProcessPool(
        max_workers=max(1, min(jobs, len(targets) or 1)),
        initializer=_worker_init,
        initargs=(policy.limits,),
    ) as pool:
        futures = [pool.schedule(scan_path, args=(path, policy), timeout=hard_timeout) for path in targets]
        for done, (path, future) in enumerate(zip(targets, futures, strict=True), 1):
            try:
                results.append(future.result())
            except FutureTimeout:
                results.append(_failed(path, "timed out"))
            except ProcessExpired as exc:
                results.append(_failed(path, f"parser crashed (exit {exc.exitcode})"))
            except MemoryError:
                results.append(_failed(path, "over limit: memory"))
            except Exception as exc:  # a bug in one extractor must not hide the other files
                results.append(_failed(path, f"internal error ({exc.__class__.__name__})"))
            if progress:
                progress(done, len(targets))
    return results


def _failed(path: str, reason: str) -> list[FileReport]:
    """The report for a file whose worker never answered: uninspectable, so it blocks."""
    return [_uninspectable(path, _size(path), "", "unknown", reason)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
