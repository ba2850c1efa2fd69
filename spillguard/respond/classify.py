"""What kind of client a user agent says it is.

The class decides how a responder treats a download: a search engine's copy means a cached
copy to purge, an archive crawler's a takedown request to the archive, a monitor's nothing
(it fetched a status page, or if it took the file nobody reads it), a person's a claw-back
letter. User agents can lie; this is a triage aid, and the letter decision stays human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PERSON = "person"
SEARCH_ENGINE = "search engine"
ARCHIVE_CRAWLER = "archive crawler"
MONITORING = "monitoring"
OTHER_BOT = "other bot"
UNKNOWN = "unknown"  # the log format records no user agent (common log format)
CLASSES = (PERSON, SEARCH_ENGINE, ARCHIVE_CRAWLER, MONITORING, OTHER_BOT, UNKNOWN)


@dataclass(frozen=True)
class AgentRule:
    """User agents matching `pattern` (case-insensitive) belong to `agent_class`."""

    agent_class: str
    pattern: str
    examples: tuple[str, ...]


# Checked in order: the specific families first, then the generic bot words.
AGENT_RULES: tuple[AgentRule, ...] = (
    AgentRule(
        ARCHIVE_CRAWLER,
        r"archive\.org_bot|ia_archiver|heritrix|archive-it|archiveteam|wayback|"
        r"arquivo-web-crawler|webrecorder|brozzler|commoncrawl|ccbot",
        ("Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)",),
    ),
    AgentRule(
        SEARCH_ENGINE,
        r"googlebot|google-inspectiontool|googleother|bingbot|bingpreview|msnbot|slurp|"
        r"duckduckbot|baiduspider|yandex(bot|images)|applebot|seznambot|naverbot|yeti/|"
        r"sogou|exabot|qwantify|petalbot|mojeekbot",
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",),
    ),
    AgentRule(
        MONITORING,
        r"uptimerobot|pingdom|statuscake|site24x7|betteruptime|uptime-kuma|uptimekuma|"
        r"freshping|hetrixtools|checkly|datadog|newrelicpinger|nagios|check_http|zabbix|"
        r"monitis|catchpoint|dynatrace|elastic-heartbeat|updown\.io|montastic|gatus",
        ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",),
    ),
    AgentRule(
        OTHER_BOT,
        r"bot\b|bot/|crawl|spider|scrap|curl/|wget/|python-requests|python-urllib|aiohttp|"
        r"httpx|go-http-client|java/|okhttp|libwww|lwp::|headlesschrome|phantomjs|"
        r"node-fetch|axios/|powershell|httrack|facebookexternalhit|slackbot|"
        r"twitterbot|linkedinbot|whatsapp|telegrambot|^-?$",
        ("curl/7.88.1", "python-requests/2.31.0"),
    ),
)

_COMPILED = tuple((rule.agent_class, re.compile(rule.pattern, re.IGNORECASE)) for rule in AGENT_RULES)


def classify_agent(user_agent: str | None) -> str:
    """The class of a user agent; an empty agent is a bot (browsers always send one), and no
    agent at all (the log does not record it) is unknown."""
    if user_agent is None:
        return UNKNOWN
    agent = user_agent.strip()
    for agent_class, pattern in _COMPILED:
        if pattern.search(agent):
            return agent_class
    return PERSON
