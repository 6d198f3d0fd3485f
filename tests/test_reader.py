"""The reader tools (docs/javascripts/reader.js) in headless Chromium: compact view, keys,
reading state, filters, the Starred page and its BibTeX/JSON exports.

A fixture project (three days, twelve papers) is built with the real ``mkdocs build
--strict`` and served on 127.0.0.1; Debian's Chromium is driven by Playwright. Nothing
leaves the machine: MathJax's CDN URL is answered from .cache/mathjax (``make
mathjax-deps``) for the tests that ask for math and aborted for the others (the page
then keeps its TeX text), every other outside request is aborted and counted. Screenshots go to
test-artifacts/ (gitignored), with the first paper's measured position (first-paper.json).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from support.site import (
    CHROMIUM,
    MATHJAX_CDN,
    REPO,
    TRICKY_TITLE,
    StaticServer,
    chromium_browser,
    make_day,
    make_paper,
    mkdocs_build,
    write_project,
)

from generator.models import AnnounceType

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MATHJAX_DIR = REPO / ".cache" / "mathjax" / "package"
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
STORAGE_KEY = "arxiv-digest:v1"
GUIDE = REPO / "docs" / "guide" / "reading.md"  # documents the exports

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
                _typed(
                    make_paper("2510.00103", "A Cross-listed Survey", novelty=7), AnnounceType.CROSS
                ),
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
                    make_paper(
                        "2510.00304", "Agents That Plan", tags=["Agents"], relevance=8, novelty=8
                    ),
                    AnnounceType.CROSS,
                ),
                _typed(
                    make_paper(
                        "2510.00305",
                        "Replaced Security Study",
                        tags=["Security"],
                        relevance=8,
                        novelty=7,
                        version=2,
                    ),
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
    with chromium_browser() as chromium:
        yield chromium


class Session:
    """A browser context: offline routing, outside requests counted, pages opened on demand."""

    def __init__(self, browser: Any, served: str, *, math: bool = False, **options: Any) -> None:
        self.math = math
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
            # MathJax is served only where a test asks for it (typesetting every page
            # would double the time of these tests; test_browser.py checks the math).
            if self.math and url.startswith(MATHJAX_CDN) and MATHJAX_DIR.is_dir():
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


@pytest.fixture(scope="module")
def busy_day(served: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A realistic morning: 50 papers with long titles, five authors and 200-word abstracts."""
    root = tmp_path_factory.mktemp("reader-busy")
    words = ["sparse", "attention", "quantized", "experts", "robust", "scaling", "agents"]
    papers = [
        make_paper(
            f"2511.{n:05d}",
            " ".join(words[(n + i) % len(words)].title() for i in range(11)),
            tags=["Model Compression", "Security"][: 1 + n % 2],
            relevance=10 - n // 10,
            novelty=9 - n % 3,
            authors=[f"Author {n}-{i} Surname" for i in range(5)],
            abstract=" ".join(words[(n * i) % len(words)] for i in range(200)),
        )
        for n in range(50)
    ]
    config = write_project(root, [make_day(dt.date(2025, 11, 3), papers)])
    result = mkdocs_build(config, strict=True)
    assert result.returncode == 0, result.stderr[-3000:]
    with StaticServer(root / "site") as server:
        yield server.url


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_first_paper_of_a_50_paper_day_is_on_the_first_screen_in_compact_view(
    browser: Any, busy_day: str, size: str, viewport: dict[str, int]
) -> None:
    busy = Session(browser, busy_day, viewport=viewport, is_mobile=size == "phone")
    try:
        tab = busy.open("")
        compact = first_paper_screens(tab)
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than the screen"
        lines = tab.evaluate(
            "() => [...document.querySelectorAll('article.digest-paper')]"
            ".filter(a => a.getBoundingClientRect().top < innerHeight).length"
        )
        tab.locator(".digest-reader__view").click()
        full = first_paper_screens(tab)
        height = tab.evaluate("() => document.documentElement.scrollHeight / innerHeight")
        tab.locator(".digest-reader__view").click()
        compact_height = tab.evaluate("() => document.documentElement.scrollHeight / innerHeight")
        shot(tab, f"reader-{size}-50-papers")
    finally:
        busy.context.close()
    assert compact < 1 < full
    record(
        f"{size}-50-papers",
        {
            "compact": compact,
            "full": full,
            "papers_on_first_screen_compact": lines,
            "page_screens_compact": compact_height,
            "page_screens_full": height,
        },
    )


