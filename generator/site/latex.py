"""LaTeX in paper titles and abstracts as readable Unicode text (for feeds, tag lists, search).

Web pages render math with MathJax; RSS readers and search snippets cannot, so there the
LaTeX becomes text (``$\\mathcal{O}(\\sqrt{N})$`` -> ``𝒪(√(N))``) with pylatexenc.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Abstracts are not LaTeX documents: a bare "%" ("50% faster") would start a comment and
# swallow the rest of the line, a bare "&" or "#" would be markup. Escape them first.
# pylatexenc logs a warning per malformed macro in an abstract: not the reader's problem.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)

_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_SPACE = re.compile(r"\s+")
# What needs converting: math ($...$, $$...$$, \(...\), \[...\]) and text-mode macros with
# their braced arguments (\emph{x}, \%, \"o). Everything else is prose and stays as is.
_LATEX_RE = re.compile(
    r"\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]"
    # inline $...$ as arithmatex reads it: no space just inside, so "$5 and $10" is prose
    r"|(?<![\\$])\$(?=\S)(?:\\.|[^\\$])+?(?<=\S)\$(?!\d)"
    r"|\\[A-Za-z]+\*?(?:\{[^{}]*\})*|\\[^A-Za-z\s](?:\{[^{}]*\}|[A-Za-z])?"
    r"|\{[^{}]*\}|~",
    re.DOTALL,
)


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


@lru_cache(maxsize=8192)
def readable(text: str) -> str:
    """Paper text with its LaTeX turned into Unicode, whitespace collapsed.

    Only the stretches that look like LaTeX go through pylatexenc (it is slow: ~40 ms for a
    1.5 KB abstract, measured; 490 feed items and their tag feeds took 21 s); plain prose
    between them is kept as is. Results are cached: a paper appears in several feeds and
    tag pages. Malformed LaTeX never fails a build: pylatexenc is tolerant, and if it still
    raises, the original stretch is kept.
    """
    out: list[str] = []
    pos = 0
    for match in _LATEX_RE.finditer(text):
        out.append(text[pos : match.start()])
        out.append(_convert(match.group(0)))
        pos = match.end()
    out.append(text[pos:])
    return _SPACE.sub(" ", "".join(out)).strip()


def _convert(latex: str) -> str:
    try:
        text = str(_converter().latex_to_text(_BARE_SPECIALS.sub(r"\\\1", latex)))
    except Exception:  # pylatexenc raises assorted errors on odd input; keep the raw text
        return latex
    if "%s" in text:  # a macro missing its arguments: pylatexenc leaves its template
        return latex
    return unicodedata.normalize("NFC", text)
