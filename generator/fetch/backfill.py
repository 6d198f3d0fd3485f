"""Backfill: rebuild past announcement days through the arXiv API.

For each date of a range: weekends and holidays are reported and skipped, days already
stored are skipped unless ``force`` (idempotent re-runs), the others are fetched from the
API by submission window (:func:`generator.fetch.api.fetch_day`) and handed to the
pipeline's ``process_announcement`` (filter -> score -> store). A failing day stops the run
with its error; days done before it stay stored, so the next run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from generator.config import Settings
from generator.fetch.api import fetch_day
from generator.fetch.http import PoliteClient
from generator.fetch.schedule import KNOWN_HOLIDAYS, Schedule
from generator.models import Announcement
from generator.schema import DayRecord
from generator.store import DayStore

SOURCE = "api-backfill"


class ProcessAnnouncement(Protocol):
    """``generator.pipeline.process_announcement``'s shape (filter, score, store)."""

    def __call__(
        self,
        settings: Settings,
        announcement: Announcement,
        store: DayStore,
        *,
        source: str = ...,
        force: bool = ...,
    ) -> DayRecord: ...


@dataclass(frozen=True)
class DayResult:
    date: dt.date
    action: str  # "skipped" | "stored" | "processed"
    detail: str

    def line(self) -> str:
        return f"{self.date} {self.action}: {self.detail}"


def default_process() -> ProcessAnnouncement:
    # Imported late: the pipeline is a later stage that imports the fetch stage.
    from generator.pipeline import process_announcement

    return process_announcement  # type: ignore[no-any-return]


def schedule_for(settings: Settings) -> Schedule:
    extra = settings.config.arxiv.holidays
    return Schedule(holidays=KNOWN_HOLIDAYS | set(extra))


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
    process: ProcessAnnouncement | None = None,
    schedule: Schedule | None = None,
    report: Callable[[DayResult], Any] | None = None,
) -> list[DayResult]:
    """Rebuild every announcement day in [first, last]; returns what was done per date."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    schedule = schedule or schedule_for(settings)
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
        if store.exists(date) and not force:
            done(DayResult(date, "skipped", "already stored (use --force to rebuild)"))
            continue
        announcement = fetch_day(settings.config, client, date, schedule)
        run = process or default_process()
        record = run(settings, announcement, store, source=SOURCE, force=force)
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
