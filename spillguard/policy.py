"""Policy: which severities block or warn, the limits a scan keeps to, what is allowed where,
and who may approve a blocked file. Immutable; the defaults are the built-in policy every user
file (`spillguard.toml`) extends, and a user file is validated strictly: an unknown key, kind,
rule id or severity is an error that names it and the file.

Path patterns are matched with `fnmatch` (case-sensitive) against the file's path relative to
the folder that holds the policy file, with `/` separators. `*` crosses folders, so
`press/*` covers everything under `press/` and `*.xlsx` every workbook at any depth. Members
of an archive follow the archive's path: publishing the zip publishes them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from fnmatch import fnmatchcase
from typing import Any

from spillguard.errors import UserError
from spillguard.extract.base import Limits
from spillguard.model import SEVERITY_ORDER, DetectSettings

# Severities a threshold can name; "none" (nothing found) never blocks.
THRESHOLDS = ("critical", "high", "medium", "low")
DEFAULT_CRITICAL_APPROVALS = 2  # the law asked for senior officials, plural: two distinct people
DEFAULT_OTHER_APPROVALS = 1
# Kinds whose values are identifiers: compared by their letters and digits only, so that
# `A-212-345-622` and `A212345622` are one allowlist entry.
IDENTIFIER_KINDS = frozenset(
    {"a_number", "ssn", "phone_number", "passport_number", "national_id", "immigration_case_number"}
)
KEY_PREFIX = "ed25519:"


class PolicyError(UserError, ValueError):
    """A policy file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class AllowEntry:
    """One suppressed value, keyed on content (never on a line number): the keyed hash of the
    normalized value, the rule that found it, where it may appear, why, and who said so."""

    rule: str  # rule id, e.g. `phone-number`
    kind: str  # the rule's kind, e.g. `phone_number`
    value_hash: str  # keyed_hash(salt, kind, value), hex
    path: str = "*"  # fnmatch pattern, relative to the policy folder
    reason: str = ""
    who: str = ""
    added: str = ""  # ISO date the entry was made (`spillguard baseline` writes it), "" unknown
    index: int = 0  # position in the policy file, for messages (`allowlist[3]`)

    @property
    def label(self) -> str:
        return f"allowlist[{self.index}] ({self.rule} in {self.path}: {self.reason or 'no reason given'})"


@dataclass(frozen=True)
class Allowance:
    """What one file's scan leaves out: whole kinds, and single values by keyed hash."""

    kinds: frozenset[str] = frozenset()
    entries: tuple[AllowEntry, ...] = ()
    salt: bytes = b""

    def allows_kind(self, kind: str) -> bool:
        return kind in self.kinds

    def match(self, kind: str, value: str) -> AllowEntry | None:
        """The allowlist entry that covers this value, if any (values are hashed only when an
        entry for the kind exists: most files have none)."""
        candidates = [e for e in self.entries if e.kind == kind]
        if not candidates:
            return None
        digest = keyed_hash(self.salt, kind, value)
        return next((e for e in candidates if hmac.compare_digest(e.value_hash, digest)), None)


@dataclass(frozen=True)
class PathRule:
    """Settings for the files whose path matches `pattern`; None inherits."""

    pattern: str
    block: frozenset[str] | None = None
    warn: frozenset[str] | None = None
    allow_kinds: frozenset[str] = frozenset()
    no_personal_data: bool = False  # any finding blocks, and no approval clears it
    unread_pictures: str | None = None
    # Files under this pattern that cannot be inspected: "warn" or "pass" instead of blocking,
    # for the reasons matching `uninspectable_reasons` (fnmatch; empty: every reason).
    uninspectable: str | None = None
    uninspectable_reasons: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Relaxation:
    """A path rule's leave for files that cannot be inspected: their verdict instead of block,
    for which reasons, and the rule that says so (kept in the report and the audit log)."""

    verdict: str
    reasons: tuple[str, ...]
    pattern: str
    why: str

    def covers(self, reason: str) -> bool:
        return not self.reasons or any(fnmatchcase(reason, r) for r in self.reasons)


