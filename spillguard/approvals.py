"""Approvers' keys and signed approvals, verified offline.

An approval says: this person, holding this Ed25519 key, allows this exact file (its sha256)
with these findings (a digest over them) to be published, for this reason, until then. It is
a small JSON file meant to be committed next to the site's source. The gate counts it only
when the key is one the policy trusts, the signature holds, the file and its findings are
the ones signed, it has not expired, and its signer has not been counted already.

Key files: `NAME.key` is the private key (PKCS#8 PEM, mode 0600, never committed);
`NAME.pub` is one line `ed25519:BASE64 NAME`, whose first word goes into the policy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spillguard.errors import UserError
from spillguard.files import read_regular
from spillguard.model import FileReport
from spillguard.policy import KEY_PREFIX, Policy, keyed_hash, valid_public_key

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SCHEMA = "spillguard.approval/1"
DEFAULT_APPROVALS = Path(".spillguard") / "approvals"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DURATION = re.compile(r"(\d+)([hdw])")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_HEX64 = re.compile(r"[0-9a-f]{64}")

# What makes an approval not count, as the gate prints it.
FORGED = "forged (signature does not match)"
UNTRUSTED = "untrusted key"
EXPIRED = "expired"
WRONG_FILE = "wrong file (sha256 differs: the file changed since it was approved)"
FINDINGS_CHANGED = "findings changed (the scanner or the policy now finds something else)"
DUPLICATE = "duplicate signer"


class ApprovalError(UserError, ValueError):
    """A key or approval file that cannot be used; the message names the file."""


# --- keys ------------------------------------------------------------------------------------


def new_key_pair(name: str, folder: Path) -> tuple[Path, Path]:
    """Write `NAME.key` (private, 0600) and `NAME.pub`; never overwrite either."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not NAME.fullmatch(name):
        raise ApprovalError(f"{name!r}: a key name is letters, digits, '.', '_' or '-'")
    private_path, public_path = folder / f"{name}.key", folder / f"{name}.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise ApprovalError(f"{path}: already exists (keys are never overwritten)")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        public_path.write_text(f"{public_key_text(key)} {name}\n", encoding="ascii")
    except OSError as exc:
        raise ApprovalError(f"{exc.filename or folder}: cannot write: {exc.strerror or exc}") from None
    return private_path, public_path


