"""`arxiv-digest backfill`: rebuild past announcement days through the arXiv API."""

from __future__ import annotations

import argparse

from generator.backfill import DayResult, backfill
from generator.cli.fetch import iso_date
from generator.config import load_settings
from generator.fetch.http import PoliteClient
from generator.store import DayStore


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "backfill",
        help="rebuild past announcement days (fetch through the arXiv API, score, store)",
        description="For each announcement day from --from to --to (inclusive): query the "
        "arXiv API for the papers submitted in that day's window (14:00 US Eastern cutoffs; "
        "no announcements on weekends and listed holidays), then filter, score and write "
        "the day file. Days already published are skipped unless --force (a day stored as "
        "no announcement or failed is tried again). Replacements and "
        "late cross-lists cannot be reconstructed this way (see docs/guide/fetching.md).",
    )
    parser.add_argument(
        "--from",
        dest="first",
        type=iso_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="first date of the range",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="last date of the range (default: the --from date)",
    )
    parser.add_argument(
        "--force", action="store_true", help="rebuild days that are already published"
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    last = args.last or args.first
    store = DayStore(settings.data_dir)
    client = PoliteClient.from_settings(settings.config.arxiv)

    def report(result: DayResult) -> None:
        print(result.line(), flush=True)

    results = backfill(
        settings, store, args.first, last, client=client, force=args.force, report=report
    )
    processed = sum(1 for r in results if r.action == "processed")
    print(
        f"backfill {args.first} to {last}: {processed} day(s) rebuilt, "
        f"{len(results) - processed} skipped"
    )
    return 0