@dataclass(frozen=True)
class Approver:
    """A person who may approve, with the public keys (`ed25519:BASE64`) they sign with."""

    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    block: frozenset[str] = frozenset({"critical", "high"})
    warn: frozenset[str] = frozenset({"medium"})
    limits: Limits = field(default_factory=Limits)
    detect: DetectSettings = field(default_factory=DetectSettings)  # `[detect]`: what detectors are told
    max_findings: int = 1_000  # listed per file; beyond it findings are counted, not listed
    # A picture that may hold text but could not be read (OCR missing, off or too slow):
    # "block" fails closed; a folder of photos may say "warn" or "pass".
    unread_pictures: str = "block"
    # Audio and video, of which only the container metadata is read: "warn" by default, so a
    # web team sees them listed and the gate does not stop; "block" or "pass" by policy.
    unread_media: str = "warn"
    # Set by `for_path` from the last matching path rule that relaxes uninspectable files.
    uninspectable: Relaxation | None = None
    allow_kinds: frozenset[str] = frozenset()
    paths: tuple[PathRule, ...] = ()
    allowlist: tuple[AllowEntry, ...] = ()
    salt: str = ""  # key of the allowlist and findings hashes; per policy
    approvers: tuple[Approver, ...] = ()
    critical_approvals: int = DEFAULT_CRITICAL_APPROVALS  # also for files that cannot be inspected
    other_approvals: int = DEFAULT_OTHER_APPROVALS
    forbidden: str = ""  # set under a `no_personal_data` path rule: why no approval can clear it
    root: str = ""  # the folder path patterns are relative to; "" is the working directory
    # [exposure] trusted_proxies: the CDN and load balancers in front of the site (CIDR), whose
    # X-Forwarded-For `exposure` believes, beside any --trust-proxy
    trusted_proxies: tuple[str, ...] = ()
    source: str = ""  # the file this policy was read from, "" for the built-in one
    sha256: str = ""  # of that file's bytes, recorded with every gate decision; "" built-in

    def suppressors(self, path: str, kind: str) -> list[str]:
        """Which parts of this policy leave findings of `kind` out at `path` (for reports:
        a policy that hides a roster must say so)."""
        out = [f"allow_kinds {kind}"] if kind in self.allow_kinds else []
        out += [
            f'paths[{i}] "{rule.pattern}" allow_kinds {kind}'
            for i, rule in enumerate(self.paths)
            if kind in rule.allow_kinds and rule in self.matching_rules(path)
        ]
        return out

    def verdict(self, severity: str) -> str:
        if severity in self.block:
            return "block"
        if severity in self.warn:
            return "warn"
        return "pass"

    def relative(self, path: str) -> str:
        """`path` as path patterns see it: relative to the policy folder, `/` separators; an
        archive member as its archive."""
        outer = path.split("!", 1)[0]
        base = self.root or os.getcwd()
        # Symlinks resolved: a folder alias (`a-alias -> stats`) is judged by the rules of the
        # folder it shows, so `stats/*` cannot be dodged by a second name.
        rel = os.path.relpath(os.path.realpath(outer), os.path.realpath(base))
        if rel == ".." or rel.startswith(".." + os.sep):  # leads out of the policy's folder
            rel = os.path.relpath(os.path.abspath(outer), base)
        return rel.replace(os.sep, "/")

    def matching_rules(self, path: str) -> tuple[PathRule, ...]:
        rel = self.relative(path)
        return tuple(rule for rule in self.paths if fnmatchcase(rel, rule.pattern))

    def for_path(self, path: str) -> Policy:
        """This policy with the path rules for `path` applied (and no path rules left, so
        applying it again changes nothing): what one file is judged by."""
        if not self.paths and not self.allowlist:
            return self
        block, warn, kinds, forbidden = self.block, self.warn, set(self.allow_kinds), self.forbidden
        pictures, relaxation = self.unread_pictures, self.uninspectable
        for rule in self.matching_rules(path):
            pictures = rule.unread_pictures or pictures
            if rule.uninspectable is not None:
                reasons = rule.uninspectable_reasons
                relaxation = Relaxation(rule.uninspectable, reasons, rule.pattern, rule.reason)
            block = rule.block if rule.block is not None else block
            warn = rule.warn if rule.warn is not None else warn
            kinds |= rule.allow_kinds
            if rule.no_personal_data:
                block = frozenset(THRESHOLDS)
                forbidden = rule.reason or f"no personal data may be published under {rule.pattern}"
        rel = self.relative(path)
        entries = tuple(e for e in self.allowlist if fnmatchcase(rel, e.path))
        return replace(
            self,
            block=block,
            warn=warn - block,
            allow_kinds=frozenset(kinds),
            forbidden=forbidden,
            unread_pictures=pictures,
            uninspectable=relaxation,
            paths=(),
            allowlist=entries,
        )

    @property
    def allowance(self) -> Allowance | None:
        if not self.allow_kinds and not self.allowlist:
            return None
        return Allowance(self.allow_kinds, self.allowlist, self.salt.encode())

    def approvals_needed(self, severity: str) -> int:
        """Approvals from distinct people a blocked file of this severity needs. A file that
        cannot be inspected may hold anything, so it needs as many as a critical one."""
        if severity in ("critical", "uninspectable"):
            return self.critical_approvals
        return self.other_approvals

    def approver_for_key(self, public_key: str) -> Approver | None:
        """By the key's bytes, not its text: base64 has more than one spelling of 32 bytes
        (the padding bits are ignored), and one key must stay one person."""
        if not valid_public_key(public_key):
            return None
        raw = public_key_bytes(public_key)
        return next((a for a in self.approvers if raw in map(public_key_bytes, a.keys)), None)


