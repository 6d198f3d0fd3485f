"""The day record: one YAML file per arXiv announcement date under ``data/``.

Written once here as pydantic models; :func:`day_json_schema` exports it as JSON Schema for
the docs. Every field that the user's current page shows (../shared/spec/day-page.md) is
here, plus what later stages need: the prompt hash and model behind the scores, the day's
status, and a compact score record of every scanned paper so thresholds can change later
without paying for scoring again.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.models import AnnounceType

SCHEMA_VERSION = 1

# New-style (2510.05064) and old-style (hep-ex/0601001, math.GT/0309136) arXiv ids, no version.
ARXIV_ID_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$"
ARXIV_ID_RE = re.compile(ARXIV_ID_PATTERN)

Score1to10 = Annotated[int, Field(ge=1, le=10)]


class _Strict(BaseModel):
    # extra="forbid": a misspelt key in a hand-edited day file is an error, not ignored data.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class DayStatus(StrEnum):
    PUBLISHED = "published"
    NO_ANNOUNCEMENT = "no_announcement"  # weekend, holiday: arXiv's feed had no items
    FAILED = "failed"  # the run failed; ``reason`` says why


class KeptBecause(StrEnum):
    SCORE = "score"  # passed the relevance/novelty thresholds
    AUTHOR = "author_match"  # a followed author; kept whatever the score
    UPDATED = "updated"  # a new version of a paper shown on an earlier day


class PaperEntry(_Strict):
    """A kept paper, with everything its entry on the day page shows."""

    id: Annotated[str, Field(pattern=ARXIV_ID_PATTERN)]
    version: Annotated[int, Field(ge=1)] = 1
    title: str
    authors: list[str]
    abstract: str
    categories: Annotated[list[str], Field(min_length=1)]  # primary first
    announce_type: AnnounceType
    relevance: Score1to10 | None = None  # None: kept unscored (author match)
    novelty: Score1to10 | None = None
    comment: str = ""
    tags: list[str] = []
    kept_because: KeptBecause = KeptBecause.SCORE
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def primary_category(self) -> str:
        return self.categories[0]


class ScanRecord(_Strict):
    """Compact score of one scanned paper (kept or not)."""

    id: Annotated[str, Field(pattern=ARXIV_ID_PATTERN)]
    relevance: Score1to10 | None = None
    novelty: Score1to10 | None = None
    score: Annotated[float, Field(ge=0.0, le=1.0)] | None = None  # local scorer rank score
    unscored: str | None = None  # reason, when the paper could not be scored

    @model_validator(mode="after")
    def _scored_or_reason(self) -> ScanRecord:
        if self.unscored is None and (self.relevance is None or self.novelty is None):
            raise ValueError("needs relevance and novelty, or an 'unscored' reason")
        return self


class UnscoredPaper(_Strict):
    """A scanned paper that could not be scored: shown on the page, never silently dropped."""

    id: Annotated[str, Field(pattern=ARXIV_ID_PATTERN)]
    version: Annotated[int, Field(ge=1)] = 1
    title: str
    reason: str


class Usage(_Strict):
    """Tokens and dollars for the day's scoring (the page's token/cost table)."""

    prompt_tokens: Annotated[int, Field(ge=0)] = 0
    cached_prompt_tokens: Annotated[int, Field(ge=0)] = 0
    completion_tokens: Annotated[int, Field(ge=0)] = 0
    reasoning_tokens: Annotated[int, Field(ge=0)] = 0
    requests: Annotated[int, Field(ge=0)] = 0
    prompt_cost: Annotated[float, Field(ge=0)] | None = 0.0  # None: price unknown
    completion_cost: Annotated[float, Field(ge=0)] | None = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def total_cost(self) -> float | None:
        if self.prompt_cost is None or self.completion_cost is None:
            return None
        return self.prompt_cost + self.completion_cost

    def plus(self, other: Usage) -> Usage:
        """The sum of two usages; a dollar amount is unknown if either side's is."""

        def dollars(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a + b

        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            cached_prompt_tokens=self.cached_prompt_tokens + other.cached_prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            requests=self.requests + other.requests,
            prompt_cost=dollars(self.prompt_cost, other.prompt_cost),
            completion_cost=dollars(self.completion_cost, other.completion_cost),
        )


class Scoring(_Strict):
    """Which scorer, model and prompt produced the day's scores, and at what thresholds."""

    scorer: Literal["llm", "local"]
    model: str
    prompt_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{12,64}$")]
    relevance_min: Score1to10
    novelty_min: Score1to10
    usage: Usage = Usage()


class Counts(_Strict):
    """The page's totals: every feed entry, those sent to scoring, those kept."""

    total: Annotated[int, Field(ge=0)]
    scanned: Annotated[int, Field(ge=0)]
    relevant: Annotated[int, Field(ge=0)]
    by_type: dict[AnnounceType, Annotated[int, Field(ge=0)]] = {}


class DayRecord(_Strict):
    """One arXiv announcement day: ``data/YYYY/YYYY-MM-DD.yaml``."""

    schema_version: Literal[1] = 1  # SCHEMA_VERSION (a Literal needs the value itself)
    date: dt.date  # the arXiv announcement date, not the date the job ran
    status: DayStatus
    reason: str | None = None  # required when failed; optional note otherwise
    categories: list[str]
    announce_types: list[AnnounceType]
    counts: Counts
    scoring: Scoring | None = None  # None when nothing was scored (no announcement, failed)
    papers: list[PaperEntry] = []  # kept, ordered by relevance then novelty
    unscored: list[UnscoredPaper] = []
    scans: list[ScanRecord] = []
    source: str | None = None  # "rss", "api-backfill", ...

    @model_validator(mode="after")
    def _consistent(self) -> DayRecord:
        if self.status is DayStatus.FAILED and not self.reason:
            raise ValueError("a failed day needs a 'reason'")
        if self.status is not DayStatus.PUBLISHED and self.papers:
            raise ValueError(f"status {self.status.value!r} cannot carry papers")
        if self.counts.relevant != len(self.papers):
            raise ValueError(
                f"counts.relevant is {self.counts.relevant} "
                f"but {len(self.papers)} papers are listed"
            )
        ids = [p.id for p in self.papers]
        if len(ids) != len(set(ids)):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"papers listed twice: {', '.join(dup)}")
        return self

    def sorted_papers(self) -> list[PaperEntry]:
        """Kept papers by relevance, then novelty (unscored author matches last)."""
        return sorted(
            self.papers,
            key=lambda p: (-(p.relevance or 0), -(p.novelty or 0)),
        )


def day_json_schema() -> dict[str, Any]:
    """The day file's JSON Schema (published in the docs)."""
    schema = DayRecord.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "arxiv-digest day file"
    return schema
