"""Tag archives: which tags a paper gets, ordering, pagination, links, escaping, golden HTML."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from urllib.parse import urljoin

import pytest
from support.golden import check_golden
from support.site import TRICKY_TITLE, make_day, make_paper, sample_days
from support.site import site_context as context

from generator.site import tags
from generator.site.model import build_model, paper_tag_names


def test_paper_tags_are_topics_then_primary_category_without_duplicates():
    paper = make_paper("2510.00001", "T", tags=["Security", "cs.LG"], categories=["cs.LG", "cs.CR"])
    assert paper_tag_names(paper) == ["Security", "cs.LG"]
    plain = make_paper("2510.00002", "T", categories=["stat.ML", "cs.LG"])
    assert paper_tag_names(plain) == ["stat.ML"]


def test_collect_counts_latest_and_newest_first():
    collected = {t.name: t for t in build_model(sample_days()).tags}
    assert set(collected) == {
        "Model Compression and Efficiency",
        "Security",
        "cs.LG",
        "cs.CR",
        "hep-ex",
        "cs.AI",
    }
    mce = collected["Model Compression and Efficiency"]
    assert mce.count == 2
    assert mce.latest == dt.date(2025, 10, 8)
    assert [e.id for e in mce.entries] == ["2510.00003", "2510.00001"]
    assert collected["cs.LG"].slug == "cs-lg"
    # Ordered by count, most used first.
    counts = [t.count for t in build_model(sample_days()).tags]
    assert counts == sorted(counts, reverse=True)


def test_slugs_that_collide_get_distinct_suffixes():
    day = make_day(
        dt.date(2025, 1, 6),
        [
            make_paper("2501.00001", "A", tags=["Graph ML"]),
            make_paper("2501.00002", "B", tags=["graph-ml"]),
        ],
    )
    slugs = sorted(t.slug for t in build_model([day]).tags if t.name != "cs.LG")
    assert slugs == ["graph-ml", "graph-ml-2"]


def test_pagination_splits_newest_first_with_working_pager_links(tmp_path):
    days = [
        make_day(
            dt.date(2025, 3, d),
            [
                make_paper(f"2503.{d:02d}{i:03d}", f"Paper {d}-{i}", tags=["Security"])
                for i in range(5)
            ],
        )
        for d in range(3, 8)  # 5 days x 5 papers = 25 tagged papers
    ]
    ctx = context(tmp_path, days, digest={"site": {"tag_page_size": 10}})
    out = tags.build(build_model(ctx.days), ctx)
    pages = {p.src_uri: p for p in out.pages}
    assert {
        "tags/security/index.md",
        "tags/security/page/2/index.md",
        "tags/security/page/3/index.md",
    } <= set(pages)
    assert "tags/security/page/4/index.md" not in pages
    first, last = pages["tags/security/index.md"], pages["tags/security/page/3/index.md"]
    assert first.html.count('class="digest-tag-entry"') == 10
    assert last.html.count('class="digest-tag-entry"') == 5
    assert 'start="21"' in last.html
    assert "Paper 7-0" in first.html and "Paper 3-4" in last.html  # newest first
    # The pager's links resolve to the neighbouring pages.
    base = "https://h.example/tags/security/page/2/"
    middle = pages["tags/security/page/2/index.md"].html
    prev = re.search(r'rel="prev" href="([^"]+)"', middle).group(1)
    nxt = re.search(r'rel="next" href="([^"]+)"', middle).group(1)
    assert urljoin(base, prev) == "https://h.example/tags/security/"
    assert urljoin(base, nxt) == "https://h.example/tags/security/page/3/"
    # Only the tags index goes in the navigation; tag pages would bloat it.
    assert [p.src_uri for p in out.pages if p.in_nav] == ["tags.md"]


@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_entries_link_to_the_paper_anchor_on_its_day_page(use_directory_urls):
    tag = next(t for t in build_model(sample_days()).tags if t.name == "hep-ex")
    html = tags.render_tag_page(tag, 1, 1, tag.entries, 100, use_directory_urls)
    href = re.search(r'<li class="digest-tag-entry"><a href="([^"]+)"', html).group(1)
    if use_directory_urls:
        here = "https://h.example/tags/hep-ex/"
        assert urljoin(here, href) == "https://h.example/days/2025/2025-10-06/#hep-ex-0601001"
    else:
        here = "https://h.example/tags/hep-ex/index.html"
        assert urljoin(here, href) == ("https://h.example/days/2025/2025-10-06.html#hep-ex-0601001")


def test_paper_text_is_escaped():
    tag = next(t for t in build_model(sample_days()).tags if t.name == "cs.CR")
    html = tags.render_tag_page(tag, 1, 1, tag.entries, 100)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    index = tags.render_index(
        build_model(
            [
                make_day(
                    dt.date(2025, 1, 6),
                    [make_paper("2501.00001", "A", tags=['<b onmouseover="x">Evil</b>'])],
                )
            ]
        ).tags
    )
    assert "<b " not in index and "&lt;b onmouseover=&#34;x&#34;&gt;" in index
    assert TRICKY_TITLE  # the hostile title is part of the golden pages below


def test_index_links_tag_pages_latest_day_and_feed():
    html = tags.render_index(build_model(sample_days()).tags)
    hrefs = re.findall(r'href="([^"]+)"', html)
    resolved = {posixpath.normpath(posixpath.join("/tags/", h)) for h in hrefs}
    assert "/tags/security" in resolved
    assert "/days/2025/2025-10-08" in resolved
    assert "/tags/security/feed.xml" in resolved


def test_empty_archive_has_an_index_and_no_tag_pages(tmp_path):
    ctx = context(tmp_path, [])
    out = tags.build(build_model(ctx.days), ctx)
    assert [p.src_uri for p in out.pages] == ["tags.md"]
    assert "No tagged papers yet" in out.pages[0].html


def test_golden_tag_pages(tmp_path):
    ctx = context(tmp_path, sample_days())
    pages = {p.src_uri: p.html for p in tags.build(build_model(ctx.days), ctx).pages}
    check_golden("tags_index.html", pages["tags.md"] + "\n")
    check_golden("tags_security.html", pages["tags/security/index.md"] + "\n")