def record(name: str, figures: dict[str, float]) -> None:
    """Add measured figures to test-artifacts/first-paper.json (for the report, not asserted)."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / "first-paper.json"
    known = json.loads(out.read_text()) if out.is_file() else {}
    known[name] = {key: round(value, 2) for key, value in figures.items()}
    out.write_text(json.dumps(known, indent=2, sort_keys=True))


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_compact_view_is_the_default_and_puts_the_first_paper_on_the_first_screen(
    session: Callable[..., Session], size: str, viewport: dict[str, int]
) -> None:
    figures: dict[str, float] = {}
    for scheme in ("light", "dark"):
        tab = session(viewport=viewport, color_scheme=scheme, is_mobile=size == "phone").open(
            LATEST
        )
        assert tab.evaluate(
            "() => document.documentElement.classList.contains('digest-view-compact')"
        )
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
    assert figures["compact"] < 1 and figures["compact"] < figures["full"]
    record(f"{size}-fixture-6-papers", figures)


def test_keys_move_fold_star_read_and_switch_view(session: Callable[..., Session]) -> None:
    tab = session().open(LATEST)
    tab.keyboard.press("j")
    assert focused_id(tab) == "2510.00301"
    outline = tab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    assert focused_id(tab) == "2510.00302"  # ranked third (scores order the day)
    tab.keyboard.press("k")
    assert focused_id(tab) == "2510.00303"
    abstract = card(tab, "2510.00303").locator(".digest-paper__abstract")
    assert not abstract.is_visible()
    tab.keyboard.press("e")
    assert abstract.is_visible()
    tab.keyboard.press("e")
    assert not abstract.is_visible()
    tab.keyboard.press("s")
    tab.keyboard.press("x")
    tab.keyboard.press("j")
    tab.keyboard.press("-")
    state = stored(tab)
    assert list(state["starred"]) == ["2510.00303"]
    assert list(state["read"]) == ["2510.00303"]
    assert list(state["notInterested"]) == ["2510.00302"]
    assert "digest-paper--read" in (card(tab, "2510.00303").get_attribute("class") or "")
    tab.keyboard.press("s")  # a star undoes "not interested", and the other way round
    state = stored(tab)
    assert "2510.00302" in state["starred"] and not state["notInterested"]
    # Expand all / collapse all, and v for the full view.
    tab.locator(".digest-reader__expand").click()
    assert tab.locator(".digest-paper__abstract:visible").count() == 6
    tab.locator(".digest-reader__collapse").click()
    assert tab.locator(".digest-paper__abstract:visible").count() == 0
    tab.keyboard.press("v")
    assert tab.evaluate("() => document.documentElement.classList.contains('digest-view-full')")
    assert tab.locator(".digest-paper__abstract:visible").count() == 6


def test_n_and_p_follow_the_day_navigation(session: Callable[..., Session]) -> None:
    tab = session().open("")  # home: the latest day; Material would follow <link rel=next>
    tab.keyboard.press("n")  # no newer day: stays
    tab.wait_for_timeout(300)
    assert urlparse(tab.url).path == "/"
    tab.keyboard.press("p")
    tab.wait_for_url("**/days/2025/2025-10-07/")
    tab.keyboard.press("p")
    tab.wait_for_url("**/days/2025/2025-10-06/")
    tab.keyboard.press("n")
    tab.wait_for_url("**/days/2025/2025-10-07/")


def test_o_and_d_open_the_abstract_and_the_pdf(session: Callable[..., Session]) -> None:
    browser_session = session()
    tab = browser_session.open(LATEST)
    tab.keyboard.press("j")
    with browser_session.context.expect_page():
        tab.keyboard.press("o")
    tab.wait_for_timeout(300)
    # A new tab asked for the paper's arXiv page (and was refused: the test is offline).
    assert browser_session.outside == ["https://arxiv.org/abs/2510.00301"]
    with browser_session.context.expect_page():
        tab.keyboard.press("d")
    tab.wait_for_timeout(300)
    assert browser_session.outside[-1] == "https://arxiv.org/pdf/2510.00301v1"
    assert focused_id(tab) == "2510.00301"


def test_slash_focuses_search_and_keys_rest_while_typing(session: Callable[..., Session]) -> None:
    tab = session().open(LATEST)
    tab.keyboard.press("j")
    tab.keyboard.press("/")
    box = tab.locator(".digest-header-search__input")
    assert tab.evaluate(
        "() => document.activeElement.classList.contains('digest-header-search__input')"
    )
    tab.keyboard.type("jks")
    assert box.input_value() == "jks"  # typed, not moved or starred
    assert stored(tab).get("starred", {}) == {}
    assert focused_id(tab) is None
    tab.keyboard.press("Control+j")  # modifiers are the browser's
    assert stored(tab).get("starred", {}) == {}
    phone = session(viewport=PHONE).open(LATEST)  # no header box on phones: the search page
    phone.keyboard.press("/")
    phone.wait_for_url("**/search/")
    phone.wait_for_timeout(200)
    phone.keyboard.press("/")
    assert phone.evaluate("() => document.activeElement.id") == "digest-search-q"


def test_help_overlay_lists_every_key_and_returns_focus(session: Callable[..., Session]) -> None:
    tab = session().open(LATEST)
    tab.keyboard.press("j")
    tab.keyboard.press("?")
    dialog = tab.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    keys = dialog.locator("kbd").all_inner_texts()
    assert set("jkeosdxnpv/?-") <= set(keys)
    shot(tab, "reader-help")
    tab.keyboard.press("j")  # keys rest while the dialog is open
    tab.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert focused_id(tab) == "2510.00301"
    tab.locator(".digest-reader__helpbutton").click()
    assert dialog.is_visible()
    dialog.get_by_role("button", name="Close").click()
    assert not dialog.is_visible()
    assert tab.evaluate(
        "() => document.activeElement.classList.contains('digest-reader__helpbutton')"
    )


BIB_UNESCAPE = [
    ("\\textbackslash{}", "\\"),
    ("\\textbraceleft{}", "{"),
    ("\\textbraceright{}", "}"),
    ("\\textasciitilde{}", "~"),
    ("\\textasciicircum{}", "^"),
    *((f"\\{ch}", ch) for ch in "&%#_$"),
]


def parse_bibtex(text: str) -> dict[str, dict[str, str]]:
    """Entries by key, fields by name: BibTeX's own rule, braces counted (escaped or not)."""
    entries: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"@(\w+)\{([^,\s]+),", text):
        assert match.group(1) == "misc"
        fields: dict[str, str] = {}
        pos = match.end()
        while True:
            field = re.compile(r"\s*(\w+)\s*=\s*\{").match(text, pos)
            if not field:
                break
            depth, start = 1, field.end()
            end = start
            while depth:
                assert end < len(text), "unbalanced braces"
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            fields[field.group(1)] = text[start : end - 1]
            pos = end
            comma = re.compile(r"\s*,").match(text, pos)
            pos = comma.end() if comma else pos
        assert re.compile(r"\s*\}").match(text, pos), f"entry {match.group(2)} not closed"
        entries[match.group(2)] = fields
    return entries


