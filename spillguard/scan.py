"""Scans: files, directories and archives, parallel over files. Every top-level file runs in
a worker process with a memory cap and a time limit, so a parser that hangs or a bomb that eats
memory costs one `uninspectable` verdict, never the scan. One file's way through the pipeline
is pipeline.py.

This module is light to import on purpose: the command line starts the worker for a one-file
scan (`prestart_worker`) before its argument parser has loaded, so the worker loads the
pipeline on one core while the parser loads on the other. The pipeline is imported where used.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spillguard import __version__

if TYPE_CHECKING:
    from spillguard.extract.base import Limits
    from spillguard.model import FileReport
    from spillguard.policy import Policy

EXIT_MEMORY = 71  # a scan worker's exit codes
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
        from spillguard.model import VERDICT_ORDER

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
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    try:
        targets = list(expand(paths))
    except ScanError:
        _release_prestarted()
        raise
    jobs = os.cpu_count() or 1 if jobs is None else jobs
    if len(targets) == 1 and jobs != 0 and hasattr(os, "fork"):
        # One file, the upload-path case: one forked worker isolates it without the hundreds
        # of milliseconds a worker pool takes to start and stop.
        results = [_scan_forked(targets[0], policy)]
    else:
        _release_prestarted()  # started for a one-file scan; this one is not
        policy = policy or _default_policy()
        if jobs == 0:
            from spillguard.pipeline import scan_path

            results = [scan_path(path, policy) for path in targets]
            if progress:
                progress(len(targets), len(targets))
        else:
            results = _scan_parallel(targets, policy, jobs, progress)
    files = tuple(report for batch in results for report in batch)
    return Report(started.isoformat().replace("+00:00", "Z"), time.perf_counter() - clock, files)


def _default_policy() -> Policy:
    from spillguard.policy import DEFAULT_POLICY

    return DEFAULT_POLICY


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


# --- workers ---------------------------------------------------------------------------------


def worker_init(limits: Limits) -> None:
    """What every scan worker does first: silence, and a memory cap."""
    _silence_stderr()
    _limit_memory(limits)


def _silence_stderr() -> None:
    # Workers never print; native parsers (Rust panics, pdfium) would write noise to the
    # user's terminal, so their stderr goes nowhere.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit_memory(limits: Limits) -> None:
    import resource

    # A decompression bomb or a runaway parser fails with MemoryError in its worker.
    limit = limits.max_memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS,
        (limit, hard if hard != resource.RLIM_INFINITY and hard < limit else limit),
    )


@dataclass(frozen=True)
class _Worker:
    """A forked process that scans one file: the job goes in through one pipe, the pickled
    reports come out through the other. One started with `expected` scans that file with the
    default policy at once and takes no job."""

    pid: int
    job: int  # write end
    reports: int  # read end
    expected: str | None = None


_prestarted: _Worker | None = None


def prestart_worker(expected: str | None = None) -> None:
    """Start the worker for a one-file scan now, before the caller's own start-up (the command
    line's parser) is done. `expected`: the file the caller expects to scan with the default
    policy, which the worker starts on at once (a workbook's cells are read while the pipeline
    loads). A scan of anything else discards that work; a scan that turns out not to need the
    worker (many files, `--jobs 0`, a usage error) releases it; so does the caller's exit."""
    global _prestarted
    if _prestarted is None and hasattr(os, "fork"):
        import atexit

        _prestarted = _start_worker(expected)
        atexit.register(_release_prestarted)


def _release_prestarted() -> None:
    global _prestarted
    worker, _prestarted = _prestarted, None
    if worker is not None:
        _discard(worker)


def _discard(worker: _Worker) -> None:
    import signal

    os.kill(worker.pid, signal.SIGKILL)  # its work, if any, is for nobody
    os.close(worker.job)
    os.close(worker.reports)
    os.waitpid(worker.pid, 0)


def _start_worker(expected: str | None = None) -> _Worker:
    job_read, job_write = os.pipe()
    reports_read, reports_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: serve one job and leave without running the parent's cleanup
        os.close(job_write)
        os.close(reports_read)
        os._exit(_serve_one(job_read, reports_write, expected))
    os.close(job_read)
    os.close(reports_write)
    return _Worker(pid, job_write, reports_read, expected)


