"""The bounds a scan keeps to, in a module of its own: a one-file scan's worker caps its memory
with them before anything else has loaded."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile file from taking unbounded memory or time."""

    max_file_bytes: int = 1024 * MiB
    max_unpacked_bytes: int = 2048 * MiB  # all members of one container, decompressed
    max_member_bytes: int = 512 * MiB  # one member or XML part, decompressed
    max_members: int = 20_000
    max_depth: int = 6  # archive in archive in ...
    max_ratio: float = 250.0  # decompressed / compressed, per member and overall
    timeout_seconds: float = 120.0  # per top-level file
    max_memory_bytes: int = 4096 * MiB  # per worker process
    # Text in pictures is read with OCR; off, or past the time per picture or page, a picture
    # that may hold text is reported not read (and blocks unless the policy accepts that).
    ocr: bool = True
    ocr_page_seconds: float = 60.0
    # Legacy formats (.doc, .ppt, .rtf, .wpd, Visio) are converted with LibreOffice: time and
    # address space of one conversion (the converter maps far more than it touches). Off, they
    # are uninspectable.
    convert: bool = True
    convert_seconds: float = 60.0
    convert_memory_mb: int = 4096