DEFAULT_POLICY = Policy()
POLICY_FILE = "spillguard.toml"  # the policy a command finds in its working directory


# --- keyed hashes ----------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize_value(kind: str, value: str) -> str:
    """The form a value is compared in: NFKC, case-folded, whitespace folded; identifiers by
    their letters and digits only (spellings of one A-number are one value)."""
    text = unicodedata.normalize("NFKC", value).casefold()
    if kind in IDENTIFIER_KINDS:
        return _NOT_ALNUM.sub("", text)
    return _SPACE.sub(" ", text).strip()


def keyed_hash(salt: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of the normalized value under the policy's salt: the allowlist and the
    approvals name a value without holding it. (A low-entropy value such as a 9-digit
    A-number can still be found by trying them all if the salt is known.)"""
    message = f"{kind}\x00{normalize_value(kind, value)}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


# --- path patterns ---------------------------------------------------------------------------

_PATTERN_SPECIAL = re.compile(r"([*?\[])")
_ESCAPED = re.compile(r"\[([*?\[])\]")


def literal_pattern(path: str) -> str:
    """A path pattern that matches `path` and nothing else (`*`, `?` and `[` in a file name
    are characters, not wildcards: `report[1].csv` is `report[[]1].csv`)."""
    return _PATTERN_SPECIAL.sub(r"[\1]", path)


def pattern_path(pattern: str) -> str | None:
    """The one path a pattern made by `literal_pattern` matches; None for a real pattern."""
    plain = _ESCAPED.sub("", pattern)
    if _PATTERN_SPECIAL.search(plain):  # a lone ] is a character to fnmatch
        return None
    return _ESCAPED.sub(r"\1", pattern)


# --- loading ---------------------------------------------------------------------------------

TOP_KEYS = {
    "block_at",
    "detect",
    "warn_at",
    "allow_kinds",
    "unread_pictures",
    "media",
    "exposure",
    "max_findings",
    "limits",
    "approvals",
    "approvers",
    "paths",
    "allowlist",
}
PATH_KEYS = {
    "pattern",
    "block_at",
    "warn_at",
    "allow_kinds",
    "no_personal_data",
    "unread_pictures",
    "uninspectable",
    "uninspectable_reasons",
    "reason",
}
MEDIA_KEYS = {"unread"}
EXPOSURE_KEYS = {"trusted_proxies"}
PICTURE_VERDICTS = ("block", "warn", "pass")
APPROVAL_KEYS = {"critical", "other"}
ALLOWLIST_KEYS = {"salt", "entries"}
ENTRY_KEYS = {"rule", "hash", "path", "reason", "who", "added"}
MIN_SALT = 16  # characters of an allowlist salt
DETECT_KEYS = {"phone_regions"}
LIMIT_KEYS = {f.name: f.type for f in fields(Limits)}
_HEX64 = re.compile(r"[0-9a-f]{64}")


def load_policy(path: str) -> Policy:
    """The built-in policy extended by the TOML file at `path`; PolicyError names the file
    and the first thing wrong with it."""
    from spillguard.files import read_regular

    try:
        raw = read_regular(path)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_policy(raw, path)


def parse_policy(raw: bytes, path: str) -> Policy:
    """The policy the bytes `raw` of the file at `path` say (`load_policy` without the reading:
    a policy about to be written is checked with it first)."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    return replace(_Reader(path).policy(data), sha256=hashlib.sha256(raw).hexdigest())


@dataclass(frozen=True)
class _Reader:
    """Validates one policy file; every message starts with the file's name."""

    path: str

    def error(self, message: str) -> PolicyError:
        return PolicyError(f"{self.path}: {message}")

    def keys(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(f"unknown key {where}{key!r} (allowed: {', '.join(sorted(allowed))})")

    def typed(self, value: object, kind: type | tuple[type, ...], where: str) -> Any:
        # bool is an int in Python; a policy that says `critical = true` is a mistake
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{where} has the wrong type ({type(value).__name__})")
        return value

    def threshold(self, value: object, where: str) -> frozenset[str]:
        if value not in THRESHOLDS:
            raise self.error(f"{where}: unknown severity {value!r} (use {', '.join(THRESHOLDS)})")
        floor = SEVERITY_ORDER[str(value)]
        return frozenset(s for s in THRESHOLDS if SEVERITY_ORDER[s] >= floor)

    def kinds(self, value: object, where: str) -> frozenset[str]:
        from spillguard.detect.rules import RULES

        known = {rule.kind for rule in RULES}
        by_id = {rule.id: rule.kind for rule in RULES}
        items = self.typed(value, list, where)
        for item in items:
            if item not in known:
                hint = f" (did you mean {by_id[item]!r}?)" if item in by_id else ""
                raise self.error(f"{where}: unknown kind {item!r}{hint}")
        return frozenset(items)

    def policy(self, data: dict[str, Any]) -> Policy:
        self.keys(data, TOP_KEYS, "")
        base = DEFAULT_POLICY
        block = self.threshold(data["block_at"], "block_at") if "block_at" in data else base.block
        warn = self.threshold(data["warn_at"], "warn_at") - block if "warn_at" in data else base.warn - block
        approvals = self.approvals(data.get("approvals", {}))
        salt, allowlist = self.allowlist(data.get("allowlist", {}))
        max_findings = self.typed(data.get("max_findings", base.max_findings), int, "max_findings")
        if max_findings < 1:
            raise self.error("max_findings must be at least 1")
        return Policy(
            block=block,
            warn=warn,
            limits=self.limits(data.get("limits", {})),
            detect=self.detect(data.get("detect", {})),
            max_findings=max_findings,
            unread_pictures=self.picture_verdict(
                data.get("unread_pictures", base.unread_pictures), "unread_pictures"
            ),
            unread_media=self.media(data.get("media", {})),
            allow_kinds=self.kinds(data.get("allow_kinds", []), "allow_kinds"),
            paths=tuple(self.path_rule(i, rule) for i, rule in enumerate(self.list(data, "paths"))),
            allowlist=allowlist,
            salt=salt,
            approvers=self.approvers(data.get("approvers", {})),
            critical_approvals=approvals[0],
            other_approvals=approvals[1],
            root=os.path.dirname(os.path.abspath(self.path)),
            source=self.path,
            trusted_proxies=self.proxies(data.get("exposure", {})),
        )

    def list(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        items = self.typed(data.get(key, []), list, key)
        for i, item in enumerate(items):
            self.typed(item, dict, f"{key}[{i}]")
        return items

    def limits(self, value: object) -> Limits:
        table: dict[str, Any] = self.typed(value, dict, "[limits]")
        self.keys(table, set(LIMIT_KEYS), "limits.")
        values: dict[str, Any] = {}
        for key, item in table.items():
            if LIMIT_KEYS[key] == "bool":  # switches such as `ocr = false`
                values[key] = self.typed(item, bool, f"limits.{key}")
                continue
            want: type | tuple[type, ...] = (int, float) if LIMIT_KEYS[key] == "float" else int
            number = self.typed(item, want, f"limits.{key}")
            if number <= 0:
                raise self.error(f"limits.{key} must be positive")
            values[key] = number
        return Limits(**values)

    def detect(self, value: object) -> DetectSettings:
        table: dict[str, Any] = self.typed(value, dict, "[detect]")
        self.keys(table, DETECT_KEYS, "detect.")
        if "phone_regions" not in table:
            return DetectSettings()
        regions = self.strings(table, "phone_regions", "detect")
        if not regions:
            raise self.error('detect.phone_regions: name at least one region (e.g. "US")')
        from spillguard.detect.validators import valid_phone_region

        for region in regions:
            if not valid_phone_region(region):
                raise self.error(
                    f"detect.phone_regions: unknown region {region!r} (ISO 3166 codes such as US, MX, GB)"
                )
        return DetectSettings(phone_regions=tuple(dict.fromkeys(regions)))

    def media(self, value: object) -> str:
        table: dict[str, Any] = self.typed(value, dict, "[media]")
        self.keys(table, MEDIA_KEYS, "media.")
        return self.picture_verdict(table.get("unread", DEFAULT_POLICY.unread_media), "media.unread")

    def proxies(self, value: object) -> tuple[str, ...]:
        table: dict[str, Any] = self.typed(value, dict, "[exposure]")
        self.keys(table, EXPOSURE_KEYS, "exposure.")
        networks = self.typed(table.get("trusted_proxies", []), list, "exposure.trusted_proxies")
        for i, text in enumerate(networks):
            try:
                ipaddress.ip_network(self.typed(text, str, f"exposure.trusted_proxies[{i}]"), strict=False)
            except ValueError:
                raise self.error(f"exposure.trusted_proxies[{i}]: {text!r} is not a network") from None
        return tuple(networks)

    def approvals(self, value: object) -> tuple[int, int]:
        table: dict[str, Any] = self.typed(value, dict, "[approvals]")
        self.keys(table, APPROVAL_KEYS, "approvals.")
        counts = []
        for key, default in (("critical", DEFAULT_CRITICAL_APPROVALS), ("other", DEFAULT_OTHER_APPROVALS)):
            count = self.typed(table.get(key, default), int, f"approvals.{key}")
            if count < 1:
                # zero would let a blocked file through with no authorization at all
                raise self.error(f"approvals.{key} must be at least 1")
            counts.append(count)
        return counts[0], counts[1]

    def approvers(self, value: object) -> tuple[Approver, ...]:
        table: dict[str, Any] = self.typed(value, dict, "[approvers]")
        out = []
        seen: dict[bytes, str] = {}
        for name, item in table.items():
            keys: list[Any] = self.typed([item] if isinstance(item, str) else item, list, f"approvers.{name}")
            for key in keys:
                self.typed(key, str, f"approvers.{name}")
                if not valid_public_key(key):
                    raise self.error(f"approvers.{name}: not an Ed25519 public key ({KEY_PREFIX}BASE64)")
                raw = public_key_bytes(key)  # two spellings of one key are one key
                if raw in seen:
                    # one key for two names would let one person count as two approvers
                    raise self.error(f"approvers.{name}: key already listed for {seen[raw]!r}")
                seen[raw] = name
            out.append(Approver(name, tuple(keys)))
        return tuple(out)

    def path_rule(self, index: int, table: dict[str, Any]) -> PathRule:
        where = f"paths[{index}]"
        self.keys(table, PATH_KEYS, f"{where}.")
        if "pattern" not in table:
            raise self.error(f"{where}: missing 'pattern'")
        block = self.threshold(table["block_at"], f"{where}.block_at") if "block_at" in table else None
        warn = self.threshold(table["warn_at"], f"{where}.warn_at") if "warn_at" in table else None
        return PathRule(
            pattern=self.typed(table["pattern"], str, f"{where}.pattern"),
            block=block,
            warn=warn,
            allow_kinds=self.kinds(table.get("allow_kinds", []), f"{where}.allow_kinds"),
            no_personal_data=self.typed(
                table.get("no_personal_data", False), bool, f"{where}.no_personal_data"
            ),
            unread_pictures=(
                self.picture_verdict(table["unread_pictures"], f"{where}.unread_pictures")
                if "unread_pictures" in table
                else None
            ),
            uninspectable=(
                self.picture_verdict(table["uninspectable"], f"{where}.uninspectable")
                if "uninspectable" in table
                else None
            ),
            uninspectable_reasons=self.strings(table, "uninspectable_reasons", where),
            reason=self.typed(table.get("reason", ""), str, f"{where}.reason"),
        )

    def strings(self, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        items = self.typed(table.get(key, []), list, f"{where}.{key}")
        return tuple(self.typed(item, str, f"{where}.{key}") for item in items)

    def date(self, value: object, where: str) -> str:
        """A TOML date (`added = 2026-11-30`) as ISO text; "" when absent."""
        import datetime as dt

        if value is None:
            return ""
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.error(f"{where}: not a date (write it as 2026-11-30, without quotes)")
        return value.isoformat()

    def picture_verdict(self, value: object, where: str) -> str:
        if value not in PICTURE_VERDICTS:
            raise self.error(f"{where}: {value!r} is not one of {', '.join(PICTURE_VERDICTS)}")
        return str(value)

    def allowlist(self, value: object) -> tuple[str, tuple[AllowEntry, ...]]:
        from spillguard.detect.rules import RULES

        table: dict[str, Any] = self.typed(value, dict, "[allowlist]")
        self.keys(table, ALLOWLIST_KEYS, "allowlist.")
        salt = self.typed(table.get("salt", ""), str, "allowlist.salt")
        entries = self.list(table, "entries")
        if entries and len(salt) < MIN_SALT:
            # without a salt of its own the hashes of short values are one table lookup away
            raise self.error("allowlist.salt must be set (16 or more characters) when there are entries")
        rules = {rule.id: rule for rule in RULES}
        out = []
        for i, entry in enumerate(entries):
            where = f"allowlist.entries[{i}]"
            self.keys(entry, ENTRY_KEYS, f"{where}.")
            for required in ("rule", "hash", "reason", "who"):
                if required not in entry:
                    raise self.error(f"{where}: missing {required!r}")
            rule_id = self.typed(entry["rule"], str, f"{where}.rule")
            if rule_id not in rules:
                raise self.error(f"{where}: unknown rule id {rule_id!r}")
            value_hash = self.typed(entry["hash"], str, f"{where}.hash")
            if not _HEX64.fullmatch(value_hash):
                raise self.error(f"{where}.hash: not a keyed hash (64 hex digits)")
            out.append(
                AllowEntry(
                    rule=rule_id,
                    kind=rules[rule_id].kind,
                    value_hash=value_hash,
                    path=self.typed(entry.get("path", "*"), str, f"{where}.path"),
                    reason=self.typed(entry["reason"], str, f"{where}.reason"),
                    who=self.typed(entry["who"], str, f"{where}.who"),
                    added=self.date(entry.get("added"), f"{where}.added"),
                    index=i,
                )
            )
        return salt, tuple(out)


def public_key_bytes(text: str) -> bytes:
    """The 32 bytes of a valid `ed25519:BASE64` key."""
    import base64

    return base64.b64decode(text[len(KEY_PREFIX) :], validate=True)


def valid_public_key(text: str) -> bool:
    """`ed25519:` and the base64 of 32 bytes."""
    import base64
    import binascii

    if not text.startswith(KEY_PREFIX):
        return False
    try:
        return len(base64.b64decode(text[len(KEY_PREFIX) :], validate=True)) == 32
    except (binascii.Error, ValueError):
        return False