def bib_unescape(value: str) -> str:
    for escaped, plain in BIB_UNESCAPE:
        value = value.replace(escaped, plain)
    return value


def download_text(tab: Any, button: str) -> str:
    with tab.expect_download() as info:
        tab.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_starred_page_lists_stars_and_exports_bibtex_and_json(
    session: Callable[..., Session],
) -> None:
    browser_session = session(math=True)
    tab = browser_session.open(LATEST)
    for _ in range(2):  # the first two papers: the math title and the braces title
        tab.keyboard.press("j")
        tab.keyboard.press("s")
    tab.keyboard.press("j")
    tab.keyboard.press("-")  # the tricky title: not interested
    older = browser_session.open("days/2025/2025-10-06/")
    card(older, "2510.00102").locator(".digest-reader__star").click()
    starred = browser_session.open("starred/")
    titles = starred.locator(".digest-starred__list .digest-paper__title").all_inner_texts()
    assert titles[:2] == ["Old Security Paper", BRACES_TITLE]  # newest star first
    assert titles[2].startswith("Quantized Attention with")
    math_title = card(starred, "2510.00301").locator(".digest-paper__title")
    assert math_title.locator(".arithmatex, mjx-container").count() >= 1  # typeset as TeX
    assert starred.locator(".digest-starred__not article").count() == 1
    assert starred.locator("#digest-starred script").count() == 0  # text, never markup
    day_link = card(starred, "2510.00102").locator(".digest-starred__day")
    assert day_link.inner_text() == "2025-10-06"
    shot(starred, "reader-starred")

    entries = parse_bibtex(download_text(starred, ".digest-starred__bibtex"))
    assert list(entries) == ["2510.00102", "2510.00303", "2510.00301"]
    math = entries["2510.00301"]
    assert math == {
        "title": MATH_TITLE,  # math stays TeX
        "author": "Ada Lovelace and Grace Hopper and Alan Turing",
        "year": "2025",
        "eprint": "2510.00301",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.LG",
        "url": "https://arxiv.org/abs/2510.00301",
    }
    braces = entries["2510.00303"]["title"]
    assert "{Sparse}" not in braces and bib_unescape(braces) == BRACES_TITLE
    assert entries["2510.00303"]["primaryClass"] == "math.OC"

    exported = json.loads(download_text(starred, ".digest-starred__json"))
    assert set(exported) == {"format", "version", "exported", "starred", "not_interested"}
    assert exported["format"] == "arxiv-digest-stars" and exported["version"] == 1
    assert dt.datetime.fromisoformat(exported["exported"].replace("Z", "+00:00"))
    fields = {
        "id",
        "version",
        "title",
        "authors",
        "abstract",
        "categories",
        "tags",
        "relevance",
        "novelty",
        "announce_type",
        "abs_url",
        "pdf_url",
        "day",
        "day_url",
        "marked_at",
    }
    assert [p["id"] for p in exported["starred"]] == ["2510.00102", "2510.00303", "2510.00301"]
    paper = exported["starred"][2]
    assert set(paper) == fields
    assert paper["authors"] == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
    assert paper["abstract"] == r"Error below $\epsilon^2$ with \emph{no} retraining."
    assert paper["tags"] == ["Model Compression", "Security"]
    assert (paper["relevance"], paper["novelty"], paper["announce_type"]) == (10, 9, "new")
    assert paper["day"] == "2025-10-08"
    assert paper["day_url"] == urljoin(browser_session.served, LATEST) + "#2510.00301"
    assert paper["pdf_url"] == "https://arxiv.org/pdf/2510.00301v1"
    documented = json.loads(GUIDE.read_text(encoding="utf-8").split("```json\n")[1].split("```")[0])
    assert set(documented) == set(exported) and set(documented["starred"][0]) == fields
    (not_interested,) = exported["not_interested"]
    assert set(not_interested) == fields
    assert not_interested["title"] == TRICKY_TITLE
    assert not_interested["categories"] == ["cs.CR", "cs.LG"]
    # Unstarring on the Starred page is remembered; the entry stays until the next visit.
    card(starred, "2510.00102").locator(".digest-reader__star").click()
    assert "2510.00102" not in stored(starred)["starred"]
    starred.reload()
    assert starred.locator("#digest-starred > .digest-starred__list article").count() == 2


