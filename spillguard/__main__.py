"""The `spillguard` command's entry point (also `python -m spillguard`).

`spillguard scan` starts a spare scanner worker before the command layer loads: the worker
loads the parsers and detectors on one core while Typer and the command load on the other, and
the scan takes it on (spillguard.isolate.Spare). Measured with benchmarks/bench_roster.py (40
alternating runs on the 6,525-row roster; see CHANGELOG)."""

from __future__ import annotations

import sys

from spillguard.isolate import Spare


def main() -> None:
    spare = Spare() if sys.argv[1:2] == ["scan"] else None
    from spillguard.cli.app import main as run  # after the spare has forked

    run(spare)


if __name__ == "__main__":
    main()
