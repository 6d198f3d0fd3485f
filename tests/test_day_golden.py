"""Golden day file: the recorded feed and the LLM stand-in through the real `arxiv-digest run`.

The feed is the vendored 30-paper excerpt of the 2025-10-07 listing in arXiv's RSS 2.0
format; the stand-in's scores are a deterministic function of the paper id. Whatever the run
writes to data/2025/2025-10-07.yaml is compared with tests/golden/day_rss_llm.yaml, so it
changes when the day file gains fields: check the diff and accept it with `make golden`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from support.arxiv import LISTING_EXCERPT, FakeArxiv, Reply, listing_feed, read_listing
from support.golden import check_golden
from support.llm import FakeLLM, default_rate

from generator.cli import main
from generator.schema import DayStatus
from generator.store import DayStore

REPO = Path(__file__).resolve().parents[1]
DATE = dt.date(2025, 10, 7)
CONFIG = {
    "data_dir": "data",
    "categories": ["cs.LG", "cs.AI"],
    "arxiv": {"min_interval": 0, "retries": 1, "timeout": 10},
    # Several workers: the day's dollars come from its summed tokens, so the file is the
    # same whatever order the batches finish in.
    "llm": {"model": "gpt-5", "batch_size": 10, "workers": 4, "timeout": 10},
    "scoring": {"prompt_file": "prompt.yaml", "cache_file": ".cache/scores.sqlite"},
}


@pytest.fixture
def day_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The day file `arxiv-digest run` writes from the excerpt feed, scored by the stand-in."""
    (tmp_path / "digest.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    monkeypatch.chdir(tmp_path)
    with FakeArxiv() as arxiv, FakeLLM() as llm:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, listing_feed(LISTING_EXCERPT)))
        monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", arxiv.url)
        monkeypatch.setenv("OPENAI_BASE_URL", llm.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-golden-test")
        assert main(["run"]) == 0, capsys.readouterr().err
    assert "2025-10-07: published" in capsys.readouterr().out
    return tmp_path / "data" / "2025" / "2025-10-07.yaml"


def test_day_file_matches_the_golden(day_file: Path) -> None:
    check_golden("day_rss_llm.yaml", day_file.read_text(encoding="utf-8"))


def test_day_file_keeps_what_the_stand_in_scored_high(day_file: Path) -> None:
    """What the golden must show, worked out from the listing and the stand-in's rule."""
    listing = read_listing(LISTING_EXCERPT)
    in_scope = {i for i, p in listing.items() if {"cs.LG", "cs.AI"} & set(p["categories"])}
    record = DayStore(day_file.parents[1]).load(DATE)
    assert record.status is DayStatus.PUBLISHED and record.source == "rss"
    assert (record.counts.total, record.counts.scanned) == (len(listing), len(in_scope))
    assert {s.id for s in record.scans} == in_scope
    scored = {s.id: (s.relevance, s.novelty) for s in record.scans if s.relevance is not None}
    for paper_id, scores in scored.items():
        verdict = default_rate({"id": paper_id})
        assert scores == (verdict.relevance, verdict.novelty), paper_id
    expected = {i for i, (rel, nov) in scored.items() if rel >= 8 and nov >= 7}
    assert {p.id for p in record.papers} == expected and expected
    assert record.scoring is not None and record.scoring.model == "gpt-5"
