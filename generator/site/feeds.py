"""Site section: RSS 2.0 feeds (``feed.xml`` and ``tags/<slug>/feed.xml``).

One item per kept paper of the latest ``site.feed_days`` published days, newest day first (in
a day: the day page's order). Our own writer, not mkdocs-rss-plugin: that plugin makes one item
per *page* and crashes on ``File.generated`` pages.

Decisions:
- Paper text is untrusted: the description is HTML rendered from the paper's view by an
  autoescaping template (``feed_item.html``), and that HTML is XML-escaped as the element's
  text, so ``<script>`` in an abstract reaches a reader as the visible text ``<script>``,
  never as markup. Code points XML 1.0 forbids (control characters) are dropped from every
  text and attribute, whatever the day file holds, so the feed stays well-formed XML.
- Titles and categories are plain text with ``<``/``>`` entity-encoded (see :func:`safe_text`).
- LaTeX becomes readable Unicode (:mod:`generator.site.latex`); readers do not run MathJax.
- ``guid`` is the versioned arXiv id (``2510.05064v2``, not a permalink) so a replacement kept
  on a later day is a new item while a rebuild never duplicates one.
- ``pubDate`` is the announcement date at 00:00 UTC (RFC 822), never the build time.
- Absolute links need ``site_url`` in mkdocs.yml. Item links point at arxiv.org and are
  absolute anyway; without ``site_url`` the channel link falls back to the arXiv listing of the
  configured categories, the self link and "on the digest" links are left out, and the build
  logs a warning (so ``mkdocs build --strict`` asks for ``site_url`` before publishing).
- Categories are the paper's tags; with ``site_url`` each carries its tag page as ``domain``.
- Size is bounded: at most :data:`MAX_ITEMS` items, abstracts cut at :data:`MAX_ABSTRACT`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from generator.schema import DayStatus
from generator.site import render
from generator.site.context import GeneratedAsset, SiteContext, SiteOutput
from generator.site.logs import site_logger
from generator.site.model import DayView, PaperView, SiteModel, TagView
from generator.text import clean

log = site_logger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
MAX_ITEMS = 500
MAX_ABSTRACT = 4000  # arXiv caps abstracts at 1,920 characters; this only guards bad data


@dataclass(frozen=True)
class Channel:
    title: str
    link: str  # absolute
    description: str
    self_url: str | None  # absolute URL of the feed itself (atom:link rel=self)


def recent_items(days: Sequence[DayView], feed_days: int) -> list[PaperView]:
    """Kept papers of the latest ``feed_days`` published days, newest day first."""
    published = [d for d in days if d.record.status is DayStatus.PUBLISHED]
    latest = sorted(published, key=lambda d: d.date, reverse=True)[:feed_days]
    items = [view for day in latest for view in day.papers]
    return items[:MAX_ITEMS]


def xml_text(text: str) -> str:
    """``text`` without the code points XML 1.0 forbids (generator.text's one rule)."""
    return clean(text, sys.maxsize)


def rfc822(date: dt.date) -> str:
    return email.utils.format_datetime(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC))


def item_description(view: PaperView, site_url: str | None, use_directory_urls: bool = True) -> str:
    """The item's HTML description (every field escaped by the template)."""
    abstract = view.abstract_text
    if len(abstract) > MAX_ABSTRACT:
        abstract = abstract[:MAX_ABSTRACT].rstrip() + " …"
    on_site = render.absolute_url(site_url, view.day_src, use_directory_urls)
    return render.render(
        "feed_item.html",
        view=view,
        abstract=abstract,
        on_site=f"{on_site}#{view.anchor}" if on_site else None,
    )


