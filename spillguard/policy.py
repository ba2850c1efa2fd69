"""Policy: which severities block or warn, and the limits a scan keeps to. Immutable; the
defaults are the built-in policy every user file extends."""

from __future__ import annotations

from dataclasses import dataclass, field

from spillguard.extract.base import Limits


@dataclass(frozen=True)
class Policy:
    block: frozenset[str] = frozenset({"critical", "high"})
    warn: frozenset[str] = frozenset({"medium"})
    limits: Limits = field(default_factory=Limits)
    max_findings: int = 1_000  # listed per file; beyond it findings are counted, not listed
    pictures_block: bool = False  # pictures are not read for text yet: warn, don't block

    def verdict(self, severity: str) -> str:
        if severity in self.block:
            return "block"
        if severity in self.warn:
            return "warn"
        return "pass"


DEFAULT_POLICY = Policy()
