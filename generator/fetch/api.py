"""Past announcement days through the arXiv API (``{api_base}/api/query``).

:func:`parse_api_page` is pure (Atom in, entries out); :func:`search` pages through a query
with the polite client; :func:`fetch_day` rebuilds one announcement day from its submission
window (:mod:`generator.fetch.schedule`). Direct requests rather than the ``arxiv`` package:
it hides HTTP status and retry behaviour we need to control (one request per 3 s, our error
messages, our stand-in server in tests).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from generator import text
from generator.config import DigestConfig
from generator.errors import FetchError
from generator.fetch import fields
from generator.fetch.http import PoliteClient
from generator.fetch.schedule import Schedule
from generator.fetch.transport import endpoint_setting
from generator.models import Announcement, AnnounceType, Paper

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ABS_ID_RE = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")
# The day record's ``source`` for days rebuilt from the API rather than the RSS feed.
API_SOURCE = "api-backfill"
EMPTY_PAGE_RETRIES = 2  # the API sometimes answers a page with no entries; ask again
# The most results one query may page through. A busy arXiv day across many categories has a
# few thousand papers; a total far beyond that is a wrong query or a broken server, and
# paging through it at one request per 3 s would run for days.
MAX_RESULTS = 50_000


@dataclass(frozen=True)
class ApiEntry:
    """One API result: the paper as the API describes it (announce type still to be given)
    and when its first version was submitted."""

    paper: Paper
    published: dt.datetime | None

    @property
    def id(self) -> str:
        return self.paper.id

    def to_paper(self, configured: Sequence[str]) -> Paper:
        """New when the primary category is configured, else a cross-list."""
        kind = AnnounceType.NEW if self.paper.primary_category in configured else AnnounceType.CROSS
        return dataclasses.replace(self.paper, announce_type=kind)


@dataclass(frozen=True)
class ApiPage:
    total: int
    start: int
    entries: tuple[ApiEntry, ...]
    skipped: tuple[str, ...] = ()  # entries that were not usable papers (see Intake.skip)


@dataclass(frozen=True)
class SearchResult:
    entries: list[ApiEntry]
    skipped: tuple[str, ...] = ()


def _int(root: ET.Element, tag: str, default: int = 0) -> int:
    found = root.find(f"{OPENSEARCH}{tag}")
    try:
        return int((found.text or "").strip()) if found is not None else default
    except ValueError:
        return default


def parse_api_page(body: bytes, url: str) -> ApiPage:
    """Parse one Atom page of API results; an API error entry is a FetchError, an unusable
    entry is skipped, logged and counted."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FetchError(url, f"not well-formed XML (truncated or corrupt reply): {exc}") from exc
    if root.tag != f"{ATOM}feed":
        shown = text.for_terminal(root.tag, 80)
        raise FetchError(url, f"expected an Atom feed from the arXiv API, got <{shown}>")
    start = _int(root, "startIndex")
    intake = fields.Intake(url)
    entries = []
    for index, element in enumerate(root.findall(f"{ATOM}entry"), start=start + 1):
        raw_id = (element.findtext(f"{ATOM}id") or "").strip()
        if "/api/errors" in raw_id:
            summary = (element.findtext(f"{ATOM}summary") or "").strip()
            raise FetchError(url, f"arXiv API error: {text.for_terminal(summary or raw_id)}")
        try:
            entries.append(_entry(element, raw_id, intake))
        except fields.BadItem as exc:
            intake.skip(f"entry {index}", exc)
    skipped = intake.close()
    return ApiPage(_int(root, "totalResults"), start, tuple(entries), skipped)


