"""Detectors: pattern rules (rules.py), names and shapes (shapes.py, gazetteer.py), free text
(text.py) and whole tables (columns.py). `detect` routes each piece of content to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spillguard.assess import Assessment
from spillguard.detect.columns import Plan, detect_table
from spillguard.detect.text import Header, detect_passage
from spillguard.model import Content, Covered, Embedded, Passage, Table


def detect(
    contents: Iterable[Content],
    assessment: Assessment,
    on_embedded: Callable[[Embedded], None],
    check: Callable[[], None] = lambda: None,
) -> None:
    """Run every detector over the contents of one file. Embedded files go to `on_embedded`."""
    plans: dict[str, Plan] = {}
    headers: dict[str, Header] = {}
    for item in contents:
        check()
        if isinstance(item, Table):
            detect_table(item, plans, assessment)
        elif isinstance(item, Passage):
            detect_passage(item, assessment, carried=headers)
        elif isinstance(item, Embedded):
            on_embedded(item)
        elif isinstance(item, Covered):
            from spillguard.detect.covered import detect_covered

            detect_covered(item, assessment)


__all__ = ["detect"]
