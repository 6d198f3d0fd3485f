"""Site section: RSS 2.0 feeds (``feed.xml`` and ``tags/<slug>/feed.xml``).

One item per kept paper of the latest ``site.feed_days`` published days, newest day first (in
a day: the day page's order). Our own writer, not mkdocs-rss-plugin: that plugin makes one item
per *page* and crashes on ``File.generated`` pages.

Decisions:
- Paper text is untrusted: the description is HTML built with every paper field escaped, and
  that HTML is XML-escaped as the element's text, so ``<script>`` in an abstract reaches a
  reader as the visible text ``<script>``, never as markup.
- Titles are plain text with ``<``/``>`` entity-encoded (see :func:`safe_title`).
- LaTeX becomes readable Unicode (:mod:`generator.site.latex`); readers do not run MathJax.
- ``guid`` is the versioned arXiv id (``2510.05064v2``, not a permalink) so a replacement kept
  on a later day is a new item while a rebuild never duplicates one.
- ``pubDate`` is the announcement date at 00:00 UTC (RFC 822), never the build time.
- Absolute links need ``site_url`` in mkdocs.yml. Item links point at arxiv.org and are
  absolute anyway; without ``site_url`` the channel link falls back to the arXiv listing of the
  configured categories, the self link and "on the digest" links are left out, and the build
  logs a warning (so ``mkdocs build --strict`` asks for ``site_url`` before publishing).
- Size is bounded: at most :data:`MAX_ITEMS` items, abstracts cut at :data:`MAX_ABSTRACT`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from generator.schema import DayRecord, DayStatus, PaperEntry
from generator.site.context import GeneratedAsset, SiteContext, SiteOutput
from generator.site.latex import readable
from generator.site.render import ARXIV_ABS, day_src, page_url, paper_anchor
from generator.site.tags import Tag, collect, paper_tags, tag_feed_src, tag_page_src

# A logger under "mkdocs." so MkDocs prints (and --strict counts) our warnings; library code
# does not import mkdocs itself.
log = logging.getLogger("mkdocs.plugins.arxiv_digest.feeds")

ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_ITEMS = 500
MAX_ABSTRACT = 4000  # arXiv caps abstracts at 1,920 characters; this only guards bad data


@dataclass(frozen=True)
class FeedItem:
    date: dt.date
    paper: PaperEntry


@dataclass(frozen=True)
class Channel:
    title: str
    link: str  # absolute
    description: str
    self_url: str | None  # absolute URL of the feed itself (atom:link rel=self)


def recent_items(days: Sequence[DayRecord], feed_days: int) -> list[FeedItem]:
    """Kept papers of the latest ``feed_days`` published days, newest day first."""
    published = [d for d in days if d.status is DayStatus.PUBLISHED]
    latest = sorted(published, key=lambda d: d.date, reverse=True)[:feed_days]
    items = [FeedItem(day.date, paper) for day in latest for paper in day.sorted_papers()]
    return items[:MAX_ITEMS]


def rfc822(date: dt.date) -> str:
    return email.utils.format_datetime(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC))


def _absolute(site_url: str | None, path: str) -> str | None:
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def _scores_text(paper: PaperEntry) -> str:
    if paper.relevance is None or paper.novelty is None:
        return "Kept for a followed author (not scored)"
    return f"Relevance: {paper.relevance} · Novelty: {paper.novelty}"


def item_description(item: FeedItem, site_url: str | None, udu: bool = True) -> str:
    """The item's HTML description; every paper field is escaped."""
    paper = item.paper
    esc = html.escape
    abstract = readable(paper.abstract)
    if len(abstract) > MAX_ABSTRACT:
        abstract = abstract[:MAX_ABSTRACT].rstrip() + " …"
    parts = [
        f"<p><strong>Authors:</strong> {esc(', '.join(paper.authors))}</p>",
        f"<p>{esc(_scores_text(paper))}</p>",
    ]
    if paper.comment:
        parts.append(f"<p><strong>Comment:</strong> {esc(readable(paper.comment))}</p>")
    parts.append(f"<p>{esc(abstract)}</p>")
    links = [
        f'<a href="{ARXIV_ABS}{esc(paper.id)}">arXiv</a>',
        f'<a href="https://arxiv.org/pdf/{esc(paper.id)}">PDF</a>',
    ]
    on_site = _absolute(site_url, page_url(day_src(item.date.isoformat()), udu))
    if on_site:
        on_site += "#" + paper_anchor(paper.id)
    if on_site:
        links.append(f'<a href="{esc(on_site)}">On the digest ({item.date.isoformat()})</a>')
    parts.append("<p>" + " · ".join(links) + "</p>")
    return "".join(parts)


