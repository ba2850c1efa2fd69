"""`spillguard match --watch FEEDS`: look again and again at the places reposts turn up (paste
sites, mirrors, archives, the agency's own site, a drop folder) and say when leaked people
appear. URLs are asked conditionally (If-None-Match, If-Modified-Since) and only what changed is
fetched and matched; folders are walked for files new or changed since the last look. A new
match (a place, or more people at a place) is alerted through the apprise channels the watchers
use, with counts and places only, and recorded in the incident store and its audit log."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spillguard.errors import UserError
from spillguard.match.index import Index
from spillguard.match.matcher import FETCH_BYTES, FETCH_SECONDS, FileMatch, match_file


@dataclass
class Seen:
    """What the last look at one place found."""

    etag: str | None = None
    last_modified: str | None = None
    stamp: tuple[int, int] | None = None  # a file's size and mtime
    sha256: str = ""
    people: int = 0


@dataclass
class Watch:
    feeds: list[str]
    index: Index
    key: bytes
    seen: dict[str, Seen] = field(default_factory=dict)

    def look(self, report: Callable[[FileMatch], None]) -> list[FileMatch]:
        """One pass over every feed; `report` gets each new match as it is found."""
        new: list[FileMatch] = []
        for feed in self.feeds:
            for found in self._feed(feed):
                seen = self.seen.setdefault(found.path, Seen())
                if len(found.people) > seen.people:
                    new.append(found)
                    report(found)
                    seen.people = len(found.people)
        return new

    def _feed(self, feed: str) -> list[FileMatch]:
        if feed.startswith(("http://", "https://")):
            found = self._url(feed)
            return [found] if found is not None else []
        folder = Path(feed)
        if not folder.is_dir():
            return [FileMatch(feed, error="not a folder or an http(s) URL")]
        out = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
            info = path.stat()
            stamp = (info.st_size, info.st_mtime_ns)
            seen = self.seen.setdefault(str(path), Seen())
            if seen.stamp == stamp:
                continue
            found = match_file(str(path), self.index, self.key)
            seen.stamp = stamp
            out.append(found)
        return out

    def _url(self, url: str) -> FileMatch | None:
        seen = self.seen.setdefault(url, Seen())
        headers = {"User-Agent": "spillguard-match"}
        if seen.etag:
            headers["If-None-Match"] = seen.etag
        if seen.last_modified:
            headers["If-Modified-Since"] = seen.last_modified
        handle, temp = tempfile.mkstemp(prefix="spillguard-feed-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out:
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response:
                    started, total = time.monotonic(), 0
                    while chunk := response.read(1 << 20):
                        total += len(chunk)
                        if total > FETCH_BYTES or time.monotonic() - started > FETCH_SECONDS:
                            return FileMatch(url, error="over limit: size or time")
                        digest.update(chunk)
                        out.write(chunk)
                    seen.etag = response.headers.get("ETag")
                    seen.last_modified = response.headers.get("Last-Modified")
            if digest.hexdigest() == seen.sha256:
                return None  # served again, unchanged
            seen.sha256 = digest.hexdigest()
            return match_file(temp, self.index, self.key, shown_as=url)
        except urllib.error.HTTPError as exc:
            exc.close()
            return None if exc.code == 304 else FileMatch(url, error=f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return FileMatch(url, error=f"cannot fetch: {getattr(exc, 'reason', exc)}")
        finally:
            Path(temp).unlink(missing_ok=True)


def read_feeds(path: Path) -> list[str]:
    """One URL or folder a line; blank lines and # comments are skipped."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the feeds: {exc}") from None
    feeds = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    if not feeds:
        raise UserError(f"{path}: no feeds (one URL or folder a line)")
    return feeds
