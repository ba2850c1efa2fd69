"""The quarantine: where a file that blocks goes when it is taken out of the web root.

- The move leaves nothing readable behind. On one file system it is a rename (atomic: the
  web root path is gone at the instant the file is in the quarantine). Across file systems
  the file is first opened and made unreadable (mode 0) in place, then copied from the open
  descriptor, fsynced, renamed into the quarantine, and only then deleted from the web root:
  a crash half-way leaves an unreadable original, never a readable one.
- The quarantine folder is mode 0700 and its files 0600. `manifest.json` in it records, for
  every item, the original path, sha256, time, reason (verdict, severity, counts; never a
  value) and the original mode, under an exclusive lock (two watchers may share a folder).
- `restore` puts a file back only when it would not block now, or carries valid approvals,
  unless forced.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spillguard.approvals import Decision
from spillguard.errors import UserError
from spillguard.files import read_regular
from spillguard.isolate import Job, scan_in_worker
from spillguard.policy import Policy
from spillguard.watch.audit_sink import AuditSink, summary
from spillguard.watch.judge import Judge

MANIFEST = "manifest.json"
LOCK = ".lock"
SCHEMA = "spillguard.quarantine/1"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
BLOCK = 1024 * 1024


class QuarantineError(UserError, ValueError):
    """A quarantine folder or item that cannot be used; the message names it."""


@dataclass(frozen=True)
class Item:
    id: str
    original: str  # absolute path in the web root
    stored: str  # file name inside the quarantine folder
    sha256: str  # of the bytes moved
    at: str
    reason: dict[str, Any]  # verdict, severity, counts, scanned sha256; never values
    mode: int  # the original's permission bits, put back on restore
    restored: str | None = None  # when it was put back
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


def open_quarantine(folder: Path) -> Path:
    """Create the folder (0700) if needed and make sure it is private and writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "not writable")
    except OSError as exc:
        raise QuarantineError(f"{folder}: cannot use as quarantine: {exc.strerror or exc}") from None
    return folder


def take(path: Path, folder: Path, reason: dict[str, Any], now: datetime | None = None) -> Item:
    """Move `path` into the quarantine `folder` and record it. OSError when it cannot be
    moved (the caller logs it); FileNotFoundError when it is already gone."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    info = os.lstat(path)
    item_id = f"{when.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    stored = f"{item_id}-{_safe_name(path.name)}"
    target = folder / stored
    notes: list[str] = []
    try:
        os.rename(path, target)
        if not stat.S_ISLNK(info.st_mode):  # a link's target is not ours to change
            os.chmod(target, FILE_MODE)
        # Only a regular file is hashed: opening a FIFO would wait for a writer forever.
        digest = _sha256(target) if stat.S_ISREG(os.stat(target).st_mode) else ""
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if stat.S_ISLNK(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            # Nothing to copy: the link (or FIFO) itself is made again in the quarantine,
            # and the one in the web root is unlinked, so it is no longer served.
            if stat.S_ISLNK(info.st_mode):
                os.symlink(os.readlink(path), target)
            else:
                os.mkfifo(target, FILE_MODE)
            os.unlink(path)
            digest = ""
            notes.append("made again across file systems (a link or FIFO), the original unlinked")
        elif not stat.S_ISREG(info.st_mode):
            raise OSError(
                errno.EXDEV, "not a regular file: cannot be copied to another file system"
            ) from None
        else:
            digest = _move_across(path, target)
            notes.append("copied across file systems")
    scanned = reason.get("sha256")
    if scanned and scanned != digest:
        notes.append("the file changed between the scan and the move")
    item = Item(
        id=item_id,
        original=str(path.absolute()),
        stored=stored,
        sha256=digest,
        at=when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        reason=reason,
        mode=stat.S_IMODE(info.st_mode),
        notes=tuple(notes),
    )
    with _locked(folder):
        items = _read(folder)
        items.append(item)
        _write(folder, items)
    return item


def _move_across(path: Path, target: Path) -> str:
    """Copy to another file system without ever leaving a readable original behind."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fchmod(fd, 0)  # readers that have not opened it yet never will
        tmp_fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(tmp_fd, "wb") as out:
                while block := os.read(fd, BLOCK):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        os.close(fd)
    os.unlink(path)
    return digest.hexdigest()


