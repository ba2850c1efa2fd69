"""spillguard: keep personal data off public websites, and run the response when some gets
through. The public API is this module's `__all__`.

`scan_bytes` is loaded on first use (PEP 562): importing the package loads no parser and no
detector, so that `spillguard scan` can start its scanner worker first and let the worker load
them on the other core while the command line is parsed (see cli/app.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spillguard._version import __version__
from spillguard.model import FileReport, Finding, Location, Report
from spillguard.policy import Policy
from spillguard.scan import ScanError, scan

if TYPE_CHECKING:
    from spillguard.pipeline import scan_bytes

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


def __getattr__(name: str) -> object:
    if name != "scan_bytes":
        raise AttributeError(f"module 'spillguard' has no attribute {name!r}")
    from spillguard.pipeline import scan_bytes

    return scan_bytes