def _serve_one(job_fd: int, reports_fd: int, expected: str | None) -> int:
    """The worker's life: load the pipeline, get (path, policy) (the expected file and the
    default policy, or a job from the pipe), scan it within the limits, send the reports back
    pickled. Returns the exit status."""
    import pickle

    try:
        _silence_stderr()
        if expected is not None:
            from spillguard.extract.cells import prefetch
            from spillguard.limits import Limits

            _limit_memory(Limits())  # the default policy's, before any parser runs
            prefetch(expected)
        from spillguard import pipeline  # loads while the parent is still starting

        if expected is not None:
            path, policy = expected, None
        else:
            with os.fdopen(job_fd, "rb") as job_pipe:
                job = job_pipe.read()
            path, policy = pickle.loads(job)
        policy = policy or pipeline.DEFAULT_POLICY
        _limit_memory(policy.limits)
        payload = pickle.dumps(pipeline.scan_path(path, policy))
        with os.fdopen(reports_fd, "wb") as out:
            out.write(payload)
    except MemoryError:
        return EXIT_MEMORY
    except BaseException:
        return EXIT_INTERNAL
    return 0


def _scan_forked(path: str, policy: Policy | None) -> list[FileReport]:
    """Scan one file in a forked worker with the limits; its reports come back pickled
    through a pipe. A worker that overruns the time limit is killed; one that dies is a crash."""
    import pickle
    import selectors
    import signal

    global _prestarted
    worker, _prestarted = _prestarted, None
    if worker is not None and worker.expected is not None and (worker.expected != path or policy is not None):
        _discard(worker)  # it started on another file, or with the default policy
        worker = None
    if worker is None:
        # Loaded once here and inherited by every worker, not loaded again in each.
        import spillguard.detect
        import spillguard.pipeline

        worker = _start_worker()
    if worker.expected is not None:
        os.close(worker.job)  # it is already scanning this very file
    else:
        try:
            with os.fdopen(worker.job, "wb") as job_pipe:
                job_pipe.write(pickle.dumps((path, policy)))
        except BrokenPipeError:
            pass  # the worker died before taking the job: its exit status says how
    # While the worker scans, load only what its reports unpickle into: the default policy's
    # limits are Limits(), and loading the policy (and the parsers it pulls in) would compete
    # with the worker for the cores.
    import spillguard.model  # noqa: F401
    from spillguard.limits import Limits

    limits = policy.limits if policy is not None else Limits()
    deadline = time.monotonic() + limits.timeout_seconds + 10
    chunks: list[bytes] = []
    timed_out = False
    with os.fdopen(worker.reports, "rb", buffering=0) as pipe, selectors.DefaultSelector() as selector:
        selector.register(pipe, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                timed_out = True
                os.kill(worker.pid, signal.SIGKILL)
                break
            block = pipe.read(1 << 20)
            if not block:
                break
            chunks.append(block)
    # Unpickled while the worker's memory is being torn down; it counts only if the worker
    # then exits cleanly (one killed mid-write leaves a payload that does not load).
    reports: list[FileReport] | None = None
    if chunks and not timed_out:
        try:
            reports = pickle.loads(b"".join(chunks))
        except Exception:
            reports = None
    _, status = os.waitpid(worker.pid, 0)
    if not timed_out and status == 0 and reports is not None:
        return reports
    from spillguard.pipeline import worker_failed

    if timed_out:
        return worker_failed(path, "timed out")
    code = os.waitstatus_to_exitcode(status)
    reasons = {EXIT_MEMORY: "over limit: memory", EXIT_INTERNAL: "internal error in worker"}
    return worker_failed(path, reasons.get(code, f"parser crashed (exit {code})"))


def _scan_parallel(
    targets: list[str], policy: Policy, jobs: int, progress: Callable[[int, int], None] | None
) -> list[list[FileReport]]:
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    from spillguard.pipeline import scan_path, worker_failed

    results: list[list[FileReport]] = []
    # The worker's own deadline stops well-behaved extractors; this one kills stuck ones.
    hard_timeout = policy.limits.timeout_seconds + 10
    with ProcessPool(
        max_workers=max(1, min(jobs, len(targets) or 1)),
        initializer=worker_init,
        initargs=(policy.limits,),
    ) as pool:
        futures = [pool.schedule(scan_path, args=(path, policy), timeout=hard_timeout) for path in targets]
        for done, (path, future) in enumerate(zip(targets, futures, strict=True), 1):
            try:
                results.append(future.result())
            except FutureTimeout:
                results.append(worker_failed(path, "timed out"))
            except ProcessExpired as exc:
                results.append(worker_failed(path, f"parser crashed (exit {exc.exitcode})"))
            except MemoryError:
                results.append(worker_failed(path, "over limit: memory"))
            except Exception as exc:  # a bug in one extractor must not hide the other files
                results.append(worker_failed(path, f"internal error ({exc.__class__.__name__})"))
            if progress:
                progress(done, len(targets))
    return results
