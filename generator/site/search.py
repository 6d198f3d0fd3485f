"""Site section: archive search with Pagefind, one index per year, cached.

Why this shape (figures from issue 5, measured at 1,000 days on 2 cores): Material's search
index is 121 MB, unusable; Pagefind over whole pages took 36 s and 3.3 GB, growing ~45 KB of
memory per paper. So:

- only paper entries are indexed: one small HTML record per day holding just its kept
  papers (title, authors, comment, tags, abstract; no header, nav, prompt) is written to a
  temp folder, never into the site; each paper's heading carries its day-page anchor, so
  Pagefind's sub-results point at the paper's entry (see :func:`day_record`);
- one index per year (``search/pagefind/<year>/``): memory is bounded by one year's papers
  however long the archive grows. The browser searches the newest year first and older
  years only when it finds fewer than 10 papers there or the reader asks for them ("Search
  older years"): each searched year costs an index chunk per word, so a first query stays
  under ~500 KB at 1,000 days (search.js; figures in BENCHMARKS.md);
- a year's index is cached under ``.cache/search/`` keyed on the hash of that year's day
  files (plus the record format and the Pagefind version), so a daily build re-indexes only
  the current year.

Pagefind runs as its CLI (``python -m pagefind`` execs the binary shipped in the wheel); its
Python API waits 100 ms per record. The search page (``search/``) and the header box are
plain HTML + ``docs/javascripts/search.js``; Material's own search plugin stays off.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import DigestError
from generator.schema import DayRecord, DayStatus, PaperEntry
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.render import day_src, page_url, paper_anchor, relative_url
from generator.site.tags import collect, paper_tags

log = logging.getLogger("mkdocs.plugins.arxiv_digest.search")

SEARCH_SRC = "search.md"  # URL search/; a top-level nav entry
INDEX_DIR = "search/pagefind"  # site-relative; one sub-folder per year
RECORD_FORMAT = "2"  # bump when paper_record() changes: invalidates every cached year
PAGEFIND_TIMEOUT = 600.0
UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


class SearchIndexError(DigestError):
    """Pagefind failed or is missing; names the year and what Pagefind said."""

    def __init__(self, year: int | None, problem: str) -> None:
        self.year = year
        self.problem = problem
        where = f"search index of {year}" if year is not None else "search index"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Record:
    """One searchable paper: where it is, and its small HTML document for Pagefind."""

    year: int
    name: str  # file name inside the year's record folder
    html: str


def _paper_article(paper: PaperEntry) -> str:
    esc = html.escape
    scores = (
        f"relevance {paper.relevance}, novelty {paper.novelty}"
        if paper.relevance is not None and paper.novelty is not None
        else "author match"
    )
    tags = "".join(f'<li data-pagefind-filter="tag">{esc(t)}</li>' for t in paper_tags(paper))
    return (
        f'<article><h2 id="{esc(paper_anchor(paper.id))}">{esc(paper.title)}</h2>'
        f"<p>{esc(', '.join(paper.authors))}</p>"
        f"<p>arXiv {esc(paper.id)} · {esc(scores)}</p>"
        f"<ul>{tags}</ul>"
        f"<p>{esc(paper.comment)}</p>"
        f"<p>{esc(paper.abstract)}</p></article>"
    )


def day_record(day: DayRecord, use_directory_urls: bool = True) -> str:
    """The HTML document Pagefind indexes for one day's kept papers (all paper text escaped).

    One document per day, one ``<article>`` per paper whose ``<h2>`` carries the paper's
    anchor id: Pagefind returns each matching paper as a sub-result with that anchor, and
    search.js links it to ``link`` (the day page) + ``#anchor``. One record per *paper*
    was measured 4x slower and 2.7x heavier to index (18,200 papers: 87 s, 2.3 GB against
    22 s, 0.84 GB), because Pagefind's cost is mostly per document.

    Page-level filters and metadata are ``<meta>`` elements in the head, so no text precedes
    the first heading (which would make a sub-result without anchor). ``tagmap`` (anchor ->
    tags) lets search.js keep only the papers of the chosen tag inside a matching day.
    Titles and abstracts keep their LaTeX source: search is by words.
    """
    esc = html.escape
    link = page_url(day_src(day.date.isoformat()), use_directory_urls)
    tagmap = json.dumps(
        {paper_anchor(p.id): paper_tags(p) for p in day.papers},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    papers = "".join(_paper_article(p) for p in day.sorted_papers())
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{day.date.isoformat()}</title>"
        f'<meta data-pagefind-filter="year[content]" content="{day.date.year}">'
        f'<meta data-pagefind-meta="date[content]" content="{day.date.isoformat()}">'
        f'<meta data-pagefind-meta="link[content]" content="{esc(link)}">'
        f'<meta data-pagefind-meta="tagmap[content]" content="{esc(tagmap)}">'
        f"</head><body><main data-pagefind-body>{papers}</main></body></html>\n"
    )


def published(days: Iterable[DayRecord]) -> list[DayRecord]:
    return [d for d in days if d.status is DayStatus.PUBLISHED and d.papers]


def years_of(days: Iterable[DayRecord]) -> list[int]:
    """Years that have at least one kept paper, newest first (the first is the primary)."""
    return sorted({d.date.year for d in published(days)}, reverse=True)


def records_for_year(
    days: Iterable[DayRecord], year: int, use_directory_urls: bool = True
) -> list[Record]:
    return [
        Record(year, f"{day.date.isoformat()}.html", day_record(day, use_directory_urls))
        for day in published(days)
        if day.date.year == year
    ]


def pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # metadata missing (odd installs): the cache key just loses precision
        return "unknown"


def year_key(day_files: Sequence[Path], use_directory_urls: bool) -> str:
    """Cache key of a year's index: its day files' bytes, the record format, Pagefind's version."""
    digest = hashlib.sha256()
    digest.update(f"{RECORD_FORMAT}|{pagefind_version()}|{use_directory_urls}".encode())
    for path in sorted(day_files):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def run_pagefind(records_dir: Path, output_dir: Path, year: int | None = None) -> None:
    """Index ``records_dir`` into ``output_dir`` with the Pagefind CLI."""
    args = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(records_dir),
        "--output-path",
        str(output_dir),
        "--force-language",
        "en",
        "--silent",
    ]
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=PAGEFIND_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(year, f"could not run pagefind: {exc}") from exc
    if proc.returncode != 0 or not (output_dir / "pagefind.js").is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(
            year, f"pagefind exited with {proc.returncode}: {' / '.join(detail) or 'no output'}"
        )


