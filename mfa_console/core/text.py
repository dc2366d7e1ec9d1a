"""Text rules shared by every way a user's text gets in (dialogs, CSV import, sync, command line).

Text is normalised to NFC, so one name has one form whatever keyboard or directory typed it.
Characters that cannot be seen or that change how the text around them is shown are refused: C0
and C1 controls, format characters (bidi overrides and isolates, zero-width spaces and joiners,
the byte-order mark, soft hyphens...), line and paragraph separators, and the Hangul fillers that
render as blanks. Usernames also refuse every space but the plain one. Without these rules two
usernames could look the same on screen, or a name could reorder the text printed after it.

``printable`` is the other side: text printed to a terminal with such characters escaped.
"""

from __future__ import annotations

import re
import unicodedata

# Rendered as nothing though their category says letter.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
HIDDEN_PATTERN = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f"
                      r"\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]")  # fmt: skip


def hidden_character(text: str, *, username: bool = False) -> str | None:
    """The first character of ``text`` a reader cannot see, or None."""
    for char in text:
        category = unicodedata.category(char)
        if category in _HIDDEN_CATEGORIES or char in _BLANK_LETTERS:
            return char
        if username and category == "Zs" and char != " ":
            return char
    return None


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = "control character"
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def text_problem(text: str, max_length: int, *, username: bool = False) -> str:
    """Why ``text`` (already NFC) cannot be stored ("" when it can)."""
    char = hidden_character(text, username=username)
    if char is not None:
        kind = (
            "a character that changes the text direction"
            if char in _BIDI
            else ("an invisible or control character")
        )
        return f"has {kind}, {describe(char)}; retype it without"
    if len(text) > max_length:
        return f"is {len(text)} characters long; at most {max_length} are allowed"
    return ""


def clean(text: str) -> str:
    """NFC, without surrounding whitespace."""
    return unicodedata.normalize("NFC", text).strip()


def printable(text: str) -> str:
    """``text`` with control, format and invisible characters escaped (``\\x1b``, ``\\u202e``)."""
    return HIDDEN_PATTERN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
