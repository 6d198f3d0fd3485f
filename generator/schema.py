"""The day record: one YAML file per arXiv announcement date under ``data/``.

Written once here as pydantic models, with each field's meaning as its description;
:func:`day_json_schema` exports it as JSON Schema, from which the day-file reference page is
built. Beyond what a day page shows, a record keeps what later stages need: the prompt hash
and model behind the scores, the day's status, and a compact score record of every scanned
paper so thresholds can change later without paying for scoring again.

Every value is bounded: text is clean (:func:`generator.text.problem`) and no longer than
its field allows, numbers stay in sane ranges, so a hand-edited or hostile file fails
validation naming the key instead of breaking a page, a feed or the build.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic_core import core_schema

from generator import text
from generator.models import AnnounceType

# New-style (2510.05064) and old-style (hep-ex/0601001, math.GT/0309136) arXiv ids, no version.
ARXIV_ID_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$"
ARXIV_ID_RE = re.compile(ARXIV_ID_PATTERN)
# A selection prompt's hash: its file is data/prompts/HASH.md.
PROMPT_HASH_PATTERN = r"^[0-9a-f]{12,64}$"
PROMPT_HASH_RE = re.compile(PROMPT_HASH_PATTERN)

# Upper bounds of numbers: far above anything real, low enough that no page, sum or
# formatting step can overflow (Python refuses to print integers past 4,300 digits).
MAX_COUNT = 10_000_000  # papers in one day's feed
MAX_VERSION = 1_000  # a paper's version
MAX_TOKENS = 10**12
MAX_REQUESTS = 10_000_000
MAX_USD = 1_000_000.0
MAX_SKIPPED = 1_000  # lines about left-out feed items kept in one day file


@dataclass(frozen=True)
class Text:
    """Annotation for outside text: ``Annotated[str, Text(MAX_TITLE)]``.

    The value must pass :func:`generator.text.problem` (no control characters, at most
    ``limit`` characters); with ``non_empty`` it must hold something besides white space.
    The JSON Schema gets the limit as ``maxLength``.
    """

    limit: int
    non_empty: bool = False

    def check(self, value: str) -> str:
        why = text.problem(value, self.limit)
        if why:
            raise ValueError(why)
        if self.non_empty and not value.strip():
            raise ValueError("must not be empty")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = dict(handler(schema))
        json_schema["maxLength"] = self.limit
        if self.non_empty:
            json_schema["minLength"] = 1
        return json_schema


Short = Annotated[str, Text(text.MAX_SHORT)]  # announce-type-like names, DOIs, sources
Name = Annotated[str, Text(text.MAX_SHORT, non_empty=True)]  # a category, a tag, a model
Reason = Annotated[str, Text(text.MAX_REASON)]
ArxivId = Annotated[str, Field(pattern=ARXIV_ID_PATTERN)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
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

    id: ArxivId = Field(
        description="arXiv id without version (2510.05064, or old-style hep-ex/0601001)."
    )
    version: Version = Field(default=1, description="The version announced that day.")
    title: Annotated[str, Text(text.MAX_TITLE)] = Field(
        description="Title as announced (may hold LaTeX)."
    )
    authors: Annotated[
        list[Annotated[str, Text(text.MAX_AUTHOR)]], Field(max_length=text.MAX_AUTHORS)
    ] = Field(description="Authors in order.")
    abstract: Annotated[str, Text(text.MAX_ABSTRACT)] = Field(
        description="Abstract as announced (may hold LaTeX)."
    )
    categories: Annotated[list[Name], Field(min_length=1)] = Field(
        description="arXiv categories, the primary first."
    )
    announce_type: AnnounceType = Field(description="new, cross, replace or replace-cross.")
    relevance: Score1to10 | None = Field(
        default=None, description="Relevance 1-10 (absent for an unscored author match)."
    )
    novelty: Score1to10 | None = Field(default=None, description="Novelty 1-10.")
    comment: Annotated[str, Text(text.MAX_COMMENT)] = Field(
        default="", description="The scorer's comment: which topics the paper matches."
    )
    tags: list[Name] = Field(default=[], description="Topic names (the tags of the site).")
    kept_because: KeptBecause = Field(
        default=KeptBecause.SCORE, description="score, author_match (a followed author) or updated."
    )
    doi: Short | None = Field(default=None, description="DOI, when arXiv lists one.")
    journal_ref: Annotated[str, Text(text.MAX_JOURNAL_REF)] | None = Field(
        default=None, description="Journal reference, when arXiv lists one."
    )

    @property
    def primary_category(self) -> str:
        return self.categories[0]


class ScanRecord(_Strict):
    """Compact score of one scanned paper (kept or not)."""

    id: ArxivId = Field(description="arXiv id of a scanned paper.")
    relevance: Score1to10 | None = Field(default=None, description="Its relevance 1-10.")
    novelty: Score1to10 | None = Field(default=None, description="Its novelty 1-10.")
    score: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        default=None, description="The local scorer's ranking score in [0, 1]."
    )
    unscored: Reason | None = Field(
        default=None, description="Why it could not be scored (instead of the scores)."
    )

    @model_validator(mode="after")
    def _scored_or_reason(self) -> ScanRecord:
        if self.unscored is None and (self.relevance is None or self.novelty is None):
            raise ValueError("needs relevance and novelty, or an 'unscored' reason")
        return self


class UnscoredPaper(_Strict):
    """A scanned paper that could not be scored: shown on the page, never silently dropped."""

    id: ArxivId = Field(description="arXiv id.")
    version: Version = Field(default=1, description="Version.")
    title: Annotated[str, Text(text.MAX_TITLE)] = Field(description="Title.")
    reason: Reason = Field(description="Why it could not be scored (budget, invalid reply, ...).")


Tokens = Annotated[int, Field(ge=0, le=MAX_TOKENS)]
Dollars = Annotated[float, Field(ge=0, le=MAX_USD, allow_inf_nan=False)]


class Usage(_Strict):
    """Tokens and dollars for the day's scoring (the page's token/cost table)."""

    prompt_tokens: Tokens = Field(default=0, description="Prompt (input) tokens.")
    cached_prompt_tokens: Tokens = Field(
        default=0, description="Of the prompt tokens, those billed at the cached rate."
    )
    completion_tokens: Tokens = Field(default=0, description="Completion (output) tokens.")
    reasoning_tokens: Tokens = Field(
        default=0, description="Of the completion tokens, those spent on hidden reasoning."
    )
    requests: Annotated[int, Field(ge=0, le=MAX_REQUESTS)] = Field(
        default=0, description="Requests made to the endpoint."
    )
    prompt_cost: Dollars | None = Field(
        default=0.0,
        description="Dollars for prompt tokens; null when the model's price is unknown.",
    )
    completion_cost: Dollars | None = Field(
        default=0.0, description="Dollars for completion tokens; null when unknown."
    )

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

    scorer: Literal["llm", "local"] = Field(
        description="llm (an OpenAI-compatible model) or local (no network, no cost)."
    )
    model: Name = Field(description="The model that produced the scores (gpt-5, lexical, ...).")
    prompt_hash: Annotated[str, Field(pattern=PROMPT_HASH_PATTERN)] = Field(
        description="Hash of the selection prompt; its text is data/prompts/HASH.md."
    )
    relevance_min: Score1to10 = Field(description="Relevance threshold in force that day.")
    novelty_min: Score1to10 = Field(description="Novelty threshold in force that day.")
    usage: Usage = Field(
        default=Usage(), description="Tokens and dollars spent on the day's scoring."
    )


class Counts(_Strict):
    """The page's totals: every feed entry, those sent to scoring, those kept."""

    total: Count = Field(
        description="Every entry the day's feed held (all announce types and categories)."
    )
    scanned: Count = Field(description="Papers sent to scoring.")
    relevant: Count = Field(description="Papers kept (equals the number of papers listed).")
    by_type: dict[AnnounceType, Count] = Field(
        default={}, description="Feed entries per announce type."
    )


