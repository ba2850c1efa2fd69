"""The `spillguard` command's entry point (also `python -m spillguard`)."""

from __future__ import annotations

from spillguard.cli.app import main

if __name__ == "__main__":
    main()
