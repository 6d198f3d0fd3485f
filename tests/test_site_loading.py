"""Loading days for the site: the validated-record cache and parallel parsing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from support.synthetic import write_days

from generator.errors import DataError
from generator.site import loading
from generator.store import DayStore

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "site_basic" / "data"


@pytest.fixture
def store(tmp_path: Path) -> DayStore:
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    return DayStore(tmp_path / "data")


def test_same_records_with_and_without_cache(store: DayStore, tmp_path: Path) -> None:
    plain = store.load_all()
    cold = loading.load_days(store, tmp_path / "cache")
    warm = loading.load_days(store, tmp_path / "cache")
    assert [loading.site_view(r) for r in plain] == cold == warm
    assert all(not r.scans for r in cold) and any(r.scans for r in plain)
    assert len(list((tmp_path / "cache" / "records").rglob("*.json"))) == 4


def test_warm_load_reads_the_cache_not_the_yaml(
    store: DayStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading.load_days(store, tmp_path / "cache")

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(DayStore, "load_path", no_parsing)
    assert len(loading.load_days(store, tmp_path / "cache")) == 4


def test_an_edited_file_misses_the_cache_and_is_validated(store: DayStore, tmp_path: Path) -> None:
    loading.load_days(store, tmp_path / "cache")
    path = store.root / "2025" / "2025-10-03.yaml"
    path.write_text(path.read_text().replace("total: 612", "total: 613"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert loading.load_days(store, tmp_path / "cache")[0].counts.total == 613
    path.write_text(path.read_text().replace("status: published", "status: gone"))
    with pytest.raises(DataError, match=r"2025-10-03.yaml: status \(line 3\)"):
        loading.load_days(store, tmp_path / "cache")


def test_corrupt_cache_entries_are_ignored(store: DayStore, tmp_path: Path) -> None:
    loading.load_days(store, tmp_path / "cache")
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_bytes(b"not JSON")
    expected = [loading.site_view(r) for r in store.load_all()]
    assert loading.load_days(store, tmp_path / "cache") == expected


def test_parallel_parse_matches_serial_and_reports_bad_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DayStore(tmp_path / "data")
    write_days(store.root, days=6, papers=3, scanned=10, start=dt.date(2025, 1, 6))
    monkeypatch.setattr(loading, "PARALLEL_MIN_FILES", 2)
    expected = [loading.site_view(r) for r in store.load_all()]
    assert loading.load_days(store, None, workers=2) == expected
    bad = store.paths()[3]
    bad.write_text(bad.read_text().replace("novelty_min: 7", "novelty_min: 70"))
    with pytest.raises(DataError) as info:
        loading.load_days(store, None, workers=2)
    assert str(info.value).startswith(f"{bad}: scoring.novelty_min (line")
    assert info.value.path == str(bad) and info.value.key == "scoring.novelty_min"
