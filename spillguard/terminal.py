"""Text for people to read: a file name, a URL or a sheet name comes from whoever made the file,
and one holding a newline, a terminal escape or a right-to-left override could fake a line of
output (`published  innocent.csv`) or hide one. Every human-readable line goes through
`printable`, which shows those characters as escapes."""

from __future__ import annotations

import unicodedata

# Marks and overrides that reorder what a terminal shows (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with control characters, line and paragraph separators and bidi controls shown
    as escapes (`\\n`, `\\x1b`, `\\u202e`); everything else as it is."""
    if text.isprintable() and not BIDI_CONTROLS.intersection(text):
        return text
    return "".join(_shown(char) for char in text)


def _shown(char: str) -> str:
    if char in NAMED:
        return NAMED[char]
    category = unicodedata.category(char)
    if category == "Cs" and 0xDC80 <= ord(char) <= 0xDCFF:  # a byte of a name not in UTF-8
        return f"\\x{ord(char) - 0xDC00:02x}"
    if char in BIDI_CONTROLS or category in ("Cc", "Zl", "Zp", "Cs"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


# Colour for a person at a terminal; the command decides whether there is one
# (cli.common.colour_wanted), so files and pipes never get escape codes.
SGR = {"red": "31", "green": "32", "yellow": "33"}
VERDICT_COLOURS = {
    "block": "red",
    "warn": "yellow",
    "pass": "green",
    "approved": "green",
    "uninspectable": "yellow",  # blocks, but because nobody could read it
    "stale": "yellow",
}


def paint(text: str, colour: str | None, on: bool) -> str:
    """`text` in `colour` (a key of SGR) when `on`, else as it is. `text` is ours (a verdict
    label), never text from a file: that goes through `printable` and is never painted."""
    if not on or colour is None:
        return text
    return f"\x1b[{SGR[colour]}m{text}\x1b[0m"
