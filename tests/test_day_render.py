"""Rendering without MkDocs: math and escaping, slugs and links, day/home/archive bodies.

Golden files (tests/golden/*.html) pin the generated bodies; regenerate them after an
intended change with `make golden` (UPDATE_GOLDEN=1 pytest -k golden).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.golden import check_golden
from support.synthetic import synthetic_day

from generator.config import load_settings
from generator.schema import DayRecord
from generator.site import archive, dayfile_reference, days
from generator.site.context import SiteContext
from generator.site.model import DayView, build_model
from generator.site.render import (
    math_html,
    page_url,
    paper_anchor,
    relative_url,
    tag_slug,
)
from generator.store import DayStore

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"


@pytest.fixture(scope="module")
def site_ctx() -> SiteContext:
    settings = load_settings(FIXTURE / "digest.yaml", env={})
    store = DayStore(FIXTURE / "data")
    prompts = {h: store.load_prompt(h) or "" for h in store.prompt_hashes()}
    return SiteContext(
        settings=settings, store=store, days=store.load_all(), site_url=None, prompts=prompts
    )


def _day(ctx: SiteContext, iso: str) -> DayRecord:
    return next(d for d in ctx.days if d.date.isoformat() == iso)


def _view(ctx: SiteContext, iso: str) -> DayView:
    return next(d for d in build_model(ctx.days).days if d.date.isoformat() == iso)


class _Collector(HTMLParser):
    """Tags, ids and script elements of an HTML fragment (to check what a browser would see)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            r"in $\mathcal{O}(\sqrt{N})$ time",
            r'in <span class="arithmatex">\(\mathcal{O}(\sqrt{N})\)</span> time',
        ),
        (r"$$\sum_i x_i$$", r'<span class="arithmatex">\[\sum_i x_i\]</span>'),
        (
            r"\(a\) and \[b\]",
            r'<span class="arithmatex">\(a\)</span> and <span class="arithmatex">\[b\]</span>',
        ),
        ("$a<b$ & c", r'<span class="arithmatex">\(a&lt;b\)</span> &amp; c'),
        ("costs $5 and $10", "costs $5 and $10"),
        (r"a \$ sign and $ alone", r"a \$ sign and $ alone"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (
            "$</span><script>x()</script>$",
            '<span class="arithmatex">\\(&lt;/span&gt;&lt;script&gt;x()&lt;/script&gt;\\)</span>',
        ),
    ],
)
def test_math_html(text: str, expected: str) -> None:
    assert str(math_html(text)) == expected


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Model Compression and Efficiency", "model-compression-and-efficiency"),
        ("Model Compression & HPC", "model-compression-hpc"),
        ("Théorie—Graphes", "theorie-graphes"),
        ("  LLMs (2025)  ", "llms-2025"),
        ("<script>", "script"),
        ("!!!", "tag"),
    ],
)
def test_tag_slug(name: str, slug: str) -> None:
    assert tag_slug(name) == slug


def test_paper_anchor_and_urls() -> None:
    assert paper_anchor("hep-ex/0601001") == "hep-ex-0601001"
    assert page_url("days/2025/2025-10-07.md") == "days/2025/2025-10-07/"
    assert page_url("index.md") == "" and page_url("tags/x/index.md") == "tags/x/"
    assert page_url("archive.md", use_directory_urls=False) == "archive.html"
    day = "days/2025/2025-10-07.md"
    assert relative_url(day, "days/2025/2025-10-06.md") == "../2025-10-06/"
    assert relative_url(day, "days/2024/2024-12-31.md") == "../../2024/2024-12-31/"
    assert relative_url(day, "tags/moe/index.md") == "../../../tags/moe/"
    assert relative_url("index.md", day) == "days/2025/2025-10-07/"
    assert relative_url("archive.md", "index.md") == "../"
    assert relative_url(day, "archive.md", use_directory_urls=False) == "../../archive.html"


def test_day_page_markup_contract(site_ctx: SiteContext) -> None:
    html = days.render_day(
        _view(site_ctx, "2025-10-06"),
        page_src="days/2025/2025-10-06.md",
        site_title="T",
        prompt_text="the prompt",
    )
    articles = [a for t, a in _tags(html) if t == "article"]
    assert [a["id"] for a in articles] == [
        "2510.02676",
        "2510.05064",
        "2509.11111",
        "hep-ex-0601001",
    ]  # relevance, novelty, author last
    assert all(a["class"] == "digest-paper" for a in articles)
    for block in re.findall(r'<article class="digest-paper".*?</article>', html, re.S):
        assert re.search(r"<h2[^>]*>.*?</h2>", block, re.S)
    # Untrusted text is inert: no script, img or event handler comes from paper fields.
    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "img", "b", "i")]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    assert '<a href="https://arxiv.org/pdf/2510.05064v3">PDF</a>' in html
    assert '<a href="https://arxiv.org/html/2510.05064v3">HTML</a>' in html
    assert "arxiv.org/html/hep-ex" not in html  # papers before Dec 2023 have no HTML page
    assert 'href="#hep-ex-0601001"' in html
    assert "Author match</span>" in html and "Updated</span>" in html
    assert '<a class="digest-tag" href="../../../tags/mixture-of-experts/">' in html
    assert "of which cached / reasoning" in html and "20,480" in html
    assert "Unscored papers" in html and "(budget)" in html
    assert '<a href="../../../prompts/f13fd0ed3b1edb5d/">' in html
    assert "<summary>Show the prompt</summary>" in html


