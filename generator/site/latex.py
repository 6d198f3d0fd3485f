"""LaTeX in paper titles and abstracts as readable Unicode text (for feeds, tag lists, search).

Web pages render math with MathJax; RSS readers and search snippets cannot, so there the
LaTeX becomes text (``$\\mathcal{O}(\\sqrt{N})$`` -> ``𝒪(√(N))``) with pylatexenc.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

from generator.site.mathspan import MathScanner

# Abstracts are not LaTeX documents: a bare "%" ("50% faster") would start a comment and
# swallow the rest of the line, a bare "&" or "#" would be markup. Escape them first.
_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_SPACE = re.compile(r"\s+")
# What needs converting: math ($...$, $$...$$, \(...\), \[...\], found by
# generator.site.mathspan) and text-mode macros with their braced arguments (\emph{x}, \%,
# \"o). Everything else is prose and stays as is. Math is tried first at each position.
_START = re.compile(r"[$\\{~]")
_MACRO_RE = re.compile(
    r"\\[A-Za-z]+\*?(?:\{[^{}]*\})*|\\[^A-Za-z\s](?:\{[^{}]*\}|[A-Za-z])?|\{[^{}]*\}|~",
    re.DOTALL,
)


@contextmanager
def quiet_pylatexenc() -> Iterator[None]:
    """pylatexenc logs a warning per malformed macro in an abstract: not the reader's
    problem, and not a build warning (``mkdocs build --strict`` would fail on it)."""
    logger = logging.getLogger("pylatexenc")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def latex_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each stretch of ``text`` that looks like LaTeX, left to right."""
    scanner = MathScanner(text)
    candidate = _START.search(text)
    while candidate is not None:
        pos = candidate.start()
        span = scanner.at(pos)
        end = span.end if span is not None else None
        if end is None:
            macro = _MACRO_RE.match(text, pos)
            end = macro.end() if macro is not None else None
        if end is None:
            candidate = _START.search(text, pos + 1)
            continue
        yield pos, end
        candidate = _START.search(text, end)


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


@lru_cache(maxsize=8192)
def readable(text: str) -> str:
    """Paper text with its LaTeX turned into Unicode, whitespace collapsed.

    Only the stretches that look like LaTeX go through pylatexenc (it is slow); plain prose
    between them is kept as is. Results are cached: a paper appears in several feeds and
    tag pages. Malformed LaTeX never fails a build: pylatexenc is tolerant, and if it still
    raises, the original stretch is kept.
    """
    out: list[str] = []
    pos = 0
    for start, end in latex_spans(text):
        out.append(text[pos:start])
        out.append(_convert(text[start:end]))
        pos = end
    out.append(text[pos:])
    return _SPACE.sub(" ", "".join(out)).strip()


@lru_cache(maxsize=16384)  # the same macros and symbols recur across abstracts
def _convert(latex: str) -> str:
    try:
        text = str(_converter().latex_to_text(_BARE_SPECIALS.sub(r"\\\1", latex)))
    except Exception:  # pylatexenc raises assorted errors on odd input; keep the raw text
        return latex
    if "%s" in text:  # a macro missing its arguments: pylatexenc leaves its template
        return latex
    return unicodedata.normalize("NFC", text)
