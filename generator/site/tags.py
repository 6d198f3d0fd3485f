"""Site section: tag archives (``tags/`` index, one paginated page per tag).

A paper's tags are the topics it matched (``PaperEntry.tags``, the prompt's topic names) plus
its primary arXiv category. Each tag page lists the tag's papers newest first,
``site.tag_page_size`` per page, so a tag with 20,000 papers is 200 light pages rather than one
heavy one. Entries link to the paper's anchor on its day page. Pages are rendered straight to
HTML (paper text never goes through Markdown) and added by the plugin with ``File.generated``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.schema import DayRecord, DayStatus, KeptBecause, PaperEntry
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.latex import readable
from generator.site.render import day_src, paper_anchor, relative_url, tag_slug

AUTHORS_SHOWN = 4  # tag listings are an index: the day page has the full author list


@dataclass(frozen=True)
class TagEntry:
    """One paper under a tag, with the announcement day it was kept on."""

    date: dt.date
    paper: PaperEntry


@dataclass
class Tag:
    name: str
    slug: str
    entries: list[TagEntry] = field(default_factory=list)  # newest day first

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def latest(self) -> dt.date:
        return self.entries[0].date


def paper_tags(paper: PaperEntry) -> list[str]:
    """The configured topics the paper matched, then its primary arXiv category."""
    out: list[str] = []
    for name in [*paper.tags, paper.primary_category]:
        name = name.strip()
        if name and name not in out:
            out.append(name)
    return out


def collect(days: Iterable[DayRecord]) -> list[Tag]:
    """Every tag with its papers newest first (within a day: the day page's order).

    Returned by count (most used first), then name. Two names that slug alike (``cs.LG`` and
    ``cs LG``) get distinct slugs: the later one in name order gets ``-2``, ``-3``...
    """
    by_name: dict[str, Tag] = {}
    for day in sorted(days, key=lambda d: d.date, reverse=True):
        if day.status is not DayStatus.PUBLISHED:
            continue
        for paper in day.sorted_papers():
            for name in paper_tags(paper):
                tag = by_name.get(name)
                if tag is None:
                    tag = by_name[name] = Tag(name=name, slug="")
                tag.entries.append(TagEntry(day.date, paper))
    taken: set[str] = set()
    for name in sorted(by_name):
        base = tag_slug(name)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        by_name[name].slug = slug
    return sorted(by_name.values(), key=lambda t: (-t.count, t.name.lower(), t.name))


def tag_page_src(slug: str, page: int = 1) -> str:
    """``src_uri`` of page ``page`` of a tag (URLs ``tags/<slug>/``, ``tags/<slug>/page/N/``)."""
    return f"tags/{slug}/index.md" if page == 1 else f"tags/{slug}/page/{page}/index.md"


def tag_feed_src(slug: str) -> str:
    return f"tags/{slug}/feed.xml"


INDEX_SRC = "tags.md"  # URL tags/; a top-level nav entry, not a section


def pages_of(tag: Tag, page_size: int) -> list[list[TagEntry]]:
    return [tag.entries[i : i + page_size] for i in range(0, len(tag.entries), page_size)] or [[]]


@dataclass(frozen=True)
class Links:
    """Relative links from one generated page (injected HTML is not rewritten by MkDocs)."""

    here: str  # src_uri of the page being rendered
    use_directory_urls: bool = True

    def to(self, src: str, fragment: str = "") -> str:
        url = relative_url(self.here, src, self.use_directory_urls)
        return html.escape(url + (f"#{fragment}" if fragment else ""))


def _authors(paper: PaperEntry) -> str:
    names = paper.authors[:AUTHORS_SHOWN]
    more = len(paper.authors) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _scores(paper: PaperEntry) -> str:
    if paper.relevance is None or paper.novelty is None:
        return "author match" if paper.kept_because is KeptBecause.AUTHOR else "unscored"
    return f"relevance {paper.relevance}, novelty {paper.novelty}"


def render_entry(entry: TagEntry, links: Links) -> str:
    paper = entry.paper
    href = links.to(day_src(entry.date.isoformat()), paper_anchor(paper.id))
    esc = html.escape
    return (
        '<li class="digest-tag-entry">'
        f'<a href="{href}">{esc(readable(paper.title))}</a>'
        f'<div class="digest-tag-meta"><time datetime="{entry.date.isoformat()}">'
        f"{entry.date.isoformat()}</time> · {esc(_authors(paper))} · {esc(_scores(paper))}"
        "</div></li>"
    )


def render_pager(tag: Tag, page: int, pages: int, links: Links) -> str:
    if pages <= 1:
        return ""
    parts = []
    if page > 1:
        parts.append(
            f'<a rel="prev" href="{links.to(tag_page_src(tag.slug, page - 1))}">← Newer</a>'
        )
    parts.append(f'<span class="digest-pager-pos">Page {page} of {pages}</span>')
    if page < pages:
        parts.append(
            f'<a rel="next" href="{links.to(tag_page_src(tag.slug, page + 1))}">Older →</a>'
        )
    return '<nav class="digest-pager" aria-label="Tag pages">' + " ".join(parts) + "</nav>"


def render_tag_page(
    tag: Tag,
    page: int,
    pages: int,
    entries: Sequence[TagEntry],
    page_size: int,
    use_directory_urls: bool = True,
) -> str:
    """Body of one page of a tag: summary with feed link, pager, the entries, pager."""
    links = Links(tag_page_src(tag.slug, page), use_directory_urls)
    esc = html.escape
    plural = "s" if tag.count != 1 else ""
    head = (
        f'<p class="digest-tag-summary">{tag.count} paper{plural} tagged '
        f"<strong>{esc(tag.name)}</strong>, newest first. "
        f'<a class="digest-feed-link" href="{links.to(tag_feed_src(tag.slug))}" '
        f'type="application/rss+xml">RSS feed of this tag</a> · '
        f'<a href="{links.to(INDEX_SRC)}">All tags</a></p>'
    )
    pager = render_pager(tag, page, pages, links)
    items = "".join(render_entry(e, links) for e in entries)
    start = (page - 1) * page_size + 1
    return (
        f'<div class="digest-tag" data-tag="{esc(tag.name)}">{head}{pager}'
        f'<ol class="digest-tag-list" start="{start}">{items}</ol>{pager}</div>'
    )


def render_index(tags: Sequence[Tag], use_directory_urls: bool = True) -> str:
    """Body of ``tags/``: one row per tag with its count, latest day and feed."""
    links = Links(INDEX_SRC, use_directory_urls)
    esc = html.escape
    if not tags:
        return '<p class="digest-empty">No tagged papers yet.</p>'
    rows = []
    for tag in tags:
        latest = tag.latest.isoformat()
        rows.append(
            f'<tr><td><a href="{links.to(tag_page_src(tag.slug))}">{esc(tag.name)}</a></td>'
            f'<td class="digest-count">{tag.count}</td>'
            f'<td><a href="{links.to(day_src(latest))}">{latest}</a></td>'
            f'<td><a href="{links.to(tag_feed_src(tag.slug))}" type="application/rss+xml" '
            f'aria-label="RSS feed of {esc(tag.name)}">RSS</a></td></tr>'
        )
    return (
        '<table class="digest-tags"><thead><tr><th>Tag</th><th>Papers</th>'
        "<th>Latest</th><th>Feed</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def build(ctx: SiteContext) -> SiteOutput:
    page_size = ctx.settings.config.site.tag_page_size
    udu = ctx.use_directory_urls
    tags = collect(ctx.days)
    out = SiteOutput()
    out.pages.append(
        GeneratedPage(
            src_uri=INDEX_SRC,
            title="Tags",
            html=render_index(tags, udu),
            meta={"digest": "tags"},
            in_nav=True,
        )
    )
    for tag in tags:
        chunks = pages_of(tag, page_size)
        for number, entries in enumerate(chunks, start=1):
            title = f"Tag: {tag.name}"
            if number > 1:
                title += f" (page {number} of {len(chunks)})"
            out.pages.append(
                GeneratedPage(
                    src_uri=tag_page_src(tag.slug, number),
                    title=title,
                    html=render_tag_page(tag, number, len(chunks), entries, page_size, udu),
                    meta={"digest": "tag", "tag": tag.name, "tag_slug": tag.slug},
                )
            )
    return out
