"""Pricing table, rate limiter and score cache."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.models import AnnounceType, Paper, Score
from generator.schema import Usage
from generator.score.cache import ScoreCache
from generator.score.pricing import price_for, priced, shipped_prices
from generator.score.ratelimit import RateLimiter


def test_shipped_prices_cover_common_models_and_reproduce_the_users_page() -> None:
    for model in (
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4o",
        "gpt-4o-mini",
        "o3",
        "o4-mini",
    ):
        assert model in shipped_prices()
    # The reference digest's page for 2025-10-07: 109,658 prompt and 106,795 completion tokens with
    # gpt-5 cost $0.14 + $1.07 = $1.21.
    usage = priced(Usage(prompt_tokens=109658, completion_tokens=106795), price_for("gpt-5"))
    assert round(usage.prompt_cost or 0, 2) == 0.14
    assert round(usage.completion_cost or 0, 2) == 1.07
    assert round(usage.total_cost or 0, 2) == 1.21


def test_cached_tokens_are_cheaper_and_aliases_resolve() -> None:
    price = price_for("openai/gpt-5-2025-08-07")
    assert price == price_for("gpt-5")
    assert price is not None
    full = priced(Usage(prompt_tokens=1_000_000), price).prompt_cost
    cached = priced(
        Usage(prompt_tokens=1_000_000, cached_prompt_tokens=1_000_000), price
    ).prompt_cost
    assert (full, cached) == (1.25, 0.125)


def test_unknown_model_costs_none_and_overrides_win() -> None:
    assert price_for("my-llama") is None
    assert priced(Usage(prompt_tokens=5), None).total_cost is None
    override = price_for("gpt-5", {"gpt-5": {"input": 1, "cached_input": 0.5, "output": 2}})
    assert override is not None and override.output == 2
    with pytest.raises(ConfigError, match="gpt-5.output"):
        price_for("gpt-5", {"gpt-5": {"input": 1, "output": "cheap"}})
    with pytest.raises(ConfigError, match="unknown key"):
        price_for("gpt-5", {"gpt-5": {"input": 1, "output": 1, "outptu": 1}})


def test_rate_limiter_requests_and_tokens_per_minute() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(
        requests_per_minute=2, tokens_per_minute=1000, clock=lambda: now[0], sleep=sleep
    )
    assert limiter.acquire(100) == 0 and limiter.acquire(100) == 0
    assert limiter.acquire(100) == pytest.approx(60.0)  # third request waits for the window
    now[0] = 200.0
    limiter.acquire(900)
    assert limiter.acquire(500) == pytest.approx(60.0)  # 1,400 tokens > 1,000 per minute
    now[0] = 400.0
    assert limiter.acquire(5000) == 0  # larger than the budget: goes alone, not forever


def paper(n: int, version: int = 1) -> Paper:
    return Paper(
        id=f"2510.{n:05d}",
        version=version,
        title="T",
        authors=(),
        abstract="A",
        categories=("cs.LG",),
        announce_type=AnnounceType.NEW,
    )


def scored(n: int, version: int = 1) -> Score:
    return Score(
        id=f"2510.{n:05d}",
        version=version,
        status="scored",
        relevance=8,
        novelty=7,
        comment="c",
        tags=("Model Architecture",),
    )


def test_cache_keys_on_id_version_prompt_and_model(tmp_path: Path) -> None:
    cache = ScoreCache(tmp_path / "c.sqlite")
    cache.put_many(
        [scored(1), scored(2, version=2), Score.unscored(paper(3), "empty reply")], "h1", "gpt-5"
    )
    assert len(cache) == 2  # unscored papers are not cached: asked again next time
    hits = cache.get_many([paper(1), paper(2, version=2), paper(2), paper(3)], "h1", "gpt-5")
    assert set(hits) == {"2510.00001", "2510.00002"}
    assert hits["2510.00001"] == scored(1)
    assert cache.get_many([paper(1)], "h2", "gpt-5") == {}
    assert cache.get_many([paper(1)], "h1", "gpt-5-mini") == {}


def _write_and_die(path: str) -> None:
    import os

    cache = ScoreCache(path)
    cache.put_many([scored(1)], "h", "m")
    os._exit(0)  # no close(), no cleanup: like a kill right after a batch


def test_cache_survives_a_process_dying_after_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    proc = multiprocessing.get_context("spawn").Process(target=_write_and_die, args=(str(path),))
    proc.start()
    proc.join(30)
    assert ScoreCache(path).get_many([paper(1)], "h", "m")["2510.00001"].relevance == 8
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_make_scorer_chooses_by_config_and_key(tmp_path: Path) -> None:
    import shutil

    from generator.config import load_settings
    from generator.score import make_scorer

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "prompt.yaml", tmp_path / "prompt.yaml")
    (tmp_path / "digest.yaml").write_text("scoring: {cache_file: c.sqlite}\n", encoding="utf-8")
    settings = load_settings(tmp_path / "digest.yaml", env={})
    assert make_scorer(settings, env={}).name == "local"
    assert make_scorer(settings, env={"OPENAI_API_KEY": "sk-x"}).name == "llm"
    assert make_scorer(settings, env={"OPENAI_API_KEY": "sk-x"}, choice="local").name == "local"
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_scorer(settings, env={}, choice="llm")
