"""The scan report as a terminal table, JSON (spec/report.md), SARIF 2.1.0 and CSV. Values are
masked unless the caller asks for them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from spillguard.assess import KIND_PHRASES
from spillguard.model import FileReport, Report
from spillguard.terminal import VERDICT_COLOURS, paint, printable

SARIF_LEVEL = {"block": "error", "warn": "warning", "pass": "note"}
# Kinds in the order people read them. The detectors (and their compiled patterns) are only
# imported by the SARIF writer, which needs the rules' documentation.
COUNT_ORDER = tuple(KIND_PHRASES)


INDENT_LIMIT = 200  # findings; beyond it the pure-Python indenting encoder costs more than the scan


def render_json(report: Report, show_values: bool, verbose: bool) -> str:
    findings = sum(len(f.findings) for f in report.files)
    indent = 2 if findings <= INDENT_LIMIT else None
    return json.dumps(report.as_dict(show_values), indent=indent, ensure_ascii=False) + "\n"


def render_table(
    report: Report, show_values: bool, verbose: bool, *, quiet: bool = False, colour: bool = False
) -> str:
    """One line per file and a summary. `quiet`: only the files that block (those that could
    not be inspected among them) and the summary; `colour`: verdict labels in colour (for a
    terminal; the caller decides)."""
    lines = []
    for f in report.files:
        if quiet and f.verdict != "block":
            continue
        label = paint(f"{f.verdict.upper():5}", verdict_colour(f), colour)
        lines.append(label + printable(f"  {f.path}  [{f.type}]  {f.reason}{_counts(f)}"))
        if verbose:
            for finding in f.findings:
                shown = finding.as_dict(show_values)["value"]
                loc = finding.location
                layer = loc.layer + (" hidden" if loc.hidden else "")
                lines.append(printable(f"       {finding.kind:24} {loc.label():32} {layer}  {shown}"))
            if f.extra.get("findings_truncated"):
                lines.append("       (more findings not listed; counts are complete)")
    blocked = sum(1 for f in report.files if f.verdict == "block")
    warned = sum(1 for f in report.files if f.verdict == "warn")
    lines.append(
        f"{len(report.files)} file{'s' if len(report.files) != 1 else ''} scanned in {report.seconds:.2f}s: "
        f"{blocked} blocked, {warned} warned, {len(report.files) - blocked - warned} passed"
    )
    return "\n".join(lines) + "\n"


def verdict_colour(f: FileReport) -> str:
    """A file that blocks because it could not be read is told from one that exposes people."""
    return VERDICT_COLOURS["uninspectable" if f.uninspectable and f.verdict == "block" else f.verdict]


def _counts(f: FileReport) -> str:
    if not f.counts:
        return ""
    parts = [f"{kind}={f.counts[kind]:,}" for kind in COUNT_ORDER if f.counts.get(kind)]
    head = f"records={f.records:,} individuals={f.individuals:,} " if f.records else ""
    return f"  ({head}{' '.join(parts)})"


def render_csv(report: Report, show_values: bool, verbose: bool) -> str:
    """One row per finding (files without findings get one row), for spreadsheets and scripts.
    Each row names the file's sha256 and whether its findings were cut short (`max_findings`):
    a file with more findings than the report lists says so, with how many there were."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "path",
            "sha256",
            "findings_truncated",
            "findings_total",
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
        truncated = bool(f.extra.get("findings_truncated"))
        total = sum(f.counts.values())
        head = [f.path, f.sha256, str(truncated).lower(), total]
        head += [f.type, f.verdict, f.severity, f.reason, f.individuals, f.records]
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


