"""The orchestrator: filter -> score -> day file, with the LLM stand-in and the local scorer."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.llm import FakeLLM, default_rate

from generator.config import Settings, load_settings
from generator.errors import ScoreError
from generator.models import Announcement, AnnounceType, Paper
from generator.pipeline import PREFILTER_REASON, process_announcement
from generator.schema import DayStatus, KeptBecause
from generator.score.prompt import prompt_hash, render_prompt_text
from generator.store import DayStore

ROOT = Path(__file__).resolve().parents[1]
DATE = dt.date(2025, 10, 7)
KEY = "sk-pipeline-test-key"


def write_settings(tmp_path: Path, llm_url: str | None = None, **scoring: Any) -> Settings:
    shutil.copy(ROOT / "prompt.yaml", tmp_path / "prompt.yaml")
    config: dict[str, Any] = {
        "data_dir": "data",
        "followed_authors": [{"name": "Anshumali Shrivastava"}],
        "llm": {"model": "gpt-5", "batch_size": 4, "workers": 2, "timeout": 2.0, "max_tries": 2},
        "scoring": {"cache_file": ".cache/scores.sqlite", **scoring},
    }
    if llm_url:
        config["llm"]["base_url"] = llm_url + "/v1"
    (tmp_path / "digest.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_settings(tmp_path / "digest.yaml", env={})


def paper(
    n: int,
    kind: AnnounceType = AnnounceType.NEW,
    cats: tuple[str, ...] = ("cs.LG",),
    authors: tuple[str, ...] = ("Ada Lovelace",),
    version: int = 1,
) -> Paper:
    return Paper(
        id=f"2510.{n:05d}",
        version=version,
        title=f"Sparse experts, part {n}",
        authors=authors,
        abstract=f"Abstract {n} about pruning $\\ell_1$.",
        categories=cats,
        announce_type=kind,
    )


def announcement(papers: list[Paper], date: dt.date = DATE) -> Announcement:
    return Announcement(date=date, papers=tuple(papers), source="test")


def day_papers() -> list[Paper]:
    papers = [paper(n) for n in range(1, 25)]
    papers.append(paper(30, AnnounceType.CROSS, cats=("cs.CV", "cs.LG")))
    papers.append(paper(31, AnnounceType.REPLACE))  # not a configured announce type
    papers.append(paper(32, cats=("math.PR",)))  # not a configured category
    papers.append(paper(33, authors=("Anshumali Shrivastava", "X")))  # followed author
    return papers


def env_for(llm: FakeLLM) -> dict[str, str]:
    return {"OPENAI_API_KEY": KEY}


def test_llm_day_record_is_complete(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url)
        store = DayStore(settings.data_dir)
        record = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
        billed = llm.billed()
    assert record.status is DayStatus.PUBLISHED and record.date == DATE
    assert record.counts.total == 28 and record.counts.scanned == 26
    assert record.counts.by_type[AnnounceType.REPLACE] == 1
    scoring = record.scoring
    assert scoring is not None and scoring.scorer == "llm" and scoring.model == "gpt-5"
    text = render_prompt_text(settings.prompt)
    assert scoring.prompt_hash == prompt_hash(text)
    assert store.load_prompt(scoring.prompt_hash) == text
    assert scoring.usage.prompt_tokens == billed["prompt_tokens"]
    assert scoring.usage.completion_tokens == billed["completion_tokens"]
    assert scoring.usage.requests == billed["requests"]
    assert scoring.usage.total_cost is not None and scoring.usage.total_cost > 0
    # Kept: exactly the thresholds' papers plus the followed author, best first.
    expected = {
        p.id
        for p in day_papers()[:25]
        if (v := default_rate({"id": p.id})).relevance >= 8 and v.novelty >= 7
    } | {"2510.00033"}
    assert {p.id for p in record.papers} == expected
    keys = [(-(p.relevance or 0), -(p.novelty or 0)) for p in record.papers]
    assert keys == sorted(keys)
    author = next(p for p in record.papers if p.id == "2510.00033")
    assert author.kept_because is KeptBecause.AUTHOR and author.comment.startswith("Author match")
    assert all(p.tags for p in record.papers)
    assert {s.id for s in record.scans} == {p.id for p in day_papers()} - {
        "2510.00031",
        "2510.00032",
    }
    assert record.unscored == []
    assert store.load(DATE) == record


def test_rerun_is_up_to_date_and_force_pays_nothing_twice(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url)
        store = DayStore(settings.data_dir)
        first = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
        paid = len(llm.delivered)
        text = store.path_for(DATE).read_text(encoding="utf-8")
        again = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
        assert again == first and len(llm.requests) == paid
        forced = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm), force=True
        ).record
        assert len(llm.delivered) == paid  # every score came from the cache
    assert forced.papers == first.papers
    assert forced.scoring is not None and forced.scoring.usage.requests == 0
    assert store.path_for(DATE).read_text(encoding="utf-8") != text  # usage is now zero
    assert len(set(llm.paid_paper_ids())) == len(llm.paid_paper_ids())


def test_empty_announcement_is_no_announcement_and_never_replaces_a_published_day(
    tmp_path: Path,
) -> None:
    settings = write_settings(tmp_path)
    store = DayStore(settings.data_dir)
    saturday = dt.date(2025, 10, 11)
    record = process_announcement(settings, announcement([], saturday), store, env={}).record
    assert record.status is DayStatus.NO_ANNOUNCEMENT and store.load(saturday) == record
    published = process_announcement(settings, announcement(day_papers()), store, env={}).record
    before = store.path_for(DATE).read_text(encoding="utf-8")
    kept = process_announcement(settings, announcement([]), store, env={}, force=True).record
    assert kept == published
    assert store.path_for(DATE).read_text(encoding="utf-8") == before


def test_an_empty_feed_then_the_real_feed_for_the_same_date_publishes_the_day(
    tmp_path: Path,
) -> None:
    """arXiv's feed is sometimes empty before it is filled: the empty day is not final."""
    settings = write_settings(tmp_path)
    store = DayStore(settings.data_dir)
    empty = process_announcement(settings, announcement([]), store, env={})
    assert empty.record.status is DayStatus.NO_ANNOUNCEMENT and not empty.up_to_date
    again = process_announcement(settings, announcement([]), store, env={})
    assert again.up_to_date  # still empty: nothing rewritten
    filled = process_announcement(settings, announcement(day_papers()), store, env={})
    assert not filled.up_to_date
    assert filled.record.status is DayStatus.PUBLISHED and filled.record.papers
    assert store.load(DATE) == filled.record


