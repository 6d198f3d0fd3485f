"""The day record schema: what it accepts, what it refuses, and its JSON Schema export."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from pydantic import ValidationError
from support.synthetic import no_announcement, synthetic_day

from generator import text
from generator.models import AnnounceType
from generator.schema import (
    ARXIV_ID_RE,
    Counts,
    DayRecord,
    DayStatus,
    KeptBecause,
    PaperEntry,
    ScanRecord,
    Scoring,
    day_json_schema,
)


def paper(
    pid: str = "2510.05064", relevance: int | None = 9, novelty: int | None = 8, **extra: object
) -> PaperEntry:
    return PaperEntry(
        id=pid,
        title="T",
        authors=["A"],
        abstract="x",
        categories=["cs.LG"],
        announce_type=AnnounceType.NEW,
        relevance=relevance,
        novelty=novelty,
        **extra,
    )  # type: ignore[arg-type]


def day(papers: list[PaperEntry], status: DayStatus = DayStatus.PUBLISHED, **extra: object):
    return DayRecord(
        date=dt.date(2025, 10, 7),
        status=status,
        categories=["cs.LG"],
        announce_types=[AnnounceType.NEW],
        counts=Counts(total=10, scanned=5, relevant=len(papers)),
        papers=papers,
        **extra,
    )  # type: ignore[arg-type]


def test_round_trip_through_json_mode_is_lossless() -> None:
    record = synthetic_day(dt.date(2025, 10, 7), papers=5, scanned=20)
    again = DayRecord.model_validate(record.model_dump(mode="json"))
    assert again == record
    assert again.counts.by_type[AnnounceType.REPLACE_CROSS] == 84


def test_sorted_papers_by_relevance_then_novelty_author_matches_last() -> None:
    record = day(
        [
            paper("2510.00001", 8, 9),
            paper("2510.00002", None, None, kept_because=KeptBecause.AUTHOR),
            paper("2510.00003", 9, 7),
            paper("2510.00004", 9, 8),
        ]
    )
    assert [p.id for p in record.sorted_papers()] == [
        "2510.00004",
        "2510.00003",
        "2510.00001",
        "2510.00002",
    ]


@pytest.mark.parametrize("pid", ["2510.05064", "0704.0001", "hep-ex/0601001", "math.GT/0309136"])
def test_arxiv_ids_new_and_old_style(pid: str) -> None:
    assert ARXIV_ID_RE.match(pid)
    assert paper(pid).id == pid


@pytest.mark.parametrize("pid", ["2510.05064v2", "arXiv:2510.05064", "25100.5064", ""])
def test_ids_with_version_or_prefix_are_refused(pid: str) -> None:
    with pytest.raises(ValidationError, match="id"):
        paper(pid)


def test_failed_day_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        day([], status=DayStatus.FAILED)
    assert day([], status=DayStatus.FAILED, reason="HTTP 503").reason == "HTTP 503"


def test_relevant_count_must_match_papers() -> None:
    with pytest.raises(ValidationError, match="counts.relevant is 3 but 1 papers"):
        DayRecord(
            date=dt.date(2025, 10, 7),
            status=DayStatus.PUBLISHED,
            categories=["cs.LG"],
            announce_types=[AnnounceType.NEW],
            counts=Counts(total=3, scanned=3, relevant=3),
            papers=[paper()],
        )


def test_duplicate_papers_and_papers_on_empty_days_are_refused() -> None:
    with pytest.raises(ValidationError, match="listed twice: 2510.05064"):
        day([paper(), paper()])
    with pytest.raises(ValidationError, match="cannot carry papers"):
        day([paper()], status=DayStatus.NO_ANNOUNCEMENT)


def test_scores_outside_1_to_10_and_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 10"):
        paper(relevance=11)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        paper(colour="red")


def test_scan_record_needs_scores_or_reason() -> None:
    assert ScanRecord(id="2510.05064", unscored="budget").unscored == "budget"
    with pytest.raises(ValidationError, match="needs relevance and novelty"):
        ScanRecord(id="2510.05064", relevance=5)


def test_json_schema_export_is_draft_2020_and_serialisable() -> None:
    schema = day_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) >= {"date", "status", "categories", "counts"}
    assert schema["$defs"]["DayStatus"]["enum"] == ["published", "no_announcement", "failed"]
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # no Python-only values


def test_no_announcement_helper_is_valid() -> None:
    record = no_announcement(dt.date(2025, 10, 4))
    assert record.status is DayStatus.NO_ANNOUNCEMENT and record.scoring is None


def test_every_field_has_a_description_and_text_fields_their_limit() -> None:
    # The day-file reference page is built from these descriptions: the schema is their source.
    schema = day_json_schema()
    models = {"DayRecord": schema, **schema["$defs"]}
    missing = [
        f"{name}.{field}"
        for name, model in models.items()
        for field, prop in model.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []
    paper_schema = schema["$defs"]["PaperEntry"]["properties"]
    assert paper_schema["title"]["maxLength"] == text.MAX_TITLE
    assert paper_schema["authors"]["maxItems"] == text.MAX_AUTHORS
    assert paper_schema["tags"]["items"]["minLength"] == 1


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", "Bell\x07", "control character U+0007 at offset 4"),
        ("abstract", "x" * (text.MAX_ABSTRACT + 1), "at most 10,000"),
        ("comment", "\ud800", "control character U+D800"),
        ("journal_ref", "J. \x1b[2J", "control character U+001B"),
        ("doi", "10.1/" + "9" * text.MAX_SHORT, "at most 200"),
        ("tags", ["  "], "must not be empty"),
        ("authors", ["A"] * (text.MAX_AUTHORS + 1), "at most 1000 items"),
        ("version", 1001, "less than or equal to 1000"),
    ],
)
def test_text_and_numbers_outside_their_bounds_are_refused(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(expected)):
        PaperEntry.model_validate({**paper().model_dump(), field: value})


def test_text_within_its_limit_with_tabs_and_newlines_is_kept() -> None:
    fields = {"abstract": "Line one\n\tline two", "title": "x" * text.MAX_TITLE}
    entry = PaperEntry.model_validate({**paper().model_dump(), **fields})
    assert entry.abstract == "Line one\n\tline two" and len(entry.title) == text.MAX_TITLE


def test_counts_and_usage_are_bounded() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 10000000"):
        Counts(total=10**7 + 1, scanned=0, relevant=0)
    usage = {"prompt_tokens": 10**12 + 1}
    with pytest.raises(
        ValidationError,
        match="usage.prompt_tokens\n  Input should be less than or equal to 1000000000000",
    ):
        Scoring.model_validate(
            {
                "scorer": "llm",
                "model": "gpt-5",
                "prompt_hash": "0123456789abcdef",
                "relevance_min": 8,
                "novelty_min": 7,
                "usage": usage,
            }
        )
