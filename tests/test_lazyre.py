"""Patterns compiled on first use answer exactly as compiled ones."""

from __future__ import annotations

import re

from spillguard import lazyre


def test_a_deferred_pattern_answers_like_a_compiled_one() -> None:
    text = "A212345622 and a#212 345 623, then nothing"
    source, flags = r"a#?\s?(\d{3})\s?(\d{3})\s?(\d{3})", re.I
    deferred, compiled = lazyre.compile(source, flags), re.compile(source, flags)
    assert deferred.search(text).group(0) == compiled.search(text).group(0)  # type: ignore[union-attr]
    assert [m.groups() for m in deferred.finditer(text)] == [m.groups() for m in compiled.finditer(text)]
    assert deferred.findall(text) == compiled.findall(text)
    assert deferred.sub("#", text) == compiled.sub("#", text)
    assert deferred.split(text) == compiled.split(text)
    assert bool(deferred.fullmatch("A212345622")) and not deferred.match("x A212345622")
    assert (deferred.pattern, deferred.flags & re.I) == (source, re.I)


def test_it_compiles_once_and_then_calls_the_pattern_directly() -> None:
    deferred = lazyre.compile(r"\d+")
    assert "search" not in vars(deferred)  # nothing compiled at definition
    deferred.search("42")
    first = vars(deferred)["search"]
    deferred.sub("", "a1")
    assert vars(deferred)["search"] is first and first.__self__ is vars(deferred)["sub"].__self__