def build_year_index(records: Sequence[Record], target: Path, year: int) -> None:
    """Write the records to a temp folder, index them, move the bundle to ``target`` atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"search-{year}-", dir=target.parent) as tmp:
        records_dir = Path(tmp) / "records"
        records_dir.mkdir()
        for record in records:
            (records_dir / record.name).write_text(record.html, encoding="utf-8")
        bundle = Path(tmp) / "bundle"
        run_pagefind(records_dir, bundle, year)
        if target.exists():
            shutil.rmtree(target)
        os.replace(bundle, target)


def cache_dir(ctx: SiteContext) -> Path:
    return ctx.settings.base_dir / ".cache" / "search"


def index(ctx: SiteContext, site_dir: Path) -> dict[int, bool]:
    """Build (or reuse) each year's index and copy it into ``site_dir``.

    Returns ``{year: rebuilt}``. Cached bundles of a year whose key changed are removed, so
    the cache holds one bundle per year.
    """
    udu = ctx.use_directory_urls
    files_by_year: dict[int, list[Path]] = {}
    for path in ctx.store.paths():
        if path.parent.name.isdigit():
            files_by_year.setdefault(int(path.parent.name), []).append(path)
    cache = cache_dir(ctx)
    rebuilt: dict[int, bool] = {}
    out_root = site_dir / INDEX_DIR
    if out_root.exists():
        shutil.rmtree(out_root)
    for year in years_of(ctx.days):
        key = year_key(files_by_year.get(year, []), udu)
        cached = cache / f"{year}-{key}"
        rebuilt[year] = not (cached / "pagefind.js").is_file()
        if rebuilt[year]:
            records = records_for_year(ctx.days, year, udu)
            build_year_index(records, cached, year)
            log.info("search: indexed %d day(s) of %d", len(records), year)
            for stale in cache.glob(f"{year}-*"):
                if stale != cached and stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
        # Pagefind's own UI bundles are not used (search.js drives pagefind.js): not copied.
        shutil.copytree(cached, out_root / str(year), ignore=shutil.ignore_patterns(*UNUSED))
    return rebuilt


def render_search_page(ctx: SiteContext) -> str:
    """Body of ``search/``: the form, filters, results list; search.js does the rest."""
    esc = html.escape
    udu = ctx.use_directory_urls
    root = relative_url(SEARCH_SRC, "index.md", udu)
    years = years_of(ctx.days)
    tag_names = sorted((t.name for t in collect(ctx.days)), key=str.lower)
    tag_options = "".join(f'<option value="{esc(t)}">{esc(t)}</option>' for t in tag_names)
    year_options = "".join(f'<option value="{y}">{y}</option>' for y in years)
    config = json.dumps({"root": root, "index": INDEX_DIR, "years": years})
    return (
        f'<div id="digest-search" class="digest-search" data-config="{esc(config)}">'
        '<form class="digest-search__form" role="search" action="./" method="get">'
        '<label for="digest-search-q">Search papers</label> '
        '<input id="digest-search-q" name="q" type="search" autocomplete="off" '
        'placeholder="Title, author, abstract, topic…"> '
        '<label for="digest-search-tag">Tag</label> '
        f'<select id="digest-search-tag" name="tag"><option value="">Any</option>{tag_options}'
        "</select> "
        '<label for="digest-search-year">Year</label> '
        f'<select id="digest-search-year" name="year"><option value="">Any</option>'
        f"{year_options}</select> "
        '<button type="submit" class="md-button">Search</button></form>'
        '<p class="digest-search__status" aria-live="polite"></p>'
        '<ol class="digest-search__results"></ol>'
        "<noscript>Search needs JavaScript; the archive and tag pages list every paper."
        "</noscript></div>"
    )


def build(ctx: SiteContext) -> SiteOutput:
    page = GeneratedPage(
        src_uri=SEARCH_SRC,
        title="Search",
        html=render_search_page(ctx),
        meta={"digest": "search", "hide": ["toc"]},
        in_nav=True,
    )
    return SiteOutput(pages=[page])