class DayRecord(_Strict):
    """One arXiv announcement day: ``data/YYYY/YYYY-MM-DD.yaml``."""

    schema_version: Literal[1] = Field(
        default=1, description="Version of this file format (bumped on incompatible changes)."
    )
    date: dt.date = Field(
        description="The arXiv announcement date (from the feed), not the date the job ran."
    )
    status: DayStatus = Field(
        description="published, no_announcement (weekend, holiday) or failed."
    )
    reason: Reason | None = Field(
        default=None, description="Why the run failed (required when failed); a note otherwise."
    )
    categories: list[Name] = Field(
        description="arXiv categories read that day (one combined feed)."
    )
    announce_types: list[AnnounceType] = Field(
        description="Announce types passed to scoring (new, cross, ...)."
    )
    counts: Counts = Field(description="The page's totals.")
    scoring: Scoring | None = Field(
        default=None,
        description="Scorer, model, prompt hash, thresholds and usage; absent when nothing "
        "was scored.",
    )
    papers: list[PaperEntry] = Field(
        default=[], description="The kept papers, ordered by relevance then novelty."
    )
    unscored: list[UnscoredPaper] = Field(
        default=[], description="Scanned papers that could not be scored, with the reason."
    )
    skipped: Annotated[list[Reason], Field(max_length=MAX_SKIPPED)] = Field(
        default=[],
        description="Feed items left out of the day because they could not be read or "
        "stored (an id that is not an arXiv id, a missing title, ...), one line each.",
    )
    scans: list[ScanRecord] = Field(
        default=[],
        description="A compact score of every scanned paper, so thresholds can change later "
        "without scoring again.",
    )
    source: Short | None = Field(
        default=None, description="Where the day came from: rss, api-backfill, ..."
    )

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
