"""The arXiv API client against the recorded responses (paging, ids, empty, HTTP 400)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.arxiv import (
    FakeArxiv,
    Reply,
    atom_feed,
    full_recording,
    listing_corpus,
    read_listing,
    shared_path,
)

from generator.config import parse_config
from generator.errors import FetchError
from generator.fetch.api import category_query, fetch_day, parse_api_page, query
from generator.fetch.http import PoliteClient
from generator.fetch.schedule import Schedule
from generator.models import AnnounceType

RECORDED = "arxiv/api/arxivpy_recorded_2026"


def fast_client() -> PoliteClient:
    return PoliteClient(min_interval=0.0, timeout=2.0, retries=1, sleep=lambda s: None)


def test_paging_through_recorded_pages() -> None:
    folder = full_recording(RECORDED)  # all 20 recordings; tests/fixtures/ has 4
    with FakeArxiv() as fake:
        assert fake.load_recorded_api(folder) == 20
        results = query(
            fast_client(),
            fake.url,
            "testing",
            page_size=10,
            limit=60,
            sort_by="relevance",
            sort_order="descending",
        ).entries
    assert [r.query["start"] for r in fake.log] == ["0", "10", "20", "30", "40", "50"]
    assert len(results) == 60 == len({r.id for r in results})
    first = results[0].paper
    assert results[0].published == dt.datetime(2022, 2, 24, 15, 5, 19, tzinfo=dt.UTC)
    assert (first.id, first.version) == ("2202.12139", 1)
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.journal_ref and first.journal_ref.startswith("Artificial Intelligence")
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert all("\n" not in r.paper.title for r in results)


def test_old_style_id_lookup_keeps_primary_first() -> None:
    with FakeArxiv() as fake:
        fake.load_recorded_api(shared_path(RECORDED))
        results = query(
            fast_client(),
            fake.url,
            "",
            id_list="astro-ph/0601001",
            page_size=100,
            sort_by="relevance",
            sort_order="descending",
        ).entries
    assert [r.id for r in results] == ["astro-ph/0601001"]
    assert results[0].paper.categories[0] == "astro-ph"


def test_empty_result_is_an_empty_list() -> None:
    with FakeArxiv() as fake:
        fake.load_recorded_api(shared_path(RECORDED))
        results = query(
            fast_client(),
            fake.url,
            "",
            id_list="0000.0000",
            page_size=100,
            sort_by="relevance",
            sort_order="descending",
        ).entries
    assert results == [] and len(fake.log) == 1


def test_http_400_error_feed_names_url_and_cause() -> None:
    with FakeArxiv() as fake:
        fake.load_recorded_api(shared_path(RECORDED))
        with pytest.raises(FetchError) as info:
            query(
                fast_client(),
                fake.url,
                "",
                id_list="abc",
                page_size=100,
                sort_by="relevance",
                sort_order="descending",
            )
    assert info.value.status == 400
    assert "incorrect id format for abc" in str(info.value)
    assert f"{fake.url}/api/query" in str(info.value)
    assert len(fake.log) == 1  # a 400 is not retried


def test_error_entry_in_a_200_reply_is_an_error() -> None:
    body = json.loads(shared_path(f"{RECORDED}/id_abc_s0_m100_b79c8dcf6bc3.json").read_text())
    with pytest.raises(FetchError, match="arXiv API error: incorrect id format"):
        parse_api_page(body["body"].encode(), "http://x/api/query")


def test_legacy_2016_api_format_parses() -> None:
    path = shared_path("arxiv/api/arxivpy_legacy_2016/id_list=1111.2011v2.xml")
    page = parse_api_page(path.read_bytes(), str(path))
    assert page.total == 1 and [(e.id, e.paper.version) for e in page.entries] == [("1111.2011", 2)]
    assert page.entries[0].paper.title.startswith("Quantum Criticality for Extended Nodes")
    assert "  " not in page.entries[0].paper.abstract


def test_an_empty_page_inside_the_results_is_asked_again() -> None:
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus(["2025-10-07"])
        fake.once("/api/query", Reply(200, atom_feed([], total=663, start=0)))
        config = parse_config({"arxiv": {"page_size": 300}}, env={"DIGEST_ARXIV_API_URL": fake.url})
        announcement = fetch_day(config, fast_client(), dt.date(2025, 10, 7), Schedule(holidays=()))
    assert len(announcement.papers) == 663
    assert [r.query["start"] for r in fake.log] == ["0", "0", "300", "600"]


def test_persistently_empty_pages_fail_clearly() -> None:
    with FakeArxiv() as fake:
        fake.script("/api/query", Reply(200, atom_feed([], total=50, start=0)))
        with pytest.raises(FetchError, match="empty page at 0 of 50 results"):
            query(fast_client(), fake.url, "cat:cs.LG")
    assert len(fake.log) == 3


def test_fetch_day_rebuilds_the_recorded_announcement() -> None:
    listing = read_listing("2025-10-07")
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        config = parse_config({"arxiv": {"page_size": 200}}, env={"DIGEST_ARXIV_API_URL": fake.url})
        announcement = fetch_day(config, fast_client(), dt.date(2025, 10, 7), Schedule(holidays=()))
    expected = {i for i, r in listing.items() if {"cs.LG", "cs.AI"} & set(r["categories"])}
    assert {p.id for p in announcement.papers} == expected and len(expected) == 663
    assert len(announcement.papers) == 663
    assert len(fake.log) == 4  # 663 results in pages of 200
    query = fake.log[0].query["search_query"]
    assert query == category_query(["cs.LG", "cs.AI"], "[202510031800 TO 202510061759]")
    assert query == "(cat:cs.LG OR cat:cs.AI) AND submittedDate:[202510031800 TO 202510061759]"
    for paper in announcement.papers:
        primary = listing[paper.id]["categories"][0]
        expected_type = AnnounceType.NEW if primary in ("cs.LG", "cs.AI") else AnnounceType.CROSS
        assert paper.announce_type is expected_type
        assert "\n" not in paper.abstract[:200]
    assert announcement.date == dt.date(2025, 10, 7)
