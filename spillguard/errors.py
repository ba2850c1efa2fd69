"""The one kind of error a command turns into a line on stderr and exit status 2.

Every error that means "what you asked for cannot be done" (a policy key that does not exist,
a path that is not there, a log format not understood) derives from `UserError`, so the
command layer has one guard (`spillguard.cli.common.guarded`) instead of a list per command.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or setup, said in one line that names what is wrong."""
