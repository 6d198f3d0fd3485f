"""arXiv's announcement schedule: windows, weekends, holidays, daylight saving."""

from __future__ import annotations

import datetime as dt

import pytest
from support.arxiv import LISTING_WINDOWS_UTC

from generator.errors import ScheduleError
from generator.fetch.schedule import Schedule


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("date", sorted(LISTING_WINDOWS_UTC))
def test_windows_of_the_recorded_days(date: str) -> None:
    window = Schedule(holidays=()).window(dt.date.fromisoformat(date))
    start, end = LISTING_WINDOWS_UTC[date]
    assert (window.start, window.end) == (utc(start), utc(end))


def test_api_range_is_inclusive_minutes() -> None:
    window = Schedule(holidays=()).window(dt.date(2025, 10, 7))
    assert window.api_range() == "[202510031800 TO 202510061759]"


def test_weekends_and_holidays_have_no_announcement() -> None:
    schedule = Schedule(holidays={dt.date(2025, 12, 25)})
    days = list(schedule.announcement_days(dt.date(2025, 12, 20), dt.date(2025, 12, 30)))
    assert days == [dt.date(2025, 12, d) for d in (22, 23, 24, 26, 29, 30)]
    assert schedule.why_not(dt.date(2025, 12, 27)) == "no announcement on Saturdays"
    assert "holiday" in (schedule.why_not(dt.date(2025, 12, 25)) or "")
    with pytest.raises(ScheduleError, match="no announcement on 2025-12-25: arXiv holiday"):
        schedule.window(dt.date(2025, 12, 25))


def test_holiday_submissions_roll_into_the_next_mailing() -> None:
    schedule = Schedule(holidays={dt.date(2025, 12, 25)})
    # Thu 25 Dec skipped: Fri 26 Dec holds Tue 23 14:00 -> Thu 25 14:00 ET (EST = UTC-5).
    window = schedule.window(dt.date(2025, 12, 26))
    assert (window.start, window.end) == (utc("2025-12-23T19:00"), utc("2025-12-25T19:00"))


def test_windows_tile_time_without_gaps_across_daylight_saving() -> None:
    schedule = Schedule(holidays={dt.date(2025, 11, 27)})
    days = list(schedule.announcement_days(dt.date(2025, 10, 27), dt.date(2025, 12, 5)))
    windows = [schedule.window(d) for d in days]
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.end == after.start
    # DST ended on 2 Nov 2025: the cutoff moves from 18:00 to 19:00 UTC.
    assert schedule.window(dt.date(2025, 10, 31)).end.hour == 18
    assert schedule.window(dt.date(2025, 11, 4)).end.hour == 19
    # Monday mailings hold Thursday -> Friday, Tuesday's hold the weekend.
    monday = schedule.window(dt.date(2025, 11, 10))
    assert monday.end - monday.start == dt.timedelta(days=1)
    tuesday = schedule.window(dt.date(2025, 11, 11))
    assert tuesday.end - tuesday.start == dt.timedelta(days=3)
