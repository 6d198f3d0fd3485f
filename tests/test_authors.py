"""Followed authors' h-index gate against a Semantic Scholar stand-in serving recorded data."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.arxiv import FakeArxiv, Reply, shared_path

from generator.config import parse_config
from generator.fetch.http import PoliteClient
from generator.fetch.semantic_scholar import HIndexCache, HIndexGate, build_gate
from generator.filter import select
from generator.models import Announcement, AnnounceType, Paper

PAPER_BATCH = "/graph/v1/paper/batch"
AUTHOR_BATCH = "/graph/v1/author/batch"


def cassette_bodies(name: str) -> list[Any]:
    data = yaml.safe_load(shared_path(f"semantic_scholar/{name}").read_text(encoding="utf-8"))
    return [json.loads(i["response"]["body"]["string"]) for i in data["interactions"]]


def paper(pid: str, *authors: str) -> Paper:
    return Paper(
        id=pid,
        version=1,
        title=pid,
        authors=authors or ("Someone",),
        abstract="",
        categories=("cs.LG",),
        announce_type=AnnounceType.NEW,
    )


def client() -> PoliteClient:
    return PoliteClient(min_interval=0.0, timeout=2.0, retries=1, sleep=lambda s: None)


def script_recorded(fake: FakeArxiv) -> dict[str, Any]:
    """Paper batch: a paper by the recorded authors of test_get_paper_authors (with hIndex),
    one by A. Turing (id only; his hIndex 23 comes from the author batch, Author.json),
    and one Semantic Scholar does not know (null)."""
    recorded_authors = cassette_bodies("test_get_paper_authors.yaml")[0]["data"]
    turing = json.loads(shared_path("semantic_scholar/Author.json").read_text())
    turing_slim = {"authorId": turing["authorId"], "hIndex": turing["hIndex"]}
    fake.script(
        PAPER_BATCH,
        Reply(
            200,
            json.dumps(
                [
                    {
                        "paperId": "p1",
                        "authors": [
                            {"authorId": a["authorId"], "hIndex": a["hIndex"]}
                            for a in recorded_authors
                        ],
                    },
                    {"paperId": "p2", "authors": [{"authorId": turing["authorId"]}]},
                    None,
                ]
            ),
            content_type="application/json",
        ),
    )
    fake.script(
        AUTHOR_BATCH, Reply(200, json.dumps([turing_slim]), content_type="application/json")
    )
    return {"max_h": max(a["hIndex"] for a in recorded_authors), "turing_h": turing["hIndex"]}


def test_gate_keeps_papers_with_a_high_h_index_author(tmp_path: Path) -> None:
    papers = [paper("2510.00001"), paper("2510.00002"), paper("2510.00003")]
    with FakeArxiv() as fake:
        facts = script_recorded(fake)
        config = parse_config(
            {"semantic_scholar": {"h_index_gate": True, "h_index_min": 50}},
            env={"DIGEST_S2_API_URL": fake.url},
        )
        cache = HIndexCache(tmp_path / "s2.json")
        gate = HIndexGate(config.semantic_scholar, client(), cache, api_key="s3cret")
        result = gate.apply(papers)
    assert facts["max_h"] >= 50 > facts["turing_h"] == 23
    assert result.passed == {"2510.00001", "2510.00003"}  # unknown paper: not evidence
    assert result.gated == {"2510.00002"} and result.degraded is None
    paper_request = fake.requests_to(PAPER_BATCH)[0]
    assert json.loads(paper_request.body) == {"ids": [f"ARXIV:{p.id}" for p in papers]}
    assert paper_request.query["fields"] == "authors.authorId,authors.hIndex"
    assert paper_request.headers["x-api-key"] == "s3cret"
    assert json.loads(fake.requests_to(AUTHOR_BATCH)[0].body) == {"ids": ["2262347"]}
    saved = json.loads((tmp_path / "s2.json").read_text())
    assert saved["h_index"]["2262347"] == 23


def test_cache_saves_author_lookups_between_runs(tmp_path: Path) -> None:
    config = parse_config({"semantic_scholar": {"h_index_gate": True}}, env={})
    with FakeArxiv() as fake:
        fake.script(AUTHOR_BATCH, Reply(200, json.dumps([{"authorId": "7", "hIndex": 40}])))
        settings = config.semantic_scholar.model_copy(update={"base_url": fake.url})
        first = HIndexGate(settings, client(), HIndexCache(tmp_path / "c.json"))
        assert first.lookup_authors(["7"]) == {"7": 40}
        first.cache.save()
        second = HIndexGate(settings, client(), HIndexCache(tmp_path / "c.json"))
        assert second.lookup_authors(["7"]) == {"7": 40}
    assert len(fake.requests_to(AUTHOR_BATCH)) == 1


def test_recorded_author_batch_with_an_unknown_id(tmp_path: Path) -> None:
    body = cassette_bodies("test_get_authors_not_found_warning.yaml")[0]
    assert body[0] is None
    config = parse_config({}, env={})
    with FakeArxiv() as fake:
        fake.script(AUTHOR_BATCH, Reply(200, json.dumps(body)))
        settings = config.semantic_scholar.model_copy(update={"base_url": fake.url})
        gate = HIndexGate(settings, client(), HIndexCache(None))
        found = gate.lookup_authors(["0", "3234559", "1726629", "1711844"])
    # fields=hIndex was asked; the recording only has names: every h-index is unknown.
    assert found == {"0": None, "3234559": None, "1726629": None, "1711844": None}


def test_semantic_scholar_failure_degrades_to_not_gated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    followed = parse_config({"followed_authors": [{"name": "Ada Lovelace"}]}, env={})
    papers = (paper("2510.00001", "Alan Turing"), paper("2510.00002", "Ada Lovelace"))
    with FakeArxiv() as fake:
        fake.script(
            PAPER_BATCH,
            Reply(503, "<html><title>Service Unavailable</title></html>", content_type="text/html"),
        )
        config = parse_config(
            {"semantic_scholar": {"h_index_gate": True}}, env={"DIGEST_S2_API_URL": fake.url}
        )
        gate = build_gate(
            config.semantic_scholar, tmp_path / "s2.json", {"S2_API_KEY": "s3cret"}, client=client()
        )
        assert gate is not None
        with caplog.at_level(logging.WARNING):
            selection = select(
                Announcement(dt.date(2025, 10, 7), papers, "test"), followed, {}, gate=gate
            )
    assert [p.id for p in selection.to_score] == ["2510.00001", "2510.00002"]
    assert selection.gated == set()
    assert "h-index gate off" in caplog.text and "503" in caplog.text
    assert "s3cret" not in caplog.text
    # followed authors bypass the gate: only the other paper was asked about
    assert json.loads(fake.requests_to(PAPER_BATCH)[0].body) == {"ids": ["ARXIV:2510.00001"]}


def test_gate_is_off_by_default() -> None:
    config = parse_config({}, env={})
    assert build_gate(config.semantic_scholar, None, {}) is None