def test_filters_show_a_count_and_round_trip_through_the_url(
    session: Callable[..., Session],
) -> None:
    browser_session = session()
    tab = browser_session.open(LATEST)
    count = tab.locator(".digest-reader__count")
    assert count.inner_text() == "Showing 6 of 6"
    tab.locator(".digest-reader__filters > summary").click()
    tab.locator('select[name="tag"]').select_option("Security")
    assert count.inner_text() == "Showing 3 of 6"
    tab.locator('select[name="rmin"]').select_option("9")
    assert count.inner_text() == "Showing 2 of 6"
    query = parse_qs(urlparse(tab.url).query)
    assert query == {"tag": ["Security"], "rmin": ["9"]}
    shot(tab, "reader-filtered")
    shared = browser_session.open(f"{LATEST}?tag=Security&rmin=9")
    visible = shared.locator("article.digest-paper:visible").evaluate_all(
        "els => els.map(e => e.id)"
    )
    assert visible == ["2510.00301", "2510.00302"]
    assert shared.locator(".digest-reader__count").inner_text() == "Showing 2 of 6"
    assert shared.locator('select[name="tag"]').input_value() == "Security"
    shared.keyboard.press("j")
    shared.keyboard.press("j")
    shared.keyboard.press("j")  # j skips what the filters hide
    assert focused_id(shared) == "2510.00302"
    typed = browser_session.open(f"{LATEST}?type=cross&nmin=8")
    assert typed.locator(".digest-reader__count").inner_text() == "Showing 1 of 6"
    unscored = browser_session.open(f"{LATEST}?rmin=10")  # a followed author's paper stays
    ids = unscored.locator("article.digest-paper:visible").evaluate_all("els => els.map(e => e.id)")
    assert ids == ["2510.00301", "hep-ex-0601001"]
    unscored.locator(".digest-reader__clear").click()  # open: the URL had filters
    assert urlparse(unscored.url).query == ""
    assert unscored.locator(".digest-reader__count").inner_text() == "Showing 6 of 6"


