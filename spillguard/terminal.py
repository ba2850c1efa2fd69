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
