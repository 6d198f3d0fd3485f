"""`arxiv-digest fetch`: fetch an announcement and say what it holds, without scoring."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from generator import yamlio
from generator.config import load_settings
from generator.fetch.api import fetch_day
from generator.fetch.http import PoliteClient
from generator.fetch.rss import fetch_announcement, rss_url
from generator.fetch.schedule import Schedule
from generator.filter import select
from generator.models import Announcement, Paper
from generator.store import DayStore


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "fetch",
        help="fetch the latest (or a past) announcement and print its counts; no scoring",
        description="Fetch today's announcement from arXiv's RSS feed (or, with --date, a past "
        "announcement day through the arXiv API, as backfill does) and print the "
        "announcement date, the URL and the papers by announce type. Nothing is scored or "
        "stored; --out writes the papers as JSON lines for inspection or scoring.",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        default=None,
        help="a past announcement day, rebuilt through the arXiv API",
    )
    parser.add_argument(
        "--out",
        metavar="FILE.jsonl",
        type=Path,
        default=None,
        help="write the papers as JSON lines (id, title, abstract, authors, "
        "categories, announce_type, version)",
    )
    parser.set_defaults(func=handle)


def paper_json(paper: Paper) -> dict[str, object]:
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "announce_type": paper.announce_type.value,
    }


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    config = settings.config
    client = PoliteClient.from_settings(config.arxiv)
    announcement: Announcement
    if args.date is not None:
        schedule = Schedule.from_settings(config.arxiv)
        schedule.require_announcement_day(args.date)
        announcement = fetch_day(config, client, args.date, schedule)
    else:
        announcement = fetch_announcement(config, client)
    print(f"announcement date: {announcement.date}")
    print(f"source: {announcement.source if args.date else rss_url(config)}")
    counts = announcement.counts_by_type()
    by_type = ", ".join(f"{kind} {count}" for kind, count in counts.items())
    print(f"papers: {announcement.total} ({by_type})")
    if announcement.skipped:
        print(f"skipped: {len(announcement.skipped)} unusable item(s) (warnings above)")
    if not announcement.papers:
        print("no announcement: the feed has no items (weekend or holiday)")
    else:
        store = DayStore(settings.data_dir)
        selection = select(announcement, config, store.kept_ids(before=announcement.date))
        print(
            f"to score: {selection.scanned} (categories {'+'.join(config.categories)}, "
            f"types {', '.join(t.value for t in config.announce_types)}; "
            f"{len(selection.duplicates)} already kept on earlier days)"
        )
    if args.out is not None:
        lines = "".join(
            json.dumps(paper_json(p), ensure_ascii=False) + "\n" for p in announcement.papers
        )
        yamlio.atomic_write_text(args.out, lines)
        print(f"wrote {announcement.total} papers to {args.out}")
    return 0
