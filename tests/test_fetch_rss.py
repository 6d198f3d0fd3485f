"""Today's announcement from the RSS service: a real full day, recorded feeds, and faults."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from support.arxiv import (
    EXCERPT_GLOB,
    LISTING_EXCERPT,
    FakeArxiv,
    Reply,
    feed_from_feedparser_json,
    listing_feed,
    read_listing,
    rss_document,
    shared_path,
)

from generator.config import parse_config
from generator.errors import FetchError
from generator.fetch.fields import CATEGORY_RE
from generator.fetch.http import PoliteClient
from generator.fetch.rss import clean_abstract, fetch_announcement, parse_feed, rss_url
from generator.filter import select
from generator.models import AnnounceType

PREFIX_RE = re.compile(r"arXiv:\S+ Announce Type|^Abstract:")


def fast_client(**options: float) -> PoliteClient:
    defaults = {"min_interval": 0.0, "timeout": 2.0, "retries": 2}
    defaults.update(options)
    return PoliteClient(sleep=lambda s: None, **defaults)  # type: ignore[arg-type]


def config_for(fake: FakeArxiv):  # type: ignore[no-untyped-def]
    return parse_config({}, env={"DIGEST_ARXIV_RSS_URL": fake.url})


def test_full_day_from_the_recorded_listing() -> None:
    listing = read_listing("2025-10-07")
    with FakeArxiv() as fake:
        fake.script("/rss/cs.LG+cs.AI", Reply(200, listing_feed("2025-10-07")))
        config = config_for(fake)
        announcement = fetch_announcement(config, fast_client())
    assert len(fake.log) == 1 and fake.log[0].path == "/rss/cs.LG+cs.AI"
    assert announcement.date == dt.date(2025, 10, 7)
    assert announcement.source == f"{fake.url}/rss/cs.LG+cs.AI"
    ids = [p.id for p in announcement.papers]
    assert len(ids) == len(set(ids)) == len(listing) == 859
    assert set(ids) == set(listing)
    for paper in announcement.papers:
        record = listing[paper.id]
        assert paper.version == 1
        # arXiv lists old ACM/MSC classes ("I.2.7; I.6.m") as categories: dropped.
        assert paper.categories == tuple(c for c in record["categories"] if CATEGORY_RE.match(c))
        assert paper.authors == tuple(record["authors"])
        assert paper.abstract == " ".join(record["summary"].split())
        assert not PREFIX_RE.search(paper.abstract)
        expected = "new" if record["categories"][0] in ("cs.LG", "cs.AI") else "cross"
        assert paper.announce_type.value == expected
    counts = announcement.counts_by_type()
    assert counts["new"] == 375 and counts["cross"] == 859 - 375
    selection = select(announcement, config, {})
    assert selection.total == 859 and selection.scanned == 663


def test_recorded_excerpt_parses_every_field() -> None:
    path = next(shared_path("arxiv/rss/current_rss2").glob("*_excerpt.xml"))
    announcement = parse_feed(path.read_bytes(), str(path))
    assert announcement.date == dt.date(2026, 9, 24)
    kinds = [p.announce_type for p in announcement.papers]
    assert kinds == [AnnounceType.NEW, AnnounceType.NEW, AnnounceType.CROSS, AnnounceType.REPLACE]
    cross = announcement.papers[2]
    assert (cross.id, cross.version) == ("2205.06398", 2)
    assert cross.categories == ("stat.ME", "stat.AP", "stat.ML")
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.authors == ("Pritam Dey", "Zhengwu Zhang", "David B. Dunson")
    assert cross.abstract.startswith("It has become routine in neuroscience")
    assert EXCERPT_GLOB.endswith(".xml")


@pytest.mark.parametrize("day", ["2025-08-05", "2025-08-07"])
def test_recorded_full_days_from_feedparser_json(day: str) -> None:
    path = shared_path(f"arxiv/rss/feedparser_json_dzdydx/rss_cache_{day}.json")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    for url, xml in feed_from_feedparser_json(path):
        announcement = parse_feed(xml.encode(), url)
        entries = recorded[url]["entries"]
        assert announcement.date == dt.date.fromisoformat(day)
        assert [p.versioned_id for p in announcement.papers] == [
            e["id"].removeprefix("oai:arXiv.org:") for e in entries
        ]
        for paper, entry in zip(announcement.papers, entries, strict=True):
            assert f"Announce Type: {paper.announce_type.value} " in entry["summary"]
            assert not PREFIX_RE.search(paper.abstract)
            flat = " ".join(entry["summary"].split())
            assert flat.endswith(" ".join(paper.abstract.split()))
    main_feed = recorded["https://rss.arxiv.org/rss/cs.CL+cs.CV+cs.MM+cs.LG+cs.SI"]
    assert len(main_feed["entries"]) == {"2025-08-05": 1098, "2025-08-07": 605}[day]


def test_all_four_announce_types_in_the_recorded_days() -> None:
    path = shared_path("arxiv/rss/feedparser_json_dzdydx/rss_cache_2025-08-05.json")
    seen = set()
    for url, xml in feed_from_feedparser_json(path):
        seen |= {p.announce_type for p in parse_feed(xml.encode(), url).papers}
    assert seen == set(AnnounceType)


@pytest.mark.parametrize("name", ["hep-ex_2018-05-23", "hep-ex_2021-07-08"])
def test_legacy_rdf_feeds_parse(name: str) -> None:
    path = shared_path(f"arxiv/rss/legacy_rdf/{name}_abridged_rdf.xml")
    announcement = parse_feed(path.read_bytes(), str(path))
    assert len(announcement.papers) == 3
    evening = dt.date.fromisoformat(name.split("_")[1])
    assert announcement.date == evening + dt.timedelta(days=1)
    kinds = [p.announce_type for p in announcement.papers]
    assert kinds[-1] is AnnounceType.REPLACE and AnnounceType.CROSS in kinds
    for paper in announcement.papers:
        assert paper.authors and "<a" not in " ".join(paper.authors)
        assert "(arXiv:" not in paper.title


def test_empty_feed_is_an_announcement_without_papers() -> None:
    with FakeArxiv() as fake:
        fake.script(
            "/rss/cs.LG+cs.AI",
            Reply(200, rss_document(["cs.LG", "cs.AI"], dt.date(2025, 10, 11), [])),
        )
        announcement = fetch_announcement(config_for(fake), fast_client())
    assert announcement.date == dt.date(2025, 10, 11) and announcement.papers == ()


FAULTS = {
    "truncated XML": (Reply(200, b""), "not well-formed XML"),
    "HTML page": (
        Reply(
            200,
            "<!DOCTYPE html><html><head><title>arXiv is down for maintenance</title>"
            "</head><body>back soon</body></html>",
            content_type="text/html",
        ),
        "got an HTML page ('arXiv is down for maintenance')",
    ),
    "feed error": (
        Reply(
            400,
            rss_document(["cs.LG", "cs.XX"], None, [], title="Feed error for query: cs.LG+cs.XX"),
        ),
        "Feed error for query: cs.LG+cs.XX",
    ),
    "no pubDate": (Reply(200, rss_document(["cs.LG", "cs.AI"], None, [])), "no pubDate"),
    "atom document": (Reply(200, "<feed xmlns='http://www.w3.org/2005/Atom'/>"), "expected an RSS"),
    "server error": (Reply(503, "busy"), "HTTP 503"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_failing_feeds_raise_fetch_errors_naming_url_and_cause(fault: str) -> None:
    reply, message = FAULTS[fault]
    if fault == "truncated XML":
        full = listing_feed(LISTING_EXCERPT)
        reply = Reply(200, full[: len(full) // 2])
    with FakeArxiv() as fake:
        fake.script("/rss/cs.LG+cs.AI", reply)
        config = config_for(fake)
        with pytest.raises(FetchError) as info:
            fetch_announcement(config, fast_client())
    assert rss_url(config) in str(info.value)
    assert message in str(info.value)


def test_rss_url_joins_categories_and_strips_slash() -> None:
    config = parse_config(
        {
            "categories": ["cs.LG", "cs.AI", "stat.ML"],
            "arxiv": {"rss_base": "http://mirror.example/"},
        },
        env={},
    )
    assert rss_url(config) == "http://mirror.example/rss/cs.LG+cs.AI+stat.ML"


def test_clean_abstract_removes_prefix_and_wrapping() -> None:
    text = "arXiv:hep-ex/0601001v3 Announce Type: replace-cross \nAbstract: A  b\nc.\n\nD."
    assert clean_abstract(text) == "A b c.\n\nD."
