"""Site section: the archive page (``archive/``), every day by year and month, newest first.

Each day shows its counts (relevant / scanned / total) and which scorer produced them;
days with no announcement or a failed run show that status and reason, so a gap in the
archive is never a mystery.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from generator.schema import DayRecord, DayStatus
from generator.site import render
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.days import ARCHIVE_SRC, STATUS_LABELS, scorer_label
from generator.site.model import SiteModel


@dataclass(frozen=True)
class ArchiveDay:
    date: str
    weekday: str
    href: str
    status: str
    label: str
    reason: str
    relevant: int
    scanned: int
    total: int
    scorer: str


@dataclass(frozen=True)
class ArchiveMonth:
    key: str  # "2025-10"
    name: str  # "October 2025"
    days: list[ArchiveDay]


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    months: list[ArchiveMonth]
    published: int
    papers: int


def build(model: SiteModel, ctx: SiteContext) -> SiteOutput:
    records = [day.record for day in model.days]
    html = render_archive(records, page_src=ARCHIVE_SRC, use_directory_urls=ctx.use_directory_urls)
    page = GeneratedPage(src_uri=ARCHIVE_SRC, title="Archive", html=html, in_nav=True)
    return SiteOutput(pages=[page])


def group_days(
    days: Sequence[DayRecord], *, page_src: str, use_directory_urls: bool = True
) -> list[ArchiveYear]:
    """Days grouped by year and month, newest first at every level."""
    newest_first = sorted(days, key=lambda d: d.date, reverse=True)
    years: list[ArchiveYear] = []
    for year, year_days in itertools.groupby(newest_first, key=lambda d: d.date.year):
        in_year = list(year_days)
        months = []
        for (_, month), month_days in itertools.groupby(
            in_year, key=lambda d: (d.date.year, d.date.month)
        ):
            items = [_archive_day(d, page_src, use_directory_urls) for d in month_days]
            first = in_year[0].date.replace(month=month, day=1)
            key = f"{year:04d}-{month:02d}"
            months.append(ArchiveMonth(key=key, name=first.strftime("%B %Y"), days=items))
        years.append(
            ArchiveYear(
                year=year,
                months=months,
                published=sum(d.status is DayStatus.PUBLISHED for d in in_year),
                papers=sum(d.counts.relevant for d in in_year),
            )
        )
    return years


def _archive_day(day: DayRecord, page_src: str, use_directory_urls: bool) -> ArchiveDay:
    iso = day.date.isoformat()
    return ArchiveDay(
        date=iso,
        weekday=day.date.strftime("%a"),
        href=render.relative_url(page_src, render.day_src(iso), use_directory_urls),
        status=day.status.value,
        label=STATUS_LABELS[day.status],
        reason=day.reason or "",
        relevant=day.counts.relevant,
        scanned=day.counts.scanned,
        total=day.counts.total,
        scorer=scorer_label(day),
    )


def render_archive(
    days: Sequence[DayRecord], *, page_src: str = ARCHIVE_SRC, use_directory_urls: bool = True
) -> str:
    """The archive page body."""
    years = group_days(days, page_src=page_src, use_directory_urls=use_directory_urls)
    return render.render("archive_page.html", years=years)
