"""OLE objects embedded in Office files (`word/embeddings/oleObject1.bin` and the like): an OLE
compound file whose payload is a packaged file (`\\x01Ole10Native`, what Office stores for a
file dragged into a document), an object's native bytes (`CONTENTS`, e.g. an embedded PDF) or
an Office Open XML package (`Package`, a workbook or document embedded as an object).
The payload is scanned as a file of its own; an object with any other stream is an unknown OLE
document and fails closed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.model import Content, Embedded, Uninspectable

NATIVE, CONTENTS, PACKAGE = "\x01ole10native", "contents", "package"
PAYLOADS = frozenset({NATIVE, CONTENTS, PACKAGE})
# Streams that only describe the object (class, link, control name, display flags).
PLUMBING = frozenset(
    {"\x01compobj", "\x01ole", "\x03objinfo", "\x03epri", "\x01ole10itemname", "\x03ocxname"}
)


def is_package(streams: set[str]) -> bool:
    """An embedded object whose whole content is a payload we can hand on."""
    payloads = streams & PAYLOADS
    return bool(payloads) and not (streams - PLUMBING - payloads)


def extract_ole_package(source: Source, limits: Limits) -> Iterator[Content]:
    import olefile

    try:
        with olefile.OleFileIO(source.open()) as ole:
            for entry in ole.listdir(streams=True, storages=False):
                name = "/".join(entry).lower()
                if name not in PAYLOADS:
                    continue
                if ole.get_size(entry) > limits.max_member_bytes:
                    raise Uninspectable(f"over limit: embedded object of {ole.get_size(entry)} bytes")
                data = ole.openstream(entry).read()
                if name == NATIVE:
                    label, payload = ole10_native(data)
                    yield Embedded(label or "ole10native", payload, layer="attachment", hidden=True)
                else:
                    yield Embedded(name, data, layer="attachment", hidden=True)
    except Uninspectable:
        raise
    except Exception as exc:  # olefile raises a variety of errors on corrupt input
        raise Uninspectable(f"corrupt embedded OLE object ({exc.__class__.__name__})") from None


def ole10_native(data: bytes) -> tuple[str, bytes]:
    """(file name, file bytes) of an OLE Packager stream: total size, signature, label, original
    path, a reserved word, the temporary path, then the data's size and the data. A stream in
    another shape is handed on whole (after its size), to be sniffed like any file."""
    try:
        at = 6  # total size (4), signature (2)
        label, at = _cstring(data, at)
        path, at = _cstring(data, at)
        at += 4  # reserved: 00 00 03 00
        length = int.from_bytes(data[at : at + 4], "little")
        at += 4 + length  # the temporary path the file was packaged from
        size = int.from_bytes(data[at : at + 4], "little")
        at += 4
        if at + size > len(data) or size == 0:
            raise ValueError("size")
        name = posixpath.basename(path.replace("\\", "/")) or label
        return name, data[at : at + size]
    except (ValueError, IndexError):
        return "", data[4:]


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\x00", at)
    return data[at:end].decode("latin-1"), end + 1
