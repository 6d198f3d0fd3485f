"""Site section: one page per announcement day, the home page, and the selection-prompt pages.

Rendering is pure: a :class:`~generator.schema.DayRecord` (plus its neighbours and its
prompt text) -> an HTML string, straight from Jinja templates. The plugin injects that HTML
as the page body, so 70 papers a day never go through Markdown (at 1,000 days that route
costs ~54 s against ~4 s, see BENCHMARKS.md) and paper text can never turn into markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.schema import DayRecord, DayStatus, KeptBecause, PaperEntry
from generator.site import render
from generator.site.context import GeneratedPage, SiteContext, SiteOutput

HOME_SRC = "index.md"
ARCHIVE_SRC = "archive.md"
GUIDE_SRC = "guide/index.md"

STATUS_LABELS = {
    DayStatus.PUBLISHED: "published",
    DayStatus.NO_ANNOUNCEMENT: "no announcement",
    DayStatus.FAILED: "failed",
}

# Day pages have their own contents list, and Material's sidebar TOC would only hold the title.
DAY_META: dict[str, object] = {"hide": ["toc"]}


@dataclass(frozen=True)
class DayLink:
    date: str
    href: str


def build(ctx: SiteContext) -> SiteOutput:
    """Day pages, the home page and one page per stored selection prompt."""
    output = SiteOutput()
    days = ctx.days
    for index, day in enumerate(days):
        src = render.day_src(day.date.isoformat())
        html = render_day(
            day,
            page_src=src,
            site_title=ctx.title,
            prev_day=days[index - 1] if index > 0 else None,
            next_day=days[index + 1] if index + 1 < len(days) else None,
            prompt_text=_prompt_for(ctx, day),
            use_directory_urls=ctx.use_directory_urls,
        )
        output.pages.append(
            GeneratedPage(src_uri=src, title=day.date.isoformat(), html=html, meta=DAY_META)
        )
    output.pages.append(
        GeneratedPage(
            src_uri=HOME_SRC, title="Home", html=render_home(ctx), meta=DAY_META, in_nav=True
        )
    )
    for digest, text in sorted(ctx.prompts.items()):
        src = render.prompt_src(digest)
        html = render_prompt_page(ctx, digest, text, page_src=src)
        title = f"Selection prompt {digest}"
        output.pages.append(GeneratedPage(src_uri=src, title=title, html=html))
    return output


def _prompt_for(ctx: SiteContext, day: DayRecord) -> str | None:
    if day.scoring is None:
        return None
    return ctx.prompts.get(day.scoring.prompt_hash)


def scorer_label(day: DayRecord) -> str:
    """"LLM gpt-5" or "local scorer (lexical)": what produced the day's scores."""
    if day.scoring is None:
        return "no scorer"
    if day.scoring.scorer == "llm":
        return f"LLM {day.scoring.model}"
    return f"local scorer ({day.scoring.model})"


def render_day(
    day: DayRecord,
    *,
    page_src: str,
    site_title: str,
    prev_day: DayRecord | None = None,
    next_day: DayRecord | None = None,
    prompt_text: str | None = None,
    use_directory_urls: bool = True,
    home: bool = False,
) -> str:
    """The HTML body of a day's page (also used for the home page, with ``home=True``).

    ``page_src`` is the page the HTML will live on: every internal link is made relative to
    it, because MkDocs does not rewrite links in HTML we inject.
    """

    def link(target_src: str) -> str:
        return render.relative_url(page_src, target_src, use_directory_urls)

    def neighbour(other: DayRecord | None) -> DayLink | None:
        if other is None:
            return None
        iso = other.date.isoformat()
        return DayLink(date=iso, href=link(render.day_src(iso)))

    papers: Sequence[PaperEntry] = day.sorted_papers()
    by_type = [(kind.value, count) for kind, count in day.counts.by_type.items() if count]
    digest = day.scoring.prompt_hash if day.scoring else ""
    return render.render(
        "day_page.html",
        day=day,
        papers=papers,
        site_title=site_title,
        status_label=STATUS_LABELS[day.status],
        scorer_label=scorer_label(day),
        authors_kept=any(p.kept_because is KeptBecause.AUTHOR for p in papers),
        by_type=by_type,
        prev=neighbour(prev_day),
        next=neighbour(next_day),
        archive_href=link(ARCHIVE_SRC),
        day_href=link(render.day_src(day.date.isoformat())),
        home=home,
        prompt_text=prompt_text,
        prompt_href=link(render.prompt_src(digest)) if digest else "",
        tag_href=lambda name: link(render.tag_src(name)),
        pdf=lambda paper: render.pdf_url(paper.id, paper.version),
    )


def home_day(days: Sequence[DayRecord]) -> DayRecord | None:
    """The day the home page shows: the latest published one (a weekend's empty day would
    hide Friday's papers), or the latest day of any status when none was published."""
    for day in reversed(days):
        if day.status is DayStatus.PUBLISHED:
            return day
    return days[-1] if days else None


def render_home(ctx: SiteContext) -> str:
    """The home page: the latest day's full page, or how to get the first day."""
    day = home_day(ctx.days)
    if day is None:
        return render.render(
            "home_empty.html",
            site_title=ctx.title,
            guide_href=render.relative_url(HOME_SRC, GUIDE_SRC, ctx.use_directory_urls),
        )
    index = ctx.days.index(day)
    return render_day(
        day,
        page_src=HOME_SRC,
        site_title=ctx.title,
        prev_day=ctx.days[index - 1] if index > 0 else None,
        next_day=ctx.days[index + 1] if index + 1 < len(ctx.days) else None,
        prompt_text=_prompt_for(ctx, day),
        use_directory_urls=ctx.use_directory_urls,
        home=True,
    )


def render_prompt_page(ctx: SiteContext, digest: str, text: str, *, page_src: str) -> str:
    """A stored selection prompt, with the days whose scores came from it."""
    used = [d for d in ctx.days if d.scoring is not None and d.scoring.prompt_hash == digest]
    days = [
        DayLink(
            date=d.date.isoformat(),
            href=render.relative_url(
                page_src, render.day_src(d.date.isoformat()), ctx.use_directory_urls
            ),
        )
        for d in used
    ]
    return render.render("prompt_page.html", digest=digest, text=text, days=days)