def _entry(element: ET.Element, raw_id: str, intake: fields.Intake) -> ApiEntry:
    match = _ABS_ID_RE.search(raw_id)
    if not match:
        raise fields.BadItem(f"id {fields.shown(raw_id)} is not an arXiv abstract URL")
    categories = [c.get("term", "") for c in element.findall(f"{ATOM}category")]
    primary_el = element.find(f"{ARXIV}primary_category")
    primary = primary_el.get("term", "") if primary_el is not None else ""
    if primary:
        categories = [primary] + [c for c in categories if c != primary]
    published_text = (element.findtext(f"{ATOM}published") or "").strip()
    try:
        published = dt.datetime.fromisoformat(published_text.replace("Z", "+00:00"))
    except ValueError:
        published = None
    paper = fields.make_paper(
        intake,
        raw_id=match["id"],
        raw_version=match["version"] or 1,
        raw_title=element.findtext(f"{ATOM}title"),
        raw_authors=(a.findtext(f"{ATOM}name") or "" for a in element.findall(f"{ATOM}author")),
        raw_abstract=element.findtext(f"{ATOM}summary"),
        raw_categories=categories,
        kind=AnnounceType.NEW,  # given by to_paper, from the configured categories
        raw_doi=element.findtext(f"{ARXIV}doi"),
        raw_journal_ref=element.findtext(f"{ARXIV}journal_ref"),
    )
    return ApiEntry(paper=paper, published=published)


def query(
    client: PoliteClient,
    api_base: str,
    search_query: str = "",
    *,
    id_list: str = "",
    page_size: int = 200,
    sort_by: str = "submittedDate",
    sort_order: str = "ascending",
    limit: int | None = None,
) -> SearchResult:
    """Every result of a query (up to ``limit``), one polite request per page, with notes on
    the entries that were skipped.

    Stops with a FetchError when the claimed total is beyond :data:`MAX_RESULTS` or when a
    page brings no result not seen before (a server that ignores ``start``).
    """
    url = f"{api_base.rstrip('/')}/api/query"
    results: list[ApiEntry] = []
    skipped: list[str] = []
    seen: set[str] = set()
    start = 0
    empty_tries = 0
    while True:
        size = page_size if limit is None else min(page_size, limit - len(results))
        if size <= 0:
            break
        params: dict[str, str | int] = {
            "search_query": search_query,
            "id_list": id_list,
            "sortBy": sort_by,
            "sortOrder": sort_order,
            "start": start,
            "max_results": size,
        }
        response = client.get(url, params, setting=endpoint_setting("arxiv", "api_base"))
        page = parse_api_page(response.body, response.url)
        wanted = page.total if limit is None else min(limit, page.total)
        if wanted > MAX_RESULTS:
            raise FetchError(
                response.url,
                f"the API claims {page.total:,} results, more than the {MAX_RESULTS:,} one "
                "query may page through (far above any arXiv day)",
            )
        skipped.extend(page.skipped)
        if not page.entries and not page.skipped:
            if start >= page.total:
                break
            # A known API quirk: a page inside the result set comes back empty. Ask again.
            empty_tries += 1
            if empty_tries > EMPTY_PAGE_RETRIES:
                raise FetchError(response.url, f"empty page at {start} of {page.total} results")
            continue
        empty_tries = 0
        fresh = [entry for entry in page.entries if entry.id not in seen]
        if page.entries and not fresh:
            raise FetchError(
                response.url,
                f"the page at {start} of {page.total:,} claimed results repeats earlier "
                "results: paging does not advance",
            )
        for entry in fresh:  # pages can overlap when results shift under us
            seen.add(entry.id)
            results.append(entry)
        start += len(page.entries) + len(page.skipped)
        if start >= page.total:
            break
    return SearchResult(results, tuple(skipped))


def category_query(categories: Sequence[str], submitted: str) -> str:
    """``(cat:cs.LG OR cat:cs.AI) AND submittedDate:[... TO ...]``."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:{submitted}"


def fetch_day(
    config: DigestConfig, client: PoliteClient, date: dt.date, schedule: Schedule
) -> Announcement:
    """Rebuild the announcement of ``date`` from the papers submitted in its window."""
    window = schedule.window(date)
    search_query = category_query(config.categories, window.api_range())
    found = query(client, config.arxiv.api_base, search_query, page_size=config.arxiv.page_size)
    papers = tuple(e.to_paper(config.categories) for e in found.entries)
    source = f"{config.arxiv.api_base.rstrip('/')}/api/query?search_query={search_query}"
    return Announcement(date=date, papers=papers, source=source, skipped=found.skipped)
