"""The site model: one view per paper, the same on every surface; tag links that resolve."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
from support.site import make_day, make_paper, site_context, write_project
from test_site_security import strict_build

from generator.schema import KeptBecause, PaperEntry
from generator.site import days, feeds, search, tags
from generator.site.model import build_model

SITE_URL = "https://digest.example.org/"


def kept(paper: PaperEntry, because: KeptBecause) -> PaperEntry:
    return paper.model_copy(update={"kept_because": because})


def four_reasons() -> list[PaperEntry]:
    """A paper for each way of being kept (and an update that was scored)."""
    return [
        make_paper("2501.00001", "Scored Paper", tags=["Security"], relevance=9, novelty=8),
        make_paper("2501.00002", "Author Paper", tags=["Security"], relevance=None, novelty=None),
        kept(
            make_paper(
                "2501.00003", "Updated Paper", tags=["Security"], relevance=None, novelty=None
            ),
            KeptBecause.UPDATED,
        ),
        kept(
            make_paper(
                "2501.00004", "Scored Update", tags=["Security"], relevance=6, novelty=5, version=3
            ),
            KeptBecause.UPDATED,
        ),
    ]


def test_labels_for_every_reason_a_paper_is_kept() -> None:
    model = build_model([make_day(dt.date(2025, 1, 6), four_reasons())])
    labels = {view.id: (view.label, view.kept_label, view.score_label) for view in model.papers()}
    assert labels == {
        "2501.00001": ("relevance 9, novelty 8", "", "relevance 9, novelty 8"),
        "2501.00002": ("author match", "author match", "not scored"),
        "2501.00003": ("updated", "updated", "not scored"),
        "2501.00004": ("updated · relevance 6, novelty 5", "updated", "relevance 6, novelty 5"),
    }
    update = next(v for v in model.papers() if v.id == "2501.00004")
    assert update.abs_url == "https://arxiv.org/abs/2501.00004"
    assert update.pdf_url == "https://arxiv.org/pdf/2501.00004v3"
    assert update.html_url == "https://arxiv.org/html/2501.00004v3"


def test_a_paper_reads_the_same_on_its_card_tag_page_feed_item_and_search_record(
    tmp_path: Path,
) -> None:
    ctx = site_context(tmp_path, [make_day(dt.date(2025, 1, 6), four_reasons())])
    model = build_model(ctx.days)
    day = model.days[0]
    card_page = days.render_day(day, page_src=day.src, site_title="T")
    tag = model.tag_by_name["Security"]
    tag_page = tags.render_tag_page(tag, 1, 1, tag.entries, 100)
    feed = feedparser.parse(feeds.build(model, ctx).assets[0].content)
    items = {entry.id: entry for entry in feed.entries}
    record = search.day_record(day)
    for view in day.papers:
        card = re.search(
            rf'<article class="digest-paper" id="{re.escape(view.anchor)}".*?</article>',
            card_page,
            re.S,
        )
        assert card is not None
        card_html = card.group(0)
        # Links: the same abstract and versioned PDF on the card and in the feed item.
        item = items[view.versioned_id]
        assert f'href="{view.abs_url}"' in card_html and item.link == view.abs_url
        assert f'href="{view.pdf_url}"' in card_html and f'href="{view.pdf_url}"' in item.summary
        # Labels: the card's badge and scores, and the one listing label elsewhere.
        if view.kept_label:
            assert f">{view.kept_label.capitalize()}</span>" in card_html
        else:
            assert "digest-badge" not in card_html
        if view.paper.relevance is not None:
            assert f"Relevance <strong>{view.paper.relevance}</strong>" in card_html
        entry = re.search(
            rf'<li class="digest-tag-entry"><a href="[^"]*#{re.escape(view.anchor)}">.*?</li>',
            tag_page,
        )
        assert entry is not None and entry.group(0).endswith(f" · {view.label}</div></li>")
        assert f"<strong>Kept:</strong> {view.label}</p>" in item.summary
        assert f'<h2 id="{view.anchor}">' in record
        assert f"<p>arXiv {view.id} · {view.label}</p>" in record
        # Tags: the card's chips, the feed's categories and the record's tag pages agree.
        chips = re.findall(r'class="digest-tag" href="([^"]+)">([^<]+)<', card_html)
        chip_pages = {
            unescape(name): posixpath.normpath(posixpath.join("days/2025/2025-01-06", href))
            for href, name in chips
        }
        categories = {t.term: urlparse(t.scheme).path.strip("/") for t in item.tags}
        tagpages = re.search(r'"tagpages\[content\]" content="([^"]+)"', record)
        assert tagpages is not None
        for name, page in chip_pages.items():
            assert categories[name] == page
            assert f"&#34;{name}&#34;:&#34;{page}/&#34;" in tagpages.group(1)


def colliding_days() -> list:
    return [
        make_day(
            dt.date(2025, 1, 6),
            [
                make_paper("2501.00001", "Spectral Graph Paper", tags=["Graph ML"]),
                make_paper("2501.00002", "Hyphen Graph Paper", tags=["graph-ml", "Graph ML"]),
            ],
        ),
        make_day(
            dt.date(2025, 1, 7), [make_paper("2501.00003", "Later Hyphen Paper", tags=["graph-ml"])]
        ),
    ]


def test_slugs_that_collide_are_resolved_once_for_every_surface() -> None:
    model = build_model(colliding_days())
    slugs = {tag.name: tag.slug for tag in model.tags}
    assert slugs == {"Graph ML": "graph-ml", "graph-ml": "graph-ml-2", "cs.LG": "cs-lg"}
    hyphen = next(v for v in model.papers() if v.id == "2501.00002")
    assert [(t.name, t.src) for t in hyphen.topics] == [
        ("graph-ml", "tags/graph-ml-2/index.md"),
        ("Graph ML", "tags/graph-ml/index.md"),
    ]


def _listed_anchors(page: Path) -> set[str]:
    return set(re.findall(r'class="digest-tag-entry"><a href="[^"#]*#([^"]+)"', page.read_text()))


@pytest.mark.slow
def test_every_tag_link_of_a_real_build_reaches_a_page_listing_the_paper(tmp_path: Path) -> None:
    config = write_project(tmp_path, colliding_days(), site_url=SITE_URL)
    result = strict_build(config)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    assert (site / "tags/graph-ml/index.html").is_file()
    assert (site / "tags/graph-ml-2/index.html").is_file()
    assert _listed_anchors(site / "tags/graph-ml/index.html") == {"2501.00001", "2501.00002"}
    assert _listed_anchors(site / "tags/graph-ml-2/index.html") == {"2501.00002", "2501.00003"}
    checked = 0
    for day_page in sorted(site.glob("days/*/*/index.html")):
        html = day_page.read_text()
        folder = day_page.parent.relative_to(site).as_posix()
        for match in re.finditer(
            r'<article class="digest-paper" id="([^"]+)"(.*?)</article>', html, re.S
        ):
            anchor, body = match.group(1), match.group(2)
            for href in re.findall(r'class="digest-tag" href="([^"]+)"', body):
                target = site / posixpath.normpath(posixpath.join(folder, href)) / "index.html"
                assert target.is_file(), f"{folder}: dead tag link {href}"
                assert anchor in _listed_anchors(target), f"{href} does not list {anchor}"
                checked += 1
    assert checked == 4  # 2501.00001: 1 chip, 2501.00002: 2, 2501.00003: 1
    # Every internal link of the day and tag pages (and the tags index) reaches a file.
    for page in [*site.glob("days/*/*/index.html"), *site.glob("tags/**/index.html")]:
        body = page.read_text()
        folder = page.parent.relative_to(site).as_posix()
        for href in re.findall(r'href="([^"#]+)', body):
            if href.startswith(("http://", "https://")):
                continue
            target = site / posixpath.normpath(posixpath.join(folder, href))
            target = target / "index.html" if target.is_dir() else target
            assert target.is_file(), f"{folder}: dead link {href}"
    # Feed categories name the page that lists the paper, too.
    for feed in [site / "feed.xml", *site.glob("tags/*/feed.xml")]:
        for item in ET.parse(feed).getroot().iter("item"):
            anchor = item.findtext("guid", "").rsplit("v", 1)[0].replace("/", "-")
            for category in item.iter("category"):
                page = urlparse(category.get("domain", "")).path.strip("/")
                assert anchor in _listed_anchors(site / page / "index.html"), (feed, page)
