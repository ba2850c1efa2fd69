"""Every rule carries its own hits and non-hits (STYLE.md rule 3); this one test runs them all."""

from __future__ import annotations

import pytest

from spillguard.detect.rules import RULES, RULES_BY_ID
from spillguard.detect.text import find_hits

CASES = [
    pytest.param(rule.id, text, expected, id=f"{rule.id}-{'hit' if expected else 'ok'}-{i}")
    for rule in RULES
    for expected, texts in ((True, rule.examples), (False, rule.non_examples))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("rule_id", "text", "expected"), CASES)
def test_rule_finds_its_examples_and_not_its_non_examples(rule_id: str, text: str, expected: bool) -> None:
    rule = RULES_BY_ID[rule_id]
    if rule.pattern is None and rule.validator is not None:
        # Rules over a layer rather than text (covered-text): the validator is the whole test.
        assert rule.validator(text) is expected, f"{rule_id} on {text!r}"
        return
    kinds = {hit.kind for hit in find_hits(text, 0, len(text))}
    assert (rule.kind in kinds) is expected, f"{rule_id} on {text!r}: found {sorted(kinds)}"


def test_every_rule_has_examples_both_ways_and_a_stable_id() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.examples and rule.non_examples, rule.id
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.kind == rule.id.replace("-", "_"), rule.id
        assert rule.finds and rule.why and rule.false_alarms, rule.id


def test_kinds_cover_the_report_spec() -> None:
    kinds = {rule.kind for rule in RULES}
    assert kinds >= {
        "a_number",
        "person_name",
        "date_of_birth",
        "nationality",
        "detention_facility",
        "ssn",
        "passport_number",
        "phone_number",
        "email_address",
        "street_address",
        "immigration_case_number",
    }
