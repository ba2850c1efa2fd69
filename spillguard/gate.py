"""The gate: scan, apply the policy and the approvals, and say for every file whether it may be
published. A file that blocks passes only with enough valid approvals from distinct trusted
people; everything that goes wrong around it (a policy, key or approval that cannot be read)
stops the gate with an error instead of letting a file through.

The site's own top-level `.git` and `.spillguard` folders are skipped when a directory is gated:
they hold the repository and spillguard's own records (approvals, the audit log), and publish
never copies them. Any other dot-folder (`sub/.git`, `.well-known`) is judged like the rest: web
servers serve dot-folders unless told not to.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from spillguard.approvals import Approval, Decision, decide, load_approvals
from spillguard.model import FileReport, Report
from spillguard.pipeline import NAMED_ENTRIES
from spillguard.policy import AllowEntry, Policy
from spillguard.scan import expand, scan
from spillguard.terminal import VERDICT_COLOURS, paint, printable

SKIPPED_FOLDERS = frozenset({".git", ".spillguard"})
STATE_LABEL = {
    "not_needed": "",
    "approved": "APPROVED",
    "missing": "BLOCK",
    "invalid": "BLOCK",
    "forbidden": "BLOCK",
}


@dataclass(frozen=True)
class GateResult:
    report: Report
    decisions: dict[str, Decision]  # by top-level path; archive members follow their archive
    stale: tuple[AllowEntry, ...]
    policy: Policy
    approvals_dir: str
    audit: dict[str, object] = field(default_factory=dict)  # the entry this run appended

    @property
    def passed(self) -> bool:
        return all(d.passes for d in self.decisions.values())

    def decision(self, report: FileReport) -> Decision:
        return self.decisions[report.path.split("!", 1)[0]]

    def top_level(self) -> Iterator[FileReport]:
        return (f for f in self.report.files if "!" not in f.path)

    def audit_detail(self) -> dict[str, Any]:
        """What the audit log keeps: paths, hashes, verdicts and approvers, never values."""
        files = []
        for f in self.top_level():
            d = self.decisions[f.path]
            item: dict[str, Any] = {"path": f.path, "sha256": f.sha256, "verdict": f.verdict}
            for key in ("not_inspected", "relaxed"):  # policy decisions about what was not read
                if key in f.extra:
                    item[key] = f.extra[key]
            if f.verdict != "pass":
                item.update(severity=f.severity, approval=d.state, signers=d.signers)
                problems = [f"{c.approval.source}: {c.problem}" for c in d.checks if c.problem]
                if problems:
                    item["problems"] = problems
            suppressed = self.suppressed(f)
            if suppressed:
                item["suppressed"] = suppressed
            files.append(item)
        return {
            "passed": self.passed,
            "policy": self.policy.source or "built-in",
            "policy_sha256": self.policy.sha256 or "built-in",
            "files": files,
            "stale_allowlist": [e.index for e in self.stale],
        }

    def suppressed(self, report: FileReport) -> dict[str, int]:
        """How many findings the policy left out of a top-level file and its members, by
        the rule that did it (`paths[0] "*" allow_kinds person_name`, `allowlist #2`)."""
        out: Counter[str] = Counter()
        for f in self.report.files:
            if f.path != report.path and not f.path.startswith(report.path + "!"):
                continue
            allowed = f.extra.get("allowed")
            if not isinstance(allowed, dict):
                continue
            for kind, n in allowed.get("kinds", {}).items():
                rules = self.policy.suppressors(report.path, kind) or [f"allow_kinds {kind}"]
                out[" or ".join(rules)] += n
            for index, n in allowed.get("allowlist_counts", {}).items():
                out[f"allowlist #{index}"] += n
        return dict(out)


def gate_targets(paths: Iterable[str]) -> list[str]:
    """Files under the given paths, without the site's own top-level `.git` and `.spillguard`
    (a folder given is the site; a file given is named from the current folder, the way
    hooks pass every changed file, approvals included: records, not publications)."""
    targets: list[str] = []
    for path in paths:
        base = path if os.path.isdir(path) else os.curdir
        targets.extend(p for p in expand([path]) if not is_own_record(p, base))
    return targets


def is_own_record(path: str, site: str) -> bool:
    """`path` lies in the top-level `.git` or `.spillguard` folder of `site`."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(site))
    return Path(rel).parts[0] in SKIPPED_FOLDERS


