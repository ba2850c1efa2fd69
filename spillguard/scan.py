"""Scans of many files: walk the paths given (directories recursively), scan every file in a
worker process (`isolate.py`), collect the report. One file's way through the pipeline is
pipeline.py."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator

from spillguard.errors import UserError
from spillguard.isolate import Spare, Workers
from spillguard.model import FileReport, Report
from spillguard.policy import DEFAULT_POLICY, Policy

Progress = Callable[[int, int, str], None]  # (files done, files in all, the file just done)


class ScanError(UserError):
    """A problem with what the user asked for (a path that does not exist): exit 2."""


def scan(
    paths: Iterable[str],
    policy: Policy | None = None,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    spare: Spare | None = None,
) -> Report:
    """Scan files, directories and archives; return one report entry per file and member.

    `jobs`: worker processes (default: all cores); 0 scans in this process with no time or
    memory isolation (for debugging). `progress(done, total, path)` is called as each file is
    done, with the path of the one just done. `spare`: a worker started early, to take on first.
    """
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    targets = list(expand(paths))
    policy = policy or DEFAULT_POLICY
    jobs = os.cpu_count() or 1 if jobs is None else jobs
    results: list[list[FileReport]] = []
    if jobs == 0:
        from spillguard.pipeline import scan_path  # the parsers: loaded by the workers otherwise

        for path in targets:
            results.append(scan_path(path, policy))
            if progress:
                progress(len(results), len(targets), path)
    elif targets:
        with Workers(policy, min(jobs, len(targets)), spare=spare) as workers:
            for path, future in zip(targets, workers.map(targets), strict=True):
                results.append(future.result())
                if progress:
                    progress(len(results), len(targets), path)
    files = tuple(report for batch in results for report in batch)
    return Report(started.isoformat().replace("+00:00", "Z"), time.perf_counter() - clock, files)


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
    """Depth first in name order, on a stack of its own: a tree a thousand folders deep is
    walked like any other (no recursion limit)."""
    stack: list[Iterator[os.DirEntry[str]]] = []
    folder: str | None = root
    while True:
        if folder is not None:
            entries, unreadable = _open_folder(folder, seen)
            if unreadable:
                yield folder  # reported as unreadable by scan_path
            elif entries is not None:
                stack.append(iter(entries))
            folder = None
        if not stack:
            return
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:  # a link to itself (ELOOP): it leads nowhere, like a dangling link
            is_dir = False
        if is_dir:
            folder = entry.path
        elif _is_file(entry) or not entry.is_symlink():
            yield entry.path


def _open_folder(path: str, seen: set[tuple[int, int]]) -> tuple[list[os.DirEntry[str]] | None, bool]:
    """The folder's entries by name (None when already walked: a loop), and whether it could
    not be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None, True
    if (info.st_dev, info.st_ino) in seen:
        return None, False
    seen.add((info.st_dev, info.st_ino))
    try:
        return sorted(os.scandir(path), key=lambda e: e.name), False
    except OSError:
        return None, True


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=True)
    except OSError:
        return False
