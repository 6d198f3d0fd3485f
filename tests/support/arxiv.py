"""A loopback stand-in for arXiv (RSS service and API) and Semantic Scholar.

A real ``ThreadingHTTPServer`` on 127.0.0.1:0 in a thread; the real client code talks to it.
Scripted replies per path (503 then success, 429 with Retry-After, a hanging reply, HTML,
truncated XML, ...), replay of the recorded API responses in ../shared, and an in-memory
"API corpus" answering ``cat:`` + ``submittedDate:[.. TO ..]`` queries with paging, which is
what backfill asks. Every request is logged.

Also here: builders of arXiv-format documents from the recorded data (a full-day RSS 2.0
feed from a listing, RSS from feedparser JSON dumps, Atom API pages).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

REPO = Path(__file__).resolve().parents[2]
# Small verbatim excerpts of the recorded data, laid out as in ../shared (arXiv metadata is
# CC0), so the fetch and parse tests run from the repository alone.
FIXTURES = REPO / "tests" / "fixtures"


def _beside_the_repository() -> Path:
    """../shared; in a git worktree (``.git`` is a file naming ``<main>/.git/worktrees/<name>``)
    the one beside the main checkout when the worktree has none of its own."""
    beside = REPO.parent / "shared"
    git = REPO / ".git"
    if not beside.exists() and git.is_file():
        gitdir = Path(git.read_text(encoding="utf-8").partition("gitdir:")[2].strip())
        if gitdir.parent.name == "worktrees":
            return gitdir.parents[2].parent / "shared"
    return beside


# The full recorded days live beside the repository; DIGEST_SHARED_DIR points elsewhere, and
# DIGEST_SHARED_DIR=/nonexistent shows what runs without them.
SHARED = Path(os.environ.get("DIGEST_SHARED_DIR") or _beside_the_repository())
ARXIV_DATA = SHARED / "arxiv"
EXCERPT_GLOB = "rss/current_rss2/*_excerpt.xml"
# 30 papers of the 2025-10-07 listing (14 new, 10 cross-listed, 6 outside cs.LG/cs.AI).
LISTING_EXCERPT = "2025-10-07_excerpt"


def shared_path(relative: str) -> Path:
    """Recorded data by its path under ../shared: the vendored copy in tests/fixtures/ when
    there is one, else ../shared itself, else skip the test with the reason."""
    for root in (FIXTURES, SHARED):
        path = root / relative
        if path.exists():
            return path
    pytest.skip(f"../shared not found: {relative} is not vendored in tests/fixtures/ ({SHARED})")


def full_recording(relative: str) -> Path:
    """A whole recorded folder or day in ../shared (tests/fixtures/ holds only excerpts)."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared not found: the full {relative} is needed ({SHARED})")
    return path


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a "hanging" reply when > client timeout)
    content_type: str = "application/rss+xml; charset=utf-8"

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class CorpusEntry:
    """One paper the API stand-in can return (Atom entry fields)."""

    id: str
    version: int
    title: str
    summary: str
    authors: list[str]
    categories: list[str]  # primary first
    published: dt.datetime  # UTC submission time of v1
    doi: str | None = None
    journal_ref: str | None = None


