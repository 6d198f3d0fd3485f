"""Site section: archive search with Pagefind, one index per year, cached.

Why this shape (measured, see BENCHMARKS.md): Material's search index and Pagefind over
whole pages do not scale to a long archive. So:

- only paper entries are indexed: one small HTML record per day holding just its kept
  papers (title, authors, labels, tags, comment, abstract; no header, nav, prompt) is
  written to a temp folder, never into the site; each paper's heading carries its day-page
  anchor, so Pagefind's sub-results point at the paper's entry (see :func:`day_record`);
- one index per year (``search/pagefind/<year>/``): memory is bounded by one year's papers
  however long the archive grows. The browser searches the newest year first and older
  years only when it finds too few papers there or the reader asks (search.js);
- a year's index is kept in the plugin's cache folder (``search/`` in ``cache_dir``) keyed
  on that year's day files, the tag slugs its papers link to, the code fingerprint and the
  Pagefind version, so a daily build re-indexes only the current year.

The bundles are built before MkDocs touches the output folder (a failing Pagefind leaves the
previous site as it was) and handed to MkDocs as files to copy. Pagefind runs as its CLI
(``python -m pagefind`` execs the binary shipped in the wheel). The search page
(``search/``) and the header box are plain HTML + ``docs/javascripts/search.js``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SearchIndexError
from generator.site import render
from generator.site.cache import code_fingerprint, file_digest
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.logs import site_logger
from generator.site.model import DayView, SiteModel

log = site_logger(__name__)

SEARCH_SRC = "search.md"  # URL search/; a top-level nav entry
INDEX_DIR = "search/pagefind"  # site-relative; one sub-folder per year
PAGEFIND_TIMEOUT = 600.0
# What the site publishes of a bundle. Pagefind's own UI bundles are not used (search.js
# drives pagefind.js). Code (JavaScript, WebAssembly) is the same for every site of one
# Pagefind version; data is the index itself.
CODE = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")
DATA = (
    "pagefind-entry.json",
    "pagefind.*.pf_meta",
    "index/*.pf_index",
    "fragment/*.pf_fragment",
    "filter/*.pf_filter",
)


@dataclass(frozen=True)
class Record:
    """One searchable paper: where it is, and its small HTML document for Pagefind."""

    year: int
    name: str  # file name inside the year's record folder
    html: str


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def day_record(day: DayView, use_directory_urls: bool = True) -> str:
    """The HTML document Pagefind indexes for one day's kept papers (all paper text escaped).

    One document per day, one ``<article>`` per paper whose ``<h2>`` carries the paper's
    anchor id: Pagefind returns each matching paper as a sub-result with that anchor, and
    search.js links it to ``link`` (the day page) + ``#anchor``. One record per *paper*
    was measured several times slower and heavier to index: Pagefind's cost is mostly per
    document.

    Page-level filters and metadata are ``<meta>`` elements in the head, so no text precedes
    the first heading (which would make a sub-result without anchor). ``tagmap`` (anchor ->
    tag names) lets search.js keep only the papers of the chosen tag inside a matching day;
    ``tagpages`` (tag name -> its page, site-relative) links each shown tag to the page that
    lists the paper. Titles and abstracts keep their LaTeX source: search is by words.
    """
    tagmap = {view.anchor: [t.name for t in view.tags] for view in day.papers}
    tagpages = {
        t.name: render.page_url(t.src, use_directory_urls) for view in day.papers for t in view.tags
    }
    return render.render(
        "search_record.html",
        day=day,
        link=render.page_url(day.src, use_directory_urls),
        tagmap=_compact(tagmap),
        tagpages=_compact(dict(sorted(tagpages.items()))),
    )


def published(model: SiteModel) -> list[DayView]:
    return [d for d in model.published if d.papers]


def years_of(model: SiteModel) -> list[int]:
    """Years that have at least one kept paper, newest first (the first is the primary)."""
    return sorted({d.date.year for d in published(model)}, reverse=True)


def records_for_year(model: SiteModel, year: int, use_directory_urls: bool = True) -> list[Record]:
    return [
        Record(year, f"{day.date.isoformat()}.html", day_record(day, use_directory_urls))
        for day in published(model)
        if day.date.year == year
    ]


def pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # metadata missing (odd installs): the cache key just loses precision
        return "unknown"


def year_key(day_files: Sequence[Path], tag_slugs: Sequence[str], use_directory_urls: bool) -> str:
    """Cache key of a year's index: its day files' bytes, the slugs its papers' tags link to,
    the code fingerprint (record template included) and Pagefind's version."""
    digest = hashlib.sha256()
    digest.update(f"{code_fingerprint()}|{pagefind_version()}|{use_directory_urls}".encode())
    for path in sorted(day_files):
        digest.update(f"\0{path.name}\0{file_digest(path)}".encode())
    digest.update("\0".join(sorted(tag_slugs)).encode())
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


