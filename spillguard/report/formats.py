"""The scan report as a terminal table, JSON (spec/report.md), SARIF 2.1.0 and CSV. Values are
masked unless the caller asks for them."""

from __future__ import annotations

import csv
import io
import json

from spillguard.assess import KIND_PHRASES
from spillguard.model import FileReport, Report
from spillguard.terminal import printable

SARIF_LEVEL = {"block": "error", "warn": "warning", "pass": "note"}
# Kinds in the order people read them. The detectors (and their compiled patterns) are only
# imported by the SARIF writer, which needs the rules' documentation.
COUNT_ORDER = tuple(KIND_PHRASES)


INDENT_LIMIT = 200  # findings; beyond it the pure-Python indenting encoder costs more than the scan


def render_json(report: Report, show_values: bool, verbose: bool) -> str:
    findings = sum(len(f.findings) for f in report.files)
    indent = 2 if findings <= INDENT_LIMIT else None
    return json.dumps(report.as_dict(show_values), indent=indent, ensure_ascii=False) + "\n"


def render_table(report: Report, show_values: bool, verbose: bool) -> str:
    lines = []
    for f in report.files:
        lines.append(f"{f.verdict.upper():5}  {f.path}  [{f.type}]  {f.reason}{_counts(f)}")
        if verbose:
            for finding in f.findings:
                shown = finding.as_dict(show_values)["value"]
                loc = finding.location
                layer = loc.layer + (" hidden" if loc.hidden else "")
                lines.append(f"       {finding.kind:24} {loc.label():32} {layer}  {shown}")
            if f.extra.get("findings_truncated"):
                lines.append("       (more findings not listed; counts are complete)")
    blocked = sum(1 for f in report.files if f.verdict == "block")
    warned = sum(1 for f in report.files if f.verdict == "warn")
    lines.append(
        f"{len(report.files)} file{'s' if len(report.files) != 1 else ''} scanned in {report.seconds:.2f}s: "
        f"{blocked} blocked, {warned} warned, {len(report.files) - blocked - warned} passed"
    )
    return "\n".join(map(printable, lines)) + "\n"


def _counts(f: FileReport) -> str:
    if not f.counts:
        return ""
    parts = [f"{kind}={f.counts[kind]:,}" for kind in COUNT_ORDER if f.counts.get(kind)]
    head = f"records={f.records:,} individuals={f.individuals:,} " if f.records else ""
    return f"  ({head}{' '.join(parts)})"


def render_csv(report: Report, show_values: bool, verbose: bool) -> str:
    """One row per finding (files without findings get one row), for spreadsheets and scripts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "path",
            "type",
            "verdict",
            "severity",
            "reason",
            "individuals",
            "records",
            "kind",
            "value",
            "part",
            "layer",
            "hidden",
            "row",
            "column",
            "page",
            "offset",
            "confidence",
        ]
    )
    for f in report.files:
        head = [f.path, f.type, f.verdict, f.severity, f.reason, f.individuals, f.records]
        if not f.findings:
            writer.writerow([*head, "", "", "", "", "", "", "", "", "", ""])
        for finding in f.findings:
            loc = finding.location
            value = finding.as_dict(show_values)["value"]
            writer.writerow(
                [
                    *head,
                    finding.kind,
                    value,
                    loc.part,
                    loc.layer,
                    str(loc.hidden).lower(),
                    _blank(loc.row),
                    loc.column or "",
                    _blank(loc.page),
                    _blank(loc.offset),
                    round(finding.confidence, 2),
                ]
            )
    return out.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value


def render_sarif(report: Report, show_values: bool, verbose: bool) -> str:
    """SARIF 2.1.0, as code-scanning services accept it: one result per finding, and one per
    file that cannot be inspected."""
    from spillguard.detect.rules import RULES

    kind_to_rule = {rule.kind: rule for rule in RULES}
    rules = [
        {
            "id": rule.id,
            "name": rule.kind,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.finds},
            "help": {"text": f"{rule.why} Known false alarms: {rule.false_alarms}"},
        }
        for rule in RULES
    ]
    rules.append(
        {
            "id": "uninspectable",
            "name": "uninspectable",
            "shortDescription": {"text": "File could not be fully inspected"},
            "fullDescription": {"text": "Encrypted, corrupt, over a limit, or of an unknown type."},
            "help": {"text": "A file that cannot be read completely may hold anything: it blocks."},
        }
    )
    results = []
    for f in report.files:
        artifact = f.path.split("!", 1)[0]
        if f.uninspectable:
            results.append(
                _sarif_result("uninspectable", "error", f"{f.path}: {f.reason}", artifact, None, f)
            )
        for finding in f.findings:
            rule = kind_to_rule.get(finding.kind)
            value = finding.as_dict(show_values)["value"]
            where = f.path + (f" {finding.location.label()}" if finding.location else "")
            text = f"{rule.title if rule else finding.kind} ({value}) in {where}: {f.reason}"
            results.append(
                _sarif_result(
                    rule.id if rule else finding.kind,
                    SARIF_LEVEL[f.verdict],
                    text,
                    artifact,
                    finding.location,
                    f,
                )
            )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spillguard",
                        "version": report.tool_version,
                        "informationUri": "https://example.invalid/spillguard",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _sarif_result(
    rule_id: str, level: str, text: str, artifact: str, location: object, f: FileReport
) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": artifact}}
    # Code-scanning services want a line; a sheet row is the nearest thing a workbook has.
    row = getattr(location, "row", None)
    physical["region"] = {"startLine": row if isinstance(row, int) and row > 0 else 1}
    logical = getattr(location, "label", None)
    result: dict[str, object] = {
        "ruleId": rule_id,
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            "spillguard/v1": f"{f.sha256}:{rule_id}:{logical() if callable(logical) else ''}"
        },
    }
    if callable(logical):
        physical_location: dict[str, object] = {"physicalLocation": physical}
        physical_location["logicalLocations"] = [{"fullyQualifiedName": f"{f.path}!{logical()}"}]
        result["locations"] = [physical_location]
    return result
