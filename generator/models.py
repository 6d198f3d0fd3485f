"""Plain data passed between the pipeline stages (fetch -> filter -> score -> store).

These are frozen dataclasses with no I/O. The *persisted* day record lives in
:mod:`generator.schema` (pydantic, validated at the edge).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class AnnounceType(StrEnum):
    """arXiv's ``arxiv:announce_type`` values."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"


@dataclass(frozen=True)
class Paper:
    """One paper as announced by arXiv (fetched, not yet scored)."""

    id: str  # without version, e.g. "2510.05064" or "hep-ex/0601001"
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]  # primary first
    announce_type: AnnounceType
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def primary_category(self) -> str:
        return self.categories[0] if self.categories else ""

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"


@dataclass(frozen=True)
class Announcement:
    """What one arXiv announcement day held, before filtering."""

    date: dt.date  # the announcement date (from the feed), never the clock
    papers: tuple[Paper, ...]
    source: str  # URL (or description) it came from
    # One line per feed item (or API entry) that was not a usable paper and was left out,
    # e.g. "item 12: id '../../etc' is not an arXiv id".
    skipped: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return len(self.papers)

    def counts_by_type(self) -> dict[str, int]:
        counts = Counter(p.announce_type.value for p in self.papers)
        return {t.value: counts.get(t.value, 0) for t in AnnounceType}


ScoreStatus = Literal["scored", "unscored"]


@dataclass(frozen=True)
class Score:
    """A scorer's verdict on one paper; ``unscored`` always carries a reason."""

    id: str
    version: int
    status: ScoreStatus
    relevance: int | None = None
    novelty: int | None = None
    comment: str = ""
    tags: tuple[str, ...] = ()
    reason: str | None = None  # why unscored ("budget", "invalid reply after 3 tries", ...)
    score: float | None = None  # local scorer's ranking score in [0, 1]

    @classmethod
    def unscored(cls, paper: Paper, reason: str) -> Score:
        return cls(id=paper.id, version=paper.version, status="unscored", reason=reason)
