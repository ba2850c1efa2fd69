"""Regular expressions compiled when first used, not when their module loads.

The detectors hold some fifty patterns; compiling them all took about half of the detectors'
import time, on the critical path of every one-file scan, while a roster uses a dozen of them.
`compile` returns an object that answers like the compiled pattern: the first method looked up
compiles it and puts the pattern's methods on the object, so later calls cost what a real
pattern's do."""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class _Deferred:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # only for names not yet on the object
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazyre.compile({self.pattern!r}, {self.flags})"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Deferred(pattern, flags))
