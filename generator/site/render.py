"""Shared rendering helpers for every site section: Jinja environment, escaping, math, URLs.

Everything here is pure (strings in, strings out) so the pages can be rendered and tested
without MkDocs. Paper text is untrusted: it is always HTML-escaped, and the only markup we
ever emit from it is the arithmatex span around LaTeX math (itself escaped inside).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from generator.site.mathspan import DISPLAY, MathScanner

ARXIV = "https://arxiv.org"

_MATH_START = re.compile(r"[$\\]")  # where a math span can start


def math_html(text: str) -> Markup:
    """Escape ``text`` for HTML, wrapping its LaTeX math in arithmatex generic markup.

    ``$x$`` and ``\\(x\\)`` become ``<span class="arithmatex">\\(x\\)</span>``; ``$$x$$`` and
    ``\\[x\\]`` become display math in a span (titles and abstracts are inline contexts, where a
    ``<div>`` would be invalid). MathJax is configured to typeset only ``.arithmatex``. The
    delimiters are found by :mod:`generator.site.mathspan` (linear time on any input).
    """
    if "$" not in text and "\\" not in text:
        return escape(text)  # no math possible: most titles, many abstracts
    scanner = MathScanner(text)
    out: list[str] = []
    pos = 0  # end of the text already emitted
    candidate = _MATH_START.search(text)
    while candidate is not None:
        span = scanner.at(candidate.start())
        if span is None:
            candidate = _MATH_START.search(text, candidate.start() + 1)
            continue
        out.append(str(escape(text[pos : span.start])))
        delimiters = ("\\[", "\\]") if span.kind == DISPLAY else ("\\(", "\\)")
        out.append(str(_MATH_SPAN.format(delimiters[0], span.body, delimiters[1])))
        pos = span.end
        candidate = _MATH_START.search(text, pos)
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


_MATH_SPAN = Markup('<span class="arithmatex">{}{}{}</span>')


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """URL slug of a tag (topic name): ``"Model Compression & HPC"`` -> ``model-compression-hpc``.

    Shared by day pages (tag links) and the tag pages themselves, so both agree.
    """
    # Accents are dropped (é -> e); other letters (CJK, Greek) are kept; any run of
    # punctuation or spaces becomes one hyphen.
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = re.sub(r"[\W_]+", "-", plain.lower()).strip("-")
    return slug or "tag"


def paper_anchor(arxiv_id: str) -> str:
    """The stable HTML id of a paper entry (old-style ``hep-ex/0601001`` -> ``hep-ex-0601001``)."""
    return arxiv_id.replace("/", "-")


def abs_url(arxiv_id: str) -> str:
    """A paper's abstract page (unversioned: arXiv shows the latest version)."""
    return f"{ARXIV}/abs/{arxiv_id}"


def pdf_url(arxiv_id: str, version: int) -> str:
    """The PDF of the version that was kept."""
    return f"{ARXIV}/pdf/{arxiv_id}v{version}"


# arXiv renders papers as HTML since December 2023 (new-style ids from 2312 on); older
# papers have no HTML page, so they get no link.
_HTML_SINCE = "2312"


def html_url(arxiv_id: str, version: int) -> str:
    """arXiv's HTML rendering of the version that was kept, or "" when arXiv has none."""
    if "/" in arxiv_id or arxiv_id[:4] < _HTML_SINCE:
        return ""
    return f"{ARXIV}/html/{arxiv_id}v{version}"


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL (relative to the site root) MkDocs gives the page built from ``src_uri``.

    Mirrors ``mkdocs.structure.files.File``: ``days/2025/2025-10-07.md`` ->
    ``days/2025/2025-10-07/`` (or ``.html`` without directory URLs); ``index.md`` -> ``""``.
    """
    stem, ext = posixpath.splitext(src_uri)
    if ext != ".md":
        return src_uri  # assets keep their name
    directory, name = posixpath.split(stem)
    if name in ("index", "README"):
        return f"{directory}/" if directory else ""
    if use_directory_urls:
        return f"{stem}/"
    return f"{stem}.html"


@lru_cache(maxsize=65536)  # the same tag and day links recur on every page
def relative_url(from_src: str, to_src: str, use_directory_urls: bool = True) -> str:
    """Link from the page built from ``from_src`` to the page or asset ``to_src``.

    Our page bodies are injected after MkDocs' Markdown stage, so MkDocs does not rewrite
    their links: we compute them relative to the page, which keeps the site working under
    any base path (GitHub Pages project sites) and from file://.
    """
    here = page_url(from_src, use_directory_urls)
    target = page_url(to_src, use_directory_urls)
    here_dir = here if here.endswith("/") or not here else posixpath.dirname(here)
    start = here_dir.rstrip("/") or "."
    rel = posixpath.relpath(target.rstrip("/") or ".", start)
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else f"{rel}/"
    return rel


def linker(here: str, use_directory_urls: bool = True) -> Callable[..., str]:
    """``link(src, fragment="")`` for templates: a link from page ``here`` to ``src``."""

    def link(src: str, fragment: str = "") -> str:
        url = relative_url(here, src, use_directory_urls)
        return url + (f"#{fragment}" if fragment else "")

    return link


def absolute_url(site_url: str | None, src_uri: str, use_directory_urls: bool = True) -> str | None:
    """The absolute URL of a page or asset (feeds need them); None without ``site_url``."""
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + page_url(src_uri, use_directory_urls).lstrip("/")


def day_src(date_iso: str) -> str:
    """``src_uri`` of a day page (contract: ``days/YYYY/YYYY-MM-DD.md``)."""
    return f"days/{date_iso[:4]}/{date_iso}.md"


def prompt_src(digest: str) -> str:
    """``src_uri`` of a selection-prompt page (contract: URL ``prompts/<hash>/``)."""
    return f"prompts/{digest}.md"


def format_int(value: int) -> str:
    return f"{value:,}"


def format_dollars(value: float | None) -> str:
    if value is None:
        return "unknown"
    if 0 < value < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment of our templates (``generator/site/templates``), autoescaping on."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        autoescape=True,  # every template renders HTML; untrusted text must never go raw
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the build loudly
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["math"] = math_html
    env.filters["anchor"] = paper_anchor
    env.filters["abs_url"] = abs_url
    env.filters["int"] = format_int
    env.filters["dollars"] = format_dollars
    return env


def render(template: str, **context: object) -> str:
    """Render one of our templates to an HTML string."""
    return environment().get_template(template).render(**context)
