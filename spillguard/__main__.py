"""The `spillguard` command's entry point (also `python -m spillguard`).

`spillguard scan` starts its scanner worker before anything else: a one-file scan (the check in
an upload path) then loads the pipeline, and starts on the file the command line names, in the
worker on one core while the command-line parser loads here on the other. The worker is
released unused if the scan turns out to need others, and its head start dropped if the parser
reads another file."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "scan":
        from spillguard.scan import prestart_worker

        prestart_worker(expected=named_file(sys.argv[2:]))
    from spillguard.cli import main as run

    run()


def named_file(args: list[str]) -> str | None:
    """The file a one-file scan's command line names: the one word (not an option) that is a
    regular file. Only a guess: the scan compares it with what the parser read, and drops the
    worker's head start when they differ. None under a policy file: the head start is for the
    built-in policy."""
    from spillguard import POLICY_FILE

    if os.path.isfile(POLICY_FILE) or any(a in ("-p", "--policy") or a.startswith("--policy=") for a in args):
        return None
    files = [a for a in args if not a.startswith("-") and os.path.isfile(a)]
    return files[0] if len(files) == 1 else None


if __name__ == "__main__":
    main()
