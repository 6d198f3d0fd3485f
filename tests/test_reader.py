"""The reader tools (docs/javascripts/reader.js) in headless Chromium: compact view, keys,
reading state, filters, the Starred page and its BibTeX/JSON exports.

A fixture project (three days, twelve papers) is built with the real ``mkdocs build
--strict`` and served on 127.0.0.1; Debian's Chromium is driven by Playwright. Nothing
leaves the machine: MathJax's CDN URL is answered from .cache/mathjax (``make
mathjax-deps``), every other outside request is aborted and counted. Screenshots go to
test-artifacts/ (gitignored), with the first paper's measured position (first-paper.json).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from support.site import (
    REPO,
    TRICKY_TITLE,
    StaticServer,
    make_day,
    make_paper,
    mkdocs_build,
    write_project,
)

from generator.models import AnnounceType

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX_DIR = REPO / ".cache" / "mathjax" / "package"
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
STORAGE_KEY = "arxiv-digest:v1"

BRACES_TITLE = r"Robust {Sparse} Solvers \& 100% of a_b"
MATH_TITLE = r"Quantized Attention with $\epsilon$-Guarantees"
LATEST = "days/2025/2025-10-08/"


def _typed(paper: Any, announce_type: AnnounceType) -> Any:
    return paper.model_copy(update={"announce_type": announce_type})


def reader_days() -> list[Any]:
    """Three days, twelve papers: tags, scores, announce types, math and hostile text."""
    return [
        make_day(
            dt.date(2025, 10, 6),
            [
                make_paper("2510.00101", "Pruning Old Networks", tags=["Model Compression"]),
                make_paper("2510.00102", "Old Security Paper", tags=["Security"], relevance=8),
                _typed(make_paper("2510.00103", "A Cross-listed Survey", novelty=7), AnnounceType.CROSS),
            ],
        ),
        make_day(
            dt.date(2025, 10, 7),
            [
                make_paper("2510.00201", "Middle Day Compression", tags=["Model Compression"]),
                make_paper("2510.00202", "Middle Day Security", tags=["Security"], novelty=9),
                make_paper("2510.00203", "Middle Day Agents", tags=["Agents"], relevance=8),
            ],
        ),
        make_day(
            dt.date(2025, 10, 8),
            [
                make_paper(
                    "2510.00301",
                    MATH_TITLE,
                    tags=["Model Compression", "Security"],
                    relevance=10,
                    novelty=9,
                    abstract=r"Error below $\epsilon^2$ with \emph{no} retraining.",
                    authors=["Ada Lovelace", "Grace Hopper", "Alan Turing"],
                ),
                make_paper(
                    "2510.00302",
                    TRICKY_TITLE,
                    tags=["Security"],
                    categories=["cs.CR", "cs.LG"],
                    relevance=9,
                    novelty=7,
                    abstract="<script>alert(1)</script> & <b>bold</b> claims",
                ),
                make_paper(
                    "2510.00303",
                    BRACES_TITLE,
                    tags=["Model Compression"],
                    relevance=9,
                    novelty=8,
                    categories=["math.OC"],
                ),
                _typed(
                    make_paper("2510.00304", "Agents That Plan", tags=["Agents"], relevance=8, novelty=8),
                    AnnounceType.CROSS,
                ),
                _typed(
                    make_paper("2510.00305", "Replaced Security Study", tags=["Security"], relevance=8, novelty=7, version=2),
                    AnnounceType.REPLACE,
                ),
                make_paper("hep-ex/0601001", "Followed Author Paper", relevance=None, novelty=None),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: `make browser-deps` installs Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    root = tmp_path_factory.mktemp("reader-site")
    config = write_project(root, reader_days(), site_url="https://digest.example.org/")
    result = mkdocs_build(config, strict=True)
    assert result.returncode == 0, result.stderr[-3000:]
    with StaticServer(root / "site") as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(served: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Session:
    """A browser context: offline routing, outside requests counted, pages opened on demand."""

    def __init__(self, browser: Any, served: str, **options: Any) -> None:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("accept_downloads", True)
        self.served = served
        self.context = browser.new_context(**options)
        self.outside: list[str] = []
        loopback = urlparse(served).netloc
        self.context.on(
            "request",
            lambda request: (
                None
                if urlparse(request.url).netloc == loopback
                or request.url.startswith(MATHJAX_CDN)
                or request.url.startswith(("blob:", "data:"))
                else self.outside.append(request.url)
            ),
        )

        def route(request_route: Any, request: Any) -> Any:
            url = request.url
            if urlparse(url).netloc == loopback:
                return request_route.continue_()
            if url.startswith(MATHJAX_CDN) and MATHJAX_DIR.is_dir():
                local = MATHJAX_DIR / url[len(MATHJAX_CDN) :].split("?")[0]
                if local.is_file():
                    return request_route.fulfill(path=str(local))
            return request_route.abort()

        self.context.route("**/*", route)

    def open(self, path: str = "") -> Any:
        page = self.context.new_page()
        page.goto(urljoin(self.served, path))
        return page


@pytest.fixture()
def session(browser: Any, served: str) -> Iterator[Callable[..., Session]]:
    opened: list[Session] = []

    def make(**options: Any) -> Session:
        opened.append(Session(browser, served, **options))
        return opened[-1]

    yield make
    for item in opened:
        item.context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def card(page: Any, arxiv_id: str) -> Any:
    return page.locator(f'article.digest-paper[id="{arxiv_id.replace("/", "-")}"]')


def focused_id(page: Any) -> str | None:
    return page.evaluate(  # type: ignore[no-any-return]
        "() => { const a = document.activeElement.closest('article.digest-paper');"
        " return a ? a.id : null; }"
    )


def stored(page: Any) -> dict[str, Any]:
    return json.loads(page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}') || '{{}}'"))


def first_paper_screens(page: Any) -> float:
    """Where the first paper starts, in screen heights from the top of the page."""
    return page.evaluate(  # type: ignore[no-any-return]
        "() => (document.querySelector('article.digest-paper').getBoundingClientRect().top"
        " + scrollY) / innerHeight"
    )


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_compact_view_is_the_default_and_puts_the_first_paper_on_the_first_screen(
    session: Callable[..., Session], size: str, viewport: dict[str, int]
) -> None:
    figures: dict[str, float] = {}
    for scheme in ("light", "dark"):
        tab = session(viewport=viewport, color_scheme=scheme, is_mobile=size == "phone").open(LATEST)
        assert tab.evaluate("() => document.documentElement.classList.contains('digest-view-compact')")
        first = card(tab, "2510.00301")
        assert not first.locator(".digest-paper__abstract").is_visible()  # folded
        assert first.locator(".digest-paper__title").is_visible()
        assert not tab.locator(".digest-toc").is_visible()  # behind the day's summary line
        figures["compact"] = first_paper_screens(tab)
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= viewport["height"]
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than the screen"
        shot(tab, f"reader-{size}-compact-{scheme}")
        tab.locator(".digest-reader__view").click()  # the full view, remembered
        assert first.locator(".digest-paper__abstract").is_visible()
        assert tab.locator(".digest-toc").is_visible()
        figures["full"] = first_paper_screens(tab)
        shot(tab, f"reader-{size}-full-{scheme}")
        tab.reload()
        assert first.locator(".digest-paper__abstract").is_visible()
        assert stored(tab)["view"] == "full"
    assert figures["compact"] < 1 <= figures["full"] or figures["compact"] < figures["full"]
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / "first-paper.json"
    known = json.loads(out.read_text()) if out.is_file() else {}
    known[size] = {view: round(value, 2) for view, value in figures.items()}
    out.write_text(json.dumps(known, indent=2))
