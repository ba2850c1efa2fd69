"""From clients (IP addresses) to entities (the organizations a letter goes to).

Clients in the same network (ASN) are one entity; a client whose network is unknown is its
own entity, named by its host name or address. A responder knows better than any database
(a university's two networks, a researcher on a home line, a crawler to ignore), so an
entities file can merge, rename and drop entities before the letters are written:

    {"merge": {"Example University": ["AS64500", "203.0.113.12"]},
     "drop": ["198.51.100.40"],
     "rename": {"AS64501": "Example Newsroom Ltd"}}

Keys refer to an entity id (`AS64500`, or the address for an entity without a network), an
address of one of its clients, or an entity name. Unknown keys are errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.respond.classify import AI_CRAWLER, ARCHIVE_CRAWLER, SEARCH_ENGINE
from spillguard.respond.exposure import Client

OVERRIDE_KEYS = ("merge", "drop", "rename")


class EntitiesError(UserError, ValueError):
    """An entities file that is malformed or names something the exposure does not have."""


# Who a letter goes to: an organisation that fetched the file; a subscriber of an internet
# access provider (a person at home, reached through the provider); a search engine or a web
# archive (asked to remove its cached copy, not to certify destruction); the operator of an AI
# crawler (asked to delete every copy and keep the data out of training sets, answer indexes
# and the datasets it publishes).
ORGANISATION, SUBSCRIBER, CRAWLER, AI_OPERATOR = "organisation", "subscriber", "crawler", "ai operator"


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    clients: tuple[Client, ...]
    kind: str = ORGANISATION

    @property
    def ips(self) -> tuple[str, ...]:
        return tuple(c.ip for c in self.clients)

    @property
    def complete(self) -> bool:
        return any(c.complete for c in self.clients)

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.clients)

    @property
    def bytes(self) -> int:
        return sum(c.bytes for c in self.clients)

    @property
    def first_seen(self) -> datetime:
        return min(c.first_seen for c in self.clients)

    @property
    def last_seen(self) -> datetime:
        return max(c.last_seen for c in self.clients)

    @property
    def agent_classes(self) -> tuple[str, ...]:
        return tuple(sorted({c.agent_class for c in self.clients}))

    @property
    def internal(self) -> bool:
        return all(c.internal for c in self.clients)


@dataclass(frozen=True)
class EntityOverrides:
    merge: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)


def access_provider(client: Client) -> bool:
    """The client's network is an internet access provider's (its name or the address's host
    name says so): the address is a subscriber's."""
    from spillguard.detect.gazetteer import fold
    from spillguard.detect.vocabulary import vocabulary

    words = vocabulary().words["access_provider"].words
    text = f"{client.organization or ''} {client.hostname or ''}".replace("&", "")
    return bool(words.intersection(fold(text).split()))


def _entity_key(client: Client) -> tuple[str, str, str]:
    if client.agent_class == AI_CRAWLER:
        if client.agent_operator:
            # One request per operator, listing every address its crawlers came from (an agent
            # can be faked: the letter lists the addresses for the operator to check).
            return f"AI-{client.agent_operator}", client.agent_operator, AI_OPERATOR
        key = f"AS{client.asn}" if client.asn is not None else client.ip
        return key, client.organization or client.hostname or client.ip, AI_OPERATOR
    if client.agent_class in (SEARCH_ENGINE, ARCHIVE_CRAWLER):
        key = f"AS{client.asn}" if client.asn is not None else client.ip
        return key, client.organization or client.hostname or client.ip, CRAWLER
    if client.asn is not None:
        provider = client.organization or f"AS{client.asn}"
        if access_provider(client):
            # Two people at home on one provider are two letters, each passed on by it.
            return f"AS{client.asn}-{client.ip}", f"a subscriber of {provider} at {client.ip}", SUBSCRIBER
        return f"AS{client.asn}", provider, ORGANISATION
    if client.hostname and access_provider(client):
        return client.ip, f"a subscriber at {client.ip} ({client.hostname})", SUBSCRIBER
    return (
        client.ip,
        client.hostname or client.organization or f"the holder of address {client.ip}",
        ORGANISATION,
    )


def group_clients(clients: Iterable[Client]) -> list[Entity]:
    groups: dict[str, tuple[str, str, list[Client]]] = {}
    for client in clients:
        key, name, kind = _entity_key(client)
        groups.setdefault(key, (name, kind, []))[2].append(client)
    entities = [Entity(key, name, tuple(members), kind) for key, (name, kind, members) in groups.items()]
    return sorted(entities, key=lambda e: (e.first_seen, e.id))


def load_overrides(path: Path) -> EntityOverrides:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntitiesError(f"{path}: cannot read entities file: {exc}") from exc
    return parse_overrides(data, str(path))


def parse_overrides(data: Any, source: str = "entities") -> EntityOverrides:
    if not isinstance(data, dict):
        raise EntitiesError(f"{source}: expected a JSON object with merge, drop, rename")
    unknown = sorted(set(data) - set(OVERRIDE_KEYS))
    if unknown:
        raise EntitiesError(f"{source}: unknown key {unknown[0]!r} (allowed: merge, drop, rename)")
    merge, drop, rename = data.get("merge", {}), data.get("drop", []), data.get("rename", {})
    if not (
        isinstance(merge, dict)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in merge.values())
    ):
        raise EntitiesError(f"{source}: merge must map a name to a list of entity references")
    if not (isinstance(drop, list) and all(isinstance(x, str) for x in drop)):
        raise EntitiesError(f"{source}: drop must be a list of entity references")
    if not (isinstance(rename, dict) and all(isinstance(v, str) for v in rename.values())):
        raise EntitiesError(f"{source}: rename must map an entity reference to a name")
    return EntityOverrides(
        merge={name: tuple(refs) for name, refs in merge.items()}, drop=tuple(drop), rename=rename
    )


def _resolve(entities: list[Entity], reference: str) -> Entity:
    for entity in entities:
        if reference in (entity.id, entity.name) or reference in entity.ips:
            return entity
    raise EntitiesError(f"entities file refers to {reference!r}, which no entity matches")


def apply_overrides(entities: list[Entity], overrides: EntityOverrides) -> list[Entity]:
    """Drops first, then merges (the merged entity takes the id of its first member), then
    renames."""
    result = list(entities)
    for reference in overrides.drop:
        result.remove(_resolve(result, reference))
    for name, references in overrides.merge.items():
        members = []
        for reference in references:
            entity = _resolve(result, reference)
            if entity not in members:
                members.append(entity)
        for entity in members:
            result.remove(entity)
        clients = tuple(c for entity in members for c in entity.clients)
        if clients:
            result.append(Entity(members[0].id, name, clients, members[0].kind))
    for reference, name in overrides.rename.items():
        entity = _resolve(result, reference)
        result[result.index(entity)] = Entity(entity.id, name, entity.clients, entity.kind)
    return sorted(result, key=lambda e: (e.first_seen, e.id))


def letter_recipients(entities: Iterable[Entity], include_partial: bool = False) -> list[Entity]:
    """Entities outside the publisher that got a copy (or any bytes, when asked)."""
    return [e for e in entities if not e.internal and (e.complete or (include_partial and e.bytes > 0))]