def render_feed(
    channel: Channel,
    items: Sequence[FeedItem],
    built: dt.datetime,
    site_url: str | None,
    udu: bool = True,
) -> str:
    """The RSS 2.0 document (pure: same input, same bytes)."""
    ET.register_namespace("atom", ATOM_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    chan = ET.SubElement(rss, "channel")
    ET.SubElement(chan, "title").text = channel.title
    ET.SubElement(chan, "link").text = channel.link
    ET.SubElement(chan, "description").text = channel.description
    ET.SubElement(chan, "language").text = "en"
    ET.SubElement(chan, "generator").text = "arxiv-digest"
    ET.SubElement(chan, "lastBuildDate").text = email.utils.format_datetime(built)
    if channel.self_url:
        ET.SubElement(
            chan,
            f"{{{ATOM_NS}}}link",
            {"href": channel.self_url, "rel": "self", "type": "application/rss+xml"},
        )
    for item in items:
        paper = item.paper
        node = ET.SubElement(chan, "item")
        ET.SubElement(node, "title").text = safe_title(paper.title)
        ET.SubElement(node, "link").text = f"{ARXIV_ABS}{paper.id}"
        ET.SubElement(node, "description").text = item_description(item, site_url, udu)
        for tag in paper_tags(paper):
            ET.SubElement(node, "category").text = tag
        ET.SubElement(node, "guid", {"isPermaLink": "false"}).text = f"{paper.id}v{paper.version}"
        ET.SubElement(node, "pubDate").text = rfc822(item.date)
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def safe_title(title: str) -> str:
    """An item title with its angle brackets entity-encoded.

    RSS 2.0 calls titles plain text, yet many readers render them as HTML: encoding ``<``/``>``
    keeps a ``<script>`` in a title inert in both kinds (``&`` stays, "Q&A" is common and
    harmless).
    """
    return readable(title).replace("<", "&lt;").replace(">", "&gt;")


def _built_at(ctx: SiteContext) -> dt.datetime:
    """Build time for lastBuildDate: the injected clock, else the latest day (reproducible)."""
    if ctx.now is not None:
        return ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=dt.UTC)
    latest = ctx.latest
    day = latest.date if latest else dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _listing_url(ctx: SiteContext) -> str:
    return "https://arxiv.org/list/" + "+".join(ctx.settings.config.categories) + "/new"


def build(ctx: SiteContext) -> SiteOutput:
    site = ctx.settings.config.site
    site_url = ctx.site_url or None
    built = _built_at(ctx)
    items = recent_items(ctx.days, site.feed_days)
    if site_url is None and items:
        log.warning(
            "arxiv-digest: mkdocs.yml has no 'site_url': feed.xml is built, but its channel "
            "links fall back to arxiv.org and entries cannot link to the digest; set site_url "
            "to the published address (SITE_URL in CI)"
        )
    out = SiteOutput()
    main = Channel(
        title=site.title,
        link=_absolute(site_url, "") or _listing_url(ctx),
        description=f"Papers kept by {site.title} over the latest {site.feed_days} "
        "announcement days, with scores, comments and abstracts.",
        self_url=_absolute(site_url, "feed.xml"),
    )
    xml = render_feed(main, items, built, site_url, ctx.use_directory_urls)
    out.assets.append(GeneratedAsset("feed.xml", xml))
    recent_ids = {(i.date, i.paper.id) for i in items}
    for tag in collect(ctx.days):
        out.assets.append(_tag_feed(ctx, tag, recent_ids, built, site_url))
    return out


def _tag_feed(
    ctx: SiteContext,
    tag: Tag,
    recent_ids: set[tuple[dt.date, str]],
    built: dt.datetime,
    site_url: str | None,
) -> GeneratedAsset:
    """A tag's feed: the main feed's window, only the papers carrying the tag."""
    site = ctx.settings.config.site
    items = [FeedItem(e.date, e.paper) for e in tag.entries if (e.date, e.paper.id) in recent_ids]
    channel = Channel(
        title=f"{site.title}: {tag.name}",
        link=_absolute(site_url, page_url(tag_page_src(tag.slug), ctx.use_directory_urls))
        or _listing_url(ctx),
        description=f"Papers tagged {tag.name} over the latest {site.feed_days} announcement days.",
        self_url=_absolute(site_url, tag_feed_src(tag.slug)),
    )
    xml = render_feed(channel, items, built, site_url, ctx.use_directory_urls)
    return GeneratedAsset(tag_feed_src(tag.slug), xml)
