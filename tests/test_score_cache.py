"""The score cache never costs a day: broken files, bad rows and a full disk."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.llm import FakeLLM
from test_pipeline import DATE, KEY, announcement, day_papers, write_settings
from test_score_parts import paper, scored

from generator.models import Score
from generator.pipeline import process_announcement
from generator.schema import DayStatus
from generator.score import make_scorer
from generator.score.cache import ScoreCache
from generator.store import DayStore


def broken_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".broken-*"))


def assert_works(cache: ScoreCache) -> None:
    cache.put_many([scored(1)], "h", "m")
    assert cache.get_many([paper(1)], "h", "m") == {"2510.00001": scored(1)}


def test_a_file_that_is_not_sqlite_is_set_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scores.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = ScoreCache(path)
    assert_works(cache)
    [broken] = broken_files(path)
    assert broken.read_bytes() == b"this is not a database" * 100
    assert str(path) in caplog.text and str(broken) in caplog.text


def test_a_cache_of_another_schema_is_set_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scores.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE scores (id TEXT, score REAL)")
        db.execute("INSERT INTO scores VALUES ('2510.00001', 0.5)")
    db.close()
    cache = ScoreCache(path)
    assert cache.get_many([paper(1)], "h", "m") == {}  # was: no such column: relevance
    assert_works(cache)
    [broken] = broken_files(path)
    assert "columns id, score" in caplog.text and str(broken) in caplog.text


@pytest.mark.parametrize(
    "relevance, novelty, comment, tags",
    [
        (8, 7, "c", "not json"),
        (11, 7, "c", "[]"),
        (0, 7, "c", "[]"),
        (8, "high", "c", "[]"),
        (8, 7, "c", '["Model Architecture", 1]'),
        (8, 7, "c", '{"tag": "x"}'),
        (8, 7, "c", '"Model Architecture"'),
        (8, 7, b"\xff\xfe", "[]"),
    ],
)
def test_a_bad_row_is_a_miss_with_a_warning(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    relevance: object,
    novelty: object,
    comment: object,
    tags: str,
) -> None:
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many([scored(1)], "h", "m")
    with sqlite3.connect(path) as db:
        # sqlite's NOT NULL and INTEGER affinity let much through: write what a hand, a bug
        # or another tool could have left there.
        db.execute("PRAGMA ignore_check_constraints=ON")
        db.execute(
            "INSERT INTO scores VALUES ('2510.00002', 1, 'h', 'm', ?, ?, ?, ?, 0)",
            (relevance, novelty, comment, tags),
        )
    db.close()
    found = cache.get_many([paper(1), paper(2)], "h", "m")
    assert set(found) == {"2510.00001"}
    assert cache.bad_rows == 1
    assert f"ignored 1 invalid row(s) of score cache {path}" in caplog.text


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs: real ENOSPC for sqlite (needs root; skipped where mount fails)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Write until the file system is full."""
    with open(disk / "filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_under_the_cache_keeps_the_scores_and_writes_the_day(
    tmp_path: Path, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_file = small_disk / "scores.sqlite"
    papers = day_papers()
    env = {"OPENAI_API_KEY": KEY}
    with FakeLLM() as llm, caplog.at_level(logging.WARNING):
        settings = write_settings(tmp_path, llm.url, cache_file=str(cache_file))
        store = DayStore(settings.data_dir)
        scorer = make_scorer(settings, env)  # opens the cache, as a run does at its start
        fill(small_disk)  # ... and the disk fills up while it runs
        result = process_announcement(settings, announcement(papers), store, env=env, scorer=scorer)
        paid = llm.paid_paper_ids()
    assert result.record.status is DayStatus.PUBLISHED
    assert store.load(DATE) == result.record and result.record.unscored == []
    assert len(paid) == len(set(paid)) == result.record.counts.scanned
    warnings = [
        r.getMessage() for r in caplog.records if "could not write score cache" in r.message
    ]
    assert len(warnings) == 1 and str(cache_file) in warnings[0]
    assert "full" in warnings[0]


def test_a_cache_that_cannot_be_opened_keeps_scores_in_memory(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fill(small_disk)
    cache = ScoreCache(small_disk / "scores.sqlite")
    assert_works(cache)
    assert len(cache) == 1
    assert f"score cache {small_disk / 'scores.sqlite'} cannot be opened" in caplog.text


def test_a_score_sqlite_cannot_encode_is_kept_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Replies are cleaned at the edge; should a bad text still get here, no crash."""
    cache = ScoreCache(tmp_path / "scores.sqlite")
    bad = Score(
        id="2510.00001", version=1, status="scored", relevance=8, novelty=7, comment="\ud800"
    )
    cache.put_many([bad], "h", "m")
    assert cache.get_many([paper(1)], "h", "m") == {"2510.00001": bad}
    assert "could not write score cache" in caplog.text
