"""Issue 5 figures for ``scripts/bench_site.py``: search index, tag pages, feeds, first query.

Called by bench_site.py (``--features``, on by default) on its generated site after the full
build. Measures, on the same synthetic days:

* the Pagefind index of every year, cold (one CLI run per year: seconds and peak RSS each);
* a full ``mkdocs build`` with every cache removed (cold: every year indexed), and the daily
  case: one new day added, so only the current year is re-indexed;
* tag pages (count, largest), ``feed.xml`` and the largest tag feed, the search bundle size;
* the bytes a first query loads, measured in headless Chromium (Debian's, driven by
  Playwright) against the built site on loopback: every response of the search page's
  requests under ``search/pagefind/`` plus search.js. Served uncompressed (Python's
  http.server), so this is an upper bound: Pagefind's chunks are gzipped already, but a real
  host would also gzip pagefind.js.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fakes_site import make_day  # noqa: E402

from generator.config import load_settings  # noqa: E402
from generator.site import search  # noqa: E402
from generator.store import DayStore  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
QUERIES = ("quantization", "mixture experts routing")  # synthetic text: every day matches


def index_years_cold(site: Path) -> list[tuple[int, int, float, float]]:
    """(year, papers, seconds, peak RSS MB) of one Pagefind run per year, nothing cached."""
    store = DayStore(site / "data")
    days = store.load_all()
    out = []
    for year in search.years_of(days):
        records = search.records_for_year(days, year)
        papers = sum(len(d.papers) for d in days if d.date.year == year)
        with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
            folder = Path(tmp) / "records"
            folder.mkdir()
            for record in records:
                (folder / record.name).write_text(record.html, encoding="utf-8")
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path",
                 str(Path(tmp) / "bundle"), "--force-language", "en", "--silent"]
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"pagefind failed on {year}")
        out.append((year, papers, seconds, usage.ru_maxrss / 1024))
    return out


def add_next_day(site: Path) -> dt.date:
    store = DayStore(site / "data")
    date = max(store.dates()) + dt.timedelta(days=1)
    while date.weekday() >= 5:
        date += dt.timedelta(days=1)
    store.save(make_day(date, papers=70, seed=1))
    return date


def first_query_bytes(site_dir: Path, query: str) -> tuple[int, int, int] | None:
    """(bytes, requests, papers shown) of a first search in Chromium; None when unavailable."""
    if not CHROMIUM.is_file():
        print(f"  (no {CHROMIUM}: first-query bytes not measured)")
        return None
    try:
        from fakes_browser import StaticServer
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        print(f"  (playwright unavailable: {exc})")
        return None
    sizes: list[int] = []
    with StaticServer(site_dir) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()
        page.route("**/*", lambda r, req: r.continue_() if req.url.startswith(server.url)
                   else r.abort())

        def on_response(response):  # type: ignore[no-untyped-def]
            if "/search/pagefind/" in response.url or response.url.endswith("search.js"):
                sizes.append(len(response.body()))

        page.on("response", on_response)
        page.goto(urljoin(server.url, "search/?q=" + query.replace(" ", "+")))
        page.wait_for_function(
            "() => /paper/.test(document.querySelector('.digest-search__status').textContent)",
            timeout=60_000,
        )
        page.wait_for_load_state("networkidle")
        shown = page.locator(".digest-search__result").count()
        browser.close()
    return sum(sizes), len(sizes), shown


def _kb(path: Path) -> float:
    return path.stat().st_size / 1e3


def site_features(site: Path, timed_build: Callable[[Path, str], tuple[float, float]]) -> None:
    """Print the issue 5 figures for the generated site in ``site`` (bench_site's "ours")."""
    print("\nsite features (issue 5)")
    out = site / "site"
    tag_pages = list((out / "tags").rglob("index.html"))
    largest_tag = max(tag_pages, key=_kb)
    tag_feeds = list((out / "tags").rglob("feed.xml"))
    largest_feed = max(tag_feeds, key=_kb)
    bundle = out / "search" / "pagefind"
    years = sorted(p.name for p in bundle.iterdir())
    bundle_mb = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6
    print(f"  tag pages: {len(tag_pages)} (largest {_kb(largest_tag):.0f} KB, "
          f"{largest_tag.relative_to(out)}); tag feeds: {len(tag_feeds)}")
    print(f"  feed.xml {_kb(out / 'feed.xml'):.0f} KB; largest tag feed {_kb(largest_feed):.0f} KB")
    print(f"  search bundle: {len(years)} year(s) {', '.join(years)}, {bundle_mb:.0f} MB")

    for query in QUERIES:
        measured = first_query_bytes(out, query)
        if measured:
            size, requests, shown = measured
            print(f"  first query {query!r}: {size / 1e3:.0f} KB in {requests} requests, "
                  f"{shown} papers shown (goal <= 500 KB)")

    per_year = index_years_cold(site)
    for year, papers, seconds, peak in per_year:
        print(f"  index {year}: {papers} papers, {seconds:.1f} s, peak RSS {peak:.0f} MB")
    total = sum(s for _, _, s, _ in per_year)
    print(f"  index all years cold: {total:.1f} s, peak RSS {max(p for *_, p in per_year):.0f} MB"
          " (one year at a time)")

    settings = load_settings(site / "digest.yaml", env={})
    shutil.rmtree(settings.base_dir / ".cache", ignore_errors=True)
    seconds, peak = timed_build(site, "mkdocs.yml")
    print(f"  full build, every cache removed (all years indexed): {seconds:.1f} s, "
          f"peak RSS {peak:.0f} MB")
    date = add_next_day(site)
    seconds, peak = timed_build(site, "mkdocs.yml")
    print(f"  full build after a new day ({date}; only {date.year} re-indexed): {seconds:.1f} s,"
          f" peak RSS {peak:.0f} MB")