def render_feed(
    channel: Channel,
    items: Sequence[PaperView],
    built: dt.datetime,
    site_url: str | None,
    use_directory_urls: bool = True,
) -> str:
    """The RSS 2.0 document (pure: same input, same bytes)."""

    def text(parent: ET.Element, tag: str, value: str, **attributes: str) -> None:
        node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
        node.text = xml_text(value)

    ET.register_namespace("atom", ATOM_NS)
    ET.register_namespace("dc", DC_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    chan = ET.SubElement(rss, "channel")
    text(chan, "title", safe_text(channel.title))
    text(chan, "link", channel.link)
    text(chan, "description", safe_text(channel.description))
    text(chan, "language", "en")
    text(chan, "generator", "arxiv-digest")
    text(chan, "lastBuildDate", email.utils.format_datetime(built))
    if channel.self_url:
        ET.SubElement(
            chan,
            f"{{{ATOM_NS}}}link",
            {"href": channel.self_url, "rel": "self", "type": "application/rss+xml"},
        )
    for view in items:
        node = ET.SubElement(chan, "item")
        text(node, "title", safe_text(view.title_text))
        text(node, "link", view.abs_url)
        if view.paper.authors:  # readers show it as the item's author line
            text(node, f"{{{DC_NS}}}creator", safe_text(", ".join(view.paper.authors)))
        text(node, "description", item_description(view, site_url, use_directory_urls))
        for tag in view.tags:
            domain = render.absolute_url(site_url, tag.src, use_directory_urls)
            attributes = {"domain": domain} if domain else {}
            text(node, "category", safe_text(tag.name), **attributes)
        text(node, "guid", view.versioned_id, isPermaLink="false")
        text(node, "pubDate", rfc822(view.date))
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def safe_text(text: str) -> str:
    """A plain-text field (title, category) with its angle brackets entity-encoded.

    RSS 2.0 calls titles and categories plain text, yet many readers render them as HTML:
    encoding ``<``/``>`` keeps a ``<script>`` in a title or a tag name inert in both kinds
    (``&`` stays, "Q&A" is common and harmless).
    """
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _built_at(ctx: SiteContext) -> dt.datetime:
    """Build time for lastBuildDate: the injected clock, else the latest day (reproducible)."""
    if ctx.now is not None:
        return ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=dt.UTC)
    latest = ctx.latest
    day = latest.date if latest else dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _listing_url(ctx: SiteContext) -> str:
    return "https://arxiv.org/list/" + "+".join(ctx.settings.config.categories) + "/new"


def build(model: SiteModel, ctx: SiteContext) -> SiteOutput:
    site = ctx.settings.config.site
    site_url = ctx.site_url or None
    udu = ctx.use_directory_urls
    built = _built_at(ctx)
    items = recent_items(model.days, site.feed_days)
    if site_url is None and items:
        log.warning(
            "arxiv-digest: mkdocs.yml has no 'site_url': feed.xml is built, but its channel "
            "links fall back to arxiv.org and entries cannot link to the digest; set site_url "
            "to the published address (SITE_URL in CI)"
        )
    out = SiteOutput()
    main = Channel(
        title=site.title,
        link=render.absolute_url(site_url, "index.md", udu) or _listing_url(ctx),
        description=f"Papers kept by {site.title} over the latest {site.feed_days} "
        "announcement days, with scores, comments and abstracts.",
        self_url=render.absolute_url(site_url, "feed.xml", udu),
    )
    out.assets.append(GeneratedAsset("feed.xml", render_feed(main, items, built, site_url, udu)))
    recent = {id(view) for view in items}
    for tag in model.tags:
        out.assets.append(_tag_feed(ctx, tag, recent, built, site_url))
    return out


def _tag_feed(
    ctx: SiteContext, tag: TagView, recent: set[int], built: dt.datetime, site_url: str | None
) -> GeneratedAsset:
    """A tag's feed: the main feed's window, only the papers carrying the tag."""
    site = ctx.settings.config.site
    udu = ctx.use_directory_urls
    items = [view for view in tag.entries if id(view) in recent]
    channel = Channel(
        title=f"{site.title}: {tag.name}",
        link=render.absolute_url(site_url, tag.src, udu) or _listing_url(ctx),
        description=f"Papers tagged {tag.name} over the latest {site.feed_days} announcement days.",
        self_url=render.absolute_url(site_url, tag.feed_src, udu),
    )
    xml = render_feed(channel, items, built, site_url, udu)
    return GeneratedAsset(tag.feed_src, xml)
