"""The day's announcement from arXiv's RSS service (rss.arxiv.org), one request for all
configured categories: ``{rss_base}/rss/cs.LG+cs.AI``.

:func:`parse_feed` is pure (bytes in, :class:`~generator.models.Announcement` out) and
understands the current RSS 2.0 format and the legacy (pre-2024) RSS 1.0/RDF one. Every
way a feed can be unusable -- an HTML error page, truncated XML, arXiv's "Feed error for
query" feed, a channel without a date -- is a :class:`~generator.errors.FetchError` naming
the URL and the cause. An empty channel (weekends, holidays) is a valid announcement with no
papers: arXiv publishes the channel with no ``<item>`` on days without an announcement.

The XML is read with the standard library's ElementTree rather than feedparser: feedparser
is lenient by design (a truncated document still yields the items before the cut, flagged
only by ``bozo``), while here a half-read feed must fail loudly, and the arXiv extension
elements (``arxiv:announce_type``, ``arxiv:DOI``) and repeated ``<category>`` keep their order.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import xml.etree.ElementTree as ET
from html import unescape

from generator.config import DigestConfig
from generator.errors import FetchError
from generator.fetch.http import PoliteClient, describe_error_body
from generator.models import Announcement, AnnounceType, Paper

log = logging.getLogger(__name__)

NS = {
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rss1": "http://purl.org/rss/1.0/",
}
_GUID_RE = re.compile(r"^oai:arXiv\.org:(?P<id>.+?)v(?P<version>\d+)$")
_ABS_LINK_RE = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")
# "arXiv:2510.05064v1 Announce Type: new \nAbstract: ..." (the prefix users complain about)
_PREFIX_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+?)v(?P<version>\d+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*"
    r"(?:Abstract:\s*)?",
    re.S,
)
_LEGACY_TITLE_RE = re.compile(
    r"^(?P<title>.*)\s*\(arXiv:(?P<id>\S+?)v(?P<version>\d+)\s+\[(?P<cat>[^\]]+)\]"
    r"(?:\s+(?P<flag>CROSS LISTED|UPDATED))?\)\s*$",
    re.S,
)
_FEED_ERROR_PREFIX = "Feed error for query"


def rss_url(config: DigestConfig) -> str:
    """The one combined feed of every configured category."""
    return f"{config.arxiv.rss_base.rstrip('/')}/rss/{'+'.join(config.categories)}"


def fetch_announcement(config: DigestConfig, client: PoliteClient) -> Announcement:
    """Fetch and parse today's feed; raises FetchError on any failure."""
    url = rss_url(config)
    response = client.get(url)
    return parse_feed(response.body, url, response.content_type)


def clean_text(text: str | None) -> str:
    """Collapse whitespace (feeds and the API hard-wrap lines) but keep paragraph breaks."""
    if not text:
        return ""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def clean_abstract(description: str) -> str:
    """The abstract without the feed's ``arXiv:IDvN Announce Type: T Abstract:`` prefix."""
    return clean_text(_PREFIX_RE.sub("", description, count=1))


def split_authors(creator: str | None) -> tuple[str, ...]:
    """``dc:creator`` is one comma-separated string of names."""
    if not creator:
        return ()
    names = (unescape(n).strip() for n in re.split(r",\s*|\s+and\s+", creator))
    return tuple(" ".join(n.split()) for n in names if n)


def parse_announcement_date(value: str | None, url: str) -> dt.date:
    """The channel ``pubDate`` (RFC 822), as the date written in it (US Eastern)."""
    if not value or not value.strip():
        raise FetchError(url, "the feed's channel has no pubDate (announcement date)")
    try:
        return email.utils.parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError) as exc:
        raise FetchError(url, f"the channel pubDate {value.strip()!r} is not a date") from exc


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    return content_type == "text/html" or head.startswith((b"<!doctype html", b"<html"))


def parse_feed(body: bytes, url: str, content_type: str = "") -> Announcement:
    """Parse an arXiv RSS document (RSS 2.0, or legacy RDF) into an Announcement."""
    if not body.strip():
        raise FetchError(url, "the reply is empty (expected an RSS feed)")
    if _looks_like_html(body, content_type):
        raise FetchError(
            url, f"expected an RSS feed, got an HTML page ({describe_error_body(body)!r})"
        )
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FetchError(url, f"not well-formed XML (truncated or corrupt feed): {exc}") from exc
    if root.tag == "rss":
        return _parse_rss2(root, url)
    if root.tag == f"{{{NS['rdf']}}}RDF":
        return _parse_rdf(root, url)
    raise FetchError(url, f"expected an RSS feed, got a <{root.tag}> document")


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path, NS)
    return found.text if found is not None else None


