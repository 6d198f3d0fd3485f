"""The vendored recordings in tests/fixtures/: small, real, and in step with ../shared."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.arxiv import (
    FIXTURES,
    LISTING_EXCERPT,
    SHARED,
    FakeArxiv,
    full_recording,
    read_listing,
)

from generator.fetch.api import parse_api_page, query
from generator.fetch.http import PoliteClient

VENDORED = FIXTURES / "arxiv"


def vendored_files() -> list[str]:
    return sorted(str(p.relative_to(FIXTURES)) for p in VENDORED.rglob("*") if p.is_file())


def test_vendored_data_stays_small() -> None:
    sizes = {name: (FIXTURES / name).stat().st_size for name in vendored_files()}
    assert sizes and sum(sizes.values()) < 300_000, sizes


def test_vendored_files_are_verbatim_copies_of_the_recordings() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found ({SHARED}): nothing to compare the vendored copies with")
    for name in vendored_files():
        copy = (FIXTURES / name).read_bytes()
        if name.endswith("_excerpt.jsonl"):
            full = full_recording(name.replace("_excerpt", "")).read_bytes().splitlines()
            assert set(copy.splitlines()) <= set(full), name
        else:
            assert copy == full_recording(name).read_bytes(), name


def test_listing_excerpt_has_new_cross_and_out_of_scope_papers() -> None:
    papers = read_listing(LISTING_EXCERPT)
    configured = {"cs.LG", "cs.AI"}
    new = [p for p in papers.values() if p["categories"][0] in configured]
    cross = [p for p in papers.values() if configured & set(p["categories"][1:])]
    outside = [p for p in papers.values() if not configured & set(p["categories"])]
    assert (len(papers), len(new), len(outside)) == (30, 14, 6)
    assert len(cross) >= 10


def test_vendored_api_page_answers_its_query() -> None:
    record = json.loads(
        (VENDORED / "api/arxivpy_recorded_2026/q_testing_s0_m10_bc5a6c384fe9.json").read_text()
    )
    page = parse_api_page(record["body"].encode(), record["url"])
    assert len(page.entries) == 10 and page.total > 60
    with FakeArxiv() as fake:
        fake.load_recorded_api(VENDORED / "api/arxivpy_recorded_2026")
        client = PoliteClient(min_interval=0.0, timeout=2.0, retries=1, sleep=lambda s: None)
        results = query(
            client,
            fake.url,
            "testing",
            page_size=10,
            limit=10,
            sort_by="relevance",
            sort_order="descending",
        ).entries
    assert [r.id for r in results] == [e.id for e in page.entries]
    first = results[0]
    paper = first.paper
    assert (paper.id, paper.version, paper.categories) == ("2202.12139", 1, ("cs.SE", "cs.LG"))
    assert first.published == dt.datetime(2022, 2, 24, 15, 5, 19, tzinfo=dt.UTC)