def test_unusable_endpoint_writes_failed_day_only_when_none_exists(tmp_path: Path) -> None:
    with FakeLLM(default="401") as llm:
        settings = write_settings(tmp_path, llm.url)
        store = DayStore(settings.data_dir)
        with pytest.raises(ScoreError):
            process_announcement(settings, announcement(day_papers()), store, env=env_for(llm))
        failed = store.load(DATE)
        assert failed.status is DayStatus.FAILED and "401" in (failed.reason or "")
        assert KEY not in store.path_for(DATE).read_text(encoding="utf-8")
        # A later good run replaces the failed day without --force.
        llm.default = "good"
        good = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
        assert good.status is DayStatus.PUBLISHED
        text = store.path_for(DATE).read_text(encoding="utf-8")
        llm.default = "401"
        with pytest.raises(ScoreError):  # one paper not in the cache needs the endpoint
            process_announcement(
                settings,
                announcement([*day_papers(), paper(40)]),
                store,
                env=env_for(llm),
                force=True,
            )
        assert store.path_for(DATE).read_text(encoding="utf-8") == text  # never overwritten


def test_unscored_papers_are_recorded_with_their_reason(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        # One batch of 4 fails, then both its halves fail too (max_tries 2).
        llm.script = ["good", "empty", "empty", "empty"]
        settings = write_settings(tmp_path, llm.url)
        store = DayStore(settings.data_dir)
        record = process_announcement(
            settings, announcement(day_papers()[:8]), store, env={"OPENAI_API_KEY": KEY}
        ).record
    assert len(record.unscored) == 4
    assert all(u.reason == "empty reply (asked 2 times)" for u in record.unscored)
    unscored_scans = [s for s in record.scans if s.unscored]
    assert {s.id for s in unscored_scans} == {u.id for u in record.unscored}
    assert store.load(DATE) == record


def test_local_prefilter_sends_only_the_top_fraction(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url, prefilter_keep=0.5)
        store = DayStore(settings.data_dir)
        record = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
        sent = set(llm.paid_paper_ids())
    assert len(sent) in (13, 14)  # ceil(0.5 * 26), plus the followed author if not in it
    assert "2510.00033" in sent  # the followed author always gets a real score
    cut = [s for s in record.scans if s.unscored == PREFILTER_REASON]
    assert len(cut) + len(sent) == record.counts.scanned
    assert all(s.score is not None for s in cut)
    assert {s.id for s in cut}.isdisjoint(sent)
    assert record.unscored == []  # cut papers are scanned, not failures


def test_local_scorer_without_api_key(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    store = DayStore(settings.data_dir)
    record = process_announcement(settings, announcement(day_papers()), store, env={}).record
    assert record.scoring is not None and record.scoring.scorer == "local"
    assert record.scoring.usage.requests == 0
    assert all(s.score is not None and s.relevance for s in record.scans)
    assert store.load(DATE) == record


def test_unknown_model_price_is_stored_as_unknown(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url)
        settings.config.llm.model = "my-local-llama"
        store = DayStore(settings.data_dir)
        record = process_announcement(
            settings, announcement(day_papers()), store, env=env_for(llm)
        ).record
    assert record.scoring is not None and record.scoring.usage.prompt_tokens > 0
    loaded = store.load(DATE)
    assert loaded.scoring is not None and loaded.scoring.usage.total_cost is None


def test_title_prefilter_cuts_are_scans_not_failures(tmp_path: Path) -> None:
    diffusion = Paper(
        id="2510.00050",
        version=1,
        title="Diffusion models for sunsets",
        authors=("C",),
        abstract="Pictures.",
        categories=("cs.LG",),
        announce_type=AnnounceType.NEW,
    )
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url, title_prefilter=True)
        store = DayStore(settings.data_dir)
        record = process_announcement(
            settings, announcement([*day_papers(), diffusion]), store, env=env_for(llm)
        ).record
    scan = next(s for s in record.scans if s.id == diffusion.id)
    assert scan.unscored == "title prefilter"
    assert record.unscored == [] and record.counts.scanned == 27


def test_h_index_gate_skips_scoring_but_keeps_papers_visible(tmp_path: Path) -> None:
    import json

    from support.arxiv import FakeArxiv, Reply

    from generator.pipeline import GATE_REASON

    papers = [paper(1), paper(2), paper(33, authors=("Anshumali Shrivastava", "X"))]
    with FakeArxiv() as s2:
        # Paper 1 has an author at h-index 60, paper 2 only one at 3; the followed author's
        # paper bypasses the gate, so Semantic Scholar is asked about the first two only.
        s2.script(
            "/graph/v1/paper/batch",
            Reply(
                200,
                json.dumps(
                    [
                        {"paperId": "a", "authors": [{"authorId": "1", "hIndex": 60}]},
                        {"paperId": "b", "authors": [{"authorId": "2", "hIndex": 3}]},
                    ]
                ),
                content_type="application/json",
            ),
        )
        settings = write_settings(tmp_path)
        settings.config.semantic_scholar.h_index_gate = True
        settings.config.semantic_scholar.h_index_min = 10
        settings.config.semantic_scholar.base_url = s2.url
        store = DayStore(settings.data_dir)
        record = process_announcement(settings, announcement(papers), store, env={}).record
    asked = json.loads(s2.requests_to("/graph/v1/paper/batch")[0].body)["ids"]
    assert asked == ["ARXIV:2510.00001", "ARXIV:2510.00002"]
    by_id = {scan.id: scan for scan in record.scans}
    assert by_id["2510.00002"].unscored == GATE_REASON
    assert by_id["2510.00001"].unscored is None and by_id["2510.00033"].unscored is None
    assert record.counts.scanned == 2
    assert "2510.00033" in {p.id for p in record.papers}  # the followed author is kept


def test_one_invalid_paper_is_left_out_and_counted_not_the_day(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A paper whose day entry fails validation used to fail the whole day."""
    odd = [
        # A followed author's paper (kept whatever its score) with an id the day file
        # rejects: neither its entry nor its scan can be stored.
        Paper(
            id="2510.1x",
            version=1,
            title="Odd id",
            authors=("Anshumali Shrivastava",),
            abstract="A.",
            categories=("cs.LG",),
            announce_type=AnnounceType.NEW,
        ),
    ]
    with FakeLLM() as llm:
        settings = write_settings(tmp_path, llm.url)
        store = DayStore(settings.data_dir)
        result = process_announcement(
            settings, announcement([*day_papers(), *odd]), store, env=env_for(llm)
        )
    record = result.record
    assert record.status is DayStatus.PUBLISHED and store.load(DATE) == record
    assert set(result.skipped) == {"2510.1x"}
    assert "invalid day entry (id: String should match pattern" in result.skipped["2510.1x"]
    assert "2510.1x" not in {p.id for p in record.papers} | {s.id for s in record.scans}
    assert "2510.00033" in {p.id for p in record.papers}  # the sound followed author stays
    assert len(record.scans) == record.counts.scanned - 1
    assert "1 paper(s) left out of 2025-10-07" in caplog.text
