"""Covered text: characters under a drawn box are a finding of their own (`covered-text`),
whatever they say. A box over text is someone's attempt to hide it; if the text is still in
the file, the attempt failed. Graded so leftovers are not noise: a word of four or more
letters or digits under a box is high (blocks by default); fragments, single characters and
numbering are low. Characters that cannot be decoded are reported as covered text that could
not be read, graded by how many there are.

The person detectors also run on what a box covers, with the box itself as the signal that a
person may be there: a name under a bar needs no "Mr." or A-number beside it to count."""

from __future__ import annotations

from spillguard.assess import Assessment
from spillguard.detect import names
from spillguard.detect.rules import covered_word
from spillguard.detect.text import find_names
from spillguard.model import Covered, Finding

KIND = "covered_text"
CONFIDENCE = 0.95  # the box and the characters are facts of the file; only their meaning varies
MIN_UNREADABLE_GLYPHS = 4  # as many glyphs as a word: graded like one


def covered_severity(item: Covered) -> str:
    if not item.text:
        return "high" if item.glyphs >= MIN_UNREADABLE_GLYPHS else "low"
    return "high" if covered_word(item.text) else "low"


def covered_value(item: Covered) -> str:
    """What the finding holds: the covered characters, or a note that they could not be read
    (there is nothing to mask then, and nothing to hide)."""
    return item.text or f"[{item.glyphs} characters that could not be read]"


def detect_covered(item: Covered, assessment: Assessment) -> None:
    value = covered_value(item)
    if assessment.allows(KIND, value):
        return
    severity = covered_severity(item)
    assessment.add_finding(Finding(KIND, item.location, CONFIDENCE, value, severity))
    assessment.severities[severity] += 1
    if item.text:
        _names_under_the_box(item, assessment)


def _names_under_the_box(item: Covered, assessment: Assessment) -> None:
    """Names the page's text detectors did not take as names (nothing around them said
    person): the box is that signal."""
    known = {
        names.normalise_name(f.value)
        for f in assessment.findings
        if f.kind == "person_name" and f.location.page == item.location.page
    }
    for hit in find_names(item.text, has_person_signal=True):
        key = names.normalise_name(hit.value)
        if key in known or assessment.allows(hit.kind, hit.value):
            continue
        known.add(key)
        location = item.location
        assessment.add_record({hit.kind}, f"N:{key}|", "low", location.hidden, location.part)
        assessment.add_finding(Finding(hit.kind, location, hit.confidence, hit.value, "low"))
