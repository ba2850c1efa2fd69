"""Publish a site tree through the gate: copy what passes, leave out what blocks, and take down
what was published before and blocks now.

- A file is never half-published: a local copy goes to a temp file beside its target and is
  renamed over it; an object store gets one whole PUT. The bytes copied are hashed on the way
  and must be the bytes the gate judged, or the copy is dropped (a file edited while the site
  was being published is not published).
- A rerun copies only what changed: `DEST/.spillguard-manifest.json` records the sha256 of
  every file this command published.
- Fail closed: a file that blocks is removed from DEST if it is there (an older version of it
  was public); a file this command published that is gone from SRC is removed too.
- Nothing from outside SRC: a symlink (to a file or a folder) whose target lies outside SRC is
  listed as blocked and never copied (`/etc/passwd`, an `.env` secret, a whole folder).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from spillguard.errors import UserError
from spillguard.gate import GateResult, run_gate
from spillguard.policy import Policy

MANIFEST = ".spillguard-manifest.json"
TEMP_PREFIX = ".spillguard-tmp-"
BLOCK = 1024 * 1024


class PublishError(UserError, ValueError):
    """A source or destination that cannot be used; the message names it."""


class ChangedError(Exception):
    """The file's bytes changed between the gate and the copy."""


class Destination(Protocol):
    location: str

    def read_manifest(self) -> dict[str, dict[str, Any]]: ...

    def write_manifest(self, files: dict[str, dict[str, Any]]) -> None: ...

    def exists(self, rel: str) -> bool: ...

    def put(self, rel: str, source: Path, sha256: str) -> None: ...

    def remove(self, rel: str) -> None: ...

    def remove_published(self, rel: str, sha256: str) -> bool: ...  # only if it holds sha256


@dataclass(frozen=True)
class PublishResult:
    gate: GateResult
    copied: tuple[str, ...]
    unchanged: tuple[str, ...]
    blocked: tuple[tuple[str, str], ...]  # relative path, why
    removed: tuple[tuple[str, str], ...]  # relative path, why
    failed: tuple[tuple[str, str], ...]  # relative path, why

    @property
    def complete(self) -> bool:
        """Everything in SRC is public in DEST: nothing blocked, nothing failed."""
        return not self.blocked and not self.failed

    def audit_detail(self, src: str, dest: str) -> dict[str, Any]:
        return {
            "src": src,
            "dest": dest,
            "copied": list(self.copied),
            "unchanged": len(self.unchanged),
            "blocked": [path for path, _ in self.blocked],
            "removed": [f"{path} ({why})" for path, why in self.removed],
            "failed": [f"{path} ({why})" for path, why in self.failed],
        }


def publish(
    src: Path, dest: str, policy: Policy, approvals_dir: Path, now: datetime, *, jobs: int | None = None
) -> PublishResult:
    if not src.is_dir():
        raise PublishError(f"{src}: not a directory (publish copies a site tree)")
    target = open_destination(dest, src)
    manifest = target.read_manifest()
    result = run_gate([str(src)], policy, approvals_dir, now, jobs=jobs)
    copied: list[str] = []
    unchanged: list[str] = []
    blocked: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    present: set[str] = set()
    site = src.resolve()
    for f in result.top_level():
        rel = Path(f.path).relative_to(src).as_posix()
        present.add(rel)
        decision = result.decisions[f.path]
        outside = not Path(os.path.realpath(f.path)).is_relative_to(site)
        if outside or not decision.passes:
            why = "a symlink leading outside the site" if outside else f"{f.reason} -- {decision.reason}"
            blocked.append((rel, why))
            try:
                if rel in manifest or target.exists(rel):
                    # It was public, or something is public under its name: take it down.
                    target.remove(rel)
                    manifest.pop(rel, None)
                    removed.append((rel, "now blocks"))
            except (OSError, PublishError) as exc:
                failed.append((rel, f"blocks, and cannot be taken down: {_why(exc)}"))
            continue
        try:
            if manifest.get(rel, {}).get("sha256") == f.sha256 and target.exists(rel):
                unchanged.append(rel)
                continue
            target.put(rel, Path(f.path), f.sha256)
        except ChangedError:
            failed.append((rel, "changed while being published; run again"))
            continue
        except (OSError, PublishError) as exc:  # one file's trouble is reported, the run goes on
            failed.append((rel, f"cannot write: {_why(exc)}"))
            continue
        manifest[rel] = {"sha256": f.sha256, "size": f.size}
        copied.append(rel)
    for rel in sorted(set(manifest) - present):
        # Only a file this command wrote, unchanged since, is taken down: the manifest lives in
        # DEST, where anyone who can write there can put any name in it.
        sha256 = manifest.pop(rel)["sha256"]
        try:
            if target.remove_published(rel, sha256):
                removed.append((rel, "gone from source"))
        except (OSError, PublishError) as exc:
            failed.append((rel, f"gone from source, and cannot be taken down: {_why(exc)}"))
    target.write_manifest(manifest)
    return PublishResult(
        result, tuple(copied), tuple(unchanged), tuple(blocked), tuple(removed), tuple(failed)
    )