def _parse_rss2(root: ET.Element, url: str) -> Announcement:
    channel = root.find("channel")
    if channel is None:
        raise FetchError(url, "the RSS document has no <channel>")
    title = (_text(channel, "title") or "").strip()
    if title.startswith(_FEED_ERROR_PREFIX):
        raise FetchError(url, f"arXiv rejected the query: {title}")
    date = parse_announcement_date(_text(channel, "pubDate"), url)
    papers: list[Paper] = []
    seen: set[str] = set()
    for index, item in enumerate(channel.findall("item"), start=1):
        try:
            paper = _rss2_item(item)
        except ValueError as exc:
            # One bad entry is skipped and logged, not allowed to sink the day.
            log.warning("%s: skipping item %d: %s", url, index, exc)
            continue
        if paper.id in seen:
            log.warning("%s: item %d repeats %s; kept once", url, index, paper.id)
            continue
        seen.add(paper.id)
        papers.append(paper)
    return Announcement(date=date, papers=tuple(papers), source=url)


def _id_and_version(item: ET.Element, description: str) -> tuple[str, int]:
    guid = (_text(item, "guid") or "").strip()
    match = _GUID_RE.match(guid)
    if match:
        return match["id"], int(match["version"])
    prefix = _PREFIX_RE.match(description)
    if prefix:
        return prefix["id"], int(prefix["version"])
    link = _ABS_LINK_RE.search((_text(item, "link") or "").strip())
    if link:
        return link["id"], int(link["version"] or 1)
    raise ValueError(f"no arXiv id in guid {guid!r}")


def _rss2_item(item: ET.Element) -> Paper:
    description = _text(item, "description") or ""
    paper_id, version = _id_and_version(item, description)
    raw_type = (_text(item, "arxiv:announce_type") or "").strip()
    if not raw_type:
        prefix = _PREFIX_RE.match(description)
        raw_type = prefix["type"] if prefix else ""
    try:
        announce_type = AnnounceType(raw_type)
    except ValueError:
        raise ValueError(f"{paper_id}: unknown announce type {raw_type!r}") from None
    categories = tuple(
        c.text.strip() for c in item.findall("category") if c.text and c.text.strip()
    )
    return Paper(
        id=paper_id,
        version=version,
        title=clean_text(_text(item, "title")),
        authors=split_authors(_text(item, "dc:creator")),
        abstract=clean_abstract(description),
        categories=categories,
        announce_type=announce_type,
        doi=(_text(item, "arxiv:DOI") or "").strip() or None,
        journal_ref=(
            _text(item, "arxiv:journal_reference") or _text(item, "arxiv:journal_ref") or ""
        ).strip()
        or None,
    )


def _strip_tags(text: str | None) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", text or ""))


def _parse_rdf(root: ET.Element, url: str) -> Announcement:
    """The legacy RSS 1.0 feed (until 2024): id, version, primary category and the
    NEW/CROSS LISTED/UPDATED flag sit in the item title; authors are HTML links."""
    channel = root.find("rss1:channel", NS)
    raw_date = (_text(channel, "dc:date") or "").strip()
    try:
        stamp = dt.datetime.fromisoformat(raw_date)
    except ValueError as exc:
        raise FetchError(url, f"legacy RDF feed: dc:date {raw_date!r} is not a date") from exc
    # The legacy feed stamps the mailing with the evening it went out (20:30 ET); the
    # current feed's pubDate names the next day, which is the date we store.
    date = stamp.date() + dt.timedelta(days=1) if stamp.hour >= 20 else stamp.date()
    papers: list[Paper] = []
    for item in root.findall("rss1:item", NS):
        title = _text(item, "rss1:title") or ""
        match = _LEGACY_TITLE_RE.match(title.strip())
        if not match:
            log.warning("%s: skipping legacy item with unexpected title %r", url, title[:80])
            continue
        flag = match["flag"]
        announce_type = {
            "CROSS LISTED": AnnounceType.CROSS,
            "UPDATED": AnnounceType.REPLACE,
        }.get(flag or "", AnnounceType.NEW)
        authors = split_authors(_strip_tags(_text(item, "dc:creator")))
        papers.append(
            Paper(
                id=match["id"],
                version=int(match["version"]),
                title=clean_text(match["title"]).rstrip("."),
                authors=tuple(a for a in authors if not a.startswith("et al")),
                abstract=clean_text(_strip_tags(_text(item, "rss1:description"))),
                categories=(match["cat"].strip(),),
                announce_type=announce_type,
            )
        )
    return Announcement(date=date, papers=tuple(papers), source=url)
