"""Who a user agent says it is: real agents of every kind, the data file's own examples, and the
maintained list's patterns kept safe to run on attacker text."""

# ruff: noqa: E501 -- real user agents are long, and are kept whole

from __future__ import annotations

import re
import time

import pytest

from spillguard.respond.classify import (
    AI_CRAWLER,
    AI_USES,
    ARCHIVE_CRAWLER,
    CLASSES,
    MONITORING,
    OTHER_BOT,
    PERSON,
    SEARCH_ENGINE,
    UNKNOWN,
    classify_agent,
    crawlers,
    identify_agent,
)
from tests.respond import loggen

# Agents as these crawlers and browsers send them (from their operators' documentation and
# real access logs).
REAL = {
    AI_CRAWLER: [
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "OpenAI"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", "OpenAI"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot", "OpenAI"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "Anthropic"),
        ("anthropic-ai", "Anthropic"),
        ("CCBot/2.0 (https://commoncrawl.org/faq/)", "Common Crawl Foundation"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", "Perplexity"),
        ("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "ByteDance"),
        ("meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)", "Meta"),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36", "Amazon"),
        ("Mozilla/5.0 (X11; U; Linux x86_64; en-US) AppleWebKit/534.16 (KHTML, like Gecko) Chrome/10.0.648.205 Safari/534.16 (compatible; Diffbot/0.1; +http://www.diffbot.com)", "Diffbot"),
        # tagged ai-crawler by crawler-user-agents, not in our own list: no operator known
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Google-NotebookLM) Chrome/126.0.0.0 Safari/537.36", None),
    ],
    ARCHIVE_CRAWLER: [
        ("Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)", None),
        ("ia_archiver (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)", None),
        ("Mozilla/5.0 (compatible; heritrix/3.4.0 +https://www.example.org/crawler)", None),
        ("Mozilla/5.0 (compatible; ArchiveTeam ArchiveBot/20230101.01)", None),
    ],
    SEARCH_ENGINE: [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", None),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", None),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", None),
        ("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", None),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", None),
    ],
    MONITORING: [
        ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", None),
        ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", None),
        ("Datadog/Synthetics", None),
    ],
    OTHER_BOT: [
        ("curl/7.88.1", None),
        ("python-requests/2.31.0", None),
        ("Wget/1.21.4", None),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", None),
        ("", None),
    ],
    PERSON: [
        (loggen.CHROME, None),
        (loggen.FIREFOX, None),
        (loggen.SAFARI, None),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87", None),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", None),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", None),
        ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 [FBAN/EMA;FBLC/en_US;FBAV/421.0.0.11.63;]", None),
        # a browser nobody has listed: still a person
        ("Mozilla/5.0 (X11; Linux riscv64; rv:140.0) Gecko/20100101 Waterfox/140.2", None),
    ],
}  # fmt: skip
CASES = [(cls, agent, operator) for cls, agents in REAL.items() for agent, operator in agents]


@pytest.mark.parametrize(("agent_class", "agent", "operator"), CASES, ids=lambda v: str(v)[:40])
def test_real_agents_are_classified(agent_class: str, agent: str, operator: str | None) -> None:
    said = identify_agent(agent)
    assert said.agent_class == agent_class
    assert said.operator == operator
    assert (said.use in AI_USES) == (operator is not None)


def test_no_agent_recorded_is_unknown() -> None:
    assert classify_agent(None) == UNKNOWN


def test_ai_tokens_beat_the_lists_other_tags() -> None:
    # crawler-user-agents files these under search-engine and seo; ai.robots.txt lists them as
    # AI crawlers, and a deletion request is what their operators need.
    assert identify_agent("Applebot-Extended").operator == "Apple"
    assert classify_agent("Mozilla/5.0 (compatible; Applebot/0.1)") == SEARCH_ENGINE
    assert classify_agent("Google-Extended") == AI_CRAWLER
    assert classify_agent("Mozilla/5.0 (compatible; MyYouBot/1.0)") != AI_CRAWLER  # a token starts a word


def test_every_data_entry_classifies_its_own_examples() -> None:
    data = crawlers()
    assert len(data.ai) >= 30 and len(data.listed) > 1000
    for crawler in data.ai:
        assert crawler.use in AI_USES, crawler.token
        for example in crawler.examples:
            said = identify_agent(example)
            assert (said.agent_class, said.operator) == (AI_CRAWLER, crawler.operator), example
    for rule in data.extras:
        assert rule.agent_class in CLASSES
        for example in rule.examples:
            assert classify_agent(example) == rule.agent_class, example
    assert {cls for _tag, cls in data.tag_classes} <= set(CLASSES)


def test_listed_patterns_are_safe_on_attacker_text() -> None:
    """User agents are attacker text: every pattern of the maintained list must be one RE2
    accepts (no lookaround, no back-reference) with no nested repetition, and a huge agent is
    cut before the patterns run. An update of the list that breaks this fails here."""
    import duckdb

    con = duckdb.connect()
    nested = re.compile(r"\([^)]*[+*}][^)]*\)[+*{?]")
    for pattern, _tags in crawlers().listed:
        con.execute("SELECT regexp_matches('x', ?)", [pattern])  # raises where RE2 refuses it
        assert not nested.search(pattern), pattern
    hostile = "Mozilla/5.0 " + "Spider " * 50_000 + "x"
    clock = time.perf_counter()
    identify_agent.__wrapped__(hostile)
    identify_agent.__wrapped__("a" * 300_000)
    assert time.perf_counter() - clock < 2.0