# Code scanning ranks alerts by `security-severity` (0-10): our severities, on that scale.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "none": "0.0"}
# A kind's worst case, for the rule's own ranking: linked to a person, in custody.
RULE_SEVERITY = {
    "a_number": "critical", "person_name": "critical", "nationality": "critical",
    "detention_facility": "critical", "immigration_case_number": "critical", "date_of_birth": "high",
    "ssn": "high", "passport_number": "high", "national_id": "high", "covered_text": "high",
    "street_address": "medium", "phone_number": "low", "email_address": "low", "gps_location": "medium",
}  # fmt: skip
# Types whose rows are lines of the file: only there does a result carry a line number.
LINE_TYPES = frozenset({"csv", "tsv", "txt", "md"})
RELATED = 10  # locations listed with each result: the first ones; the count says the rest


def render_sarif(report: Report, show_values: bool, verbose: bool) -> str:
    """SARIF 2.1.0 as code scanning wants it: one result per file and rule (its count, the
    first locations as related locations, a fingerprint keyed on the file's content and the
    rule, so an alert survives a re-scan), `security-severity` from our severity, and a line
    region only in text files whose rows are lines. A file that cannot be inspected is one
    result of its own."""
    from spillguard.detect.rules import RULES

    kind_to_rule = {rule.kind: rule for rule in RULES}
    rules = [
        {
            "id": rule.id,
            "name": rule.kind,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.finds},
            "help": {"text": f"{rule.why} Known false alarms: {rule.false_alarms}"},
            "properties": {"security-severity": SECURITY_SEVERITY[RULE_SEVERITY.get(rule.kind, "medium")]},
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
            "properties": {"security-severity": SECURITY_SEVERITY["high"]},
        }
    )
    results = []
    for f in report.files:
        artifact = f.path.split("!", 1)[0]
        if f.uninspectable:
            results.append(_sarif_result("uninspectable", f, f"{f.path}: {f.reason}", artifact, [], False))
        by_rule: dict[str, list[Any]] = {}
        for finding in f.findings:
            rule = kind_to_rule.get(finding.kind)
            by_rule.setdefault(rule.id if rule else finding.kind, []).append(finding)
        for rule_id, findings in by_rule.items():
            rule = kind_to_rule.get(findings[0].kind)
            title = rule.title if rule else findings[0].kind
            shown = f" (first: {findings[0].as_dict(show_values)['value']})" if show_values else ""
            text = f"{len(findings):,} x {title}{shown} in {f.path}: {f.reason}"
            results.append(_sarif_result(rule_id, f, text, artifact, findings, show_values))
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spillguard",
                        "version": report.tool_version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _sarif_result(
    rule_id: str, f: FileReport, text: str, artifact: str, findings: list[Any], show_values: bool
) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": artifact}}
    first = findings[0].location if findings else None
    row = getattr(first, "row", None)
    if f.type in LINE_TYPES and "!" not in f.path and isinstance(row, int) and row > 0:
        physical["region"] = {"startLine": row}
    location: dict[str, object] = {"physicalLocation": physical}
    if first is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": f"{f.path}!{first.label()}"}]
    result: dict[str, object] = {
        "ruleId": rule_id,
        "level": SARIF_LEVEL.get(f.verdict, "error") if rule_id != "uninspectable" else "error",
        "message": {"text": text},
        "locations": [location],
        # Keyed on the content and the rule: the same file re-scanned is the same alert.
        "partialFingerprints": {"spillguard/v2": f"{f.sha256}:{rule_id}:{f.path.partition('!')[2]}"},
        "properties": {"security-severity": SECURITY_SEVERITY.get(f.severity, "5.5"), "count": len(findings)},
    }
    # The first locations; every one, with its value, where values were asked for.
    listed = findings[1:] if show_values else findings[1 : RELATED + 1]
    related = [
        {
            "id": n,
            "message": {
                "text": finding.location.label()
                + (f": {finding.as_dict(show_values)['value']}" if show_values else "")
            },
            "physicalLocation": {"artifactLocation": {"uri": artifact}},
        }
        for n, finding in enumerate(listed, start=1)
    ]
    if related:
        result["relatedLocations"] = related
    return result