class FakeArxiv:
    """The stand-in server; use as a context manager, ``.url`` is its base URL."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = {}
        self.one_shots: dict[str, list[Reply]] = {}
        self.recorded: dict[tuple[str, str, str, str], Reply] = {}
        self.corpus: list[CorpusEntry] = []
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- scripting ---------------------------------------------------------------------
    def script(self, path: str, *replies: Reply) -> None:
        """Replies to ``path``, in order; the last one repeats."""
        self.scripts[path] = list(replies)

    def once(self, path: str, *replies: Reply) -> None:
        """Replies to ``path`` played once each, then the normal answers resume."""
        self.one_shots.setdefault(path, []).extend(replies)

    def load_recorded_api(self, folder: Path) -> int:
        """Replay ``{url, status_code, body}`` recordings keyed by their query."""
        count = 0
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            query = dict(
                urllib.parse.parse_qsl(
                    urllib.parse.urlsplit(record["url"]).query, keep_blank_values=True
                )
            )
            self.recorded[_recorded_key(query)] = Reply(
                record["status_code"],
                record["body"],
                content_type="application/atom+xml; charset=utf-8",
            )
            count += 1
        return count

    def requests_to(self, prefix: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path.startswith(prefix)]

    # --- serving -----------------------------------------------------------------------
    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            if self.one_shots.get(path):
                return self.one_shots[path].pop(0)
            replies = self.scripts.get(path)
            if not replies:
                return None
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def handle(self, method: str, path: str, query: dict[str, str]) -> Reply:
        scripted = self._next_reply(path)
        if scripted is not None:
            return scripted
        if path == "/api/query":
            recorded = self.recorded.get(_recorded_key(query))
            if recorded is not None:
                return recorded
            if self.corpus:
                return self._search_corpus(query)
        return Reply(
            404, "<html><head><title>404 Not Found</title></head></html>", content_type="text/html"
        )

    def _search_corpus(self, query: dict[str, str]) -> Reply:
        search = query.get("search_query", "")
        cats = set(re.findall(r"cat:([\w.-]+)", search))
        window = re.search(r"submittedDate:\[(\d{12}) TO (\d{12})\]", search)
        if not cats or not window:
            return Reply(
                400,
                atom_error("unsupported query for the stand-in: " + search),
                content_type="application/atom+xml",
            )
        low, high = (
            dt.datetime.strptime(w, "%Y%m%d%H%M").replace(tzinfo=dt.UTC) for w in window.groups()
        )
        hits = sorted(
            (
                e
                for e in self.corpus
                if cats & set(e.categories)
                and low <= e.published.replace(second=0, microsecond=0) <= high
            ),
            key=lambda e: (e.published, e.id),
        )
        start = int(query.get("start", 0))
        size = int(query.get("max_results", 10))
        return Reply(
            200,
            atom_feed(hits[start : start + size], total=len(hits), start=start),
            content_type="application/atom+xml; charset=utf-8",
        )

    def __enter__(self) -> FakeArxiv:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                split = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.log.append(
                    LoggedRequest(
                        method,
                        split.path,
                        query,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        time.monotonic(),
                    )
                )
                reply = fake.handle(method, split.path, query)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.payload()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def _recorded_key(query: dict[str, str]) -> tuple[str, str, str, str]:
    return (
        query.get("search_query", ""),
        query.get("id_list", ""),
        query.get("start", "0"),
        query.get("max_results", "10"),
    )


# --- document builders ---------------------------------------------------------------------

RFC822 = "%a, %d %b %Y %H:%M:%S %z"
LICENSE = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def rss_item(
    paper_id: str,
    version: int,
    title: str,
    abstract: str,
    authors: Sequence[str],
    categories: Sequence[str],
    announce_type: str,
    pub_date: str,
    doi: str | None = None,
) -> str:
    """One ``<item>`` exactly as rss.arxiv.org writes it."""
    cats = "".join(f"\n      <category>{escape(c)}</category>" for c in categories)
    doi_el = f"\n      <arxiv:DOI>{escape(doi)}</arxiv:DOI>" if doi else ""
    return (
        f"    <item>\n"
        f"      <title>{escape(title)}</title>\n"
        f"      <link>https://arxiv.org/abs/{paper_id}</link>\n"
        f"      <description>arXiv:{paper_id}v{version} Announce Type: {announce_type} \n"
        f"Abstract: {escape(abstract)}</description>\n"
        f'      <guid isPermaLink="false">oai:arXiv.org:{paper_id}v{version}</guid>'
        f"{cats}\n"
        f"      <pubDate>{pub_date}</pubDate>\n"
        f"      <arxiv:announce_type>{announce_type}</arxiv:announce_type>\n"
        f"      <dc:rights>{LICENSE}</dc:rights>{doi_el}\n"
        f"      <dc:creator>{escape(', '.join(authors))}</dc:creator>\n"
        f"    </item>\n"
    )


def rss_document(
    categories: Sequence[str], date: dt.date | None, items: Iterable[str], title: str | None = None
) -> str:
    """A whole feed; ``date=None`` leaves out the channel pubDate (a broken feed)."""
    joined = "+".join(categories)
    names = ", ".join(categories)
    pub = ""
    build = ""
    if date is not None:
        stamp = dt.datetime(
            date.year, date.month, date.day, tzinfo=dt.timezone(dt.timedelta(hours=-4))
        )
        pub = f"    <pubDate>{stamp.strftime(RFC822)}</pubDate>\n"
        built = (stamp + dt.timedelta(hours=8, minutes=30)).astimezone(dt.UTC)
        build_stamp = built.strftime("%a, %d %b %Y %H:%M:%S +0000")
        build = f"    <lastBuildDate>{build_stamp}</lastBuildDate>\n"
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
        "  <channel>\n"
        f"    <title>{escape(title or f'{names} updates on arXiv.org')}</title>\n"
        f"    <link>http://rss.arxiv.org/rss/{joined}</link>\n"
        f"    <description>{names} updates on the arXiv.org e-print archive.</description>\n"
        f'    <atom:link href="http://rss.arxiv.org/rss/{joined}" rel="self" '
        'type="application/rss+xml"/>\n'
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
        "    <language>en-us</language>\n"
        f"{build}"
        "    <managingEditor>rss-help@arxiv.org</managingEditor>\n"
        f"{pub}"
        "    <skipDays>\n      <day>Sunday</day>\n      <day>Saturday</day>\n    </skipDays>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )


def read_listing(date: str) -> dict[str, dict[str, Any]]:
    """A recorded daily listing, de-duplicated by id (lines repeat once per category page).

    ``date`` names the file: ``2025-10-07`` is the full day in ../shared, ``LISTING_EXCERPT``
    the vendored 30 papers of it."""
    path = shared_path(f"arxiv/listings/{date}.jsonl")
    papers: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            papers.setdefault(record["id"], record)
    return papers


def listing_feed(date: str, configured: Sequence[str] = ("cs.LG", "cs.AI")) -> str:
    """A full-day RSS 2.0 feed in arXiv's format built from a recorded listing: new when the
    primary category is configured, cross otherwise."""
    day = dt.date.fromisoformat(date[:10])
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    pub = stamp.strftime(RFC822)
    items = []
    for record in read_listing(date).values():
        kind = "new" if record["categories"][0] in configured else "cross"
        # rss.arxiv.org writes the abstract on one line (the listing keeps arXiv's wrapping).
        items.append(
            rss_item(
                record["id"],
                1,
                " ".join(record["title"].split()),
                " ".join(record["summary"].split()),
                record["authors"],
                record["categories"],
                kind,
                pub,
            )
        )
    return rss_document(configured, day, items)


def feed_from_feedparser_json(path: Path) -> list[tuple[str, str]]:
    """(url, RSS XML) rebuilt from a feedparser JSON dump (categories were not kept)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for url, parsed in data.items():
        pub = parsed["feed"]["published"]
        items = []
        for entry in parsed["entries"]:
            match = re.match(
                r"arXiv:(\S+?)v(\d+) Announce Type: ([\w-]+) \nAbstract: (.*)",
                entry["summary"],
                re.S,
            )
            assert match, entry["id"]
            items.append(
                rss_item(
                    match[1],
                    int(match[2]),
                    entry["title"],
                    match[4],
                    entry["author"].split(", ") if entry.get("author") else [],
                    [],
                    match[3],
                    pub,
                )
            )
        cats = url.rsplit("/", 1)[-1].split("+")
        doc = rss_document(cats, None, items)
        doc = doc.replace(
            "    <managingEditor>", f"    <pubDate>{pub}</pubDate>\n    <managingEditor>", 1
        )
        out.append((url, doc))
    return out


