"""Hostile or broken items from the feed and the API, served by the loopback stand-in: one bad
item is skipped, logged and counted, never the end of the day; every text field is normalised
at the edge; the API's paging cannot run away."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from support.arxiv import CorpusEntry, FakeArxiv, Reply, atom_feed, rss_document

from generator import text
from generator.cli import main
from generator.config import parse_config
from generator.errors import FetchError
from generator.fetch.api import MAX_RESULTS, fetch_day, parse_api_page, query
from generator.fetch.http import PoliteClient
from generator.fetch.rss import fetch_announcement, parse_feed
from generator.fetch.schedule import Schedule
from generator.store import DayStore

REPO = Path(__file__).resolve().parents[1]
FEED = "/rss/cs.LG+cs.AI"
DAY = dt.date(2025, 10, 7)
PUB = "Tue, 07 Oct 2025 00:00:00 -0400"


def item(
    guid: str | None = "oai:arXiv.org:2510.00001v1",
    title: str | None = "A good paper",
    kind: str = "new",
    categories: tuple[str, ...] = ("cs.LG",),
    creator: str = "Ada Lovelace, Alan Turing",
    abstract: str = "We study things.",
    extra: str = "",
) -> str:
    """One RSS 2.0 item as rss.arxiv.org writes it; every part may be replaced or left out
    (the values are XML-escaped, so they reach the parser exactly as given)."""
    parts = ["    <item>"]
    if title is not None:
        parts.append(f"      <title>{escape(title)}</title>")
    parts.append(f"      <description>{escape(abstract)}</description>")
    if guid is not None:
        parts.append(f'      <guid isPermaLink="false">{escape(guid)}</guid>')
    parts += [f"      <category>{escape(c)}</category>" for c in categories]
    parts += [
        f"      <pubDate>{PUB}</pubDate>",
        f"      <arxiv:announce_type>{escape(kind)}</arxiv:announce_type>",
        f"      <dc:creator>{escape(creator)}</dc:creator>",
    ]
    if extra:
        parts.append(extra)
    parts.append("    </item>\n")
    return "\n".join(parts)


BAD_ITEMS = {
    "script": (
        item(guid='oai:arXiv.org:2510.0001"><script>alert(1)</script>v1'),
        "id '2510.0001\"><script>alert(1)</script>' is not an arXiv id",
    ),
    "path": (item(guid="oai:arXiv.org:../../etcv1"), "id '../../etc' is not an arXiv id"),
    "space": (item(guid="oai:arXiv.org:2510.000 01v1"), "id '2510.000 01' is not an arXiv id"),
    "no guid": (item(guid=None), "no guid"),
    "unknown type": (item(guid="oai:arXiv.org:2510.00007v1", kind="withdrawn"), "unknown"),
    "no title": (item(guid="oai:arXiv.org:2510.00008v1", title=None), "no title"),
    "blank title": (item(guid="oai:arXiv.org:2510.00009v1", title=" \n "), "no title"),
    "version 0": (item(guid="oai:arXiv.org:2510.00010v0"), "version 0"),
}


def good(n: int) -> str:
    return item(guid=f"oai:arXiv.org:2510.{n:05d}v1", title=f"Good paper {n}")


def hostile_feed() -> str:
    items = [good(101)] + [bad for bad, _ in BAD_ITEMS.values()] + [good(102)]
    return rss_document(["cs.LG", "cs.AI"], DAY, items)


def quick() -> PoliteClient:
    return PoliteClient(min_interval=0.0, timeout=2.0, retries=0, sleep=lambda s: None)


def test_bad_items_are_skipped_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with FakeArxiv() as fake:
        fake.script(FEED, Reply(200, hostile_feed()))
        config = parse_config({}, env={"DIGEST_ARXIV_RSS_URL": fake.url})
        announcement = fetch_announcement(config, quick())
    assert [p.id for p in announcement.papers] == ["2510.00101", "2510.00102"]
    assert len(announcement.skipped) == len(BAD_ITEMS)
    for number, (note, (_, problem)) in enumerate(
        zip(announcement.skipped, BAD_ITEMS.values(), strict=True), start=2
    ):
        assert note.startswith(f"item {number}: ") and problem in note, note
    assert announcement.skipped[1] == "item 3: id '../../etc' is not an arXiv id"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    url = f"{fake.url}{FEED}"
    assert sum(m.startswith(f"{url}: skipping item ") for m in warnings) == len(BAD_ITEMS)


def test_run_stores_the_day_despite_bad_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    config = tmp_path / "digest.yaml"
    config.write_text("arxiv:\n  min_interval: 0\n  retries: 0\n  timeout: 5\n")
    with FakeArxiv() as fake:
        fake.script(FEED, Reply(200, hostile_feed()))
        monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", fake.url)
        code = main(["--config", str(config), "run"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Traceback" not in out.err and "validation error" not in out.err
    record = DayStore(tmp_path / "data").load(DAY)
    assert record.counts.total == 2 and {s.id for s in record.scans} == {
        "2510.00101",
        "2510.00102",
    }
    # The left-out items are named in the day file and in the run's summary.
    assert len(record.skipped) == len(BAD_ITEMS)
    assert "item 3: id '../../etc' is not an arXiv id" in record.skipped
    assert f"left out: {len(BAD_ITEMS)} feed item(s)" in out.out


def test_every_text_field_is_normalised_and_bounded(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    huge = "A long abstract. " * 100_000  # 1.7 MB
    messy = item(
        guid="oai:arXiv.org:2510.00201v2",
        title="Escapes \x9b31m and\nwrapped \u0085 lines\x7f",
        creator="Eve &#27;[31mRed, Bob\x9bK Jones, , ",
        categories=("cs.LG", "00-01", "I.2.6; K.3.2", "stat.ML", "cs.LG", "<b>x</b>"),
        abstract="arXiv:2510.00201v2 Announce Type: new \nAbstract: " + huge,
        extra=(
            "      <arxiv:DOI>10.1/x\x9b2J</arxiv:DOI>\n"
            f"      <arxiv:journal_reference>{'J. ' * 2000}</arxiv:journal_reference>"
        ),
    )
    feed = rss_document(["cs.LG"], DAY, [item(guid="oai:arXiv.org:2510.00200v1"), messy])
    announcement = parse_feed(feed.encode(), "http://feed.test/rss/cs.LG")
    paper = announcement.papers[1]
    for value in (paper.title, paper.abstract, paper.doi or "", paper.journal_ref or ""):
        assert text.problem(value, 10**9) is None, value[:80]
    assert paper.title == "Escapes 31m and wrapped lines"
    assert paper.authors == ("Eve [31mRed", "BobK Jones")
    assert paper.categories == ("cs.LG", "stat.ML")
    assert len(paper.abstract) <= text.MAX_ABSTRACT and paper.abstract.endswith(text.ELLIPSIS)
    assert paper.abstract.startswith("A long abstract. A long")
    assert paper.doi == "10.1/x2J"
    assert paper.journal_ref and len(paper.journal_ref) <= text.MAX_JOURNAL_REF
    dropped = [r.getMessage() for r in caplog.records if "not arXiv categories" in r.getMessage()]
    assert dropped == [
        "http://feed.test/rss/cs.LG: dropped 3 category name(s) that are not arXiv "
        "categories ('00-01', '<b>x</b>', 'I.2.6; K.3.2')"
    ]
    assert announcement.skipped == ()


def test_api_entries_are_checked_the_same_way(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    published = dt.datetime(2025, 10, 6, 12, 0, tzinfo=dt.UTC)

    def entry(paper_id: str, title: str = "T", categories: tuple[str, ...] = ("cs.LG",)) -> str:
        return (
            atom_feed(
                [
                    CorpusEntry(
                        paper_id, 1, title, "S\x9b", ["A\x7f B"], list(categories), published
                    )
                ],
                1,
                0,
            )
            .split("<entry>")[1]
            .split("</entry>")[0]
        )

    head, tail = atom_feed([], 4, 0).split("</feed>")
    body = head + "".join(
        f"<entry>{e}</entry>"
        for e in (
            entry("2510.00301", categories=("cs.LG", "68T05", "cs.AI")),
            entry("../../etc"),
            entry("2510.00303", title="  "),
            entry("2510.00304"),
        )
    )
    page = parse_api_page((body + "</feed>" + tail).encode(), "http://api.test/api/query")
    assert [e.id for e in page.entries] == ["2510.00301", "2510.00304"]
    assert page.entries[0].paper.categories == ("cs.LG", "cs.AI")
    assert page.entries[0].paper.abstract == "S" and page.entries[0].paper.authors == ("A B",)
    assert page.skipped == (
        "entry 2: id '../../etc' is not an arXiv id",
        "entry 3: no title",
    )


def test_backfill_day_carries_the_skipped_entries() -> None:
    config_data = {"arxiv": {"min_interval": 0, "retries": 0, "timeout": 5}}
    published = dt.datetime(2025, 10, 6, 12, 0, tzinfo=dt.UTC)
    good_entry = CorpusEntry("2510.00401", 1, "T", "S", ["A"], ["cs.LG"], published)
    bad_entry = CorpusEntry("2510.00402", 1, " ", "S", ["A"], ["cs.LG"], published)
    with FakeArxiv() as fake:
        fake.script("/api/query", Reply(200, atom_feed([good_entry, bad_entry], 2, 0)))
        config = parse_config(config_data, env={"DIGEST_ARXIV_API_URL": fake.url})
        schedule = Schedule.from_settings(config.arxiv)
        announcement = fetch_day(config, quick(), DAY, schedule)
    assert [p.id for p in announcement.papers] == ["2510.00401"]
    assert announcement.skipped == ("entry 2: no title",)
    assert len(fake.log) == 1


def many(count: int) -> list[CorpusEntry]:
    published = dt.datetime(2025, 10, 6, 12, 0, tzinfo=dt.UTC)
    return [
        CorpusEntry(f"2510.{n:05d}", 1, "T", "S", ["A"], ["cs.LG"], published)
        for n in range(1, count + 1)
    ]


def test_a_claimed_billion_results_stops_at_once() -> None:
    page = Reply(200, atom_feed(many(10), total=10**9, start=0))
    with FakeArxiv() as fake:
        # Five pages, then an error, so a client that keeps paging fails differently.
        fake.script("/api/query", page, page, page, page, page, Reply(400, "stop"))
        with pytest.raises(FetchError) as info:
            query(quick(), fake.url, "cat:cs.LG", page_size=10)
    message = str(info.value)
    assert "claims 1,000,000,000 results" in message and f"{MAX_RESULTS:,}" in message
    assert f"{fake.url}/api/query" in message and len(fake.log) == 1


def test_a_limit_below_the_cap_still_pages_a_huge_query() -> None:
    with FakeArxiv() as fake:
        fake.script("/api/query", Reply(200, atom_feed(many(10), total=10**9, start=0)))
        results = query(quick(), fake.url, "all:testing", page_size=10, limit=10).entries
    assert len(results) == 10


def test_pages_that_do_not_advance_stop_paging() -> None:
    same = Reply(200, atom_feed(many(10), total=1_000, start=0))  # ignores ``start``
    with FakeArxiv() as fake:
        fake.script("/api/query", same, same, same, same, same, Reply(400, "stop"))
        with pytest.raises(FetchError) as info:
            query(quick(), fake.url, "cat:cs.LG", page_size=10)
    assert "paging does not advance" in str(info.value) and "1,000" in str(info.value)
    assert len(fake.log) == 2


def test_fetch_command_reports_the_skipped_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    config = tmp_path / "digest.yaml"
    config.write_text("arxiv:\n  min_interval: 0\n  retries: 0\n  timeout: 5\n")
    with FakeArxiv() as fake:
        fake.script(FEED, Reply(200, hostile_feed()))
        monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", fake.url)
        assert main(["--config", str(config), "fetch"]) == 0
    out = capsys.readouterr()
    assert "papers: 2 (new 2," in out.out
    assert f"skipped: {len(BAD_ITEMS)} unusable item(s)" in out.out
    assert "skipping item 3: id '../../etc' is not an arXiv id" in out.err


def legacy_item(arxiv_id: str, title: str = "A legacy paper", cat: str = "hep-ex") -> str:
    return (
        f'<item rdf:about="http://arxiv.org/abs/{escape(arxiv_id)}">\n'
        f"<title>{escape(title)}. (arXiv:{escape(arxiv_id)}v1 [{escape(cat)}])</title>\n"
        "<description>&lt;p&gt;An abstract.&lt;/p&gt;</description>\n"
        '<dc:creator>&lt;a href="http://arxiv.org/a/x"&gt;Ada &amp;#27;[2JLovelace&lt;/a&gt;'
        "</dc:creator>\n</item>\n"
    )


def test_legacy_rdf_items_are_checked_the_same_way(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        '<channel rdf:about="http://arxiv.org/"><title>hep-ex updates</title>'
        "<dc:date>2018-05-23T20:30:00-05:00</dc:date></channel>\n"
        + legacy_item("1805.08875")
        + legacy_item("../../etc", cat="00-01")  # skipped: its bad category is not counted
        + legacy_item("1805.09166", cat="I.2.6")
        + "<item><title>No id here</title></item>\n"
        + "</rdf:RDF>\n"
    )
    announcement = parse_feed(document.encode(), "http://legacy.test/rss/hep-ex")
    assert [p.id for p in announcement.papers] == ["1805.08875", "1805.09166"]
    assert announcement.papers[0].authors == ("Ada [2JLovelace",)
    assert announcement.papers[0].categories == ("hep-ex",)
    assert announcement.papers[1].categories == ()
    assert announcement.skipped == (
        "item 2: id '../../etc' is not an arXiv id",
        "item 4: unexpected legacy title 'No id here'",
    )
    dropped = [r.getMessage() for r in caplog.records if "not arXiv categories" in r.getMessage()]
    assert dropped == [
        "http://legacy.test/rss/hep-ex: dropped 1 category name(s) that are not arXiv "
        "categories ('I.2.6')"
    ]
