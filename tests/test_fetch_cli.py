"""`arxiv-digest fetch` end to end against the stand-in, plus stale and failing feeds."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from support.arxiv import FakeArxiv, Reply, listing_corpus, listing_feed

from generator.cli import main
from generator.config import load_settings
from generator.fetch.http import PoliteClient
from generator.pipeline import run_latest
from generator.schema import Counts, DayRecord, DayStatus
from generator.store import DayStore

REPO = Path(__file__).resolve().parents[1]
FEED = "/rss/cs.LG+cs.AI"


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> Path:
    """A digest folder using the stand-in for arXiv, with fast polite-client settings."""
    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    config = tmp_path / "digest.yaml"
    config.write_text(
        "arxiv:\n  min_interval: 0\n  timeout: 2\n  retries: 1\n  page_size: 400\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", url)
    monkeypatch.setenv("DIGEST_ARXIV_API_URL", url)
    return config


def test_fetch_prints_counts_and_writes_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "papers.jsonl"
    with FakeArxiv() as fake:
        fake.script(FEED, Reply(200, listing_feed("2025-10-07")))
        config = project(tmp_path, monkeypatch, fake.url)
        assert main(["--config", str(config), "fetch", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "announcement date: 2025-10-07" in printed
    assert f"source: {fake.url}{FEED}" in printed
    assert "papers: 859 (new 375, cross 484, replace 0, replace-cross 0)" in printed
    assert "to score: 663" in printed
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 859 == len({r["id"] for r in rows})
    assert set(rows[0]) == {
        "id",
        "title",
        "abstract",
        "authors",
        "categories",
        "announce_type",
        "version",
    }
    assert not any(r["abstract"].startswith("arXiv:") for r in rows)
    assert not (tmp_path / "data").exists()  # fetch never stores


def test_fetch_a_past_date_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeArxiv() as fake:
        fake.corpus = listing_corpus()
        config = project(tmp_path, monkeypatch, fake.url)
        assert main(["--config", str(config), "fetch", "--date", "2025-10-07"]) == 0
    printed = capsys.readouterr().out
    assert "announcement date: 2025-10-07" in printed
    assert "papers: 663 (new 375, cross 288" in printed
    assert all(r.path == "/api/query" for r in fake.log) and len(fake.log) == 2


def test_fetch_a_weekend_date_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project(tmp_path, monkeypatch, "http://127.0.0.1:9")
    assert main(["--config", str(config), "fetch", "--date", "2025-10-11"]) == 1
    assert "no announcement on Saturdays" in capsys.readouterr().err


def test_failing_feed_exits_non_zero_and_leaves_files_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "papers.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    with FakeArxiv() as fake:
        fake.script(
            FEED,
            Reply(
                200,
                "<html><head><title>Rate exceeded.</title></head></html>",
                content_type="text/html",
            ),
        )
        config = project(tmp_path, monkeypatch, fake.url)
        assert main(["--config", str(config), "fetch", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{fake.url}{FEED}" in err and "HTML page" in err and "Rate exceeded." in err
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_stale_feed_is_already_up_to_date_and_nothing_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeArxiv() as fake:
        fake.script(FEED, Reply(200, listing_feed("2025-10-07")))
        settings = load_settings(project(tmp_path, monkeypatch, fake.url))
        store = DayStore(settings.data_dir)
        record = DayRecord(
            date=dt.date(2025, 10, 7),
            status=DayStatus.PUBLISHED,
            categories=["cs.LG", "cs.AI"],
            announce_types=["new", "cross"],
            counts=Counts(total=859, scanned=663, relevant=0),
            source="rss",
        )
        path = store.save(record)
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        client = PoliteClient.from_settings(settings.config.arxiv)
        latest = run_latest(settings, store, client=client, env={})
        assert latest.up_to_date and latest.record == record
        fake.script(FEED, Reply(200, listing_feed("2025-10-08")))
        fresh = run_latest(settings, store, client=client, env={})
    assert not fresh.up_to_date and fresh.record.date == dt.date(2025, 10, 8)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert store.dates() == [dt.date(2025, 10, 7), dt.date(2025, 10, 8)]


def test_commands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("fetch", "backfill"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "announcement" in capsys.readouterr().out
