"""Archives: every member becomes its own entry (`outer.zip!inner/path`), bounded in size,
count, depth and compression ratio so a zip bomb is refused instead of unpacked."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import tarfile
from collections.abc import Callable, Iterator
from typing import IO

from spillguard.extract.base import Limits, Source, check_ratio, open_zip, read_member
from spillguard.model import Content, Embedded, Uninspectable

READ_BLOCK = 1024 * 1024


def extract_zip(source: Source, limits: Limits) -> Iterator[Content]:
    _check_depth(source, limits)
    zf = open_zip(source, limits)
    with zf:
        for info in zf.infolist():
            source.check_time()
            if info.is_dir():
                continue
            yield Embedded(info.filename, read_member(zf, info.filename, limits), "cell", False)


def extract_tar(source: Source, limits: Limits) -> Iterator[Content]:
    _check_depth(source, limits)
    total = 0
    count = 0
    try:
        with source.open() as raw, tarfile.open(fileobj=raw, mode="r:*") as tar:
            for member in tar:
                source.check_time()
                count += 1
                if count > limits.max_members:
                    raise Uninspectable(f"over limit: more than {limits.max_members} members")
                if not member.isfile():
                    continue  # links and devices point outside the archive: nothing to read
                if member.size > limits.max_member_bytes:
                    raise Uninspectable(f"over limit: member {member.size} bytes")
                total += member.size
                if total > limits.max_unpacked_bytes:
                    raise Uninspectable("over limit: archive unpacks too large")
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                yield Embedded(member.name, fh.read(), "cell", False)
    except (tarfile.TarError, EOFError, OSError, zlib_error()) as exc:
        raise Uninspectable(f"corrupt tar archive ({exc.__class__.__name__})") from None


def extract_compressed(source: Source, limits: Limits) -> Iterator[Content]:
    """A single gzip/bzip2/xz stream: its content is one member named after the file."""
    _check_depth(source, limits)
    # GzipFile's first parameter is a file *name*: a file object goes in as `fileobj`.
    openers: dict[bytes, Callable[[IO[bytes]], io.BufferedIOBase]] = {
        b"\x1f\x8b": lambda fh: gzip.GzipFile(fileobj=fh),
        b"BZh": bz2.BZ2File,
        b"\xfd7z": lzma.LZMAFile,
    }
    head = source.head(4)
    opener = next((fn for magic, fn in openers.items() if head.startswith(magic)), None)
    if opener is None:
        raise Uninspectable("unknown compression")
    data = _bounded_read(opener(source.open()), source, limits)
    inner = posixpath.basename(source.name.split("!")[-1])
    for suffix in (".gz", ".tgz", ".bz2", ".xz"):
        if inner.lower().endswith(suffix):
            inner = inner[: -len(suffix)] + (".tar" if suffix == ".tgz" else "")
            break
    yield Embedded(inner or "content", data, "cell", False)


def _bounded_read(stream: io.BufferedIOBase, source: Source, limits: Limits) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        with stream:
            while block := stream.read(READ_BLOCK):
                source.check_time()
                size += len(block)
                if size > limits.max_member_bytes:
                    raise Uninspectable("over limit: decompresses too large")
                check_ratio(size, source.size, limits)
                chunks.append(block)
    except (OSError, EOFError, lzma.LZMAError, zlib_error()) as exc:
        raise Uninspectable(f"corrupt compressed stream ({exc.__class__.__name__})") from None
    return b"".join(chunks)


def _check_depth(source: Source, limits: Limits) -> None:
    if source.depth >= limits.max_depth:
        raise Uninspectable(f"over limit: archives nested deeper than {limits.max_depth}")


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error
