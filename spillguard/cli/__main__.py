"""`python -m spillguard.cli`: the same command as `spillguard` and `python -m spillguard`."""

from spillguard.cli.app import main

main()