def open_destination(dest: str, src: Path) -> Destination:
    if "://" in dest and not dest.startswith("file://"):
        return FsspecDestination(dest)
    root = Path(dest.removeprefix("file://"))
    source, target = src.resolve(), root.resolve()
    if target == source or target.is_relative_to(source) or source.is_relative_to(target):
        raise PublishError(f"{dest}: the destination and the source must not contain each other")
    return LocalDestination(root)


def _verified_copy(source: Path, out: Any, sha256: str) -> None:
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        raise ChangedError(str(source))


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _read_manifest(text: str, where: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(text)
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        # An unreadable manifest only costs a full copy: every file is compared as new.
        return {}
    return {
        str(k): v
        for k, v in files.items()
        if _plain_relative(str(k)) and isinstance(v, dict) and _HEX64.fullmatch(str(v.get("sha256", "")))
    }


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _plain_relative(rel: str) -> bool:
    """A file's path inside DEST as publish writes it: relative, no `.` or `..`, not the
    manifest (`.`, `uploads/..`, `/etc/x` are not names publish ever wrote)."""
    parts = rel.split("/")
    return rel != MANIFEST and not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _manifest_text(files: dict[str, dict[str, Any]]) -> str:
    return (
        json.dumps({"schema": "spillguard.publish/1", "files": dict(sorted(files.items()))}, indent=1) + "\n"
    )


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


class LocalDestination:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"{root}: cannot create: {exc.strerror or exc}") from None

    def _path(self, rel: str) -> Path:
        path = self.root / rel
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise PublishError(f"{rel}: leads outside {self.root}")
        return path

    def read_manifest(self) -> dict[str, dict[str, Any]]:
        try:
            return _read_manifest((self.root / MANIFEST).read_text(encoding="utf-8"), self.location)
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError):
            return {}

    def write_manifest(self, files: dict[str, dict[str, Any]]) -> None:
        try:
            self._write_text(self.root / MANIFEST, _manifest_text(files))
        except OSError as exc:
            # What was copied is whole; the next run compares it again as new.
            raise PublishError(f"{self.root / MANIFEST}: cannot write: {exc.strerror or exc}") from None

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self._path(rel))

    def put(self, rel: str, source: Path, sha256: str) -> None:
        target = self._path(rel)
        _make_folders(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                _verified_copy(source, out, sha256)
                out.flush()
                os.fsync(out.fileno())
            shutil.copystat(source, tmp)  # keep the mtime: web servers send it as Last-Modified
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def remove(self, rel: str) -> None:
        """Unlink the file (or link) at `rel`; a folder is never removed (publish writes files)."""
        self._path(rel).unlink(missing_ok=True)

    def remove_published(self, rel: str, sha256: str) -> bool:
        path = self._path(rel)
        try:
            info = path.lstat()
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(info.st_mode) or _file_sha256(path) != sha256:
            return False  # not what publish wrote (a folder, a link, an edited file): left alone
        path.unlink()
        return True

    def _write_text(self, path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _make_folders(folder: Path) -> None:
    """`mkdir -p` without recursion (pathlib's and os.makedirs recurse once per level, and a
    site can be a thousand folders deep)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(exist_ok=True)


class FsspecDestination:
    """A bucket or other filesystem fsspec knows (`s3://bucket/site`, `memory://site`). One
    PUT per object is atomic on object stores, so no temp name is needed."""

    def __init__(self, url: str) -> None:
        try:
            import fsspec
        except ImportError:
            raise PublishError(f"{url}: publishing to a URL needs fsspec (and s3fs for s3://)") from None
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise PublishError(f"{url}: {exc}") from None
        self.location = url
        self.root = self.root.rstrip("/")

    def _key(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def read_manifest(self) -> dict[str, dict[str, Any]]:
        try:
            data = self.fs.cat_file(self._key(MANIFEST))
        except FileNotFoundError:
            return {}
        return _read_manifest(data.decode("utf-8", "replace"), self.location)

    def write_manifest(self, files: dict[str, dict[str, Any]]) -> None:
        self.fs.pipe_file(self._key(MANIFEST), _manifest_text(files).encode())

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self._key(rel)))

    def put(self, rel: str, source: Path, sha256: str) -> None:
        buffer = io.BytesIO()
        _verified_copy(source, buffer, sha256)
        self.fs.pipe_file(self._key(rel), buffer.getvalue())

    def remove(self, rel: str) -> None:
        if self.fs.isfile(self._key(rel)):
            self.fs.rm_file(self._key(rel))

    def remove_published(self, rel: str, sha256: str) -> bool:
        key = self._key(rel)
        if not self.fs.isfile(key) or hashlib.sha256(self.fs.cat_file(key)).hexdigest() != sha256:
            return False
        self.fs.rm_file(key)
        return True
