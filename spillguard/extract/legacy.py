"""Legacy Office and other document formats (.doc, .ppt, .rtf, .wpd, Visio .vsd/.vsdx, and the
same inside OLE objects embedded in Office files), read by converting them with LibreOffice in
headless mode into the form the extractors already read: Word-like files to .docx (tracked
changes, comments and hidden text survive), PowerPoint to .pptx (speaker notes and hidden
slides survive), Visio to PDF (the drawing's text; shape data does not survive).

Each conversion runs in a fresh temporary folder with its own LibreOffice user profile
(`-env:UserInstallation`), so concurrent conversions never share state; it is bounded in time
(`[limits] convert_seconds`, and the file's own deadline) and in memory (`convert_memory_mb`,
as the address-space limit of the converter process), and the whole process group is killed
when it overruns. Where LibreOffice is absent the file is uninspectable, and the reason says
what to install. No parser of these formats is written here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from spillguard.extract.base import Limits, Source
from spillguard.model import Content, Uninspectable

MiB = 1024 * 1024
# type -> (file suffix LibreOffice recognises, --convert-to target, extractor type of the result)
CONVERSIONS: dict[str, tuple[str, str, str]] = {
    "doc": ("doc", "docx:MS Word 2007 XML", "docx"),
    "rtf": ("rtf", "docx:MS Word 2007 XML", "docx"),
    "wpd": ("wpd", "docx:MS Word 2007 XML", "docx"),
    "ppt": ("ppt", "pptx:Impress MS PowerPoint 2007 XML", "pptx"),
    "vsd": ("vsd", "pdf:draw_pdf_Export", "pdf"),
    "vsdx": ("vsdx", "pdf:draw_pdf_Export", "pdf"),
}
DEBIAN_PACKAGES = {
    "doc": "libreoffice-writer-nogui",
    "rtf": "libreoffice-writer-nogui",
    "wpd": "libreoffice-writer-nogui",
    "ppt": "libreoffice-impress-nogui",
    "vsd": "libreoffice-draw-nogui",
    "vsdx": "libreoffice-draw-nogui",
}
NAMES = ("soffice", "libreoffice")


def converter() -> str | None:
    """The LibreOffice program, if installed."""
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def extract_legacy(source: Source, limits: Limits) -> Iterator[Content]:
    from spillguard.extract import extract
    from spillguard.extract.sniff import sniff

    kind = sniff(source)
    if kind not in CONVERSIONS:
        raise Uninspectable(f"no converter for type {kind}")
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    converted = convert(source.read(), kind, limits, source.deadline)
    target = CONVERSIONS[kind][2]
    inner = Source.from_bytes(source.name, converted, source.depth, source.deadline)
    yield from extract(target, inner, limits)


def convert(data: bytes, kind: str, limits: Limits, deadline: float | None = None) -> bytes:
    """The bytes of the converted document. Raises Uninspectable when LibreOffice is absent,
    fails, overruns its time or memory, or writes nothing."""
    suffix, target, _ = CONVERSIONS[kind]
    if not limits.convert:
        raise Uninspectable(f"legacy .{suffix} not read: conversion is turned off ([limits] convert)")
    program = converter()
    if program is None:
        raise Uninspectable(
            f"legacy .{suffix} not read: LibreOffice is not installed "
            f"(install Debian's {DEBIAN_PACKAGES[kind]}, or run `make setup`)"
        )
    seconds = limits.convert_seconds
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
    if seconds <= 0:
        raise Uninspectable("timed out")
    with tempfile.TemporaryDirectory(prefix="spillguard-convert-") as folder:
        work = Path(folder)
        document = work / f"document.{suffix}"
        document.write_bytes(data)
        outdir = work / "out"
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(document),
        ]
        run(command, seconds, limits.convert_memory_mb * MiB, work)
        produced = [p for p in outdir.glob("document.*")] if outdir.is_dir() else []
        if not produced or produced[0].stat().st_size == 0:
            raise Uninspectable(f"legacy .{suffix} could not be converted (LibreOffice wrote nothing)")
        return produced[0].read_bytes()


def run(command: list[str], seconds: float, memory: int, home: Path) -> None:
    """Run the converter in its own process group under an address-space limit (set by the
    shell with `ulimit -v` just before it becomes the converter: a `preexec_fn` is unsafe in a
    worker that may have threads); kill the group when it overruns."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # nothing of the user's profile or caches
        "LANG": "C.UTF-8",
        "SAL_USE_VCLPLUGIN": "svp",  # no display
        "TMPDIR": str(home),
    }
    # A worker's own cap, when lower, is inherited and stays: `ulimit` cannot raise it.
    limited = ["/bin/sh", "-c", f'ulimit -v {memory // 1024} 2>/dev/null; exec "$0" "$@"', *command]
    try:
        process = subprocess.Popen(
            limited,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=home,
            start_new_session=True,
        )
    except OSError as exc:
        raise Uninspectable(f"converter could not start ({exc.strerror or exc})") from None
    try:
        code = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise Uninspectable(f"timed out converting with LibreOffice (limit {seconds:.0f} s)") from None
    finally:
        kill_group(process)  # what it left behind (oosplash, soffice.bin), or all of it on overrun
    if code != 0:
        raise Uninspectable(f"LibreOffice could not convert the file (exit {code})")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