def public_key_text(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """`SHA256:...` of the raw key, the way ssh shows keys: short enough to read out."""
    raw = base64.b64decode(public_key[len(KEY_PREFIX) :])
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = read_regular(path)
    except OSError as exc:
        raise ApprovalError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        what = "encrypted (not supported)" if "password" in str(exc).lower() else "not a PEM private key"
        raise ApprovalError(f"{path}: {what}") from None
    except Exception:  # the backend raises its own types for some malformed input
        raise ApprovalError(f"{path}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ApprovalError(f"{path}: not an Ed25519 key")
    return key


def load_public_key(path: Path) -> str:
    """The `ed25519:BASE64` key in a `.pub` file."""
    try:
        text = read_regular(path).decode("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise ApprovalError(f"{path}: cannot read: {reason or exc}") from None
    words = text.split()
    if not words or not valid_public_key(words[0]):
        raise ApprovalError(f"{path}: not a spillguard public key (ed25519:BASE64 NAME)")
    return words[0]


# --- approvals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    path: str  # as the approver named it; informational: the binding is sha256
    sha256: str
    findings: str  # findings_digest of the file when approved
    severity: str
    signer: str  # the name the approver gave; the gate uses the policy's name for the key
    key: str  # `ed25519:BASE64`
    reason: str
    created: str
    expires: str | None
    signature: str = ""
    source: str = ""  # the approval file, for messages; not signed

    def signed_part(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["signature"], fields["source"]
        return {"schema": SCHEMA, **fields}

    def as_json(self) -> str:
        return json.dumps({**self.signed_part(), "signature": self.signature}, indent=2) + "\n"


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def findings_digest(report: FileReport, policy: Policy) -> str:
    """A hash over what the approver was shown: each finding's kind, place and keyed value
    hash, the counts, and why the file could not be inspected. Values go in only keyed, with the
    file's own hash: an approval depends on the file and what was found in it, never on policy
    settings that find nothing else (adding an allowlist salt voided every approval). `policy`
    stays in the signature: what a policy does find differently does change the digest."""
    del policy
    salt = bytes.fromhex(report.sha256) if report.sha256 else b""
    items = sorted(
        (f.kind, f.location.label(), f.location.layer, keyed_hash(salt, f.kind, f.value))
        for f in report.findings
    )
    body = {
        "findings": items,
        "counts": dict(sorted(report.counts.items())),
        "uninspectable": report.uninspectable,
        "severity": report.severity,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


def parse_expiry(text: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w`, or an ISO 8601 date or time."""
    match = DURATION.fullmatch(text.strip())
    if match:
        try:
            return now + int(match.group(1)) * UNITS[match.group(2)]
        except OverflowError:
            raise ApprovalError(f"--expires {text!r}: too far in the future") from None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApprovalError(f"--expires {text!r}: use 30d, 12h, 2w or an ISO date") from None
    return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(
    report: FileReport,
    policy: Policy,
    key: Ed25519PrivateKey,
    signer: str,
    reason: str,
    now: datetime,
    expires: datetime | None,
) -> Approval:
    if not report.sha256:
        raise ApprovalError(f"{report.path}: cannot be approved: it could not be read ({report.reason})")
    if not reason.strip():
        raise ApprovalError("--reason must say why the file may be published")
    public = public_key_text(key)
    trusted = policy.approver_for_key(public)
    unsigned = Approval(
        path=normal_path(report.path),
        sha256=report.sha256,
        findings=findings_digest(report, policy),
        severity="uninspectable" if report.uninspectable else report.severity,
        signer=trusted.name if trusted else signer,
        key=public,
        reason=reason.strip(),
        created=iso(now),
        expires=iso(expires) if expires else None,
    )
    signature = base64.b64encode(key.sign(canonical(unsigned.signed_part()))).decode()
    return Approval(**{**asdict(unsigned), "signature": signature})


def write_approval(approval: Approval, folder: Path) -> Path:
    """Into `folder`, named so that approvals of one file sort together; never overwrites."""
    stamp = approval.created.replace("-", "").replace(":", "")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", approval.signer)
    path = folder / f"{approval.sha256[:12]}-{name}-{stamp}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(approval.as_json())
    except FileExistsError:
        raise ApprovalError(f"{path}: already exists (one approval per signer per second)") from None
    except OSError as exc:
        raise ApprovalError(f"{folder}: cannot write approval: {exc.strerror or exc}") from None
    return path


def normal_path(path: str) -> str:
    """A path as approvals record it: relative to the working directory, `/` separators."""
    outer, bang, inner = path.partition("!")
    rel = os.path.relpath(os.path.abspath(outer)).replace(os.sep, "/")
    return rel + bang + inner


def load_approvals(folder: Path) -> list[Approval]:
    """Every approval in `folder` (recursively). A folder that does not exist holds none; one
    that cannot be read, or a file in it that is not an approval, is an error: the gate
    never guesses around what it could not read."""
    if not os.path.lexists(folder):
        return []
    try:
        if not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
        if not os.access(folder, os.R_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
        paths = sorted(folder.rglob("*.json"))
    except OSError as exc:
        raise ApprovalError(f"{folder}: cannot read approvals: {exc.strerror or exc}") from None
    return [read_approval(path) for path in paths]


FIELDS: dict[str, type | tuple[type, ...]] = {
    "schema": str,
    "path": str,
    "sha256": str,
    "findings": str,
    "severity": str,
    "signer": str,
    "key": str,
    "reason": str,
    "created": str,
    "expires": (str, type(None)),
    "signature": str,
}


def read_approval(path: Path) -> Approval:
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except OSError as exc:
        raise ApprovalError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ApprovalError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ApprovalError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ApprovalError(f"{path}: not an approval (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ApprovalError(f"{path}: not an approval (expected a JSON object)")
    for key, kind in FIELDS.items():
        if key not in data:
            raise ApprovalError(f"{path}: missing field {key!r}")
        if not isinstance(data[key], kind):
            raise ApprovalError(f"{path}: field {key!r} has the wrong type")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ApprovalError(f"{path}: unknown field {unknown[0]!r}")
    if data["schema"] != SCHEMA:
        raise ApprovalError(f"{path}: unknown schema {data['schema']!r} (expected {SCHEMA})")
    if not _HEX64.fullmatch(data["sha256"]) or not _HEX64.fullmatch(data["findings"]):
        raise ApprovalError(f"{path}: 'sha256' and 'findings' must be 64 hex digits")
    if not valid_public_key(data["key"]):
        raise ApprovalError(f"{path}: 'key' is not an Ed25519 public key")
    for key in ("created", "expires"):
        if data[key] is not None and _instant(data[key]) is None:
            raise ApprovalError(f"{path}: {key!r} is not an ISO 8601 time with an offset")
    try:
        if len(base64.b64decode(data["signature"], validate=True)) != 64:
            raise ValueError
    except (binascii.Error, ValueError):
        raise ApprovalError(f"{path}: 'signature' is not a base64 Ed25519 signature") from None
    del data["schema"]
    return Approval(**data, source=str(path))


def _instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One approval as the gate judged it for one file."""

    approval: Approval
    signer: str  # the policy's name for the key, or the name the approval gives
    problem: str | None  # None: it counts

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.approval.source,
            "signer": self.signer,
            "key": fingerprint(self.approval.key),
            "reason": self.approval.reason,
            "created": self.approval.created,
            "expires": self.approval.expires,
            "state": "valid" if self.problem is None else "invalid",
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Decision:
    """Whether one file may be published, and why."""

    state: str  # not_needed | approved | missing | invalid | forbidden
    required: int
    checks: tuple[Check, ...]
    reason: str

    @property
    def passes(self) -> bool:
        return self.state in ("not_needed", "approved")

    @property
    def signers(self) -> list[str]:
        return [c.signer for c in self.checks if c.problem is None]

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "required": self.required,
            "valid": len(self.signers),
            "signers": self.signers,
            "reason": self.reason,
            "approvals": [c.as_dict() for c in self.checks],
        }


def verify_signature(approval: Approval) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(approval.key[len(KEY_PREFIX) :]))
        key.verify(base64.b64decode(approval.signature), canonical(approval.signed_part()))
    except (InvalidSignature, ValueError):
        return False
    return True


def relevant(approvals: Iterable[Approval], report: FileReport) -> list[Approval]:
    """The approvals that speak about this file: of its content, or naming its path."""
    path = normal_path(report.path)
    return [
        a
        for a in approvals
        if (report.sha256 and hmac.compare_digest(a.sha256, report.sha256)) or a.path == path
    ]


def decide(report: FileReport, policy: Policy, approvals: Sequence[Approval], now: datetime) -> Decision:
    """The approval state of one top-level file under `policy` (already applied to its path)."""
    if report.verdict != "block":
        return Decision("not_needed", 0, (), "does not block")
    severity = "uninspectable" if report.uninspectable else report.severity
    required = policy.approvals_needed(severity)
    checks = _check_all(report, policy, relevant(approvals, report), now)
    valid = [c for c in checks if c.problem is None]
    if policy.forbidden:
        return Decision("forbidden", required, checks, f"cannot be approved: {policy.forbidden}")
    if not report.sha256:
        return Decision("missing", required, checks, "cannot be approved: the file could not be read")
    if len(valid) >= required:
        names = ", ".join(c.signer for c in valid)
        return Decision("approved", required, checks, f"approved by {names}")
    have = f"{len(valid)} valid of {required} needed ({severity})"
    if any(c.problem for c in checks):
        return Decision("invalid", required, checks, have)
    return Decision("missing", required, checks, have)


def _check_all(
    report: FileReport, policy: Policy, approvals: list[Approval], now: datetime
) -> tuple[Check, ...]:
    digest = findings_digest(report, policy) if report.sha256 else ""
    counted: set[str] = set()
    out = []
    # Oldest first, so a re-approval by the same person is the duplicate, not the original.
    for approval in sorted(approvals, key=lambda a: (a.created, a.source)):
        approver = policy.approver_for_key(approval.key)
        signer = approver.name if approver else approval.signer
        problem = _problem(approval, approver is not None, report, digest, now)
        if problem is None and signer in counted:
            problem = f"{DUPLICATE} ({signer} already approved this file)"
        if problem is None:
            counted.add(signer)
        out.append(Check(approval, signer, problem))
    return tuple(out)


def _problem(approval: Approval, trusted: bool, report: FileReport, digest: str, now: datetime) -> str | None:
    if not trusted:
        return f"{UNTRUSTED} {fingerprint(approval.key)} (not among the policy's approvers)"
    if not verify_signature(approval):
        return FORGED
    if not report.sha256 or not hmac.compare_digest(approval.sha256, report.sha256):
        return WRONG_FILE
    if not hmac.compare_digest(approval.findings, digest):
        return FINDINGS_CHANGED
    expires = _instant(approval.expires) if approval.expires else None
    if expires is not None and expires <= now:
        return f"{EXPIRED} {approval.expires}"
    return None
