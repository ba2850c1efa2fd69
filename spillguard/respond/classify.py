"""What kind of client a user agent says it is.

The class decides how a responder treats a download: an AI crawler's copy may go into a
training set or an answer engine (its operator is asked to delete it and keep it out of
training), an archive crawler's is asked to be taken down, a search engine's cached copy
purged, a monitor's ignored (it fetched a status page, or if it took the file nobody reads
it), a person's answered with a claw-back letter. User agents can lie; this is a triage aid,
and the letter decision stays human.

Who is who is data, not code (`spillguard/data/crawlers.toml`): AI crawlers by product token
with their operators (the ai.robots.txt list), then the maintained crawler-user-agents list
and its tags, then the few patterns that list lacks.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache

PERSON = "person"
AI_CRAWLER = "ai crawler"
SEARCH_ENGINE = "search engine"
ARCHIVE_CRAWLER = "archive crawler"
MONITORING = "monitoring"
OTHER_BOT = "other bot"
UNKNOWN = "unknown"  # the log format records no user agent (common log format)
CLASSES = (PERSON, AI_CRAWLER, SEARCH_ENGINE, ARCHIVE_CRAWLER, MONITORING, OTHER_BOT, UNKNOWN)
# A bot's class wins over a weaker one when an agent matches several (OAI-SearchBot is listed
# as a search engine too, CCBot is an archive that AI is trained on).
STRENGTH = (AI_CRAWLER, ARCHIVE_CRAWLER, SEARCH_ENGINE, MONITORING, OTHER_BOT)
AI_USES = ("training", "dataset", "search", "assistant")
# A user agent is one request header; anything longer is cut here before the patterns run, so
# the few patterns with a `[\s\S]*` cost at most this squared.
MAX_AGENT_CHARS = 2048


@dataclass(frozen=True)
class AiCrawler:
    """An AI crawler's product token, who runs it and what they say the data is for."""

    token: str
    operator: str
    use: str  # one of AI_USES
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ExtraRule:
    """User agents matching `pattern` (case-insensitive) belong to `agent_class`: what the
    maintained list lacks."""

    agent_class: str
    pattern: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Agent:
    """What a user agent says it is; `operator` and `use` only for a known AI crawler."""

    agent_class: str
    operator: str | None = None
    use: str | None = None


@dataclass(frozen=True)
class Crawlers:
    """crawlers.toml and the crawler-user-agents list, loaded once."""

    ai: tuple[AiCrawler, ...]
    tag_classes: tuple[tuple[str, str], ...]  # crawler-user-agents tag -> class, strongest first
    extras: tuple[ExtraRule, ...]
    listed: tuple[tuple[str, tuple[str, ...]], ...]  # crawler-user-agents (pattern, tags)

    def listed_class(self, tags: tuple[str, ...]) -> str:
        """The class a listed crawler's tags give it (untagged kinds are other bots)."""
        return next((cls for tag, cls in self.tag_classes if tag in tags), OTHER_BOT)


def _load_list() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA

    return tuple((entry["pattern"], tuple(entry.get("tags", ()))) for entry in CRAWLER_USER_AGENTS_DATA)


@cache
def crawlers() -> Crawlers:
    text = importlib.resources.files("spillguard").joinpath("data/crawlers.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    ai = tuple(
        AiCrawler(entry["token"], entry["operator"], entry["use"], tuple(entry["examples"]))
        for entry in raw["ai"].values()
    )
    extras = tuple(
        ExtraRule(entry["class"], entry["pattern"], tuple(entry["examples"]))
        for entry in raw["extra"].values()
    )
    tag_classes = tuple((tag, cls) for tag, cls in raw["tags"]["order"])
    return Crawlers(ai, tag_classes, extras, _load_list())


@dataclass(frozen=True)
class _Matchers:
    ai: re.Pattern[str]
    ai_by_token: dict[str, AiCrawler]
    by_class: tuple[tuple[str, re.Pattern[str]], ...]  # in STRENGTH order


@cache
def _matchers() -> _Matchers:
    data = crawlers()
    # A token starts a word: "YouBot" is not "MyYouBot".
    tokens = "|".join(re.escape(c.token) for c in sorted(data.ai, key=lambda c: -len(c.token)))
    ai = re.compile(rf"(?<![a-z0-9])({tokens})", re.IGNORECASE)
    patterns: dict[str, list[str]] = {cls: [] for cls in STRENGTH}
    for pattern, tags in data.listed:
        patterns[data.listed_class(tags)].append(pattern)
    for rule in data.extras:
        patterns[rule.agent_class].append(rule.pattern)
    by_class = tuple(
        (cls, re.compile("|".join(f"(?:{p})" for p in patterns[cls]), re.IGNORECASE))
        for cls in STRENGTH
        if patterns[cls]
    )
    return _Matchers(ai, {c.token.lower(): c for c in data.ai}, by_class)


@lru_cache(maxsize=8192)
def identify_agent(user_agent: str | None) -> Agent:
    """The class of a user agent, and an AI crawler's operator and use. No agent at all (the
    log does not record it) is unknown; an empty one is a bot (browsers always send one)."""
    if user_agent is None:
        return Agent(UNKNOWN)
    agent = user_agent.strip()[:MAX_AGENT_CHARS]
    if not agent or agent == "-":
        return Agent(OTHER_BOT)
    matchers = _matchers()
    found = matchers.ai.search(agent)
    if found:
        crawler = matchers.ai_by_token[found.group(1).lower()]
        return Agent(AI_CRAWLER, crawler.operator, crawler.use)
    for agent_class, pattern in matchers.by_class:
        if pattern.search(agent):
            return Agent(agent_class)
    return Agent(PERSON)


def classify_agent(user_agent: str | None) -> str:
    """The class of a user agent (see `identify_agent`)."""
    return identify_agent(user_agent).agent_class
