"""Math and LaTeX spans: the same matches as the old regular expressions, in linear time."""

from __future__ import annotations

import random
import re
import time

import pytest

from generator.site import latex
from generator.site.render import math_html

# The regular expressions the scanners replace (quadratic on an unclosed opener): the
# reference for what a span is.
OLD_MATH_RE = re.compile(
    r"(?=[$\\])(?:(?P<display>\$\$(?P<d>.+?)\$\$)"
    r"|(?P<bracket>\\\[(?P<b>.+?)\\\])"
    r"|(?P<paren>\\\((?P<p>.+?)\\\))"
    r"|(?P<inline>(?<![\\$])\$(?=\S)(?P<i>(?:\\.|[^\\$])+?)(?<=\S)\$(?!\d)))",
    re.DOTALL,
)
OLD_LATEX_RE = re.compile(
    r"\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]"
    r"|(?<![\\$])\$(?=\S)(?:\\.|[^\\$])+?(?<=\S)\$(?!\d)"
    r"|\\[A-Za-z]+\*?(?:\{[^{}]*\})*|\\[^A-Za-z\s](?:\{[^{}]*\}|[A-Za-z])?"
    r"|\{[^{}]*\}|~",
    re.DOTALL,
)
ALPHABET = ["$", "$", "\\", "(", ")", "[", "]", "{", "}", "~", " ", "\n", "a", "x", "5", "%"]


def old_math_html(text: str) -> str:
    from markupsafe import escape

    out, pos = [], 0
    for match in OLD_MATH_RE.finditer(text):
        out.append(str(escape(text[pos : match.start()])))
        if match.group("display") or match.group("bracket"):
            body = match.group("d") if match.group("display") else match.group("b")
            out.append(f'<span class="arithmatex">\\[{escape(body)}\\]</span>')
        else:
            body = match.group("p") if match.group("paren") else match.group("i")
            out.append(f'<span class="arithmatex">\\({escape(body)}\\)</span>')
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def random_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(ALPHABET, k=rng.randint(0, 24))) for _ in range(count)]


def test_math_spans_match_the_old_expression_on_random_text() -> None:
    for text in random_texts(20_000):
        assert str(math_html(text)) == old_math_html(text), repr(text)


def test_latex_spans_match_the_old_expression_on_random_text() -> None:
    for text in random_texts(20_000, seed=11):
        expected = [m.span() for m in OLD_LATEX_RE.finditer(text)]
        assert list(latex.latex_spans(text)) == expected, repr(text)


@pytest.mark.parametrize("opener", ["\\(", "\\[", "$$", "$"])
def test_unclosed_delimiters_take_linear_time(opener: str) -> None:
    text = (opener + "x ") * (120_000 // (len(opener) + 2))
    assert len(text) >= 119_000
    start = time.perf_counter()
    html = math_html(text)
    readable = latex.readable.__wrapped__(text)
    elapsed = time.perf_counter() - start
    assert html and readable
    assert elapsed < 2.0, f"{opener!r}: {elapsed:.2f} s"


def test_one_unclosed_opener_before_a_long_text_is_linear() -> None:
    for opener in ("\\(", "\\[", "$$", "$x"):
        text = opener + "word " * 24_000
        start = time.perf_counter()
        math_html(text)
        latex.readable.__wrapped__(text)
        assert time.perf_counter() - start < 2.0, opener
