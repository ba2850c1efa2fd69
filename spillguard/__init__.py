"""spillguard: keep personal data off public websites, and run the response when some gets
through. The public API is this module's `__all__`."""

from __future__ import annotations

__version__ = "0.1.0"

from spillguard.model import FileReport, Finding, Location
from spillguard.policy import Policy
from spillguard.scan import Report, ScanError, scan, scan_bytes

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
