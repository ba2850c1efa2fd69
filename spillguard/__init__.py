"""spillguard: keep personal data off public websites, and run the response when some gets
through. The public API is this module's `__all__`."""

from __future__ import annotations

from spillguard._version import __version__
from spillguard.model import FileReport, Finding, Location, Report
from spillguard.pipeline import scan_bytes
from spillguard.policy import Policy
from spillguard.scan import ScanError, scan

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
