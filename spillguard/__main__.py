"""The `spillguard` command's entry point (also `python -m spillguard`).

`spillguard scan` forks a spare scanner worker before the command layer loads: the worker loads
the parsers and detectors on one core while Typer and the command load on the other, and the
scan takes it on under the policy its command line names (spillguard.isolate.Spare); once the
report is written, the process exits without tearing down what the system frees anyway.
Measured with benchmarks/bench_roster.py, which alternates the command with `python -m
spillguard.cli scan` (the same without either): 40 runs on the 6,525-row roster, 0.218 s
against 0.268 s (2026-11-30); the spare alone 0.238 s."""

from __future__ import annotations

import sys

from spillguard.isolate import Spare


def main() -> None:
    spare = _spare() if sys.argv[1:2] == ["scan"] else None
    from spillguard.cli.app import main as run  # after the spare has forked

    run(spare)


def _spare() -> Spare | None:
    try:
        return Spare()
    except OSError:  # no process to be had now (EAGAIN, ENOMEM): the scan starts its own, or fails closed
        return None


if __name__ == "__main__":
    main()
