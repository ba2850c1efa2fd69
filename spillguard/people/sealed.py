"""Personal fields at rest: sealed with AES-256-GCM under a key derived (HKDF-SHA256) from a
secret the store never holds. The secret comes from a key file (`spillguard keys secret FILE`,
mode 0600) or the SPILLGUARD_KEY variable; without it nothing personal can be read back.
Each sealed value is bound to its incident and position, so one cannot be swapped for another."""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from pathlib import Path
from typing import Any

from spillguard.errors import UserError

SECRET_BYTES = 32
NONCE_BYTES = 12
KEY_ENV = "SPILLGUARD_KEY"
HKDF_INFO = b"spillguard people v1"


class SecretError(UserError):
    """A key that is missing, malformed or wrong."""


def new_secret(path: Path) -> Path:
    """Write a fresh secret (base64 of 32 random bytes) to `path`, mode 0600, refusing to
    overwrite: a lost secret makes everything sealed with it unreadable."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise SecretError(f"{path}: already exists (a secret is never overwritten)") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(os.urandom(SECRET_BYTES)).decode() + "\n")
    return path


def load_secret(key_file: str | None) -> bytes:
    """The secret from `key_file`, else from SPILLGUARD_KEY."""
    if key_file:
        text = _read_key_file(Path(key_file))
    elif os.environ.get(KEY_ENV):
        text = os.environ[KEY_ENV]
    else:
        raise SecretError(
            f"no key: give --key-file FILE or set {KEY_ENV} (make one: spillguard keys secret FILE)"
        )
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SecretError("the key is not base64") from None
    if len(secret) != SECRET_BYTES:
        raise SecretError(f"the key must be {SECRET_BYTES} bytes, not {len(secret)}")
    return secret


def _read_key_file(path: Path) -> str:
    """A regular file only (a FIFO would hang us), small."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise SecretError(f"{path}: not a regular file")
        return fh.read(4096).decode("ascii", "replace")


class Sealer:
    def __init__(self, secret: bytes) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, value: dict[str, Any], bound_to: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, bound_to.encode())).decode()

    def open(self, sealed: str, bound_to: str) -> dict[str, Any]:
        from cryptography.exceptions import InvalidTag

        raw = base64.b64decode(sealed)
        try:
            data = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode())
        except InvalidTag:
            raise SecretError("wrong key, or the stored people were altered") from None
        value: dict[str, Any] = json.loads(data)
        return value
