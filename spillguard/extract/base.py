"""What every extractor gets: the file as a `Source`, and the `Limits` it must stay within."""

from __future__ import annotations

import functools
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from defusedxml import ElementTree as SafeET

from spillguard.model import Content, Table, Uninspectable

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


@dataclass(frozen=True)
class Source:
    """The bytes of one file, from disk or from inside another file."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]
    depth: int = 0
    deadline: float | None = None  # time.monotonic() value after which extraction must stop

    @classmethod
    def from_bytes(cls, name: str, data: bytes, depth: int = 0, deadline: float | None = None) -> Source:
        return cls(name, len(data), lambda: io.BytesIO(data), depth, deadline)

    @classmethod
    def from_path(cls, path: str, size: int, deadline: float | None = None) -> Source:
        return cls(path, size, lambda: open(path, "rb"), 0, deadline)

    def open(self) -> IO[bytes]:
        return self.opener()

    def read(self) -> bytes:
        with self.opener() as fh:
            return fh.read()

    def head(self, n: int = 8192) -> bytes:
        with self.opener() as fh:
            return fh.read(n)

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Uninspectable("timed out")


Extractor = Callable[[Source, Limits], Iterator[Content]]


def open_zip(source: Source, limits: Limits) -> zipfile.ZipFile:
    """Open a zip after checking it against the limits (member count, sizes, ratio)."""
    try:
        zf = zipfile.ZipFile(source.open())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Uninspectable(f"corrupt zip container ({exc.__class__.__name__})") from None
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise Uninspectable(f"over limit: {len(infos)} members (limit {limits.max_members})")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Uninspectable("encrypted")
        total += info.file_size
        check_ratio(info.file_size, info.compress_size, limits)
        if info.file_size > limits.max_member_bytes:
            raise Uninspectable(f"over limit: member {info.file_size} bytes unpacked")
    if total > limits.max_unpacked_bytes:
        raise Uninspectable(f"over limit: {total} bytes unpacked")
    return zf


def check_ratio(unpacked: int, packed: int, limits: Limits) -> None:
    # Tiny members compress well legitimately; the ratio only means something past a megabyte.
    if unpacked > MiB and unpacked > limits.max_ratio * max(packed, 1):
        raise Uninspectable(f"over limit: compression ratio {unpacked // max(packed, 1)}:1")


READ_CHUNK = 1024 * 1024


def read_member(zf: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """Read one zip member, bounded; a corrupt member makes the whole file uninspectable."""
    return b"".join(read_member_chunks(zf, name, limits))  # one chunk: joined without a copy


def read_member_chunks(zf: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[bytes]:
    """One zip member a megabyte at a time, bounded like `read_member`. (One read of a whole
    2 MB sheet makes zlib grow its output buffer over and over and takes twice as long.)"""
    size = 0
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(READ_CHUNK):
                size += len(chunk)
                if size > limits.max_member_bytes:
                    raise Uninspectable(f"over limit: member {name} too large")
                yield chunk
    except KeyError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise Uninspectable(f"corrupt member {name} ({exc.__class__.__name__})") from None


def parse_xml(data: bytes, what: str) -> SafeET.Element:  # type: ignore[name-defined]
    """Parse XML with entity expansion and external references refused (billion laughs, XXE)."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several unrelated types
        name = exc.__class__.__name__
        if "DTD" in name or "Entit" in name or "External" in name:
            raise Uninspectable(f"hostile XML in {what} ({name})") from None
        raise Uninspectable(f"corrupt XML in {what} ({name})") from None


def local(tag: str) -> str:
    """`{namespace}name` -> `name`: OOXML comes in transitional and strict namespaces."""
    return tag.rsplit("}", 1)[-1]


@functools.cache
def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def inherited_true(settings: dict[str, bool | None], parents: dict[str, str]) -> frozenset[str]:
    """Styles whose setting is true, their own or the nearest ancestor's that sets it (None:
    leaves it to the parent). Word's basedOn and ODF's parent-style-name chains both work so;
    a cycle ends the walk."""
    found = set()
    for name in settings:
        current: str | None = name
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            setting = settings.get(current)
            if setting is not None:
                if setting:
                    found.add(name)
                break
            current = parents.get(current)
    return frozenset(found)


def document_table(
    label: str,
    rows: list[list[str]],
    hidden: bool,
    hidden_rows: set[int],
    hidden_columns: frozenset[int] = frozenset(),
) -> Table | None:
    """A Word or ODT table as the detectors take it (rows numbered from 1), or None when every
    cell is empty."""
    if not any(any(cell.strip() for cell in row) for row in rows):
        return None
    return Table(
        part=label,
        rows=rows,
        layer="cell",
        hidden=hidden,
        row_numbers=list(range(1, len(rows) + 1)),
        hidden_rows=frozenset(hidden_rows),
        hidden_columns=hidden_columns,
        key=label,
    )
