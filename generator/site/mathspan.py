"""Where the LaTeX math is in paper text, found in linear time.

Math delimiters as arXiv authors write them: ``$$...$$`` and ``\\[...\\]`` (display),
``\\(...\\)`` and ``$...$`` (inline). Inline ``$...$`` follows pymdownx.arithmatex's rule:
no space just inside the dollars (so "costs $5 and $10" stays text) and no unescaped dollar
inside. At one position display math is tried first, so ``$$x$$`` is not read as two empty
inline spans.

A regular expression with lazy bodies (``\\$\\$(.+?)\\$\\$``) says the same thing, but an
unclosed opener makes it scan to the end of the text from every opener: quadratic, so a
hostile abstract could stall a build. Here each closer is looked up with ``str.find`` and
its position remembered while the scan moves right, so every character is looked at a
bounded number of times. The matches are exactly the regular expression's
(tests/test_mathspan.py compares them on random text).
"""

from __future__ import annotations

from dataclasses import dataclass

DISPLAY = "display"
INLINE = "inline"

# Opener -> (closer, kind): the delimited forms, whose body is anything, at least one char.
_DELIMITED = {"$$": ("$$", DISPLAY), "\\[": ("\\]", DISPLAY), "\\(": ("\\)", INLINE)}


@dataclass(frozen=True)
class MathSpan:
    start: int
    end: int
    kind: str  # DISPLAY or INLINE
    body: str  # the LaTeX between the delimiters


class MathScanner:
    """Finds math spans in one text, left to right (positions asked must not decrease)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._closers: dict[str, int] = {}  # closer -> its first position at or after the last ask

    def _find(self, closer: str, start: int) -> int:
        known = self._closers.get(closer)
        if known is not None and (known == -1 or known >= start):
            return known  # -1: no such closer at or after an earlier (smaller) start
        found = self.text.find(closer, start)
        self._closers[closer] = found
        return found

    def at(self, pos: int) -> MathSpan | None:
        """The math span starting at ``pos``, or None."""
        text = self.text
        opener = text[pos : pos + 2]
        delimited = _DELIMITED.get(opener)
        if delimited is not None:
            closer, kind = delimited
            end = self._find(closer, pos + 3)  # the body is at least one character
            if end != -1:
                return MathSpan(pos, end + 2, kind, text[pos + 2 : end])
        if text[pos : pos + 1] == "$":
            return self._inline(pos)
        return None

    def _inline(self, pos: int) -> MathSpan | None:
        text = self.text
        if pos > 0 and text[pos - 1] in "\\$":
            return None
        size = len(text)
        first = pos + 1
        if first >= size or text[first].isspace():
            return None
        i = first
        while i < size:
            char = text[i]
            if char == "\\":
                if i + 1 >= size:
                    return None
                i += 2  # an escaped character, "\$" included, belongs to the body
                continue
            if char == "$":
                # The body may not hold an unescaped dollar: this one closes the span or
                # nothing does.
                if i == first or text[i - 1].isspace():
                    return None
                if i + 1 < size and text[i + 1].isdecimal():
                    return None
                return MathSpan(pos, i + 1, INLINE, text[first:i])
            i += 1
        return None
