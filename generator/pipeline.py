"""The orchestrator: fetch -> filter -> score -> write one day file.

The only module that wires the stages together. Decisions kept here:

- One run at a time per data directory (:mod:`generator.lock`): two would pay twice.
- Idempotent: a published day is "already up to date" unless ``force``; a forced re-run
  pays nothing twice (the LLM scorer's cache). A day stored as "no announcement" or
  "failed" is not final: the next run that sees papers for that date replaces it.
- A failed fetch writes nothing (the error propagates). An unusable scoring endpoint writes
  a ``failed`` day with the reason unless the date is already published, so the site shows
  the status; a published day is never overwritten by a failure or an empty feed.
- The local prefilter (``scoring.prefilter_keep``) sends only the top fraction of the local
  ranking to the LLM; the others are *scanned but cut*: their scan record carries the local
  ``score`` and ``unscored: prefilter`` and they are not listed among the day's unscored
  papers (that list is for papers scoring failed on). The title prefilter is recorded the
  same way (``unscored: title prefilter``), and so are papers the Semantic Scholar h-index
  gate keeps from scoring (``unscored: h-index gate``; not counted as scanned).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from generator.config import DigestConfig, Settings
from generator.errors import ScoreError
from generator.fetch.api import API_SOURCE, fetch_day
from generator.fetch.http import PoliteClient
from generator.fetch.rss import fetch_announcement
from generator.fetch.schedule import Schedule
from generator.fetch.semantic_scholar import build_gate
from generator.filter import Selection, count_types, keep, select
from generator.lock import run_lock
from generator.models import Announcement, Paper, Score
from generator.schema import (
    MAX_SKIPPED,
    Counts,
    DayRecord,
    DayStatus,
    PaperEntry,
    ScanRecord,
    Scoring,
    UnscoredPaper,
)
from generator.score import Scorer, make_scorer
from generator.score.base import TITLE_PREFILTER_REASON, ScoringOutcome
from generator.score.local import LocalScorer
from generator.score.prompt import render_prompt_text
from generator.score.reply import validation_problem
from generator.store import DayStore
from generator.text import MAX_REASON, one_line

log = logging.getLogger(__name__)
_Built = TypeVar("_Built")

PREFILTER_REASON = "prefilter"
GATE_REASON = "h-index gate"
CUT_REASONS = frozenset({PREFILTER_REASON, TITLE_PREFILTER_REASON})


@dataclass
class Progress:
    """Hooks for a progress display: ``start(total)`` once, then ``advance(n)`` increments."""

    start: Callable[[int], None] = lambda total: None
    advance: Callable[[int], None] = lambda n: None


@dataclass
class RunResult:
    record: DayRecord
    up_to_date: bool
    path: Path
    # Papers left out of the day because their entry failed validation: id -> why.
    skipped: dict[str, str] = field(default_factory=dict)


def _prefilter(
    settings: Settings, papers: Sequence[Paper], selection: Selection
) -> tuple[list[Paper], dict[str, Score]]:
    """Papers the local ranking sends to the LLM, and the local scores of those it cuts."""
    fraction = settings.config.scoring.prefilter_keep
    if not fraction or not papers:
        return list(papers), {}
    local = LocalScorer(settings.prompt, model=settings.config.scoring.local_model).score(papers)
    ranked = sorted(papers, key=lambda p: -(local.scores[p.id].score or 0.0))
    sent = {p.id for p in ranked[: math.ceil(fraction * len(ranked))]}
    # Followed authors and updated papers are kept anyway: give them real scores.
    sent |= selection.followed | selection.updated
    cut = {p.id: local.scores[p.id] for p in papers if p.id not in sent}
    return [p for p in papers if p.id in sent], cut


def score_selection(
    settings: Settings, selection: Selection, scorer: Scorer, progress: Progress
) -> tuple[ScoringOutcome, dict[str, Score]]:
    """Score the selection; returns the outcome and the local scores of prefiltered papers."""
    papers = selection.to_score
    progress.start(len(papers))
    cut: dict[str, Score] = {}
    if scorer.name == "llm":
        papers, cut = _prefilter(settings, papers, selection)
        progress.advance(len(cut))
    outcome = scorer.score(papers, progress.advance)
    return outcome, cut


def _scan(paper: Paper, score: Score | None, cut: Score | None) -> ScanRecord:
    if cut is not None:
        return ScanRecord(id=paper.id, score=cut.score, unscored=PREFILTER_REASON)
    if score is None:  # a scorer broke the contract: say so rather than drop the paper
        return ScanRecord(id=paper.id, unscored="no score returned")
    if score.status == "scored":
        return ScanRecord(
            id=paper.id, relevance=score.relevance, novelty=score.novelty, score=score.score
        )
    return ScanRecord(id=paper.id, score=score.score, unscored=score.reason or "unscored")


def _keep_each(
    selection: Selection,
    scores: Mapping[str, Score],
    config: DigestConfig,
    skipped: dict[str, str],
) -> list[PaperEntry]:
    """:func:`keep`, leaving out (into ``skipped``) each paper whose entry is invalid.

    One call on a sound day; only when it fails is each paper tried alone to find the bad
    ones, so the filter's rules (who is kept, the order) stay in one place.
    """
    try:
        return keep(selection, scores, config)
    except ValidationError:
        pass
    for paper in selection.to_score:
        try:
            keep(replace(selection, to_score=[paper]), scores, config)
        except ValidationError as exc:
            skipped[paper.id] = f"invalid day entry ({validation_problem(exc)})"
    sound = [p for p in selection.to_score if p.id not in skipped]
    return keep(replace(selection, to_score=sound), scores, config)


def _each_valid(
    build: Callable[[Paper], _Built], papers: Sequence[Paper], skipped: dict[str, str]
) -> list[_Built]:
    """``build(paper)`` for each paper; a paper it fails on goes into ``skipped``."""
    built: list[_Built] = []
    for paper in papers:
        try:
            built.append(build(paper))
        except ValidationError as exc:
            skipped.setdefault(paper.id, f"invalid day entry ({validation_problem(exc)})")
    return built


def build_record(
    settings: Settings,
    announcement: Announcement,
    selection: Selection,
    outcome: ScoringOutcome,
    cut: Mapping[str, Score],
    prompt_digest: str,
    source: str,
    skipped: dict[str, str] | None = None,
) -> DayRecord:
    """The day record of a scored announcement (pure).

    One bad paper never costs the day: a paper whose entry, scan or unscored record fails
    validation is left out of it, and ``skipped`` (when given) gets its id and the reason.
    """
    config = settings.config
    left_out: dict[str, str] = {} if skipped is None else skipped
    scores = dict(outcome.scores)
    for paper_id in cut:
        paper = selection.papers_by_id[paper_id]
        scores[paper_id] = Score.unscored(paper, PREFILTER_REASON)
    papers = _keep_each(selection, scores, config, left_out)
    scans = _each_valid(
        lambda p: _scan(p, outcome.scores.get(p.id), cut.get(p.id)), selection.to_score, left_out
    )
    # Papers the h-index gate kept from scoring stay visible in the compact record.
    scans += [ScanRecord(id=paper_id, unscored=GATE_REASON) for paper_id in sorted(selection.gated)]
    failed = [
        p
        for p in selection.to_score
        if (s := scores.get(p.id)) is not None
        and s.status == "unscored"
        and s.reason not in CUT_REASONS
    ]
    unscored = _each_valid(
        lambda p: UnscoredPaper(
            id=p.id, version=p.version, title=p.title, reason=scores[p.id].reason or "unscored"
        ),
        failed,
        left_out,
    )
    for paper_id, why in left_out.items():
        log.warning("%s left out of %s: %s", paper_id, announcement.date, why)
    return DayRecord(
        skipped=skipped_lines(announcement, left_out),
        date=announcement.date,
        status=DayStatus.PUBLISHED,
        categories=list(config.categories),
        announce_types=list(config.announce_types),
        counts=Counts(
            total=selection.total,
            scanned=selection.scanned,
            relevant=len(papers),
            by_type=dict(selection.by_type),
        ),
        scoring=Scoring(
            scorer=outcome.scorer,
            model=outcome.model,
            prompt_hash=prompt_digest,
            relevance_min=config.scoring.relevance_min,
            novelty_min=config.scoring.novelty_min,
            usage=outcome.usage,
        ),
        papers=papers,
        unscored=unscored,
        scans=scans,
        source=source,
    )


def skipped_lines(announcement: Announcement, left_out: Mapping[str, str]) -> list[str]:
    """What the day record says about feed items it leaves out (bounded: a feed of junk
    cannot fill the file)."""
    lines = [*announcement.skipped, *(f"{pid}: {why}" for pid, why in left_out.items())]
    lines = [one_line(line, MAX_REASON) for line in lines]
    if len(lines) > MAX_SKIPPED:
        more = len(lines) - (MAX_SKIPPED - 1)
        lines = [*lines[: MAX_SKIPPED - 1], f"... and {more} more"]
    return lines


def _empty_record(
    settings: Settings,
    announcement: Announcement,
    status: DayStatus,
    source: str,
    reason: str | None = None,
) -> DayRecord:
    config = settings.config
    counts = count_types(announcement.papers)
    return DayRecord(
        skipped=skipped_lines(announcement, {}),
        date=announcement.date,
        status=status,
        reason=reason,
        categories=list(config.categories),
        announce_types=list(config.announce_types),
        counts=Counts(
            total=announcement.total,
            scanned=0,
            relevant=0,
            by_type={t: n for t, n in counts.items() if n} if announcement.total else {},
        ),
        source=source,
    )


def stored_day(store: DayStore, date: dt.date) -> DayRecord | None:
    """The stored record of ``date``, or None when there is none."""
    return store.load(date) if store.exists(date) else None


def is_final(record: DayRecord | None) -> bool:
    """A published day is final: a re-run leaves it alone unless forced.

    "No announcement" and "failed" are not: arXiv's feed is sometimes empty for a while
    before it is filled, so the next run that sees papers for that date replaces them.
    """
    return record is not None and record.status is DayStatus.PUBLISHED


def process_announcement(
    settings: Settings,
    announcement: Announcement,
    store: DayStore,
    *,
    source: str = "rss",
    force: bool = False,
    scorer: Scorer | None = None,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Filter, score and store one announcement; returns the day record written (or kept)."""
    date = announcement.date
    path = store.path_for(date)
    existing = stored_day(store, date)
    unchanged = is_final(existing) or not announcement.papers
    if existing is not None and not force and unchanged:
        log.info("%s is already up to date", date)
        return RunResult(existing, True, path)
    if not announcement.papers:
        if existing is not None and is_final(existing):
            # Forced, but an empty feed never replaces a published day.
            log.warning("%s: the feed is empty but the day is published: kept as it is", date)
            return RunResult(existing, True, path)
        record = _empty_record(settings, announcement, DayStatus.NO_ANNOUNCEMENT, source)
        return RunResult(record, False, store.save(record))
    gate = build_gate(
        settings.config.semantic_scholar,
        settings.path(settings.config.semantic_scholar.cache_file),
        os.environ if env is None else env,
    )
    selection = select(announcement, settings.config, store.kept_ids(before=date), gate=gate)
    prompt_digest = store.save_prompt(render_prompt_text(settings.prompt))
    scorer = scorer or make_scorer(settings, env)
    try:
        outcome, cut = score_selection(settings, selection, scorer, progress or Progress())
    except ScoreError as exc:
        if not is_final(existing):
            store.save(_empty_record(settings, announcement, DayStatus.FAILED, source, str(exc)))
        raise
    skipped: dict[str, str] = {}
    record = build_record(
        settings, announcement, selection, outcome, cut, prompt_digest, source, skipped
    )
    if skipped:
        log.warning("%d paper(s) left out of %s: their entries are invalid", len(skipped), date)
    return RunResult(record, False, store.save(record), skipped)


