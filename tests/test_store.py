"""The YAML store: file layout, round trips, atomic and idempotent writes, helpful errors."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from support.synthetic import no_announcement, synthetic_day

from generator import yamlio
from generator.errors import DataError
from generator.schema import DayRecord
from generator.score.prompt import prompt_hash
from generator.store import DayStore, parse_record, record_to_yaml

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "site_basic" / "data"
DATE = dt.date(2025, 10, 7)


@pytest.fixture
def store(tmp_path: Path) -> DayStore:
    return DayStore(tmp_path / "data")


def test_layout_is_year_folders(store: DayStore) -> None:
    path = store.save(synthetic_day(DATE, papers=3, scanned=5))
    assert path == store.root / "2025" / "2025-10-07.yaml"
    assert store.dates() == [DATE]


def test_round_trip(store: DayStore) -> None:
    record = synthetic_day(DATE, papers=4, scanned=9)
    store.save(record)
    assert store.load(DATE) == record


def test_fixture_days_round_trip_byte_for_byte(tmp_path: Path) -> None:
    # Re-saving what we load writes the same text: stable key order, readable diffs.
    for path in sorted(FIXTURE_DATA.glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert record_to_yaml(parse_record(text, path)) == text, path.name


def test_key_order_follows_the_schema_and_scans_are_one_line_each() -> None:
    text = record_to_yaml(synthetic_day(DATE, papers=2, scanned=4))
    top_keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert top_keys == [
        "schema_version",
        "date",
        "status",
        "categories",
        "announce_types",
        "counts",
        "scoring",
        "papers",
        "unscored",
        "scans",
        "source",
    ]
    scan_lines = [line for line in text.splitlines() if line.startswith("- {id:")]
    assert len(scan_lines) == 4


def test_abstracts_with_newlines_are_literal_blocks(store: DayStore) -> None:
    text = (FIXTURE_DATA / "2025" / "2025-10-06.yaml").read_text()
    assert "abstract: |-\n    The scaling of Generative AI" in text


def test_idempotent_save_leaves_an_identical_file_untouched(store: DayStore) -> None:
    record = synthetic_day(DATE, papers=3, scanned=5)
    path = store.save(record)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    store.save(record)
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_atomic_write_keeps_the_old_file_when_writing_fails(
    store: DayStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(no_announcement(DATE))
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(yamlio.os, "fsync", disk_full)
    with pytest.raises(DataError, match=r"2025-10-07.yaml: cannot write: No space left on device"):
        store.save(synthetic_day(DATE, papers=3, scanned=5))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_libyaml_c_loader_and_dumper_are_used() -> None:
    assert yamlio.HAVE_LIBYAML, "PyYAML without libyaml: loading 1,000 days takes minutes"
    assert yamlio.SafeLoader is yaml.CSafeLoader
    assert issubclass(yamlio._Dumper, yaml.CSafeDumper)


def _broken(tmp_path: Path, old: str, new: str, name: str = "2025-10-03.yaml") -> Path:
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    path = tmp_path / "data" / "2025" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("status: published", "status: [published", r"line \d+, column \d+: not valid YAML"),
        (
            "status: published",
            "status: publishd",
            r"status \(line 3\): Input should be 'published', 'no_announcement' or 'failed' "
            r"\(got 'publishd'\)",
        ),
        ("date: '2025-10-03'\n", "", r"date .*required key is missing"),
        ("total: 612", "total: many", r"counts.total \(line \d+\): Input should be a valid int"),
        ("source: rss", "source: rss\nsauce: rss", r"sauce \(line \d+\): unknown key"),
        ("  relevance: 9\n", "  relevance: 11\n", r"papers\[0\].relevance \(line \d+\): .*10"),
    ],
    ids=["malformed-yaml", "unknown-status", "missing-key", "wrong-type", "unknown-key", "range"],
)
def test_bad_files_name_file_key_line_and_expectation(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(DataError, match=expected) as info:
        DayStore(tmp_path / "data").load_path(path)
    assert str(info.value).startswith(str(path))
    assert info.value.path == str(path)


def test_a_wrong_key_names_it_on_the_error(tmp_path: Path) -> None:
    path = _broken(tmp_path, "status: published", "status: publishd")
    with pytest.raises(DataError) as info:
        DayStore(tmp_path / "data").load_path(path)
    assert info.value.key == "status"


def test_file_name_and_folder_must_match_the_date(tmp_path: Path) -> None:
    store = DayStore(tmp_path / "data")
    store.save(no_announcement(DATE))
    wrong_name = store.root / "2025" / "2025-10-08.yaml"
    store.path_for(DATE).rename(wrong_name)
    with pytest.raises(DataError, match="date: is 2025-10-07, but the file is named"):
        store.load_path(wrong_name)
    (store.root / "2024").mkdir()
    wrong_folder = store.root / "2024" / "2025-10-07.yaml"
    wrong_name.rename(wrong_folder)
    with pytest.raises(DataError, match="belongs in the folder 2025/"):
        store.load_path(wrong_folder)


def test_validate_all_reports_every_bad_file(tmp_path: Path) -> None:
    _broken(tmp_path, "status: published", "status: publishd")
    second = tmp_path / "data" / "2025" / "2025-10-04.yaml"
    second.write_text(second.read_text().replace("total: 0", "total: -1"))
    errors = DayStore(tmp_path / "data").validate_all()
    assert sorted(Path(e.path).name for e in errors) == ["2025-10-03.yaml", "2025-10-04.yaml"]


def test_kept_ids_and_prompts(store: DayStore) -> None:
    first = synthetic_day(DATE, papers=2, scanned=2)
    store.save(first)
    store.save(synthetic_day(DATE + dt.timedelta(days=1), papers=1, scanned=1))
    assert set(store.kept_ids(before=DATE + dt.timedelta(days=1))) == {p.id for p in first.papers}
    digest = store.save_prompt("Prompt text\n")
    assert digest == prompt_hash("Prompt text\n") and len(digest) == 16
    assert store.load_prompt(digest) == "Prompt text\n"
    assert list(store.prompt_hashes()) == [digest]
    assert store.load_prompt("0" * 16) is None


def test_missing_data_dir_is_an_empty_store(tmp_path: Path) -> None:
    store = DayStore(tmp_path / "nowhere")
    assert store.paths() == [] and store.load_all() == [] and list(store.prompt_hashes()) == []


def test_unknown_cost_survives_a_round_trip(store: DayStore) -> None:
    # None means "price unknown" here, unlike the default $0: it must not be dropped.
    record = synthetic_day(DATE, papers=1, scanned=1)
    assert record.scoring is not None
    usage = record.scoring.usage.model_copy(update={"prompt_cost": None, "completion_cost": None})
    record = record.model_copy(
        update={"scoring": record.scoring.model_copy(update={"usage": usage})}
    )
    store.save(record)
    text = store.path_for(DATE).read_text()
    assert "prompt_cost: null" in text
    loaded = store.load(DATE)
    assert loaded.scoring is not None and loaded.scoring.usage.total_cost is None
    assert loaded == record
    assert "reason:" not in text and "doi:" not in text  # absent optional keys stay absent


def test_fast_parser_agrees_with_pyyaml_on_every_fixture_and_a_full_day() -> None:
    assert yamlio.HAVE_YAML_RS, "yaml-rs missing: site builds parse ~10x slower"
    texts = [p.read_text() for p in sorted(FIXTURE_DATA.glob("*/*.yaml"))]
    texts.append(record_to_yaml(synthetic_day(DATE, papers=70)))
    for text in texts:
        fast = DayRecord.model_validate(yamlio.fast_loads(text))
        assert fast == DayRecord.model_validate(yamlio.loads(text))


def test_where_yaml_1_2_reads_differently_the_pyyaml_reading_wins(store: DayStore) -> None:
    # PyYAML (YAML 1.1) writes the title 1e3 unquoted; yaml-rs (1.2) would read a float,
    # which fails validation, so the file is read again with PyYAML: the title stays text.
    record = synthetic_day(DATE, papers=1, scanned=1)
    paper = record.papers[0].model_copy(update={"title": "1e3", "comment": "2025-10-07"})
    store.save(record.model_copy(update={"papers": [paper]}))
    text = store.path_for(DATE).read_text()
    assert "title: 1e3\n" in text
    assert isinstance(yamlio.fast_loads(text)["papers"][0]["title"], float)
    loaded = store.load(DATE)
    assert (loaded.papers[0].title, loaded.papers[0].comment) == ("1e3", "2025-10-07")


def test_the_reference_loader_refuses_duplicate_keys_and_unreadable_values() -> None:
    with pytest.raises(yaml.YAMLError, match="duplicate key 'a'"):
        yamlio.loads("a: 1\nb: 2\na: 3\n")
    with pytest.raises(yaml.YAMLError, match="cannot read '2025-13-01'"):
        yamlio.loads("date: 2025-13-01\n")
    # Merge keys are not duplicates: the later keys override the merged ones on purpose.
    assert yamlio.loads("base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n")["merged"] == {
        "x": 1,
        "y": 2,
    }


def test_only_old_temp_files_of_ours_are_swept(tmp_path: Path) -> None:
    old = time.time() - 2 * yamlio.STALE_TEMP_SECONDS
    ours = tmp_path / ".2025-10-07.yaml.k3j_x9z2.tmp"
    fresh = tmp_path / ".2025-10-08.yaml.abcdefgh.tmp"
    theirs = tmp_path / "notes.tmp"
    for path in (ours, fresh, theirs):
        path.write_text("x")
    for path in (ours, theirs):
        os.utime(path, (old, old))
    assert yamlio.remove_stale_temps(tmp_path) == [ours]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, theirs.name])
    assert yamlio.remove_stale_temps(tmp_path / "missing") == []


def test_prompt_paths_take_only_hashes(store: DayStore) -> None:
    with pytest.raises(DataError, match="is not a prompt hash"):
        store.prompt_path("../secrets")
    assert store.prompt_path("0123456789ab").name == "0123456789ab.md"
