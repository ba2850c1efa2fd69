"""Writing output files: a temp file beside the target, then a rename, so a reader never sees
half a report and an interrupted run leaves the previous file intact. Reading input files:
regular files only, so a FIFO or a device named as a policy, a key or an approval is an error
instead of a hang."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, parents: bool = True, mode: int | None = None) -> None:
    """`data` into `path`; `parents`: create the folders it needs (else a missing folder is
    an error, as for a report a user names); `mode`: its permissions (else 0600, mkstemp's)."""
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, parents: bool = True) -> None:
    write_atomic(path, text.encode("utf-8"), parents=parents)


def read_regular(path: Path | str) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed). Opened non-blocking and
    checked with fstat before anything is read: anything else (a FIFO, a device, a folder)
    raises OSError without waiting for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks = []
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