def run_latest(
    settings: Settings,
    store: DayStore,
    *,
    date: dt.date | None = None,
    force: bool = False,
    scorer: Scorer | None = None,
    env: Mapping[str, str] | None = None,
    client: PoliteClient | None = None,
    progress: Progress | None = None,
    lock_wait: float = 0.0,
) -> RunResult:
    """The daily job: the latest announcement from RSS, or ``date`` through the API.

    Holds the data directory's run lock (:mod:`generator.lock`) throughout: a second run
    waits ``lock_wait`` seconds, then stops with :class:`~generator.errors.RunLocked`.
    """
    with run_lock(store.root, wait=lock_wait):
        return _run_latest(
            settings,
            store,
            date=date,
            force=force,
            scorer=scorer,
            env=env,
            client=client,
            progress=progress,
        )


def _run_latest(
    settings: Settings,
    store: DayStore,
    *,
    date: dt.date | None,
    force: bool,
    scorer: Scorer | None,
    env: Mapping[str, str] | None,
    client: PoliteClient | None,
    progress: Progress | None,
) -> RunResult:
    config = settings.config
    http = client or PoliteClient.from_settings(config.arxiv)
    if date is None:
        announcement = fetch_announcement(config, http)
        source = "rss"
    else:
        existing = stored_day(store, date)
        if existing is not None and is_final(existing) and not force:
            return RunResult(existing, True, store.path_for(date))
        schedule = Schedule.from_settings(config.arxiv)
        schedule.require_announcement_day(date)
        announcement = fetch_day(config, http, date, schedule)
        source = API_SOURCE
    return process_announcement(
        settings,
        announcement,
        store,
        source=source,
        force=force,
        scorer=scorer,
        env=env,
        progress=progress,
    )