def prepare_index(model: SiteModel, ctx: SiteContext, root: Path) -> dict[int, tuple[Path, bool]]:
    """Build (or reuse) each year's bundle under ``root``: ``{year: (bundle, rebuilt)}``.

    Nothing is written outside ``root``. A year's bundles with another key are removed, so
    ``root`` holds one bundle per year.
    """
    udu = ctx.use_directory_urls
    files_by_year: dict[int, list[Path]] = {}
    for path in ctx.store.paths():
        if path.parent.name.isdigit():
            files_by_year.setdefault(int(path.parent.name), []).append(path)
    out: dict[int, tuple[Path, bool]] = {}
    reference: dict[str, bytes] | None = None
    for year in years_of(model):
        slugs = {
            f"{t.name}\x01{t.slug}"
            for day in published(model)
            if day.date.year == year
            for view in day.papers
            for t in view.tags
        }
        key = year_key(files_by_year.get(year, []), sorted(slugs), udu)
        bundle = root / f"{year}-{key}"
        rebuilt = not (bundle / "pagefind.js").is_file()
        if not rebuilt:
            # A cached bundle's code is published as is: it must be Pagefind's own.
            reference = reference if reference is not None else reference_code(root)
            if _code_of(bundle) != reference:
                log.info("search: the cached index of %d holds foreign code: rebuilt", year)
                shutil.rmtree(bundle, ignore_errors=True)
                rebuilt = True
        if rebuilt:
            records = records_for_year(model, year, udu)
            build_year_index(records, bundle, year)
            log.info("search: indexed %d day(s) of %d", len(records), year)
            for stale in root.glob(f"{year}-*"):
                if stale != bundle and stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
        out[year] = (bundle, rebuilt)
    return out


def _matches(relative: str, patterns: Sequence[str]) -> bool:
    """``relative`` (a/b.c) matches a pattern, ``*`` never crossing a folder."""
    depth = relative.count("/")
    return any(p.count("/") == depth and fnmatch.fnmatchcase(relative, p) for p in patterns)


def _published(bundle: Path) -> Iterator[tuple[str, Path]]:
    """(path in the bundle, file) of the files the site publishes; nothing else is."""
    for path in sorted(bundle.rglob("*")):
        relative = path.relative_to(bundle).as_posix()
        if path.is_file() and not path.is_symlink() and _matches(relative, CODE + DATA):
            yield relative, path


def _code_of(bundle: Path) -> dict[str, bytes]:
    return {rel: path.read_bytes() for rel, path in _published(bundle) if _matches(rel, CODE)}


def reference_code(root: Path) -> dict[str, bytes]:
    """The code files the installed Pagefind writes (the same for every index), from an
    index of one tiny record: what a cached bundle's code must equal, byte for byte."""
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reference-", dir=root) as tmp:
        html = '<html><body><main data-pagefind-body><h2 id="a">a</h2></main></body></html>'
        record = Record(0, "reference.html", html)
        build_year_index([record], Path(tmp) / "bundle", 0)
        return _code_of(Path(tmp) / "bundle")


def bundle_files(bundles: dict[int, tuple[Path, bool]]) -> Iterator[tuple[str, Path]]:
    """(site-relative URI, file) of every file the site publishes from the bundles."""
    for year, (bundle, _) in sorted(bundles.items()):
        for relative, path in _published(bundle):
            yield f"{INDEX_DIR}/{year}/{relative}", path


def index(model: SiteModel, ctx: SiteContext, root: Path, site_dir: Path) -> dict[int, bool]:
    """:func:`prepare_index`, then copy the bundles into ``site_dir`` (without MkDocs)."""
    bundles = prepare_index(model, ctx, root)
    out_root = site_dir / INDEX_DIR
    if out_root.exists():
        shutil.rmtree(out_root)
    for uri, path in bundle_files(bundles):
        target = site_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return {year: rebuilt for year, (_, rebuilt) in bundles.items()}


def render_search_page(model: SiteModel, use_directory_urls: bool = True) -> str:
    """Body of ``search/``: the form, filters, results list; search.js does the rest."""
    years = years_of(model)
    config = {
        "root": render.relative_url(SEARCH_SRC, "index.md", use_directory_urls),
        "index": INDEX_DIR,
        "years": years,
    }
    return render.render(
        "search_page.html",
        config=json.dumps(config),
        tag_names=sorted((t.name for t in model.tags), key=str.lower),
        years=years,
    )


def build(model: SiteModel, ctx: SiteContext) -> SiteOutput:
    page = GeneratedPage(
        src_uri=SEARCH_SRC,
        title="Search",
        html=render_search_page(model, ctx.use_directory_urls),
        meta={"digest": "search", "hide": ["toc"]},
        in_nav=True,
    )
    return SiteOutput(pages=[page])
