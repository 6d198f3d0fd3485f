"""Site section: one page per announcement day, the home page, and the selection-prompt pages.

Rendering is pure: a :class:`~generator.site.model.DayView` (plus its prompt text) -> an
HTML string, straight from Jinja templates. The plugin injects that HTML as the page body,
so a day's papers never go through Markdown (much faster, see BENCHMARKS.md) and paper text
can never turn into markup.

A day's page almost never changes once written, so :func:`build` takes an optional
:class:`~generator.site.cache.PageCache`: each page's HTML is stored under a key made of
everything it is rendered from (the day file's digest, the neighbours' dates for prev/next,
the slugs its tag links resolve to, the prompt text, the site title, the URL style, the code
fingerprint), and rendered again only when that key changes. The cache is storage only; the
rendering stays these functions.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from generator.schema import DayRecord, DayStatus, KeptBecause
from generator.site import render
from generator.site.cache import PageCache, code_fingerprint
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.model import DayView, SiteModel

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


# The badge class of each non-score reason a paper was kept (digest.css styles them).
KEPT_BADGES = {KeptBecause.AUTHOR.value: "author", KeptBecause.UPDATED.value: "updated"}


@dataclass(frozen=True)
class DayLink:
    date: str
    href: str


def page_key(
    record_key: str,
    *,
    view: DayView,
    page_src: str,
    site_title: str,
    prompt_text: str | None,
    use_directory_urls: bool,
    home: bool,
) -> str:
    """Cache key of a rendered day page: everything :func:`render_day` reads, hashed."""
    chips = sorted({(t.name, t.slug) for p in view.papers for t in p.topics})
    parts = [
        code_fingerprint(),
        record_key,
        page_src,
        site_title,
        view.prev.date.isoformat() if view.prev else "-",
        view.next.date.isoformat() if view.next else "-",
        "\x01".join(f"{name}\x02{slug}" for name, slug in chips),
        "-" if prompt_text is None else hashlib.sha256(prompt_text.encode()).hexdigest(),
        str(use_directory_urls),
        str(home),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build(model: SiteModel, ctx: SiteContext, pages: PageCache | None = None) -> SiteOutput:
    """Day pages, the home page and one page per stored selection prompt.

    With ``pages``, an unchanged day's page comes from that cache instead of Jinja; the
    pages left to render are rendered in worker processes when there are many (a cold build).
    """
    output = SiteOutput()
    days = model.days
    jobs = [(index, day.src, False) for index, day in enumerate(days)]
    home = home_day(days)
    if home is not None:
        jobs.append((days.index(home), HOME_SRC, True))
    bodies = _render_jobs(model, ctx, pages, jobs)
    for (index, src, is_home), html in zip(jobs, bodies, strict=True):
        if not is_home:
            title = days[index].date.isoformat()
            output.pages.append(GeneratedPage(src_uri=src, title=title, html=html, meta=DAY_META))
    home_html = bodies[-1] if home is not None else render_home(model, ctx)
    output.pages.append(
        GeneratedPage(src_uri=HOME_SRC, title="Home", html=home_html, meta=DAY_META, in_nav=True)
    )
    for digest, text in sorted(ctx.prompts.items()):
        src = render.prompt_src(digest)
        html = render_prompt_page(model, ctx, digest, text, page_src=src)
        title = f"Selection prompt {digest}"
        output.pages.append(GeneratedPage(src_uri=src, title=title, html=html))
    return output


# (index in model.days, page src, home page?)
_Job = tuple[int, str, bool]


def _arguments(model: SiteModel, ctx: SiteContext, job: _Job) -> dict[str, Any]:
    """Keyword arguments of :func:`render_day` for a job (also what its cache key hashes)."""
    index, page_src, home = job
    view = model.days[index]
    return {
        "view": view,
        "page_src": page_src,
        "site_title": ctx.title,
        "prompt_text": _prompt_for(ctx, view.record),
        "use_directory_urls": ctx.use_directory_urls,
        "home": home,
    }


def _render_jobs(
    model: SiteModel, ctx: SiteContext, pages: PageCache | None, jobs: list[_Job]
) -> list[str]:
    """Each job's HTML: from ``pages`` when its key is stored, else rendered (and stored)."""
    bodies: list[str | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    for position, job in enumerate(jobs):
        record_key = pages.record_key(model.days[job[0]].record) if pages is not None else None
        if pages is not None and record_key is not None:
            page = page_key(record_key, **_arguments(model, ctx, job))
            keys[position] = page
            bodies[position] = pages.get(job[1], page)
    missing = [position for position, body in enumerate(bodies) if body is None]
    rendered = _render_many(model, ctx, [jobs[position] for position in missing])
    for position, html in zip(missing, rendered, strict=True):
        bodies[position] = html
        key = keys[position]
        if pages is not None and key is not None:
            pages.put(jobs[position][1], key, html)
    return [body or "" for body in bodies]


# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 64
# What forked workers render from (inherited, not pickled).
_FORKED: tuple[SiteModel, SiteContext] | None = None


def _render_job(job: _Job) -> str:
    assert _FORKED is not None
    return render_day(**_arguments(*_FORKED, job))


def _render_many(model: SiteModel, ctx: SiteContext, jobs: list[_Job]) -> list[str]:
    """Render ``jobs``; many (a cold build) go to forked worker processes.

    Forked workers inherit the model instead of receiving it pickled, so only the HTML
    travels back. Where fork is unavailable (Windows), or for a few pages, in process.
    """
    global _FORKED
    workers = min(os.cpu_count() or 1, 8)
    if (
        len(jobs) < PARALLEL_MIN_PAGES
        or workers <= 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [render_day(**_arguments(model, ctx, job)) for job in jobs]
    _FORKED = (model, ctx)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_render_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
    finally:
        _FORKED = None


def _prompt_for(ctx: SiteContext, day: DayRecord) -> str | None:
    if day.scoring is None:
        return None
    return ctx.prompts.get(day.scoring.prompt_hash)


def scorer_label(day: DayRecord) -> str:
    """ "LLM gpt-5" or "local scorer (lexical)": what produced the day's scores."""
    if day.scoring is None:
        return "no scorer"
    if day.scoring.scorer == "llm":
        return f"LLM {day.scoring.model}"
    return f"local scorer ({day.scoring.model})"


def render_day(
    view: DayView,
    *,
    page_src: str,
    site_title: str,
    prompt_text: str | None = None,
    use_directory_urls: bool = True,
    home: bool = False,
) -> str:
    """The HTML body of a day's page (also used for the home page, with ``home=True``).

    ``page_src`` is the page the HTML will live on: every internal link is made relative to
    it, because MkDocs does not rewrite links in HTML we inject.
    """

    link = render.linker(page_src, use_directory_urls)

    def neighbour(other: DayRecord | None) -> DayLink | None:
        if other is None:
            return None
        iso = other.date.isoformat()
        return DayLink(date=iso, href=link(render.day_src(iso)))

    day = view.record
    by_type = [(kind.value, count) for kind, count in day.counts.by_type.items() if count]
    digest = day.scoring.prompt_hash if day.scoring else ""
    return render.render(
        "day_page.html",
        day=day,
        papers=view.papers,
        site_title=site_title,
        status_label=STATUS_LABELS[day.status],
        scorer_label=scorer_label(day),
        authors_kept=any(p.paper.kept_because is KeptBecause.AUTHOR for p in view.papers),
        by_type=by_type,
        prev=neighbour(view.prev),
        next=neighbour(view.next),
        archive_href=link(ARCHIVE_SRC),
        day_href=link(view.src),
        home=home,
        prompt_text=prompt_text,
        prompt_href=link(render.prompt_src(digest)) if digest else "",
        link=link,
        kept_badges=KEPT_BADGES,
    )


def home_day(days: Sequence[DayView]) -> DayView | None:
    """The day the home page shows: the latest published one (a weekend's empty day would
    hide Friday's papers), or the latest day of any status when none was published."""
    for day in reversed(days):
        if day.record.status is DayStatus.PUBLISHED:
            return day
    return days[-1] if days else None


def render_home(model: SiteModel, ctx: SiteContext) -> str:
    """The home page: the latest day's full page, or how to get the first day."""
    day = home_day(model.days)
    if day is None:
        return render.render(
            "home_empty.html",
            site_title=ctx.title,
            guide_href=render.relative_url(HOME_SRC, GUIDE_SRC, ctx.use_directory_urls),
        )
    return render_day(**_arguments(model, ctx, (model.days.index(day), HOME_SRC, True)))


def render_prompt_page(
    model: SiteModel, ctx: SiteContext, digest: str, text: str, *, page_src: str
) -> str:
    """A stored selection prompt, with the days whose scores came from it."""
    used = [
        d.record
        for d in model.days
        if d.record.scoring is not None and d.record.scoring.prompt_hash == digest
    ]
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