def run_gate(
    paths: list[str],
    policy: Policy,
    approvals_dir: Path,
    now: datetime,
    *,
    jobs: int | None = None,
    approvals: list[Approval] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> GateResult:
    """Scan `paths` and decide each file. Approvals are read before the scan, so a folder
    that cannot be read stops the gate before any work is done."""
    if approvals is None:
        approvals = load_approvals(approvals_dir)
    targets = gate_targets(paths)
    report = scan(targets, policy, jobs=jobs if targets else 0, progress=progress)
    decisions = {
        f.path: decide(f, policy.for_path(f.path), approvals, now) for f in report.files if "!" not in f.path
    }
    return GateResult(report, decisions, stale_entries(report, policy), policy, str(approvals_dir))


def stale_entries(report: Report, policy: Policy) -> tuple[AllowEntry, ...]:
    """Allowlist entries whose path covers a scanned file but whose value was found in none of
    them: the value is gone, or changed, and the entry only hides what it no longer describes.
    Entries for paths this run did not look at are not judged."""
    used: set[int] = set()
    in_scope: set[int] = set()
    for f in report.files:
        allowed = f.extra.get("allowed")
        if isinstance(allowed, dict):
            used.update(allowed.get("allowlist", ()))
        if "!" not in f.path:
            in_scope.update(e.index for e in policy.for_path(f.path).allowlist)
    return tuple(e for e in policy.allowlist if e.index in in_scope and e.index not in used)


# --- output ----------------------------------------------------------------------------------


def render_table(
    result: GateResult, show_values: bool, verbose: bool, *, quiet: bool = False, colour: bool = False
) -> str:
    """One line per file that does not simply pass, and a summary. `quiet`: only the files that
    stop publishing (with their members that block) and the summary; `colour`: labels in
    colour (for a terminal; the caller decides)."""
    lines = []
    for f in result.report.files:
        d = result.decision(f)
        member = "!" in f.path
        if quiet and (d.passes or f.verdict != "block"):
            continue
        suppressed = {} if member else result.suppressed(f)
        if f.verdict == "pass" and not verbose and not suppressed:
            continue
        label = f.verdict.upper() if f.verdict != "block" or member else STATE_LABEL[d.state]
        tone = "approved" if label == "APPROVED" else f.verdict
        if f.uninspectable and f.verdict == "block" and label != "APPROVED":
            tone = "uninspectable"
        text = f"  {f.path}  [{f.type}]  {f.reason}"
        if f.verdict == "block" and not member:
            text += f"  -- {d.reason}"
        lines.append(paint(f"{label:8}", VERDICT_COLOURS[tone], colour) + printable(text))
        details = []
        if verbose:
            for finding in f.findings:
                shown = finding.as_dict(show_values)["value"]
                details.append(f"          {finding.kind:24} {finding.location.label():32} {shown}")
        if not member:
            for rule, n in _grouped(suppressed).items():
                details.append(f"          suppressed by the policy: {n} finding(s) ({rule})")
            for check in d.checks:
                if check.problem:
                    details.append(
                        f"          approval {check.approval.source} by {check.signer}: {check.problem}"
                    )
        lines.extend(map(printable, details))
    if not quiet:
        for entry in result.stale:
            text = f"  {entry.label}: matches nothing in the files it covers any more"
            lines.append(paint("STALE   ", VERDICT_COLOURS["stale"], colour) + printable(text))
    top = list(result.top_level())
    held = sum(1 for f in top if not result.decisions[f.path].passes)
    approved = sum(1 for f in top if result.decisions[f.path].state == "approved")
    warned = sum(1 for f in top if f.verdict == "warn")
    summary = (
        f"gate: {len(top)} file{'s' if len(top) != 1 else ''}: {held} blocked, {approved} approved, "
        f"{warned} warned, {len(top) - held - approved - warned} passed"
    )
    hidden = sum(n for f in top for n in result.suppressed(f).values())
    if hidden:
        summary += f", {hidden} finding(s) suppressed by the policy"
    summary += " -- publishing allowed" if result.passed else " -- publishing refused"
    lines.append(printable(summary))
    if result.audit:
        lines.append(printable(f"audit: entry #{result.audit['seq']} {str(result.audit['hash'])[:16]}"))
    return "\n".join(lines) + "\n"


def _grouped(suppressed: dict[str, int]) -> dict[str, int]:
    """The table's view of what a policy suppressed: a baseline's many allowlist entries as one
    line (`33 allowlist entries`), each entry on its own line when there are a few."""
    entries = {rule: n for rule, n in suppressed.items() if rule.startswith("allowlist #")}
    if len(entries) <= NAMED_ENTRIES:
        return suppressed
    out = {rule: n for rule, n in suppressed.items() if rule not in entries}
    out[f"{len(entries)} allowlist entries"] = sum(entries.values())
    return out


def as_dict(result: GateResult, show_values: bool) -> dict[str, Any]:
    """The scan report (spec/report.md) with each file's approval and the gate's outcome."""
    data = result.report.as_dict(show_values)
    for item, f in zip(data["files"], result.report.files, strict=True):  # type: ignore[call-overload]
        decision = result.decision(f).as_dict()
        if "!" in f.path:
            decision = {"state": decision["state"], "via": f.path.split("!", 1)[0]}
        item["approval"] = decision
    data["gate"] = _gate_summary(result)
    return data


def _gate_summary(result: GateResult) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "policy": result.policy.source or "built-in",
        "approvals": result.approvals_dir,
        "stale_allowlist": [
            {"index": e.index, "rule": e.rule, "path": e.path, "reason": e.reason, "who": e.who}
            for e in result.stale
        ],
        "audit": result.audit or None,
    }


