"""Which leaked people a document holds: every record the scanner's readers find in it (rows,
passages, archive members, OCR'd pictures) is fingerprinted the way the index was, and looked
up. A person counts when a whole identity key of theirs stands in one record: their A-number,
or their name with their birth date, or their name with their nationality and facility. A
common name alone never does. Only counts and locations are reported, never a value."""

from __future__ import annotations

import os
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from spillguard.errors import UserError
from spillguard.match.index import Index
from spillguard.match.text import people_in_text
from spillguard.model import Uninspectable
from spillguard.people.records import PersonRecord
from spillguard.people.workflow import read_records_and_text_isolated

FETCH_SECONDS = 30
FETCH_BYTES = 256 * 1024 * 1024


@dataclass
class FileMatch:
    path: str
    people: set[int] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)
    error: str | None = None

    def add(self, people: set[int], where: str) -> None:
        if people - self.people:
            self.people |= people
            self.locations.append(where)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"path": self.path, "people": len(self.people), "locations": self.locations}
        if self.error:
            out["error"] = self.error
        return out


def match_file(path: str, index: Index, key: bytes, shown_as: str | None = None) -> FileMatch:
    found = FileMatch(shown_as or path)
    try:
        for record in read_records_and_text_isolated(path):
            where = record.where.replace(path, found.path, 1)
            if isinstance(record, PersonRecord):
                found.add(index.people_in(key, record), where)
                continue
            for offset, people in people_in_text(index, key, record.text):
                found.add(
                    people, where if record.offset is None else f"{where}, offset {record.offset + offset}"
                )
    except Uninspectable as exc:
        found.error = f"uninspectable: {exc}"
    return found


def match_url(url: str, index: Index, key: bytes) -> FileMatch:
    """Fetch a page or document (bounded in time and size) to a private temp file and match it."""
    if not url.startswith(("http://", "https://")):
        raise UserError(f"{url}: only http and https addresses are fetched")
    handle, temp = tempfile.mkstemp(prefix="spillguard-match-")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "spillguard-match"})
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response,
        ):
            total = 0
            while chunk := response.read(1 << 20):
                total += len(chunk)
                if total > FETCH_BYTES:
                    return FileMatch(url, error=f"over limit: more than {FETCH_BYTES} bytes")
                out.write(chunk)
        return match_file(temp, index, key, shown_as=url)
    except OSError as exc:
        raise UserError(f"{url}: cannot fetch: {getattr(exc, 'reason', None) or exc}") from None
    finally:
        Path(temp).unlink(missing_ok=True)


def match_paths(targets: list[str], index: Index, key: bytes) -> list[FileMatch]:
    out: list[FileMatch] = []
    for target in targets:
        if target.startswith(("http://", "https://")):
            out.append(match_url(target, index, key))
            continue
        path = Path(target)
        if path.is_dir():
            out.extend(match_file(str(p), index, key) for p in sorted(path.rglob("*")) if p.is_file())
        elif path.is_file():
            out.append(match_file(target, index, key))
        else:
            raise UserError(f"no such file or directory: {target}")
    return out