def atom_feed(entries: Sequence[CorpusEntry], total: int, start: int) -> str:
    """An export.arxiv.org API page (Atom), as the real API writes it."""
    body = []
    for e in entries:
        stamp = e.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        authors = "".join(
            f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in e.authors
        )
        cats = "".join(
            f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>\n'
            for c in e.categories
        )
        extra = f"    <arxiv:doi>{escape(e.doi)}</arxiv:doi>\n" if e.doi else ""
        if e.journal_ref:
            extra += f"    <arxiv:journal_ref>{escape(e.journal_ref)}</arxiv:journal_ref>\n"
        body.append(
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{e.id}v{e.version}</id>\n"
            f"    <title>{escape(e.title)}</title>\n"
            f"    <updated>{stamp}</updated>\n"
            f'    <link href="https://arxiv.org/abs/{e.id}v{e.version}" rel="alternate" '
            'type="text/html"/>\n'
            f"    <summary>{escape(e.summary)}</summary>\n"
            f"{cats}"
            f"    <published>{stamp}</published>\n"
            f'    <arxiv:primary_category term="{escape(e.categories[0])}"/>\n'
            f"{authors}{extra}"
            "  </entry>\n"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/stand-in</id>\n"
        "  <title>arXiv Query</title>\n"
        "  <updated>2026-01-01T00:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n" + "".join(body) + "</feed>\n"
    )


def atom_error(message: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>arXiv Search Results</title>\n'
        "  <entry>\n    <id>https://arxiv.org/api/errors</id>\n    <title>Error</title>\n"
        f"    <summary>{escape(message)}</summary>\n  </entry>\n</feed>\n"
    )


# Submission windows of three recorded announcement days, worked out by hand from arXiv's
# published schedule (14:00 US Eastern cutoffs; EDT = UTC-4 in October 2025). Kept here,
# independent of generator.fetch.schedule, so backfill tests check the schedule code.
LISTING_WINDOWS_UTC = {
    "2025-10-06": ("2025-10-02T18:00", "2025-10-03T18:00"),  # Mon: Thu 14:00 -> Fri 14:00
    "2025-10-07": ("2025-10-03T18:00", "2025-10-06T18:00"),  # Tue: Fri 14:00 -> Mon 14:00
    "2025-10-08": ("2025-10-06T18:00", "2025-10-07T18:00"),  # Wed: Mon 14:00 -> Tue 14:00
}


def listing_corpus(dates: Iterable[str] = tuple(LISTING_WINDOWS_UTC)) -> list[CorpusEntry]:
    """The recorded listings as API entries, each submitted inside its day's window."""
    corpus: list[CorpusEntry] = []
    seen: set[str] = set()
    for date in dates:
        start, end = (
            dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC) for t in LISTING_WINDOWS_UTC[date]
        )
        records = [r for r in read_listing(date).values() if r["id"] not in seen]
        span = (end - start) / (len(records) + 1)
        for index, record in enumerate(records, start=1):
            seen.add(record["id"])
            corpus.append(
                CorpusEntry(
                    id=record["id"],
                    version=1,
                    title=record["title"],
                    summary=record["summary"],
                    authors=record["authors"],
                    categories=record["categories"],
                    published=start + span * index,
                )
            )
    return corpus