def items(folder: Path) -> list[Item]:
    if not folder.is_dir():
        raise QuarantineError(f"{folder}: no such quarantine folder")
    with _locked(folder):
        return _read(folder)


def find(folder: Path, item_id: str) -> Item:
    matches = [i for i in items(folder) if i.id == item_id or i.id.startswith(item_id)]
    if not matches:
        raise QuarantineError(f"{folder}: no item {item_id!r} (see `spillguard quarantine list`)")
    if len(matches) > 1:
        raise QuarantineError(f"{item_id!r}: matches {len(matches)} items; give more of the id")
    return matches[0]


def put_back(folder: Path, item: Item) -> Item:
    """Move the stored file back to its original path (never over an existing file), with its
    original mode, and mark the item restored."""
    if item.restored:
        raise QuarantineError(f"{item.id}: already restored {item.restored}")
    source = folder / item.stored
    original = Path(item.original)
    if os.path.lexists(original):
        raise QuarantineError(f"{original}: exists; move it away first (restore never overwrites)")
    original.parent.mkdir(parents=True, exist_ok=True)
    # A temp name beside the target, then a rename: never half a file at the public path.
    fd, tmp = tempfile.mkstemp(dir=original.parent, prefix=".spillguard-restore-")
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while block := src.read(BLOCK):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, item.mode)
        os.link(tmp, original)  # fails if something appeared at the path meanwhile
    finally:
        Path(tmp).unlink(missing_ok=True)
    source.unlink()
    done = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    with _locked(folder):
        current = _read(folder)
        updated = [
            Item(**{**i.as_dict(), "restored": done, "notes": i.notes}) if i.id == item.id else i
            for i in current
        ]
        _write(folder, updated)
    return next(i for i in updated if i.id == item.id)


def stored_path(folder: Path, item: Item) -> Path:
    return folder / item.stored


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read(folder: Path) -> list[Item]:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise QuarantineError(f"{path}: unreadable manifest: {exc}") from None
    try:
        return [
            Item(**{**entry, "notes": tuple(entry.get("notes", ()))})
            for entry in data["items"]
            if isinstance(entry, dict)
        ]
    except (KeyError, TypeError) as exc:
        raise QuarantineError(f"{path}: not a quarantine manifest ({exc})") from None


def _write(folder: Path, entries: list[Item]) -> None:
    text = json.dumps({"schema": SCHEMA, "items": [i.as_dict() for i in entries]}, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".manifest-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / MANIFEST)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK):
                digest.update(block)
    except OSError:  # a dangling link, or a file even root cannot read: moved, not hashed
        return ""
    return digest.hexdigest()


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return cleaned[:120] or "file"


@dataclass(frozen=True)
class Restored:
    item: Item  # as recorded after the restore
    decision: Decision  # the gate's decision on the file as it is now
    audit_seq: int | None


def restore(
    folder: Path, item_id: str, policy: Policy, approvals_dir: Path, audit: str | None, force: bool = False
) -> Restored:
    """Put the item back where it was, if it would pass the gate now (scanned in a worker, as
    at its public path, with that path's rules and approvals) or `force`; recorded in the
    audit log either way it goes back."""
    sink = AuditSink(audit)
    sink.check()
    item = find(folder, item_id)
    try:
        data = read_regular(stored_path(folder, item))  # a FIFO taken out stays out
    except OSError as exc:
        raise QuarantineError(f"{item.id}: cannot read the stored file: {exc.strerror or exc}") from None
    report = scan_in_worker(Job(item.original, data), policy)[0]
    decision = Judge(policy, approvals_dir).decide(report)
    if not decision.passes and not force:
        raise QuarantineError(f"{item.original}: still blocks ({decision.reason}); approve it, or --force")
    restored = put_back(folder, item)
    entry = sink.append(
        "quarantine-restore",
        {
            "item": item.id,
            "path": item.original,
            **summary(report),
            "approval": decision.state,
            "forced": force and not decision.passes,
        },
    )
    return Restored(restored, decision, entry)
