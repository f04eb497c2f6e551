"""Text from Spotify (playlist names, titles) made safe to print on a terminal.

A playlist name is anyone's text: escape sequences could move the cursor or retitle the
window, and U+202E (right-to-left override) could reverse what follows on the line. Both
are shown escaped (`\\x1b`, `\\u202e`), and very long names are cut.
"""

from __future__ import annotations

import unicodedata

# Long enough for real titles, short enough that one name cannot fill a screen.
MAX_NAME_CHARS = 80

# Bidirectional formatting characters (Unicode's Bidi_Control), which reorder what follows.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(char: str, keep_newlines: bool) -> bool:
    if char == "\n":
        return not keep_newlines
    return char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def printable(text: str, limit: int | None = MAX_NAME_CHARS) -> str:
    """One name, escaped and cut to `limit` characters (None: no cut)."""
    text = "".join(_escaped(c) if _unsafe(c, False) else c for c in str(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_line(text: str) -> str:
    """A line about to be printed: control characters escaped, line breaks kept."""
    if text.isprintable():
        return text
    return "".join(_escaped(c) if _unsafe(c, True) else c for c in text)