def test_read_state_survives_a_reload_and_hide_read_hides_it(
    session: Callable[..., Session],
) -> None:
    tab = session().open(LATEST)
    card(tab, "2510.00304").locator(".digest-reader__read").click()
    tab.reload()
    read = card(tab, "2510.00304")
    assert "digest-paper--read" in (read.get_attribute("class") or "")
    assert read.locator(".digest-reader__read").get_attribute("aria-pressed") == "true"
    assert float(read.evaluate("e => getComputedStyle(e).opacity")) < 1  # dimmed
    tab.locator(".digest-reader__filters > summary").click()
    tab.locator('input[name="hideread"]').check()
    assert not read.is_visible()
    assert tab.locator(".digest-reader__count").inner_text() == "Showing 5 of 6"
    assert "hideread=1" in tab.url
    tab.goto(urljoin(tab.url, "../2025-10-08/"))  # the preference is remembered too
    assert not card(tab, "2510.00304").is_visible()


def test_corrupt_storage_is_ignored_and_reset(session: Callable[..., Session]) -> None:
    browser_session = session()
    tab = browser_session.open(LATEST)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    for bad in ["{not json", '{"version": 1, "read": [1, 2], "starred": {"x": 5}}', "[]", "null"]:
        tab.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, bad])
        tab.reload()
        assert errors == [], bad
        assert tab.locator(".digest-reader__count").inner_text() == "Showing 6 of 6"
        tab.keyboard.press("j")
        tab.keyboard.press("s")
        state = stored(tab)
        assert state["version"] == 1 and list(state["starred"]) == ["2510.00301"]
        assert state["read"] == {}
        tab.keyboard.press("s")


def end_visit(tab: Any, seen: str | None = None) -> None:
    """Move the last page view an hour back (a visit ends after 30 minutes without one)."""
    tab.evaluate(
        "([k, seen]) => { const s = JSON.parse(localStorage.getItem(k));"
        " s.visit.at = new Date(Date.now() - 3600e3).toISOString();"
        " if (seen) s.seen = seen; localStorage.setItem(k, JSON.stringify(s)); }",
        [STORAGE_KEY, seen],
    )


def test_new_since_last_visit_marks_days_on_home_and_archive(
    session: Callable[..., Session],
) -> None:
    browser_session = session()
    first = browser_session.open("archive/")
    assert first.locator(".digest-reader__new").count() == 0  # a first visit has no "new"
    # A later visit (the last page view an hour ago) after the reader last saw 2025-10-06.
    end_visit(first, seen="2025-10-06")
    archive = browser_session.open("archive/")
    marked = archive.locator("tr.digest-reader--new a").all_inner_texts()
    assert marked == ["2025-10-08", "2025-10-07"]
    home = browser_session.open("")
    assert (
        home.locator(".digest-day__sub .digest-reader__new").inner_text()
        == "New since your last visit"
    )
    shot(home, "reader-home-new")
    home.reload()  # still this visit
    assert home.locator(".digest-reader__new").count() == 1
    end_visit(home)
    later = browser_session.open("")  # the next visit: nothing new since
    assert later.locator(".digest-reader__new").count() == 0
    assert stored(later)["seen"] == "2025-10-08"


def test_no_request_leaves_the_site(session: Callable[..., Session]) -> None:
    browser_session = session()
    for path in ("", LATEST, "days/2025/2025-10-07/?tag=Security", "archive/", "starred/"):
        tab = browser_session.open(path)
        tab.keyboard.press("j")
        tab.keyboard.press("s")
        tab.keyboard.press("e")
        tab.keyboard.press("?")
        tab.keyboard.press("Escape")
        tab.wait_for_load_state("networkidle")
    assert browser_session.outside == []


def test_without_javascript_the_page_is_the_full_page(session: Callable[..., Session]) -> None:
    tab = session(java_script_enabled=False).open(LATEST)
    assert tab.locator(".digest-toc").is_visible()
    assert tab.locator(".digest-paper__abstract:visible").count() == 6
    assert tab.locator(".digest-reader__bar").count() == 0
    starred = session(java_script_enabled=False).open("starred/")
    assert "needs JavaScript" in starred.locator("#digest-starred").inner_text()


