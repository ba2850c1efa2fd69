"""The people a leaked file exposes: read them (records.py), tell who is who (identity.py), and
keep them sealed under a key held apart from the store (sealed.py). The commands are in
spillguard/cli/people.py."""
