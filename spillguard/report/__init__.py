"""Report writers: one function per format, each `render(report, show_values, verbose) -> str`.
FORMATS is the whole registry."""

from __future__ import annotations

from collections.abc import Callable

from spillguard.model import Report
from spillguard.report.formats import render_csv, render_json, render_sarif, render_table

Renderer = Callable[[Report, bool, bool], str]

FORMATS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "csv": render_csv,
}

__all__ = ["FORMATS", "Renderer"]