def render_json(result: GateResult, show_values: bool, verbose: bool) -> str:
    return json.dumps(as_dict(result, show_values), indent=2, ensure_ascii=False) + "\n"


def render_sarif(result: GateResult, show_values: bool, verbose: bool) -> str:
    """The scan's SARIF, each result carrying its file's approval; results of approved files
    are suppressed (SARIF `suppressions`, with the approval as the justification), so code
    scanning shows them as dismissed, not as open alerts."""
    from spillguard.report.formats import render_sarif as scan_sarif

    sarif = json.loads(scan_sarif(result.report, show_values, verbose))
    by_artifact = {f.path: result.decisions[f.path] for f in result.top_level()}
    run = sarif["runs"][0]
    for item in run["results"]:
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        decision = by_artifact.get(uri)
        if decision is None:
            continue
        item.setdefault("properties", {})["approval"] = {
            "state": decision.state,
            "required": decision.required,
            "signers": decision.signers,
            "reason": decision.reason,
        }
        if decision.state == "approved":
            item["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": decision.reason}
            ]
            item["message"]["text"] += f" [{decision.reason}]"
        elif decision.state != "not_needed":
            item["message"]["text"] += f" [not approved: {decision.reason}]"
    run["properties"] = {"gate": _gate_summary(result)}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def render_csv(result: GateResult, show_values: bool, verbose: bool) -> str:
    """The scan's CSV with each row's file approval state and who signed (for a spreadsheet of
    what the gate let through and why)."""
    import csv
    import io

    from spillguard.report.formats import render_csv as scan_csv

    rows = list(csv.reader(io.StringIO(scan_csv(result.report, show_values, verbose))))
    decisions = {f.path: result.decisions[f.path] for f in result.top_level()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], "approval", "signers"])
    for row in rows[1:]:
        decision = decisions.get(row[0].split("!", 1)[0])
        state = decision.state if decision is not None else ""
        signers = " ".join(decision.signers) if decision is not None else ""
        writer.writerow([*row, state, signers])
    return out.getvalue()


FORMATS = {"table": render_table, "json": render_json, "sarif": render_sarif, "csv": render_csv}


@dataclass(frozen=True)
class Approved:
    """What `approve_file` did: the file's report, the signed approval and where it went, and
    the audit entry that records it."""

    report: FileReport
    approval: Approval
    path: Path
    trusted: bool  # the key is among the policy's approvers (else the gate will not count it)
    audit_seq: int


def approve_file(
    file: str,
    policy: Policy,
    key_path: Path,
    reason: str,
    expires: str | None,
    approvals_dir: Path,
    audit: str | None,
    now: datetime,
) -> Approved:
    """Sign an approval of `file` as it is now (its sha256 and its findings) with the private
    key at `key_path` (signer: the key file's stem), write it into `approvals_dir` and record
    it in the audit log. The file is scanned in a worker, like every other scan."""
    from spillguard.approvals import (
        ApprovalError,
        fingerprint,
        load_private_key,
        parse_expiry,
        sign,
        write_approval,
    )
    from spillguard.audit import record

    private = load_private_key(key_path)
    until = parse_expiry(expires, now) if expires else None
    if until is not None and until <= now:
        raise ApprovalError(f"--expires {expires}: already in the past")
    report = scan([file], policy, jobs=1).files[0]
    if "!" in report.path or Path(file).is_dir():
        raise ApprovalError(f"{file}: approve one file at a time")
    approval = sign(report, policy.for_path(report.path), private, key_path.stem, reason, now, until)
    path = write_approval(approval, approvals_dir)
    detail = {
        "file": approval.path,
        "sha256": approval.sha256,
        "signer": approval.signer,
        "key": fingerprint(approval.key),
        "reason": approval.reason,
        "expires": approval.expires,
        "approval": str(path),
    }
    _, entry = record(audit, "approve", detail)
    trusted = policy.approver_for_key(approval.key) is not None
    return Approved(report, approval, path, trusted, entry.seq)
