"""Generators of invented people and the documents that carry them, for the tests, the
benchmarks and `make demo`. Not part of the package: the wheel ships no generator of people."""
