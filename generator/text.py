"""Text from outside (feeds, the arXiv API, LLM replies, day files) normalised at the edge.

One rule for every stage: outside text is Unicode NFC, holds no code point that XML 1.0,
a terminal or a JSON/sqlite encoder would choke on (lone surrogates, NUL and other C0/C1
control characters but tab and newline, U+FFFE/U+FFFF), and is no longer than its field
allows. :func:`clean` applies the rule when text comes in (fetch, scoring); the day-file
schema rejects text that breaks it (:func:`problem`), so a hand-edited file is an error
naming the key instead of a broken feed or page.
"""

from __future__ import annotations

import re
import unicodedata

# Longest text stored per field, in characters. arXiv caps abstracts at 1,920 characters
# and titles far below 1,000; the limits only stop hostile or broken input from filling
# data/ and every page built from it.
MAX_TITLE = 1_000
MAX_ABSTRACT = 10_000
MAX_COMMENT = 2_000  # a scorer's one-line comment
MAX_AUTHOR = 300  # one author name
MAX_AUTHORS = 1_000  # names per paper (large collaborations list hundreds)
MAX_SHORT = 200  # categories, tags, announce types, model names, reasons' first line
MAX_REASON = 1_000
MAX_JOURNAL_REF = 1_000

# Forbidden: C0 controls but \t \n \r, DEL and the C1 block, lone surrogates, the two
# non-characters XML 1.0 excludes. \r is folded into \n by clean().
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
ELLIPSIS = "…"


def clean(text: str | None, limit: int) -> str:
    """``text`` in NFC without forbidden code points, cut to ``limit`` characters.

    A cut text ends with an ellipsis so a reader sees that something was dropped.
    """
    if not text:
        return ""
    text = _FORBIDDEN_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text)
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return text


def one_line(text: str | None, limit: int) -> str:
    """:func:`clean`, with every run of white space (newlines too) folded to one space."""
    return " ".join(clean(text, limit * 2).split())[:limit]


def problem(text: str, limit: int) -> str | None:
    """Why ``text`` may not be stored (a forbidden character, too long), or None."""
    found = _FORBIDDEN_RE.search(text)
    if found:
        return (
            f"contains the control character U+{ord(found.group()):04X} at offset {found.start()}"
        )
    if len(text) > limit:
        return f"is {len(text):,} characters long (at most {limit:,})"
    return None


def for_terminal(text: str, limit: int = 500) -> str:
    """Text from a server (an error page) safe to print: no escape sequences, one line."""
    return one_line(text, limit)
