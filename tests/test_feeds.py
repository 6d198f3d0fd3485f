"""RSS feeds: valid RSS 2.0 (feedparser), window, escaping, LaTeX, bounds, golden XML."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from support.arxiv import SHARED
from support.golden import check_golden
from support.site import make_day, make_paper, sample_days
from support.site import site_context as context

from generator.schema import PaperEntry
from generator.site import feeds
from generator.site.model import build_model

CLOCK = dt.datetime(2025, 10, 9, 6, 30, tzinfo=dt.UTC)
LISTING = SHARED / "arxiv" / "listings" / "2025-10-07.jsonl"


def build_feeds(tmp_path, days, *, site_url="https://digest.example.org/", digest=None):
    ctx = context(tmp_path, days, digest=digest)
    ctx.site_url = site_url
    ctx.now = CLOCK
    return {a.src_uri: a.content for a in feeds.build(build_model(ctx.days), ctx).assets}


def parse(xml: str | bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(xml)
    # feedparser happily "parses" an HTML page: check the format, not only bozo.
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def test_main_feed_is_valid_rss_with_one_item_per_kept_paper(tmp_path):
    out = build_feeds(tmp_path, sample_days())
    parsed = parse(out["feed.xml"])
    assert len(parsed.entries) == 5
    first = parsed.entries[0]
    assert first.link == "https://arxiv.org/abs/2510.00003"
    assert first.id == "2510.00003v1" and first.guidislink is False
    assert first.published == "Wed, 08 Oct 2025 00:00:00 +0000"
    assert [t.term for t in first.tags] == ["Model Compression and Efficiency", "Security", "cs.LG"]
    assert "<strong>Kept:</strong> relevance 9, novelty 9" in first.summary
    assert "https://arxiv.org/pdf/2510.00003v1" in first.summary  # the kept version
    assert [t.scheme for t in first.tags][1] == "https://digest.example.org/tags/security/"
    assert "Ada Lovelace, Alan Turing" in first.summary
    assert first.author == "Ada Lovelace, Alan Turing"  # dc:creator: readers show authors
    assert "https://digest.example.org/days/2025/2025-10-08/#2510.00003" in first.summary
    assert parsed.feed.link == "https://digest.example.org/"
    # Newest day first; the no-announcement day adds nothing.
    dates = [e.published_parsed[:3] for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    # Every link is absolute.
    for link in re.findall(r'href="([^"]+)"', "".join(e.summary for e in parsed.entries)):
        assert link.startswith("https://"), link


def test_no_raw_script_reaches_a_reader(tmp_path):
    xml = build_feeds(tmp_path, sample_days())["feed.xml"]
    assert isinstance(xml, str)
    root = ET.fromstring(xml)
    for item in root.iter("item"):
        for child in item:
            # What a reader gets after XML parsing: HTML where paper text is still escaped.
            assert "<script" not in (child.text or "").lower(), child.tag
            assert "<img" not in (child.text or "").lower(), child.tag
    entry = next(e for e in parse(xml).entries if e.id.startswith("2510.00002"))
    assert "<script" not in entry.title and "&lt;script&gt;" in entry.title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry.summary
    assert html.unescape(entry.title).startswith('Attacks on <script>alert("x")')


def test_latex_becomes_readable_text(tmp_path):
    parsed = parse(build_feeds(tmp_path, sample_days())["feed.xml"])
    titles = [e.title for e in parsed.entries]
    assert "Quantized Attention with ϵ-Guarantees" in titles
    sparse = next(e for e in parsed.entries if e.id.startswith("2510.00001"))
    assert "We reach 𝒪(√(N)) cost, 50% faster." in sparse.summary
    assert "$" not in sparse.summary and "\\mathcal" not in sparse.summary


def test_window_is_the_latest_feed_days_published_days(tmp_path):
    days = [
        make_day(dt.date(2025, 10, d), [make_paper(f"2510.{d:05d}", f"Day {d}")])
        for d in range(1, 11)
    ]
    out = build_feeds(tmp_path, days, digest={"site": {"feed_days": 3}})
    parsed = parse(out["feed.xml"])
    assert [e.title for e in parsed.entries] == ["Day 10", "Day 9", "Day 8"]


def test_tag_feeds_hold_only_their_tag_within_the_window(tmp_path):
    out = build_feeds(tmp_path, sample_days())
    security = parse(out["tags/security/feed.xml"])
    assert {e.id for e in security.entries} == {"2510.00003v1", "2510.00002v1"}
    assert security.feed.title == "Personalized Daily ArXiv Papers: Security"
    assert security.feed.link == "https://digest.example.org/tags/security/"
    assert set(out) >= {"tags/cs-lg/feed.xml", "tags/hep-ex/feed.xml"}


def test_size_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ITEMS", 50)
    long_abstract = "word " * 1500  # past the feed's cut, within the schema's limit
    papers = [make_paper(f"2510.{i:05d}", f"P{i}", abstract=long_abstract) for i in range(80)]
    out = build_feeds(tmp_path, [make_day(dt.date(2025, 10, 6), papers)])
    parsed = parse(out["feed.xml"])
    assert len(parsed.entries) == 50
    assert all(len(e.summary) < feeds.MAX_ABSTRACT + 1000 for e in parsed.entries)


def test_without_site_url_the_feed_is_built_and_the_build_warns(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="mkdocs")
    out = build_feeds(tmp_path, sample_days(), site_url=None)
    parsed = parse(out["feed.xml"])
    assert len(parsed.entries) == 5
    assert parsed.feed.link == "https://arxiv.org/list/cs.LG+cs.AI/new"
    assert "digest.example.org" not in str(out["feed.xml"])
    assert any("site_url" in r.getMessage() for r in caplog.records)


def test_empty_archive_gives_a_valid_empty_feed(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="mkdocs")
    out = build_feeds(tmp_path, [], site_url=None)
    assert len(parse(out["feed.xml"]).entries) == 0
    assert not caplog.records  # nothing to link: no reason to warn


def test_real_day_of_arxiv_papers_parses_cleanly(tmp_path):
    if not LISTING.is_file():
        pytest.skip(f"../shared not found: {LISTING.name} (real arXiv listing) is absent")
    papers: dict[str, PaperEntry] = {}
    for line in LISTING.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] in papers or not {"cs.LG", "cs.AI"} & set(row["categories"]):
            continue
        papers[row["id"]] = make_paper(
            row["id"],
            row["title"],
            authors=row["authors"],
            abstract=row["summary"],
            categories=row["categories"],
            comment=row.get("comment") or "",
        )
    out = build_feeds(tmp_path, [make_day(dt.date(2025, 10, 7), list(papers.values()))])
    parsed = parse(out["feed.xml"])
    assert len(parsed.entries) == min(len(papers), feeds.MAX_ITEMS)
    assert len(out["feed.xml"]) < 4_000_000


def test_golden_feed_xml(tmp_path):
    out = build_feeds(tmp_path, sample_days())
    check_golden("feed_main.xml", str(out["feed.xml"]))
    check_golden("feed_tag_security.xml", str(out["tags/security/feed.xml"]))


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"cost $\mathcal{O}(\sqrt{N})$, 50% faster", "cost 𝒪(√(N)), 50% faster"),
        ("costs $5 and $10 today", "costs $5 and $10 today"),  # prices, not math
        (r"Schr\"odinger and \emph{key} ideas", "Schrödinger and key ideas"),
        (r"broken $\frac{1}{", r"broken $\frac{1}{"),  # malformed: kept, never fails the build
        ("<script>x</script> & more", "<script>x</script> & more"),  # escaping is the caller's
    ],
)
def test_readable_latex(latex, text):
    from generator.site.latex import readable

    assert readable(latex) == text
