"""spillguard: keep personal data off public websites, and run the response when some gets
through. The public API is this module's `__all__`."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# Light on purpose (see scan.py): the value types and the policy load when first used.
from spillguard.scan import Report, ScanError, scan

POLICY_FILE = "spillguard.toml"  # the policy a command finds in its working directory

_LAZY = {
    "FileReport": "spillguard.model",
    "Finding": "spillguard.model",
    "Location": "spillguard.model",
    "Policy": "spillguard.policy",
    "scan_bytes": "spillguard.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spillguard' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "FileReport",
    "Finding",
    "Location",
    "Policy",
    "Report",
    "ScanError",
    "__version__",
    "scan",
    "scan_bytes",
]
