"""The built site in headless Chromium: home, math, dark mode, search, feed link, tag page.

A fixture project (two years of days) is built with the real ``mkdocs build --strict`` and
served on 127.0.0.1; Debian's Chromium is driven by Playwright (``executable_path``, never
``playwright install``). Nothing leaves the machine: MathJax's CDN URL is answered from the
npm package that ``make mathjax-deps`` unpacks into .cache/mathjax, every other outside
request is aborted. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urljoin, urlparse

import feedparser
import pytest
from support.site import (
    CHROMIUM,
    MATHJAX_CDN,
    REPO,
    StaticServer,
    chromium_browser,
    make_day,
    make_paper,
    mkdocs_build,
    sample_days,
    write_project,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MATHJAX_DIR = REPO / ".cache" / "mathjax" / "package"
ARTIFACTS = REPO / "test-artifacts"
BENCHMARK_PAPERS = 12  # papers titled "Benchmark Study n" in 2025 (search.js's ENOUGH is 10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: `make browser-deps` installs Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    root = tmp_path_factory.mktemp("browser-site")
    days = [
        make_day(
            dt.date(2024, 12, 30),
            [
                make_paper("2412.00001", "Last Paper of 2024", tags=["Security"]),
                make_paper("2412.00002", "Benchmark Study from 2024"),
            ],
        ),
        # BENCHMARK_PAPERS papers on "benchmark" in 2025: enough that a search for it stays
        # in 2025 until the reader asks for older years.
        make_day(
            dt.date(2025, 3, 3),
            [make_paper(f"2503.{n:05d}", f"Benchmark Study {n}") for n in range(1, 13)],
        ),
        *sample_days(),
    ]
    config = write_project(root, days, site_url="https://digest.example.org/")
    result = mkdocs_build(config, strict=True)
    assert result.returncode == 0, result.stderr[-3000:]
    with StaticServer(root / "site") as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(served: str) -> Iterator[object]:
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture()
def page(browser, served: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    loopback = urlparse(served).netloc

    def route(request_route, request):  # type: ignore[no-untyped-def]
        url = request.url
        if urlparse(url).netloc == loopback:
            return request_route.continue_()
        if url.startswith(MATHJAX_CDN) and MATHJAX_DIR.is_dir():
            local = MATHJAX_DIR / url[len(MATHJAX_CDN) :].split("?")[0]
            if local.is_file():
                return request_route.fulfill(path=str(local))
        return request_route.abort()  # offline: fonts, CDNs

    tab.route("**/*", route)
    yield tab
    context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_home_shows_the_latest_day(page, served):
    page.goto(served)
    assert page.locator('article.digest-paper[id="2510.00003"]').is_visible()
    assert page.locator('article.digest-paper[id="2510.00001"]').count() == 0  # an older day
    shot(page, "home")


def test_math_is_rendered(page, served):
    if not (MATHJAX_DIR / "es5" / "tex-mml-chtml.js").is_file():
        pytest.skip("MathJax not in .cache/mathjax: run `make mathjax-deps` (npm pack mathjax@3)")
    page.goto(urljoin(served, "days/2025/2025-10-08/"))
    entry = page.locator('article.digest-paper[id="2510.00003"]')
    entry.locator("mjx-container").first.wait_for(timeout=15_000)
    assert entry.locator("mjx-container").count() >= 1
    shot(page, "math")


def test_dark_mode_toggle_switches_the_scheme(page, served):
    page.goto(served)
    body = page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    page.locator('[data-md-component="palette"] label:visible').first.click()
    page.wait_for_function(
        "b => document.body.getAttribute('data-md-color-scheme') !== b", arg=before
    )
    after = body.get_attribute("data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    shot(page, "dark-mode")


def test_search_finds_a_title_and_opens_its_entry(page, served):
    fetched: list[tuple[str, int]] = []

    def on_response(response):  # type: ignore[no-untyped-def]
        if "/search/pagefind/" in response.url:
            fetched.append((response.url, len(response.body())))

    page.on("response", on_response)
    page.goto(urljoin(served, "tags/"))
    box = page.locator(".digest-header-search__input")
    box.fill("Sparse Mixtures of Experts")
    box.press("Enter")
    result = page.locator("a.digest-search__title", has_text="Sparse Mixtures of Experts")
    result.first.wait_for(timeout=15_000)
    shot(page, "search")
    # Only one paper matches in 2025 (fewer than 10), so 2024 was searched too; the first
    # query stayed small.
    assert any("/pagefind/2024/" in url for url, _ in fetched)
    assert any("/pagefind/2025/" in url for url, _ in fetched)
    assert sum(size for _, size in fetched) < 500_000
    result.first.click()
    page.wait_for_url("**/days/2025/2025-10-06/#2510.00001")
    assert page.locator('article.digest-paper[id="2510.00001"]').is_visible()


def test_search_filters_by_tag_and_year(page, served):
    page.goto(urljoin(served, "search/?tag=Security&year=2024"))
    page.locator(".digest-search__result").first.wait_for(timeout=15_000)
    titles = page.locator("a.digest-search__title").all_inner_texts()
    assert titles == ["Last Paper of 2024"]
    # Its tags link to the pages that list it.
    tag_link = page.locator(".digest-search__meta a", has_text="Security").first
    assert tag_link.get_attribute("href") == urljoin(served, "tags/security/")
    page.goto(urljoin(served, "search/?tag=Security"))
    page.wait_for_function("() => document.querySelectorAll('.digest-search__result').length === 3")
    # Hostile paper text shows as text, never as markup.
    assert page.locator(".digest-search__result script").count() == 0
    assert any("<script>" in t for t in page.locator("a.digest-search__title").all_inner_texts())


def test_search_puts_papers_matching_more_words_first(page, served):
    # 2025-10-08 matches as a day: "attention" is in its first paper only, "followed author"
    # in its second (a followed-author paper), so the second matches more and comes first.
    page.goto(urljoin(served, "search/?q=attention+followed+author"))
    page.locator(".digest-search__result").nth(1).wait_for(timeout=15_000)
    titles = page.locator("a.digest-search__title").all_inner_texts()
    assert titles[0] == "Followed Author Paper"
    assert titles[1].startswith("Quantized Attention")


def test_search_stays_in_the_newest_year_until_asked_for_older_years(page, served):
    fetched: list[str] = []
    page.on("response", lambda response: fetched.append(response.url))
    page.goto(urljoin(served, "search/?q=benchmark"))
    status = page.locator(".digest-search__status")
    page.wait_for_function(
        "() => /paper/.test(document.querySelector('.digest-search__status').textContent)"
    )
    page.wait_for_load_state("networkidle")
    titles = page.locator("a.digest-search__title").all_inner_texts()
    assert len(titles) == BENCHMARK_PAPERS and "Benchmark Study from 2024" not in titles
    assert "in 2025; older years (2024) not searched yet" in status.inner_text()
    assert any("/pagefind/2025/" in url for url in fetched)
    assert not any("/pagefind/2024/" in url for url in fetched)
    older = page.locator(".digest-search__more")
    assert older.inner_text() == "Search older years (2024)"
    shot(page, "search-newest-year")
    older.click()
    page.locator("a.digest-search__title", has_text="Benchmark Study from 2024").wait_for(
        timeout=15_000
    )
    assert any("/pagefind/2024/" in url for url in fetched)
    assert page.locator(".digest-search__result").count() == BENCHMARK_PAPERS + 1
    assert "in 2025–2024" in status.inner_text() and "not searched" not in status.inner_text()
    assert page.locator(".digest-search__more").count() == 0  # nothing older left
    # A year filter searches that year alone.
    fetched.clear()
    page.goto(urljoin(served, "search/?q=benchmark&year=2024"))
    page.locator(".digest-search__result").first.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert page.locator("a.digest-search__title").all_inner_texts() == ["Benchmark Study from 2024"]
    assert not any("/pagefind/2025/" in url for url in fetched)


def test_paper_permalink_copies_its_address(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
    tab = context.new_page()
    tab.route(
        "**/*",
        lambda r, req: (
            r.continue_() if urlparse(req.url).netloc == urlparse(served).netloc else r.abort()
        ),
    )
    try:
        day_url = urljoin(served, "days/2025/2025-10-06/")
        tab.goto(day_url)
        entry = tab.locator('article.digest-paper[id="2510.00001"]')
        entry.hover()
        entry.locator("a.digest-paper__permalink").click()
        assert tab.url == day_url + "#2510.00001"  # still navigates
        note = entry.locator(".digest-copied")
        note.wait_for(timeout=5_000)
        assert note.inner_text() == "Link copied"
        assert tab.evaluate("() => navigator.clipboard.readText()") == day_url + "#2510.00001"
        shot(tab, "copy-link")
        note.wait_for(state="detached", timeout=5_000)  # the feedback goes away
    finally:
        context.close()


def test_feed_link_resolves_to_rss(page, served):
    page.goto(urljoin(served, "days/2025/2025-10-07/"))
    href = page.locator('link[rel="alternate"][type="application/rss+xml"]').first.get_attribute(
        "href"
    )
    feed_url = urljoin(page.url, href)
    response = page.request.get(feed_url)
    assert response.status == 200
    parsed = feedparser.parse(response.body())
    assert parsed.bozo is False and parsed.version == "rss20"
    assert len(parsed.entries) == 7 + BENCHMARK_PAPERS  # every published day is recent
    subscribe = page.locator("a.digest-subscribe")
    assert subscribe.is_visible()
    assert urljoin(page.url, subscribe.get_attribute("href")) == feed_url


def test_tag_page_lists_the_paper_and_links_its_entry(page, served):
    page.goto(urljoin(served, "tags/model-compression-and-efficiency/"))
    link = page.locator(".digest-tag-entry a", has_text="Quantized Attention")
    assert link.is_visible()
    shot(page, "tag-page")
    link.click()
    page.wait_for_url("**/days/2025/2025-10-08/#2510.00003")
    assert page.locator('article.digest-paper[id="2510.00003"]').is_visible()


def test_paper_anchor_link_and_phone_layout(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.route(
        "**/*",
        lambda r, req: (
            r.continue_() if urlparse(req.url).netloc == urlparse(served).netloc else r.abort()
        ),
    )
    try:
        tab.goto(urljoin(served, "days/2025/2025-10-06/"))
        permalink = tab.locator('article.digest-paper[id="2510.00001"] a[href="#2510.00001"]')
        permalink.first.click()
        assert tab.url.endswith("#2510.00001")
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than a phone screen"
        shot(tab, "phone")
    finally:
        context.close()


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory: pytest.TempPathFactory, served: str) -> Iterator[str]:
    """A site whose day file carries script and event-handler markup in every text field."""
    from test_site_security import hostile_days, strict_build

    root = tmp_path_factory.mktemp("hostile-site")
    config = write_project(root, hostile_days(), site_url="https://digest.example.org/")
    result = strict_build(config)
    assert result.returncode == 0, result.stderr[-3000:]
    with StaticServer(root / "site") as server:
        yield server.url


def test_injected_markup_never_runs(browser, hostile_served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    netloc = urlparse(hostile_served).netloc
    tab.route(
        "**/*", lambda r, req: r.continue_() if urlparse(req.url).netloc == netloc else r.abort()
    )
    try:
        tab.goto(urljoin(hostile_served, "tags/"))
        tag_href = tab.locator("table.digest-tags a", has_text="Topic <img").first.get_attribute(
            "href"
        )
        pages = ["days/2025/2025-10-06/", "days/2025/2025-10-07/", urljoin("tags/", tag_href)]
        for path in pages:
            tab.goto(urljoin(hostile_served, path))
            tab.wait_for_load_state("load")
            assert tab.evaluate("() => window.__pwned") is None, path
            assert tab.locator("img[src=x]").count() == 0, path
        tab.goto(urljoin(hostile_served, "search/?q=title"))
        tab.locator(".digest-search__result").first.wait_for(timeout=15_000)
        assert "Title <img" in tab.locator("a.digest-search__title").first.inner_text()
        tab.goto(
            urljoin(hostile_served, "search/?q=abstract&tag=" + "<script>window.__pwned=2</script>")
        )
        tab.wait_for_load_state("networkidle")
        assert tab.evaluate("() => window.__pwned") is None
        assert tab.locator("img[src=x]").count() == 0
        shot(tab, "hostile-search")
    finally:
        context.close()
