"""Backfill: rebuild past announcement days through the arXiv API (an outer loop over days).

For each date of a range: weekends and holidays are reported and skipped, days already
published are skipped unless ``force`` (idempotent re-runs; a day stored as "no
announcement" or "failed" is tried again), the others are fetched from the API by
submission window (:func:`generator.fetch.api.fetch_day`) and handed to the pipeline's
:func:`~generator.pipeline.process_announcement` (filter -> score -> store). A failing day
stops the run with its error; days done before it stay stored, so the next run resumes
where it stopped. One run at a time per data directory (:mod:`generator.lock`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from generator.config import Settings
from generator.errors import ConfigError
from generator.fetch.api import API_SOURCE, fetch_day
from generator.fetch.http import PoliteClient
from generator.fetch.schedule import Schedule
from generator.lock import run_lock
from generator.models import Announcement
from generator.pipeline import RunResult, is_final, process_announcement, stored_day
from generator.store import DayStore


class ProcessAnnouncement(Protocol):
    """:func:`generator.pipeline.process_announcement`'s shape (filter, score, store)."""

    def __call__(
        self,
        settings: Settings,
        announcement: Announcement,
        store: DayStore,
        *,
        source: str = ...,
        force: bool = ...,
    ) -> RunResult: ...


@dataclass(frozen=True)
class DayResult:
    date: dt.date
    action: str  # "skipped" | "processed"
    detail: str

    def line(self) -> str:
        return f"{self.date} {self.action}: {self.detail}"


def dates_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def backfill(
    settings: Settings,
    store: DayStore,
    first: dt.date,
    last: dt.date,
    *,
    client: PoliteClient,
    force: bool = False,
    process: ProcessAnnouncement = process_announcement,
    schedule: Schedule | None = None,
    report: Callable[[DayResult], Any] | None = None,
    lock_wait: float = 0.0,
) -> list[DayResult]:
    """Rebuild every announcement day in [first, last]; returns what was done per date.

    Holds the data directory's run lock throughout, like :func:`~generator.pipeline.run_latest`.
    """
    if last < first:
        raise ConfigError(
            "backfill range", None, f"the last date {last} is before the first {first}"
        )
    with run_lock(store.root, wait=lock_wait):
        return _backfill(settings, store, first, last, client, force, process, schedule, report)


def _backfill(
    settings: Settings,
    store: DayStore,
    first: dt.date,
    last: dt.date,
    client: PoliteClient,
    force: bool,
    process: ProcessAnnouncement,
    schedule: Schedule | None,
    report: Callable[[DayResult], Any] | None,
) -> list[DayResult]:
    schedule = schedule or Schedule.from_settings(settings.config.arxiv)
    results: list[DayResult] = []

    def done(result: DayResult) -> None:
        results.append(result)
        if report is not None:
            report(result)

    for date in dates_between(first, last):
        reason = schedule.why_not(date)
        if reason:
            done(DayResult(date, "skipped", reason))
            continue
        if not force and is_final(stored_day(store, date)):
            done(DayResult(date, "skipped", "already published (force a rebuild to redo it)"))
            continue
        announcement = fetch_day(settings.config, client, date, schedule)
        record = process(settings, announcement, store, source=API_SOURCE, force=force).record
        counts = announcement.counts_by_type()
        done(
            DayResult(
                date,
                "processed",
                f"{announcement.total} papers from the API (new {counts['new']}, cross "
                f"{counts['cross']}), {record.counts.scanned} scanned, "
                f"{record.counts.relevant} kept, status {record.status.value}",
            )
        )
    return results