def test_a_link_to_one_paper_opens_its_card(session: Callable[..., Session]) -> None:
    tab = session().open(f"{LATEST}#2510.00304")
    target = card(tab, "2510.00304")
    assert target.locator(".digest-paper__abstract").is_visible()
    assert not card(tab, "2510.00301").locator(".digest-paper__abstract").is_visible()
    assert focused_id(tab) == "2510.00304"
    tab.keyboard.press("j")  # the keys go on from there
    assert focused_id(tab) == "2510.00305"


@pytest.mark.parametrize(
    "title",
    [
        r"Unbalanced math $a{b$ and a lone $ sign",
        r"A trailing backslash \\",
        r"Nested {{braces}} and \} \{ escapes",
        "Tilde ~ caret ^ hash # percent % underscore _",
        r"Balanced $\frac{a}{b}$ math and $x_{i}$",
    ],
)
def test_bibtex_escaping_keeps_every_title_parseable(
    session: Callable[..., Session], title: str
) -> None:
    tab = session().open("starred/")
    text = tab.evaluate(
        "t => window.arxivDigestReaderData.bibtex([{id: '2510.09999', title: t,"
        " authors: ['A {B}', 'C\\\\D'], categories: ['cs.LG'], day: '2025-10-08'}])",
        title,
    )
    entry = parse_bibtex(text)["2510.09999"]
    if "$" not in title or "lone" in title:
        assert bib_unescape(entry["title"]) == title
    if title.startswith("Balanced"):
        assert entry["title"] == title  # math kept as TeX
    assert bib_unescape(entry["author"]) == "A {B} and C\\D"
    assert entry["year"] == "2025"


def test_j_goes_on_from_the_screen_after_scrolling_away(browser: Any, busy_day: str) -> None:
    busy = Session(browser, busy_day)
    try:
        tab = busy.open("")
        tab.keyboard.press("j")
        assert focused_id(tab) == "2511.00000"
        tab.evaluate("() => window.scrollTo(0, 2 * innerHeight)")  # the mouse wheel
        tab.keyboard.press("j")
        top = tab.evaluate("() => document.activeElement.getBoundingClientRect().top")
        assert 0 <= top < DESKTOP["height"] and focused_id(tab) != "2511.00001"
    finally:
        busy.context.close()


def test_card_data_attributes_win_over_the_card_text(session: Callable[..., Session]) -> None:
    """What the Python side may add to each card (reading.md lists it), read by one function."""
    tab = session().open(LATEST)
    paper = tab.evaluate(
        """() => {
        const card = document.querySelector('article.digest-paper').cloneNode(true);
        Object.assign(card.dataset, {
            arxivId: 'hep-th/9901001', version: '3', title: 'Plain $x^2$ title',
            authors: JSON.stringify(['Smith, Jr., John', 'Ada Lovelace']),
            categories: JSON.stringify(['hep-th', 'gr-qc']),
            tags: JSON.stringify(['Strings, and more']), announceType: 'replace-cross',
            absUrl: 'https://arxiv.org/abs/hep-th/9901001',
            pdfUrl: 'https://arxiv.org/pdf/hep-th/9901001v3', date: '1999-01-04',
        });
        return window.arxivDigestReaderData.paperRecord(card, {date: '', url: ''});
    }"""
    )
    assert paper["id"] == "hep-th/9901001" and paper["version"] == 3
    assert paper["title"] == "Plain $x^2$ title"
    assert paper["authors"] == ["Smith, Jr., John", "Ada Lovelace"]
    assert paper["categories"] == ["hep-th", "gr-qc"] and paper["tags"] == ["Strings, and more"]
    assert paper["announce_type"] == "replace-cross" and paper["day"] == "1999-01-04"
    assert paper["pdf_url"].endswith("9901001v3")
    assert paper["relevance"] == 10  # data-relevance, already on every card


def test_another_tab_sees_a_star_at_once(session: Callable[..., Session]) -> None:
    browser_session = session()
    first, second = browser_session.open(LATEST), browser_session.open(LATEST)
    card(first, "2510.00304").locator(".digest-reader__star").click()
    star = card(second, "2510.00304").locator(".digest-reader__star")
    second.wait_for_function(
        "el => el.getAttribute('aria-pressed') === 'true'", arg=star.element_handle()
    )
