"""Plain text and Markdown: one passage per paragraph, offsets into the decoded text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.extract.delimited import sniff_encoding
from spillguard.model import Content, Location, Passage

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MAX_PASSAGE = 64 * 1024


def extract_text(source: Source, limits: Limits) -> Iterator[Content]:
    data = source.read()
    text = data.decode(sniff_encoding(data[:65536]), errors="replace")
    yield from passages(text, "body")


def passages(text: str, part: str, layer: str = "text", hidden: bool = False) -> Iterator[Passage]:
    """Split text at blank lines (and very long paragraphs at line ends), keeping offsets."""
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        yield from _bounded(text, start, match.start(), part, layer, hidden)
        start = match.end()
    yield from _bounded(text, start, len(text), part, layer, hidden)


def _bounded(text: str, start: int, end: int, part: str, layer: str, hidden: bool) -> Iterator[Passage]:
    while start < end:
        stop = min(end, start + MAX_PASSAGE)
        if stop < end:
            newline = text.rfind("\n", start, stop)
            stop = newline + 1 if newline > start else stop
        chunk = text[start:stop]
        if chunk.strip():
            yield Passage(chunk, Location(part, layer, hidden, offset=start))
        start = stop
