"""LaTeX in paper titles and abstracts as readable Unicode text (for feeds, tag lists, search).

Web pages render math with MathJax; RSS readers and search snippets cannot, so there the
LaTeX becomes text (``$\\mathcal{O}(\\sqrt{N})$`` -> ``𝒪(√(N))``) with pylatexenc.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Abstracts are not LaTeX documents: a bare "%" ("50% faster") would start a comment and
# swallow the rest of the line, a bare "&" or "#" would be markup. Escape them first.
_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def readable(text: str) -> str:
    """Paper text with its LaTeX turned into Unicode, whitespace collapsed.

    Malformed LaTeX never fails a build: pylatexenc is tolerant, and if it still raises the
    original text (whitespace collapsed) is returned.
    """
    if not any(ch in text for ch in "\\$^_{~"):
        return _SPACE.sub(" ", text).strip()
    try:
        converted = _converter().latex_to_text(_BARE_SPECIALS.sub(r"\\\1", text))
    except Exception:  # pylatexenc raises assorted errors on odd input; keep the raw text
        converted = text
    return _SPACE.sub(" ", converted).strip()
