"""Writing output files: a temp file beside the target, then a rename, so a reader never sees
half a report and an interrupted run leaves the previous file intact."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, parents: bool = True) -> None:
    """`data` into `path`; `parents`: create the folders it needs (else a missing folder is
    an error, as for a report a user names)."""
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, parents: bool = True) -> None:
    write_atomic(path, text.encode("utf-8"), parents=parents)
