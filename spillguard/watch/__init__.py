"""The watchers: a leak that gets through is found and taken down in seconds.

- `webroot`: `spillguard watch WEBROOT --quarantine DIR` sweeps a web root, then reacts to every
  created, modified or moved file; what blocks (and carries no valid approval) is moved out of
  the web root into the quarantine.
- `quarantine`: the atomic move, the quarantine's manifest, `list` and `restore`.
- `monitor`: `spillguard monitor URL` crawls the live site the way a visitor can and scans
  every document it finds.
- `alerts`: apprise channels; an alert names the file, verdict, counts and where it went,
  never a value.
- `judge`: the gate's decision for a file a watcher found; `audit_sink`: the audit log from any
  thread. Both watchers scan in `spillguard.isolate` workers made by a fork server.

Needs the `watch` extra (watchdog, apprise); the monitor needs only the standard library.
"""

from __future__ import annotations

WATCH_EXTRA_MISSING = "install spillguard[watch] (watchdog and apprise) to use the watchers"
