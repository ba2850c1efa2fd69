"""Baselines, as detect-secrets keeps them: what a site holds now is taken into the policy's
allowlist in one step, so the gate stops only on what is new, and entries whose finding has
gone are found and pruned.

Every entry is keyed on content (style rule 9): the keyed hash of the value under the policy's
salt, never the value; the rule that found it; the one file it covers (its path as a pattern
that matches only that file); who decided, why, and the date. A policy without a salt gets a
random one. The policy file is edited with tomlkit, so its comments, order and layout stay as
they were, checked by the policy loader before it is written, and written atomically; a policy
file that changed while we worked is not overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spillguard.errors import UserError
from spillguard.model import Report
from spillguard.policy import (
    DEFAULT_POLICY,
    MIN_SALT,
    AllowEntry,
    Policy,
    keyed_hash,
    literal_pattern,
    parse_policy,
    pattern_path,
)

if TYPE_CHECKING:
    from spillguard.scan import Progress

# Findings listed per file while a baseline is made: the policy's usual cut (max_findings)
# would leave a large roster's later rows out of it.
BASELINE_MAX_FINDINGS = 100_000
# Values many people share: nationalities, facilities, birth dates. An entry for one would hide
# it in every row added to the file later, and the person added would be judged without it (a
# name beside an allowlisted nationality and facility reads as a name alone, and passes). Left
# out, they are no finding in the rows already there: the identifiers beside them are allowed.
SHARED_KINDS = frozenset({"nationality", "detention_facility", "date_of_birth"})
SALT_BYTES = 32
NEW_POLICY_MODE = 0o644  # a policy is read by whoever runs the gate; it holds no secret value


class BaselineError(UserError):
    """A baseline that cannot be made or audited as asked: exit 2."""


@dataclass(frozen=True)
class Created:
    """What `create_baseline` did."""

    policy: Path
    written: int  # new entries
    already: int  # findings an entry already covered (none is written twice)
    files: int  # files whose findings are now covered
    unread: tuple[str, ...]  # files that could not be inspected: no entry can cover them
    # Files that still block under the policy as written (path, reason): more findings than
    # one run lists, or shared values that block without the identifiers (SHARED_KINDS).
    blocking: tuple[tuple[str, str], ...]
    salt_created: bool
    policy_created: bool


@dataclass(frozen=True)
class EntryState:
    """One allowlist entry as the audit found it: `ok` (its value is still in a file it
    covers), `stale` (the value or the file is gone) or `unchecked` (it covers no file that
    was scanned, or only files that could not be read)."""

    entry: AllowEntry
    state: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "index": e.index,
            "rule": e.rule,
            "path": e.path,
            "who": e.who,
            "reason": e.reason,
            "added": e.added or None,
            "state": self.state,
            "why": self.why,
        }


@dataclass(frozen=True)
class Audited:
    policy: Path
    sha256: str  # of the policy file audited: a prune edits only that
    entries: tuple[EntryState, ...]
    pruned: tuple[int, ...] = ()  # indexes removed from the policy file

    @property
    def stale(self) -> tuple[EntryState, ...]:
        return tuple(s for s in self.entries if s.state == "stale")

    @property
    def remaining_stale(self) -> int:
        return sum(1 for s in self.stale if s.entry.index not in self.pruned)


# --- create ----------------------------------------------------------------------------------


def create_baseline(
    paths: Iterable[str],
    policy_path: Path,
    by: str,
    reason: str,
    today: dt.date,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Created:
    """Scan `paths` under the policy at `policy_path` (created if missing) and add an allowlist
    entry for every value there is now that identifies someone (not SHARED_KINDS), creating the
    salt if the policy has none; then scan again under the policy written, to say what still
    blocks."""
    if not by.strip() or not reason.strip():
        raise BaselineError("--by and --reason must say who decided and why")
    raw = _read(policy_path)
    policy = _policy(policy_path, raw)
    salt = policy.salt
    if salt and len(salt) < MIN_SALT:
        raise BaselineError(f"{policy_path}: allowlist.salt is shorter than {MIN_SALT} characters")
    salt = salt or secrets.token_hex(SALT_BYTES)
    report = _scan(paths, replace(policy, salt=salt, max_findings=BASELINE_MAX_FINDINGS), jobs, progress)

    have = {(e.rule, e.value_hash, e.path) for e in policy.allowlist}
    new: dict[tuple[str, str, str], None] = {}  # in file order, each once
    unread, covered = [], set()
    already = 0
    for f in report.files:
        if f.uninspectable:
            unread.append(f.path)
            continue
        pattern = literal_pattern(policy.relative(f.path))  # a member's entry names its archive
        for finding in f.findings:
            if finding.kind in SHARED_KINDS:
                continue
            key = (_rule_id(finding.kind), keyed_hash(salt.encode(), finding.kind, finding.value), pattern)
            if key in have:
                already += 1
            else:
                new.setdefault(key)
            covered.add(f.path.split("!", 1)[0])
    if new:
        import tomlkit

        document = _document(policy_path, raw)
        made = "allowlist" not in document
        table = _allowlist_table(document, policy_path)
        if not policy.salt:
            table["salt"] = salt
            if made:
                table.add(tomlkit.nl())  # a blank line before the first entry
        _append_entries(table, [(*key, by, reason, today) for key in new])
        _write(policy_path, raw, document)
    after = _scan(paths, _policy(policy_path, _read(policy_path)) if new else policy, jobs, None)
    return Created(
        policy=policy_path,
        written=len(new),
        already=already,
        files=len(covered),
        unread=tuple(unread),
        blocking=tuple(
            (f.path, f.reason) for f in after.files if f.verdict == "block" and f.path not in unread
        ),
        salt_created=bool(new) and not policy.salt,
        policy_created=bool(new) and raw is None,
    )


def _rule_id(kind: str) -> str:
    from spillguard.detect.rules import RULES

    return next(rule.id for rule in RULES if rule.kind == kind)


def _append_entries(table: Any, entries: list[tuple[str, str, str, str, str, dt.date]]) -> None:
    """`[[allowlist.entries]]` tables after those there are (or inline tables, when the file
    keeps its entries in an inline array), one blank line after each."""
    import tomlkit
    from tomlkit.items import AoT, Array

    existing = table.get("entries")
    if existing is None:
        # As if parsed: tomlkit would otherwise put a second blank line before each entry.
        existing = AoT([], parsed=True)
        table["entries"] = existing
    for rule, value_hash, path, by, reason, today in entries:
        item = tomlkit.inline_table() if isinstance(existing, Array) else tomlkit.table()
        item.update(rule=rule, hash=value_hash, path=path, reason=reason, who=by, added=today)
        if isinstance(existing, AoT):
            item.add(tomlkit.nl())
        existing.append(item)


# --- audit -----------------------------------------------------------------------------------


def audit_baseline(
    paths: Iterable[str], policy_path: Path, *, jobs: int | None = None, progress: Progress | None = None
) -> Audited:
    """Scan `paths` under the policy and say of every allowlist entry whether its value is
    still in a file it covers."""
    raw = _read(policy_path)
    if raw is None:
        raise BaselineError(f"{policy_path}: no such policy file")
    policy = _policy(policy_path, raw)
    report = _scan(paths, policy, jobs, progress)
    used: set[int] = set()
    for f in report.files:
        allowed = f.extra.get("allowed")
        if isinstance(allowed, dict):
            used.update(allowed.get("allowlist", ()))
    scanned: dict[str, bool] = {}  # top-level file (as patterns see it) -> it could be read
    for f in report.files:
        top = policy.relative(f.path)
        scanned[top] = scanned.get(top, True) and not f.uninspectable
    states = tuple(_state(e, used, scanned, policy) for e in policy.allowlist)
    return Audited(policy_path, policy.sha256, states)


def _state(entry: AllowEntry, used: set[int], scanned: dict[str, bool], policy: Policy) -> EntryState:
    if entry.index in used:
        return EntryState(entry, "ok", "in use")
    covers = [path for path in scanned if fnmatchcase(path, entry.path)]
    only = pattern_path(entry.path)
    if only is not None and not os.path.lexists(os.path.join(policy.root or os.curdir, only)):
        return EntryState(entry, "stale", "its file is gone")
    if not covers:
        return EntryState(entry, "unchecked", "covers no file that was scanned")
    if not any(scanned[path] for path in covers):
        return EntryState(entry, "unchecked", "the files it covers could not be read")
    return EntryState(entry, "stale", "its value is no longer in the files it covers")


def prune(audited: Audited, remove: Iterable[int]) -> Audited:
    """Remove the entries numbered `remove` (stale ones) from the policy file, atomically and
    only if the file is still the one audited."""
    indexes = sorted(set(remove), reverse=True)
    if not indexes:
        return audited
    stale = {s.entry.index for s in audited.stale}
    if not set(indexes) <= stale:
        raise BaselineError(f"only stale entries are pruned, not allowlist{sorted(set(indexes) - stale)}")
    path = audited.policy
    raw = _read(path)
    if raw is None or hashlib.sha256(raw).hexdigest() != audited.sha256:
        raise BaselineError(f"{path}: changed while it was audited; audit it again")
    document = _document(path, raw)
    entries = _allowlist_table(document, path).get("entries")
    for index in indexes:
        del entries[index]
    _write(path, raw, document)
    return replace(audited, pruned=tuple(sorted(indexes)))


# --- the policy file -------------------------------------------------------------------------


def _read(path: Path) -> bytes | None:
    from spillguard.files import read_regular

    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _policy(path: Path, raw: bytes | None) -> Policy:
    if raw is None:  # a policy to be made: the built-in one, rooted where the file will be
        return replace(DEFAULT_POLICY, root=str(path.absolute().parent), source=str(path))
    return replace(parse_policy(raw, str(path)), sha256=hashlib.sha256(raw).hexdigest())


def _document(path: Path, raw: bytes | None) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if raw is None:
        document = tomlkit.document()
        document.add(tomlkit.comment("spillguard policy (spillguard baseline create made this file)"))
        return document
    try:
        return tomlkit.parse(raw.decode("utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot be edited: {exc}") from None


def _allowlist_table(document: Any, path: Path) -> Any:
    import tomlkit
    from tomlkit.items import Table

    if "allowlist" not in document:
        document["allowlist"] = tomlkit.table()
    table = document["allowlist"]
    if not isinstance(table, Table):
        raise BaselineError(f"{path}: write allowlist as an [allowlist] table to let baseline edit it")
    return table


def _write(path: Path, raw: bytes | None, document: Any) -> None:
    """The edited policy, checked by the loader first (a baseline never leaves a policy the
    gate would refuse), written only if the file is still what was read."""
    import tomlkit

    from spillguard.files import write_atomic

    text = tomlkit.dumps(document).encode("utf-8")
    try:
        parse_policy(text, str(path))
    except UserError as exc:
        raise BaselineError(f"{path}: the edited policy would not load ({exc}); left as it was") from None
    if _read(path) != raw:
        raise BaselineError(f"{path}: changed while it was being edited; run it again")
    target = Path(os.path.realpath(path))  # a policy reached by a symlink stays one
    mode = os.stat(target).st_mode & 0o777 if raw is not None else NEW_POLICY_MODE
    write_atomic(target, text, parents=False, mode=mode)


def _scan(paths: Iterable[str], policy: Policy, jobs: int | None, progress: Progress | None) -> Report:
    from spillguard.gate import gate_targets
    from spillguard.scan import scan

    targets = gate_targets(paths)  # what the gate judges: not the site's .git or .spillguard
    return scan(targets, policy, jobs=jobs if targets else 0, progress=progress)
