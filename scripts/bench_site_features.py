"""Site-feature figures for ``scripts/bench_site.py``: search index, tag pages, feeds, first query.

Called by bench_site.py (``--features``, on by default) on its generated site after the full
build. Measures, on the same synthetic days:

* the Pagefind index of every year, cold (one CLI run per year: seconds and peak RSS each);
* a full ``mkdocs build`` with every cache removed (cold: every year indexed), and the daily
  case: one new day added, so only the current year is re-indexed;
* tag pages (count, largest), ``feed.xml`` and the largest tag feed, the search bundle size;
* the bytes a first query loads, measured in headless Chromium (Debian's, driven by
  Playwright) against the built site on loopback: every response of the search page's
  requests under ``search/pagefind/`` plus search.js, served like GitHub Pages (text types
  gzipped; Pagefind's chunks are gzipped files already): bytes transferred, and decoded.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.site import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from support.synthetic import synthetic_day  # noqa: E402

from generator.config import load_settings  # noqa: E402
from generator.schema import DayRecord  # noqa: E402
from generator.site import search  # noqa: E402
from generator.site.model import build_model  # noqa: E402
from generator.store import DayStore  # noqa: E402

QUERIES = ("quantization", "mixture experts routing")  # synthetic text: every day matches
REAL_QUERIES = (
    "diffusion",
    "mixture of experts",
    "ground station selection",
    "transformer",
    # a pasted title, a frequent author (8 papers), a rare one (5 papers)
    "Flexible Locomotion Learning with Diffusion Model Predictive Control",
    "James Zou",
    "Magauiya Zhussip",
)
Measured = tuple[int, int, int, int, str, str]


def index_years_cold(site: Path) -> list[tuple[int, int, float, float]]:
    from bench_site import peak_run

    """(year, papers, seconds, peak RSS MB) of one Pagefind run per year, nothing cached."""
    store = DayStore(site / "data")
    days = store.load_all()
    model = build_model(days)
    out = []
    for year in search.years_of(model):
        records = search.records_for_year(model, year)
        papers = sum(len(d.papers) for d in days if d.date.year == year)
        with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
            folder = Path(tmp) / "records"
            folder.mkdir()
            for record in records:
                (folder / record.name).write_text(record.html, encoding="utf-8")
            seconds, peak_mb, returncode = peak_run(
                [
                    sys.executable,
                    "-m",
                    "pagefind",
                    "--site",
                    str(folder),
                    "--output-path",
                    str(Path(tmp) / "bundle"),
                    "--force-language",
                    "en",
                    "--silent",
                ]
            )
            if returncode != 0:
                raise SystemExit(f"pagefind failed on {year}")
        out.append((year, papers, seconds, peak_mb))
    return out


def add_next_day(site: Path) -> dt.date:
    store = DayStore(site / "data")
    date = max(store.dates()) + dt.timedelta(days=1)
    while date.weekday() >= 5:
        date += dt.timedelta(days=1)
    store.save(synthetic_day(date, papers=70, seed=1))
    return date


class _GzipHandler(SimpleHTTPRequestHandler):
    """Static files, text types gzipped on request, as GitHub Pages and most hosts serve them
    (Pagefind's own .pf_* and wasm files are gzip-compressed already)."""

    TEXT = (".html", ".js", ".json", ".css", ".xml")

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.suffix in self.TEXT and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def first_query_bytes(site_dir: Path, query: str) -> Measured | None:
    """(bytes decoded, bytes transferred, requests, papers shown, status line, first result's
    title) of a first search in Chromium; None when Chromium or Playwright is unavailable.
    search.js searches the newest year first and older years only while it shows fewer than
    10 papers; the status line says which years were searched."""
    if not CHROMIUM.is_file():
        print(f"  (no {CHROMIUM}: first-query bytes not measured)")
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        print(f"  (playwright unavailable: {exc})")
        return None
    handler = functools.partial(_GzipHandler, directory=str(site_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    decoded: list[int] = []
    transferred: list[int] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page()
            page.route(
                "**/*", lambda r, req: r.continue_() if req.url.startswith(base) else r.abort()
            )

            def on_response(response):  # type: ignore[no-untyped-def]
                if "/search/pagefind/" in response.url or response.url.endswith("search.js"):
                    decoded.append(len(response.body()))
                    transferred.append(response.request.sizes()["responseBodySize"])

            page.on("response", on_response)
            page.goto(urljoin(base, "search/?q=" + query.replace(" ", "+")))
            page.wait_for_function(
                "() => /paper/.test(document.querySelector('.digest-search__status').textContent)",
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            shown = page.locator(".digest-search__result").count()
            status = page.locator(".digest-search__status").inner_text()
            first = page.locator(".digest-search__result a").first.inner_text() if shown else ""
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return sum(decoded), sum(transferred), len(decoded), shown, status, first


def _report_query(label: str, query: str, measured: Measured | None) -> None:
    if measured:
        raw, sent, requests, shown, status, first = measured
        print(
            f"  {label}first query {query!r}: {sent / 1e3:.0f} KB transferred (gzip host; "
            f"{raw / 1e3:.0f} KB uncompressed) in {requests} requests, {shown} papers shown "
            f"(goal <= 500 KB); status: {status}; first result: {first!r}"
        )


def real_text_search(dates: list[dt.date], papers_per_day: int = 70) -> None:
    """The search figures again with real arXiv text (the synthetic text has an 80-word
    vocabulary, so every word is in every day: a worst case for an inverted index).

    Real titles/authors/abstracts/comments from ../shared/arxiv/listings (1,643 distinct
    papers, cycled under new ids) fill the same dates; only the search part is built: the
    per-year bundles, the search page and search.js, served as the site would serve them.
    """
    import json

    from support.site import make_day as fixture_day
    from support.site import make_paper

    listings = REPO.parent / "shared" / "arxiv" / "listings"
    if not listings.is_dir():
        print(f"  (../shared not found: {listings.name}; real-text search not measured)")
        return
    rows: dict[str, dict[str, object]] = {}
    for path in sorted(listings.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows.setdefault(row["id"], row)
    real = list(rows.values())
    topics = (
        "Model Compression and Efficiency",
        "Mixture of Experts",
        "Large Language Models",
        "Representation Learning",
        "Training Dynamics",
        "High Performance Computing",
    )
    days = []
    counter = 0
    for date in dates:
        papers = []
        for _ in range(papers_per_day):
            row = real[counter % len(real)]
            papers.append(
                make_paper(
                    f"{date:%y%m}.{counter % 100000:05d}",
                    str(row["title"]),
                    authors=list(row["authors"]),  # type: ignore[call-overload]
                    abstract=str(row["summary"]),
                    comment=str(row.get("comment") or ""),
                    categories=list(row["categories"]),  # type: ignore[call-overload]
                    tags=[topics[counter % len(topics)]],
                )
            )
            counter += 1
        days.append(fixture_day(date, papers))
    search_only_site(days, "real text: ", REAL_QUERIES)


def search_only_site(days: list[DayRecord], label: str, queries: tuple[str, ...]) -> None:
    """Index ``days`` one Pagefind run per year, write the search page and search.js as the
    site would serve them, and measure a first search for each query."""

    from bench_site import peak_run

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        out = Path(tmp) / "site"
        model = build_model(days)
        years = search.years_of(model)
        for year in years:
            records = search.records_for_year(model, year)
            folder = Path(tmp) / f"records-{year}"
            folder.mkdir()
            for record in records:
                (folder / record.name).write_text(record.html, encoding="utf-8")
            seconds, peak_mb, code = peak_run(
                [
                    sys.executable,
                    "-m",
                    "pagefind",
                    "--site",
                    str(folder),
                    "--output-path",
                    str(out / search.INDEX_DIR / str(year)),
                    "--force-language",
                    "en",
                    "--silent",
                ]
            )
            if code:
                raise SystemExit(f"pagefind failed on {year} ({label.strip(': ')})")
            count = sum(len(d.papers) for d in days if d.date.year == year)
            print(
                f"  {label}index {year}: {count} papers, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB"
            )
        body = search.render_search_page(model)
        (out / "search" / "index.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Search</title>'
            f'</head><body>{body}<script src="../javascripts/search.js"></script></body></html>',
            encoding="utf-8",
        )
        (out / "javascripts").mkdir()
        shutil.copy(REPO / "docs/javascripts/search.js", out / "javascripts")
        for query in queries:
            _report_query(label, query, first_query_bytes(out, query))


def _kb(path: Path) -> float:
    return path.stat().st_size / 1e3


def site_features(site: Path, timed_build: Callable[[Path, str], tuple[float, float]]) -> None:
    """Print the site-feature figures for the generated site in ``site`` (bench_site's "ours")."""
    print("\nsite features")
    out = site / "site"
    tag_pages = list((out / "tags").rglob("index.html"))
    largest_tag = max(tag_pages, key=_kb)
    tag_feeds = list((out / "tags").rglob("feed.xml"))
    largest_feed = max(tag_feeds, key=_kb)
    bundle = out / "search" / "pagefind"
    years = sorted(p.name for p in bundle.iterdir())
    bundle_mb = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6
    print(
        f"  tag pages: {len(tag_pages)} (largest {_kb(largest_tag):.0f} KB, "
        f"{largest_tag.relative_to(out)}); tag feeds: {len(tag_feeds)}"
    )
    print(f"  feed.xml {_kb(out / 'feed.xml'):.0f} KB; largest tag feed {_kb(largest_feed):.0f} KB")
    print(f"  search bundle: {len(years)} year(s) {', '.join(years)}, {bundle_mb:.0f} MB")

    for query in QUERIES:
        _report_query("", query, first_query_bytes(out, query))

    per_year = index_years_cold(site)
    for year, papers, seconds, peak in per_year:
        print(f"  index {year}: {papers} papers, {seconds:.1f} s, peak RSS {peak:.0f} MB")
    total = sum(s for _, _, s, _ in per_year)
    print(
        f"  index all years cold: {total:.1f} s, peak RSS {max(p for *_, p in per_year):.0f} MB"
        " (one year at a time)"
    )

    settings = load_settings(site / "digest.yaml", env={})
    shutil.rmtree(settings.base_dir / ".cache", ignore_errors=True)
    seconds, peak = timed_build(site, "mkdocs.yml")
    print(
        f"  full build, every cache removed (all years indexed): {seconds:.1f} s, "
        f"peak RSS {peak:.0f} MB"
    )
    real_text_search(sorted(DayStore(site / "data").dates()))
    date = add_next_day(site)
    seconds, peak = timed_build(site, "mkdocs.yml")
    print(
        f"  full build after a new day ({date}; only {date.year} re-indexed): {seconds:.1f} s,"
        f" peak RSS {peak:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    """Only the real-text search figures (no full site build): ``--days`` weekdays from 2022."""
    import argparse

    from support.synthetic import weekdays

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="also the synthetic text's worst case (every word in every day)",
    )
    args = parser.parse_args(argv)
    dates = list(weekdays(dt.date(2022, 1, 3), args.days))
    real_text_search(dates)
    if args.synthetic:
        days = [synthetic_day(date, papers=70, scanned=0) for date in dates]
        search_only_site(days, "synthetic text: ", QUERIES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
