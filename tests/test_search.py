"""Archive search: paper records, per-year Pagefind indexes (real CLI), the cache, the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from pathlib import Path

import pytest
from support.golden import check_golden
from support.site import make_day, make_paper, mkdocs_build, sample_days, write_project
from support.site import site_context as context

from generator.site import search
from generator.site.model import build_model
from generator.store import DayStore


def two_years():
    return [
        make_day(
            dt.date(2024, 12, 30),
            [make_paper("2412.00001", "Last Paper of 2024", tags=["Security"])],
        ),
        *sample_days(),
    ]


def test_day_record_carries_anchors_link_filters_and_escaped_text():
    paper = make_paper(
        "hep-ex/0601001",
        '<script>x()</script> & "Title"',
        tags=["Security"],
        categories=["hep-ex"],
        abstract="<img src=x onerror=y>",
    )
    day = make_day(dt.date(2025, 10, 6), [paper, make_paper("2510.00001", "Other")])
    view = build_model([day]).days[0]
    record = search.day_record(view)
    assert "<script>" not in record and "<img" not in record
    assert "&lt;script&gt;x()&lt;/script&gt; &amp; &#34;Title&#34;" in record
    assert '<h2 id="hep-ex-0601001">' in record and '<h2 id="2510.00001">' in record
    assert '<meta data-pagefind-meta="link[content]" content="days/2025/2025-10-06/">' in record
    assert '<meta data-pagefind-filter="year[content]" content="2025">' in record
    assert '<li data-pagefind-filter="tag">Security</li>' in record
    tagmap_attr = re.search(r'"tagmap\[content\]" content="([^"]+)"', record).group(1)
    tagmap = json.loads(unescape(tagmap_attr))
    assert tagmap == {"hep-ex-0601001": ["Security", "hep-ex"], "2510.00001": ["cs.LG"]}
    tagpages = json.loads(
        unescape(re.search(r'"tagpages\[content\]" content="([^"]+)"', record).group(1))
    )
    assert tagpages == {
        "Security": "tags/security/",
        "hep-ex": "tags/hep-ex/",
        "cs.LG": "tags/cs-lg/",
    }
    flat = search.day_record(view, use_directory_urls=False)
    assert 'content="days/2025/2025-10-06.html"' in flat


def test_golden_search_record():
    check_golden("search_record.html", search.day_record(build_model(sample_days()).days[0]))


def test_years_and_records_skip_days_without_papers():
    model = build_model(two_years())
    assert search.years_of(model) == [2025, 2024]
    records = search.records_for_year(model, 2025)
    assert [r.name for r in records] == ["2025-10-06.html", "2025-10-07.html", "2025-10-08.html"]


def test_index_builds_one_bundle_per_year_and_reuses_unchanged_years(tmp_path):
    ctx = context(tmp_path / "project", two_years())
    site = tmp_path / "site"
    cache = tmp_path / "cache"

    def index(site: Path) -> dict[int, bool]:
        return search.index(build_model(ctx.days), ctx, cache, site)

    assert index(site) == {2025: True, 2024: True}
    for year in (2024, 2025):
        bundle = site / "search" / "pagefind" / str(year)
        assert (bundle / "pagefind.js").is_file()
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == (1 if year == 2024 else 3)
    # Same data: nothing re-indexed, the site still gets both bundles.
    site2 = tmp_path / "site2"
    assert index(site2) == {2025: False, 2024: False}
    assert (site2 / "search" / "pagefind" / "2024" / "pagefind.js").is_file()
    # A new day in 2025: only 2025 is re-indexed, and its stale cache entry is gone.
    store = DayStore(tmp_path / "project" / "data")
    store.save(make_day(dt.date(2025, 10, 9), [make_paper("2510.00009", "Newest")]))
    ctx.days = store.load_all()
    assert index(tmp_path / "site3") == {2025: True, 2024: False}
    cached = sorted(p.name.split("-")[0] for p in cache.iterdir())
    assert cached == ["2024", "2025"]


def test_pagefind_failure_is_a_clear_error(tmp_path):
    with pytest.raises(search.SearchIndexError, match="search index of 2031: pagefind exited"):
        search.run_pagefind(tmp_path / "missing", tmp_path / "out", 2031)


def test_search_page_configures_years_tags_and_root(tmp_path):
    ctx = context(tmp_path, two_years())
    page = search.build(build_model(ctx.days), ctx).pages[0]
    assert page.src_uri == "search.md" and page.in_nav
    config = json.loads(unescape(re.search(r'data-config="([^"]+)"', page.html).group(1)))
    assert config == {"root": "../", "index": "search/pagefind", "years": [2025, 2024]}
    assert '<option value="Security">Security</option>' in page.html
    assert '<option value="2024">2024</option>' in page.html


@pytest.mark.slow
def test_mkdocs_build_strict_makes_search_tags_and_feeds(tmp_path):
    config = write_project(tmp_path, two_years())
    result = mkdocs_build(config, strict=True)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    assert (site / "search" / "index.html").is_file()
    for year in (2024, 2025):
        assert (site / "search" / "pagefind" / str(year) / "pagefind.js").is_file()
    assert (site / "tags" / "security" / "index.html").is_file()
    assert (site / "tags" / "security" / "feed.xml").is_file()
    day = (site / "days" / "2025" / "2025-10-07" / "index.html").read_text(encoding="utf-8")
    # Every page: feed autodiscovery, the header search box, the subscribe link, search.js.
    assert '<link rel="alternate" type="application/rss+xml"' in day
    assert 'href="../../../feed.xml"' in day
    assert 'action="../../../search/"' in day
    assert 'class="md-header__button md-icon digest-subscribe"' in day
    assert "javascripts/search.js" in day
    # Material's own search is off: no lunr index, no search worker.
    assert not (site / "search" / "search_index.json").exists()
    # The theme override is not published as content.
    assert not (site / "overrides").exists()
    tag_page = (site / "tags" / "security" / "index.html").read_text(encoding="utf-8")
    assert 'title="Personalized Daily ArXiv Papers: Security" href="feed.xml"' in tag_page


def test_index_without_papers_builds_nothing(tmp_path):
    ctx = context(tmp_path / "p", [make_day(dt.date(2025, 1, 4), status="no_announcement")])
    assert search.index(build_model(ctx.days), ctx, tmp_path / "cache", tmp_path / "site") == {}
    assert not (tmp_path / "site" / "search" / "pagefind").exists()


def test_cache_key_changes_with_the_day_files(tmp_path):
    one = tmp_path / "2025-01-06.yaml"
    one.write_text("a", encoding="utf-8")
    key = search.year_key([one], ["Security\x01security"], True)
    assert key == search.year_key([one], ["Security\x01security"], True)
    assert key != search.year_key([one], ["Security\x01security-2"], True)  # a slug moved
    one.write_text("b", encoding="utf-8")
    assert key != search.year_key([one], ["Security\x01security"], True)
    assert search.year_key([one], [], True) != search.year_key([one], [], False)
    assert Path(one).exists()
