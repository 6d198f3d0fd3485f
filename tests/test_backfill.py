"""Backfill of a range against the API stand-in: windows, skips, idempotence, --force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.arxiv import FakeArxiv, Reply, listing_corpus, read_listing

from generator.backfill import DayResult, backfill
from generator.config import Settings, parse_config, parse_prompt
from generator.errors import ConfigError, FetchError
from generator.fetch.api import API_SOURCE as SOURCE
from generator.fetch.http import PoliteClient
from generator.fetch.schedule import Schedule
from generator.filter import select
from generator.models import Announcement
from generator.pipeline import RunResult
from generator.schema import Counts, DayRecord, DayStatus
from generator.store import DayStore
from generator.yamlio import loads

REPO = Path(__file__).resolve().parents[1]


def make_settings(tmp_path: Path, api_url: str, **overrides: object) -> Settings:
    data = {"data_dir": str(tmp_path / "data"), "arxiv": {"page_size": 250}}
    data.update(overrides)
    config = parse_config(data, env={"DIGEST_ARXIV_API_URL": api_url})
    prompt = parse_prompt(loads((REPO / "prompt.yaml").read_text(encoding="utf-8")))
    return Settings(config, prompt, tmp_path, None)


class StandInProcess:
    """Stands in for generator.pipeline.process_announcement: filter and store, no scoring."""

    def __init__(self) -> None:
        self.calls: list[tuple[dt.date, str, bool, int]] = []

    def __call__(
        self,
        settings: Settings,
        announcement: Announcement,
        store: DayStore,
        *,
        source: str = "rss",
        force: bool = False,
    ) -> RunResult:
        self.calls.append((announcement.date, source, force, announcement.total))
        selection = select(announcement, settings.config, store.kept_ids(before=announcement.date))
        record = DayRecord(
            date=announcement.date,
            status=DayStatus.PUBLISHED if announcement.papers else DayStatus.NO_ANNOUNCEMENT,
            categories=settings.config.categories,
            announce_types=settings.config.announce_types,
            counts=Counts(
                total=selection.total,
                scanned=selection.scanned,
                relevant=0,
                by_type={k: v for k, v in selection.by_type.items() if v},
            ),
            source=source,
        )
        path = store.save(record)
        return RunResult(record, False, path)


def client() -> PoliteClient:
    return PoliteClient(min_interval=0.0, timeout=5.0, retries=1, sleep=lambda s: None)


def test_backfill_range_is_idempotent(tmp_path: Path) -> None:
    process = StandInProcess()
    printed: list[str] = []
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        settings = make_settings(tmp_path, fake.url)
        store = DayStore(settings.data_dir)
        first, last = dt.date(2025, 10, 4), dt.date(2025, 10, 8)
        results = backfill(
            settings,
            store,
            first,
            last,
            client=client(),
            process=process,
            schedule=Schedule(holidays=()),
            report=lambda r: printed.append(r.line()),
        )
        assert [(r.date.day, r.action) for r in results] == [
            (4, "skipped"),
            (5, "skipped"),
            (6, "processed"),
            (7, "processed"),
            (8, "processed"),
        ]
        assert results[0].detail == "no announcement on Saturdays"
        assert printed[2].startswith("2025-10-06 processed: ")
        requests_first_run = len(fake.log)
        snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.paths()}

        again = backfill(
            settings,
            store,
            first,
            last,
            client=client(),
            process=process,
            schedule=Schedule(holidays=()),
        )
        assert [r.action for r in again] == ["skipped"] * 5
        assert "already published" in again[2].detail
        assert len(fake.log) == requests_first_run  # nothing fetched
        assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.paths()} == snapshot

        forced = backfill(
            settings,
            store,
            dt.date(2025, 10, 7),
            dt.date(2025, 10, 7),
            client=client(),
            process=process,
            force=True,
            schedule=Schedule(holidays=()),
        )
        assert [r.action for r in forced] == ["processed"]
        assert {p: p.read_bytes() for p in store.paths()} == {
            p: b for p, (b, _) in snapshot.items()
        }

    assert [c[:3] for c in process.calls] == [
        (dt.date(2025, 10, 6), SOURCE, False),
        (dt.date(2025, 10, 7), SOURCE, False),
        (dt.date(2025, 10, 8), SOURCE, False),
        (dt.date(2025, 10, 7), SOURCE, True),
    ]
    # Each day gets exactly its listing's papers that carry cs.LG or cs.AI.
    for date, _, _, total in process.calls:
        listing = read_listing(date.isoformat())
        pool = [i for i, r in listing.items() if {"cs.LG", "cs.AI"} & set(r["categories"])]
        assert total == len(pool)
    assert store.dates() == [dt.date(2025, 10, 6), dt.date(2025, 10, 7), dt.date(2025, 10, 8)]
    assert store.load(dt.date(2025, 10, 7)).source == "api-backfill"


def test_backfill_stops_on_a_failing_day_and_keeps_earlier_ones(tmp_path: Path) -> None:
    process = StandInProcess()
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        settings = make_settings(tmp_path, fake.url)
        store = DayStore(settings.data_dir)
        backfill(
            settings,
            store,
            dt.date(2025, 10, 6),
            dt.date(2025, 10, 6),
            client=client(),
            process=process,
            schedule=Schedule(holidays=()),
        )
        before = {p: p.read_bytes() for p in store.paths()}
        fake.script(
            "/api/query",
            Reply(503, "<html><title>Service Unavailable</title></html>", content_type="text/html"),
        )
        reported: list[DayResult] = []
        with pytest.raises(FetchError) as info:
            backfill(
                settings,
                store,
                dt.date(2025, 10, 6),
                dt.date(2025, 10, 8),
                client=client(),
                process=process,
                force=True,
                schedule=Schedule(holidays=()),
                report=reported.append,
            )
    assert info.value.status == 503 and "/api/query" in str(info.value)
    assert {p: p.read_bytes() for p in store.paths()} == before  # data untouched
    assert reported == []


def test_holidays_from_the_config_are_skipped(tmp_path: Path) -> None:
    process = StandInProcess()
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        settings = make_settings(
            tmp_path, fake.url, arxiv={"holidays": ["2025-10-07"], "page_size": 500}
        )
        store = DayStore(settings.data_dir)
        results = backfill(
            settings,
            store,
            dt.date(2025, 10, 7),
            dt.date(2025, 10, 8),
            client=client(),
            process=process,
        )
    assert [(r.action, r.detail) for r in results][0] == ("skipped", "arXiv holiday (no mailing)")
    # Wednesday's window now starts at Friday's cutoff: it holds Tuesday's papers too.
    tuesday = len(
        [
            r
            for r in read_listing("2025-10-07").values()
            if {"cs.LG", "cs.AI"} & set(r["categories"])
        ]
    )
    assert process.calls[0][3] > tuesday


def test_range_backwards_is_an_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="last date 2025-10-06 is before the first 2025-10-08"):
        backfill(
            settings,
            DayStore(tmp_path),
            dt.date(2025, 10, 8),
            dt.date(2025, 10, 6),
            client=client(),
            process=StandInProcess(),
        )


def test_backfill_command_end_to_end_with_the_local_scorer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("generator.pipeline", reason="the pipeline has not landed yet")
    from generator.cli import main

    (tmp_path / "prompt.yaml").write_bytes((REPO / "prompt.yaml").read_bytes())
    config = tmp_path / "digest.yaml"
    config.write_text(
        "arxiv:\n  min_interval: 0\n  timeout: 5\n  page_size: 300\n"
        "scoring:\n  cache_file: cache/scores.sqlite\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        monkeypatch.setenv("DIGEST_ARXIV_API_URL", fake.url)
        args = ["--config", str(config), "backfill", "--from", "2025-10-05", "--to", "2025-10-08"]
        assert main(args) == 0
        first_out = capsys.readouterr().out
        store = DayStore(tmp_path / "data")
        snapshot = {p: p.read_bytes() for p in store.paths()}
        requests = len(fake.log)
        assert main(args) == 0
        second_out = capsys.readouterr().out
    assert "2025-10-05 skipped: no announcement on Sundays" in first_out
    assert "2025-10-07 processed: 663 papers from the API (new 375, cross 288)" in first_out
    assert "3 day(s) rebuilt" in first_out
    assert second_out.count("already published") == 3 and "0 day(s) rebuilt" in second_out
    assert len(fake.log) == requests
    assert {p: p.read_bytes() for p in store.paths()} == snapshot
    day = store.load(dt.date(2025, 10, 7))
    assert day.source == "api-backfill" and day.status is DayStatus.PUBLISHED
    assert day.counts.total == 663 and day.counts.scanned == 663
    assert day.scoring is not None and day.scoring.scorer == "local"
    # dedup across days: nothing kept on Monday is kept again later
    kept = [p.id for d in store.dates() for p in store.load(d).papers]
    assert len(kept) == len(set(kept))
