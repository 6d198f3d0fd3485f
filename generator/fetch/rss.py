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

from generator import text
from generator.config import DigestConfig
from generator.errors import FetchError
from generator.fetch import fields
from generator.fetch.http import PoliteClient, describe_error_body
from generator.fetch.transport import endpoint_setting
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
    response = client.get(url, setting=endpoint_setting("arxiv", "rss_base"))
    return parse_feed(response.body, url, response.content_type)


def clean_abstract(description: str) -> str:
    """The abstract without the feed's ``arXiv:IDvN Announce Type: T Abstract:`` prefix."""
    return fields.abstract(_PREFIX_RE.sub("", description, count=1))


def split_authors(creator: str | None) -> tuple[str, ...]:
    """``dc:creator`` is one comma-separated string of names."""
    if not creator:
        return ()
    return fields.authors(unescape(n) for n in re.split(r",\s*|\s+and\s+", creator))


def parse_announcement_date(value: str | None, url: str) -> dt.date:
    """The channel ``pubDate`` (RFC 822), as the date written in it (US Eastern)."""
    if not value or not value.strip():
        raise FetchError(url, "the feed's channel has no pubDate (announcement date)")
    try:
        return email.utils.parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError) as exc:
        raise FetchError(url, f"the channel pubDate {fields.shown(value)} is not a date") from exc


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
    raise FetchError(
        url, f"expected an RSS feed, got a <{text.for_terminal(root.tag, 80)}> document"
    )


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
        raise FetchError(url, f"arXiv rejected the query: {text.for_terminal(title)}")
    date = parse_announcement_date(_text(channel, "pubDate"), url)
    intake = fields.Intake(url)
    papers: dict[str, Paper] = {}
    for index, item in enumerate(channel.findall("item"), start=1):
        try:
            paper = _rss2_item(item, intake)
        except fields.BadItem as exc:
            # One bad entry is skipped, logged and counted, not allowed to sink the day.
            intake.skip(f"item {index}", exc)
            continue
        if paper.id in papers:
            log.warning("%s: item %d repeats %s; kept once", url, index, paper.id)
            continue
        papers[paper.id] = paper
    skipped = intake.close()
    return Announcement(date=date, papers=tuple(papers.values()), source=url, skipped=skipped)


def _id_and_version(item: ET.Element, description: str) -> tuple[str, str]:
    guid = (_text(item, "guid") or "").strip()
    match = _GUID_RE.match(guid)
    if match:
        return match["id"], match["version"]
    prefix = _PREFIX_RE.match(description)
    if prefix:
        return prefix["id"], prefix["version"]
    link = _ABS_LINK_RE.search((_text(item, "link") or "").strip())
    if link:
        return link["id"], link["version"] or "1"
    if not guid:
        raise fields.BadItem("no guid (and no arXiv id in the description or link)")
    raise fields.BadItem(f"guid {fields.shown(guid)} holds no arXiv id")


def _rss2_item(item: ET.Element, intake: fields.Intake) -> Paper:
    description = _text(item, "description") or ""
    raw_id, raw_version = _id_and_version(item, description)
    fields.paper_id(raw_id)  # the id first: every later problem is about a real paper
    raw_type = (_text(item, "arxiv:announce_type") or "").strip()
    if not raw_type:
        prefix = _PREFIX_RE.match(description)
        raw_type = prefix["type"] if prefix else ""
    try:
        kind = fields.announce_type(raw_type)
    except fields.BadItem as exc:
        raise fields.BadItem(f"{raw_id}: {exc}") from None
    return fields.make_paper(
        intake,
        raw_id=raw_id,
        raw_version=raw_version,
        raw_title=_text(item, "title"),
        raw_authors=split_authors(_text(item, "dc:creator")),
        raw_abstract=_PREFIX_RE.sub("", description, count=1),
        raw_categories=(c.text for c in item.findall("category")),
        kind=kind,
        raw_doi=_text(item, "arxiv:DOI"),
        raw_journal_ref=(
            _text(item, "arxiv:journal_reference") or _text(item, "arxiv:journal_ref")
        ),
    )


def _strip_tags(raw: str | None) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", raw or ""))


_LEGACY_TYPES = {"CROSS LISTED": AnnounceType.CROSS, "UPDATED": AnnounceType.REPLACE}


def _parse_rdf(root: ET.Element, url: str) -> Announcement:
    """The legacy RSS 1.0 feed (until 2024): id, version, primary category and the
    NEW/CROSS LISTED/UPDATED flag sit in the item title; authors are HTML links."""
    channel = root.find("rss1:channel", NS)
    raw_date = (_text(channel, "dc:date") or "").strip()
    try:
        stamp = dt.datetime.fromisoformat(raw_date)
    except ValueError as exc:
        raise FetchError(
            url, f"legacy RDF feed: dc:date {fields.shown(raw_date)} is not a date"
        ) from exc
    # The legacy feed stamps the mailing with the evening it went out (20:30 ET); the
    # current feed's pubDate names the next day, which is the date we store.
    date = stamp.date() + dt.timedelta(days=1) if stamp.hour >= 20 else stamp.date()
    intake = fields.Intake(url)
    papers: dict[str, Paper] = {}
    for index, item in enumerate(root.findall("rss1:item", NS), start=1):
        raw_title = _text(item, "rss1:title") or ""
        match = _LEGACY_TITLE_RE.match(raw_title.strip())
        if not match:
            intake.skip(f"item {index}", f"unexpected legacy title {fields.shown(raw_title)}")
            continue
        authors = split_authors(_strip_tags(_text(item, "dc:creator")))
        try:
            paper = fields.make_paper(
                intake,
                raw_id=match["id"],
                raw_version=match["version"],
                raw_title=match["title"].strip().rstrip("."),
                raw_authors=(a for a in authors if not a.startswith("et al")),
                raw_abstract=_strip_tags(_text(item, "rss1:description")),
                raw_categories=[match["cat"]],
                kind=_LEGACY_TYPES.get(match["flag"] or "", AnnounceType.NEW),
            )
        except fields.BadItem as exc:
            intake.skip(f"item {index}", exc)
            continue
        papers.setdefault(paper.id, paper)
    skipped = intake.close()
    return Announcement(date=date, papers=tuple(papers.values()), source=url, skipped=skipped)
