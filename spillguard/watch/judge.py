"""The gate's decision for a file a watcher found: the policy for its path, and the approvals
read afresh each time (they may be added while a watcher runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spillguard.approvals import Decision, decide, load_approvals
from spillguard.model import FileReport
from spillguard.policy import Policy


@dataclass(frozen=True)
class Judge:
    """The gate's decision for one file: the policy applied to its path, and the approvals
    in `approvals_dir` read afresh (approvals may be added while a watcher runs)."""

    policy: Policy
    approvals_dir: Path

    def decide(self, report: FileReport, name: str | None = None) -> Decision:
        now = datetime.now(UTC)
        rules = self.policy.for_path(name or report.path)
        if report.verdict != "block":
            return decide(report, rules, [], now)
        return decide(report, rules, load_approvals(self.approvals_dir), now)
