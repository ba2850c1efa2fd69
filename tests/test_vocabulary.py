"""The shared vocabulary (spillguard/data): every entry's examples and non-examples, run by one
generic test, as the rules' are; and the evidence tables say what they should about words
everyone knows to be names or words."""

from __future__ import annotations

import pytest

from spillguard.detect import names
from spillguard.detect.columns import header_kind
from spillguard.detect.gazetteer import fold
from spillguard.detect.vocabulary import QUALIFIERS, vocabulary

HEADERS = vocabulary().headers + vocabulary().case_columns
WORD_CLASSES = vocabulary().words


@pytest.mark.parametrize("meaning", HEADERS, ids=lambda h: h.kind)
def test_every_header_meaning_matches_its_examples_and_not_its_non_examples(meaning) -> None:  # type: ignore[no-untyped-def]
    for title in meaning.examples:
        assert meaning.matches(title), f"{meaning.kind} misses {title!r}"
    for title in meaning.non_examples:
        assert not meaning.matches(title), f"{meaning.kind} takes {title!r}"


@pytest.mark.parametrize(
    "meaning", [h for h in vocabulary().headers if h.kind not in QUALIFIERS], ids=lambda h: h.kind
)
def test_a_kinds_examples_are_read_as_that_kind_by_the_column_classifier(meaning) -> None:  # type: ignore[no-untyped-def]
    for title in meaning.examples:
        assert header_kind(title) == meaning.kind, title


def test_word_classes_keep_their_examples_apart() -> None:
    organisation = WORD_CLASSES["organisation"]
    streets = WORD_CLASSES["street_suffix"]
    for example in (*organisation.examples, *streets.examples):
        assert names.organisation(example), example
        assert not names.looks_like_name(example), example
    for example in (*organisation.non_examples, *streets.non_examples):
        assert not names.organisation(example), example
    for name, entry in WORD_CLASSES.items():
        assert entry.words == frozenset(fold(w) for w in entry.words), f"{name}: words must be folded"
        if name in ("official_title", "field_label", "office_address"):
            for example in entry.examples:
                assert any(fold(w) in entry.words for w in example.split()), example
            for example in entry.non_examples:
                assert not any(fold(w) in entry.words for w in example.split()), example


@pytest.mark.parametrize("word", ["SMITH", "GARCIA", "NGUYEN", "MARTIN", "JOSE", "MARIA"])
def test_common_names_weigh_as_names(word: str) -> None:
    assert names.word_evidence(word) > 0


@pytest.mark.parametrize("word", ["STANDARD", "PENDING", "ACCEPTABLE", "REPORT", "THE", "ESPANOL"])
def test_ordinary_words_weigh_as_words(word: str) -> None:
    assert names.word_evidence(word) < 0


def test_a_word_no_table_has_seen_tells_nothing() -> None:
    assert names.word_evidence("KOVRANEZ") == 0.0


@pytest.mark.parametrize(
    ("value", "is_place"),
    [
        ("Jim Hogg", True),
        ("SIERRA BLANCA", True),
        ("Los Angeles, California", True),
        ("BATTLE CREEK, MI", True),
        ("WASHINGTON, GEORGE", False),  # a person: a given name after the comma
        ("Kovranez Telumi", False),
    ],
)
def test_places_come_from_the_gazetteer(value: str, is_place: bool) -> None:
    assert names.place(value) is is_place
