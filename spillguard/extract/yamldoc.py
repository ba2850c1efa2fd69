"""YAML read as records, like JSON: keys are column titles, so `birthday:` beside `name:` in one
mapping links them. Parsed with PyYAML's safe loader (no tags that build objects); aliases are
bounded (how many, and how many values they expand to), so a "billion laughs" document is
refused instead of expanded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from spillguard.extract.base import Limits, Source
from spillguard.extract.markup import MAX_DEPTH, Pairs, decode, json_content, read_bounded
from spillguard.model import Content, Uninspectable

MAX_ALIASES = 1_000
MAX_VALUES = 5_000_000  # values once aliases are expanded; a real data file is far below


def extract_yaml(source: Source, limits: Limits) -> Iterator[Content]:
    import yaml

    text = decode(read_bounded(source, limits))
    try:
        aliases = sum(1 for event in yaml.parse(text, Loader=_loader()) if isinstance(event, yaml.AliasEvent))
        if aliases > MAX_ALIASES:
            raise Uninspectable(f"over limit: YAML with {aliases} aliases")
        documents = list(yaml.load_all(text, Loader=_loader()))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise Uninspectable(f"corrupt YAML (line {mark.line + 1 if mark else '?'})") from None
    except RecursionError:
        raise Uninspectable(f"over limit: YAML nested deeper than {MAX_DEPTH}") from None
    value = documents[0] if len(documents) == 1 else documents
    yield from json_content(_as_json(value, 0, [0]), "yaml:", hidden=False)


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _as_json(value: Any, depth: int, seen: list[int]) -> Any:
    """Mappings as Pairs (what the JSON reader walks), dates as ISO text. `seen` counts the
    values made: aliases repeat whole subtrees."""
    seen[0] += 1
    if depth > MAX_DEPTH:
        raise Uninspectable(f"over limit: YAML nested deeper than {MAX_DEPTH}")
    if seen[0] > MAX_VALUES:
        raise Uninspectable(f"over limit: YAML expands to more than {MAX_VALUES:,} values")
    if isinstance(value, dict):
        return Pairs((str(k), _as_json(v, depth + 1, seen)) for k, v in value.items())
    if isinstance(value, list):
        return [_as_json(v, depth + 1, seen) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
