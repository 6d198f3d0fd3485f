"""The filter stage: which of a day's papers go to scoring, and which scored papers are kept.

Pure functions over the pipeline dataclasses (no I/O): :func:`select` runs before scoring,
:func:`keep` after it.

- ``select`` keeps the configured announce types and categories (optionally the primary
  category only), drops papers already kept on an earlier day (dedup by id without version),
  marks followed authors' papers and -- when ``keep_updated`` is set -- replacements of papers
  shown before, with their new version.
- ``keep`` applies the relevance/novelty thresholds, adds followed-author papers ("Author
  match") and updated papers whatever their score, and orders the kept papers by relevance
  then novelty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from generator.config import DigestConfig
from generator.filter.authors import AuthorMatcher
from generator.models import Announcement, AnnounceType, Paper, Score
from generator.schema import KeptBecause, PaperEntry

AUTHOR_MATCH_COMMENT = "Author match"
REPLACEMENT_TYPES = frozenset({AnnounceType.REPLACE, AnnounceType.REPLACE_CROSS})

# Optional pre-scoring gate (the Semantic Scholar h-index gate): papers -> ids that pass.
Gate = Callable[[Sequence[Paper]], set[str]]


@dataclass
class Selection:
    """What the filter passes on to scoring, with the counts the day record shows."""

    to_score: list[Paper]
    followed: set[str] = field(default_factory=set)  # ids kept whatever the score
    updated: set[str] = field(default_factory=set)  # ids kept as new versions of shown papers
    total: int = 0  # every feed entry
    scanned: int = 0  # papers passed on to scoring
    by_type: dict[AnnounceType, int] = field(default_factory=dict)  # feed entries per type
    duplicates: set[str] = field(default_factory=set)  # already kept on an earlier day
    gated: set[str] = field(default_factory=set)  # skipped by the h-index gate

    @property
    def papers_by_id(self) -> dict[str, Paper]:
        return {p.id: p for p in self.to_score}


def _in_categories(paper: Paper, categories: set[str], primary_only: bool) -> bool:
    if primary_only:
        return paper.primary_category in categories
    return any(c in categories for c in paper.categories)


def select(
    announcement: Announcement,
    config: DigestConfig,
    kept_before: Mapping[str, int],
    *,
    gate: Gate | None = None,
) -> Selection:
    """Pick the papers of one announcement to score.

    ``kept_before`` maps ids kept on earlier days to their highest shown version
    (``DayStore.kept_ids(before=date)``). ``gate`` (optional) returns the ids allowed to be
    scored; followed authors and updated papers always bypass it.
    """
    categories = set(config.categories)
    wanted_types = set(config.announce_types)
    matcher = AuthorMatcher(config.followed_authors)
    by_type = {t: 0 for t in AnnounceType}
    seen: set[str] = set()
    candidates: list[Paper] = []
    followed: set[str] = set()
    updated: set[str] = set()
    duplicates: set[str] = set()
    for paper in announcement.papers:
        by_type[paper.announce_type] += 1
        # A paper listed twice in one feed (it should not be) is scored once.
        if paper.id in seen:
            continue
        seen.add(paper.id)
        if not _in_categories(paper, categories, config.primary_only):
            continue
        shown_version = kept_before.get(paper.id)
        if shown_version is not None:
            is_update = (
                config.keep_updated
                and paper.announce_type in REPLACEMENT_TYPES
                and paper.version > shown_version
            )
            if not is_update:
                duplicates.add(paper.id)
                continue
            updated.add(paper.id)
        elif paper.announce_type not in wanted_types:
            continue
        if matcher and matcher.matches(paper):
            followed.add(paper.id)
        candidates.append(paper)

    gated: set[str] = set()
    if gate is not None:
        ungated = [p for p in candidates if p.id not in followed and p.id not in updated]
        passed = gate(ungated)
        gated = {p.id for p in ungated if p.id not in passed}
        candidates = [p for p in candidates if p.id not in gated]

    return Selection(
        to_score=candidates,
        followed=followed,
        updated=updated,
        total=len(announcement.papers),
        scanned=len(candidates),
        by_type=by_type,
        duplicates=duplicates,
        gated=gated,
    )


def _entry(paper: Paper, score: Score | None, because: KeptBecause) -> PaperEntry:
    scored = score is not None and score.status == "scored"
    comment = score.comment if scored and score is not None else ""
    if because is KeptBecause.AUTHOR:
        comment = f"{AUTHOR_MATCH_COMMENT}: {comment}" if comment else AUTHOR_MATCH_COMMENT
    return PaperEntry(
        id=paper.id,
        version=paper.version,
        title=paper.title,
        authors=list(paper.authors),
        abstract=paper.abstract,
        categories=list(paper.categories),
        announce_type=paper.announce_type,
        relevance=score.relevance if scored and score is not None else None,
        novelty=score.novelty if scored and score is not None else None,
        comment=comment,
        tags=list(score.tags) if scored and score is not None else [],
        kept_because=because,
        doi=paper.doi,
        journal_ref=paper.journal_ref,
    )


def passes_thresholds(score: Score | None, config: DigestConfig) -> bool:
    return (
        score is not None
        and score.status == "scored"
        and score.relevance is not None
        and score.novelty is not None
        and score.relevance >= config.scoring.relevance_min
        and score.novelty >= config.scoring.novelty_min
    )


def keep(
    selection: Selection, scores: Mapping[str, Score], config: DigestConfig
) -> list[PaperEntry]:
    """The day's kept papers, by relevance then novelty (unscored author matches last)."""
    kept: list[PaperEntry] = []
    for paper in selection.to_score:
        score = scores.get(paper.id)
        if paper.id in selection.followed:
            because = KeptBecause.AUTHOR
        elif paper.id in selection.updated:
            # The user kept an earlier version: show the new one whatever its score.
            because = KeptBecause.UPDATED
        elif passes_thresholds(score, config):
            because = KeptBecause.SCORE
        else:
            continue
        kept.append(_entry(paper, score, because))
    # sorted() is stable: ties keep the feed's order.
    return sorted(kept, key=lambda e: (-(e.relevance or 0), -(e.novelty or 0)))


def count_types(papers: Iterable[Paper]) -> dict[AnnounceType, int]:
    """Feed entries per announce type (every type present, zeros included)."""
    counts = {t: 0 for t in AnnounceType}
    for paper in papers:
        counts[paper.announce_type] += 1
    return counts
