"""arXiv's announcement schedule: which submissions make up the announcement of a date.

We name an announcement by the date in its RSS channel ``pubDate`` (the mailing date):
papers announced on the evening of day E at 20:00 US Eastern are dated E + 1.

- Submissions close at 14:00 US Eastern each weekday (Mon-Fri).
- Announcements go out Sunday to Thursday at 20:00 ET; none on Friday or Saturday nights,
  so announcement dates (mailings) are Monday to Friday.
- The announcement of the evening E covers submissions between the two weekday cutoffs
  before it: Tuesday's mailing (Monday evening) holds Friday 14:00 -> Monday 14:00;
  Monday's (Sunday evening) holds Thursday 14:00 -> Friday 14:00.
- On a holiday arXiv skips the mailing; its submissions roll into the next one.

This is an approximation (documented in docs/guide/fetching.md): the API's submittedDate is
the time of version 1, so replacements and cross-lists added later are not reconstructable
the same way, and holidays must be listed (:data:`KNOWN_HOLIDAYS` plus the config).
Times are computed in America/New_York, so daylight-saving changes are handled, and the
windows are turned into UTC for the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.config import ArxivSettings
from generator.errors import ScheduleError

EASTERN = ZoneInfo("America/New_York")
CUTOFF = dt.time(14, 0)

# Mailing dates arXiv skipped for holidays, as published in its announcement schedule
# (https://info.arxiv.org/help/availability.html). Extend with `arxiv.holidays` in the
# config; the list shipped here is intentionally short and only holds dates we are sure of.
KNOWN_HOLIDAYS: frozenset[dt.date] = frozenset(
    {
        dt.date(2024, 12, 25),
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 25),
        dt.date(2026, 1, 1),
    }
)


@dataclass(frozen=True)
class Window:
    """Submissions [start, end) (UTC) announced on ``date``."""

    date: dt.date
    start: dt.datetime
    end: dt.datetime

    def api_range(self) -> str:
        """``submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`` (inclusive minutes, so the end
        is one minute before the cutoff)."""
        last = self.end - dt.timedelta(minutes=1)
        return f"[{self.start:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


class Schedule:
    """Announcement days and their submission windows, with a set of holidays."""

    def __init__(self, holidays: Iterable[dt.date] = KNOWN_HOLIDAYS) -> None:
        self.holidays = frozenset(holidays)

    def why_not(self, date: dt.date) -> str | None:
        """Why ``date`` has no announcement (weekend, holiday), or None when it has one."""
        if date.weekday() >= 5:
            return f"no announcement on {date:%A}s"
        if date in self.holidays:
            return "arXiv holiday (no mailing)"
        return None

    @classmethod
    def from_settings(cls, arxiv: ArxivSettings) -> Schedule:
        """The built-in holidays plus the configured ``arxiv.holidays``."""
        return cls(holidays=KNOWN_HOLIDAYS | set(arxiv.holidays))

    def require_announcement_day(self, date: dt.date) -> None:
        """Raise :class:`ScheduleError` when ``date`` has no announcement."""
        reason = self.why_not(date)
        if reason:
            raise ScheduleError(date, reason)

    def is_announcement_day(self, date: dt.date) -> bool:
        return self.why_not(date) is None

    def announcement_days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        day = first
        while day <= last:
            if self.is_announcement_day(day):
                yield day
            day += dt.timedelta(days=1)

    def previous_announcement_day(self, date: dt.date) -> dt.date:
        day = date - dt.timedelta(days=1)
        while not self.is_announcement_day(day):
            day -= dt.timedelta(days=1)
        return day

    @staticmethod
    def _cutoff_before(evening: dt.date) -> dt.datetime:
        """The last weekday 14:00 ET cutoff on or before the 20:00 announcement of evening."""
        day = evening
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, CUTOFF, EASTERN)

    def window(self, date: dt.date) -> Window:
        """The submissions announced on mailing ``date`` (which must be an announcement day)."""
        self.require_announcement_day(date)
        end = self._cutoff_before(date - dt.timedelta(days=1))
        previous = self.previous_announcement_day(date)
        start = self._cutoff_before(previous - dt.timedelta(days=1))
        return Window(date, start.astimezone(dt.UTC), end.astimezone(dt.UTC))
