"""The version, in one small module: the package, the reports, the monitor's user agent, the
`--version` option and the build (pyproject reads it) all take it from here."""

__version__ = "0.1.0"
