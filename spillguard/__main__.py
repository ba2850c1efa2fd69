"""The `spillguard` command's entry point (also `python -m spillguard`).

`spillguard scan` starts its scanner worker before anything else: a one-file scan (the check in
an upload path) then loads the pipeline in the worker on one core while the command-line parser
loads here on the other. The worker is released unused if the scan turns out to need others."""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "scan":
        from spillguard.scan import prestart_worker

        prestart_worker()
    from spillguard.cli import main as run

    run()


if __name__ == "__main__":
    main()