def test_unknown_cost_and_local_scorer(site_ctx: SiteContext) -> None:
    day = _day(site_ctx, "2025-10-06")
    assert day.scoring is not None
    usage = day.scoring.usage.model_copy(update={"completion_cost": None})
    unknown = day.model_copy(update={"scoring": day.scoring.model_copy(update={"usage": usage})})
    view = build_model([unknown]).days[0]
    html = days.render_day(view, page_src="days/2025/2025-10-06.md", site_title="T")
    assert "<td>$0.14</td><td>unknown</td><td>unknown</td>" in html
    assert "its text is not stored" in html  # no prompt text: no dead link
    local = days.render_day(_view(site_ctx, "2025-10-03"), page_src="x.md", site_title="T")
    assert "Scored locally by the built-in <strong>local scorer (lexical)</strong>: " in local
    assert "no API calls, no cost" in local and "digest-usage" not in local  # no zero table


def test_left_out_feed_items_are_listed_as_text(site_ctx: SiteContext) -> None:
    day = _day(site_ctx, "2025-10-06")
    line = "item 3: id '2510.0001\"><script>alert(1)</script>' is not an arXiv id"
    view = build_model([day.model_copy(update={"skipped": [line]})]).days[0]
    html = days.render_day(view, page_src="days/2025/2025-10-06.md", site_title="T")
    assert '<h2 id="skipped-items">Feed items left out</h2>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    plain = days.render_day(_view(site_ctx, "2025-10-06"), page_src="x.md", site_title="T")
    assert "skipped-items" not in plain


def test_status_pages(site_ctx: SiteContext) -> None:
    quiet = days.render_day(_view(site_ctx, "2025-10-04"), page_src="x.md", site_title="T")
    assert "No announcement on this date" in quiet
    assert "arXiv does not announce on weekends and holidays" in quiet
    assert "digest-paper" not in quiet and "digest-usage" not in quiet
    failed = days.render_day(_view(site_ctx, "2025-10-07"), page_src="x.md", site_title="T")
    assert "The run failed: arXiv feed https://rss.arxiv.org/rss/cs.LG+cs.AI: HTTP 503" in failed


def test_home_shows_latest_published_day(site_ctx: SiteContext) -> None:
    home = days.home_day(build_model(site_ctx.days).days)
    assert home is not None and home.record == _day(site_ctx, "2025-10-06")  # 10-07 failed
    empty = SiteContext(settings=site_ctx.settings, store=site_ctx.store, days=[], site_url=None)
    html = days.render_home(build_model([]), empty)
    assert "No digest yet" in html and "make run" in html and 'href="guide/"' in html


def test_build_pages_and_navigation(site_ctx: SiteContext) -> None:
    model = build_model(site_ctx.days)
    output = days.build(model, site_ctx)
    uris = {p.src_uri: p for p in output.pages}
    assert {
        "days/2025/2025-10-03.md",
        "days/2025/2025-10-07.md",
        "index.md",
        "prompts/f13fd0ed3b1edb5d.md",
    } <= set(uris)
    assert uris["index.md"].in_nav and not uris["days/2025/2025-10-06.md"].in_nav
    assert archive.build(model, site_ctx).pages[0].in_nav


def test_day_file_reference_documents_every_field() -> None:
    from generator.schema import day_json_schema

    models = dayfile_reference.document(day_json_schema())
    undocumented = [f"{m.name}.{f.name}" for m in models for f in m.fields if not f.doc]
    assert undocumented == [], "add them to dayfile_reference.FIELD_DOCS"
    assert {m.name for m in models} >= {"DayRecord", "PaperEntry", "DayStatus"}


def test_render_scales_to_a_full_day() -> None:
    day = build_model([synthetic_day(dt.date(2025, 10, 7), papers=70)]).days[0]
    html = days.render_day(day, page_src="days/2025/2025-10-07.md", site_title="T")
    assert html.count('<article class="digest-paper"') == 70
    assert html.count('class="arithmatex"') > 20


def test_golden_day_page(site_ctx: SiteContext) -> None:
    ctx = site_ctx
    html = days.render_day(
        _view(ctx, "2025-10-06"),
        page_src="days/2025/2025-10-06.md",
        site_title=ctx.title,
        prompt_text=ctx.prompts["f13fd0ed3b1edb5d"],
    )
    check_golden("day_2025-10-06.html", html)


def test_golden_status_days(site_ctx: SiteContext) -> None:
    pages = {p.src_uri: p.html for p in days.build(build_model(site_ctx.days), site_ctx).pages}
    check_golden("day_2025-10-04_no_announcement.html", pages["days/2025/2025-10-04.md"])
    check_golden("day_2025-10-07_failed.html", pages["days/2025/2025-10-07.md"])


def test_golden_home(site_ctx: SiteContext) -> None:
    check_golden("home.html", days.render_home(build_model(site_ctx.days), site_ctx))
    empty = SiteContext(settings=site_ctx.settings, store=site_ctx.store, days=[], site_url=None)
    check_golden("home_empty.html", days.render_home(build_model([]), empty))


def test_golden_archive(site_ctx: SiteContext) -> None:
    check_golden("archive.html", archive.render_archive(site_ctx.days))
