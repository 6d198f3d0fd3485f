"""`arxiv-digest run`: fetch the latest announcement (or --date), filter, score, write it."""

from __future__ import annotations

import argparse

from generator import text
from generator.cli.fetch import iso_date
from generator.cli.progress import scoring_progress
from generator.config import load_settings
from generator.pipeline import run_latest
from generator.schema import DayRecord
from generator.store import DayStore


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "run",
        help="fetch the latest announcement, score it, write its day file",
        description="The daily job: fetch the latest arXiv announcement from the RSS feed "
        "(or the day given by --date through the arXiv API), keep the configured announce "
        "types and categories, score each paper (the LLM when OPENAI_API_KEY is set and "
        "scoring.scorer is auto, else the local scorer), and write data/YYYY/YYYY-MM-DD.yaml. "
        "A published day is left as it is unless --force (a day stored as no announcement "
        "or failed is replaced once the feed has papers; scores are cached, so a "
        "forced re-run does not pay again). Exits 0 when some papers stay unscored (they "
        "are listed with their reason); 1 when fetching fails or the scoring endpoint is "
        "unusable.",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="process this announcement day (via the arXiv API) instead of the latest feed",
    )
    parser.add_argument(
        "--force", action="store_true", help="rebuild the day even if it is already published"
    )
    parser.set_defaults(func=handle)


def summary(record: DayRecord) -> list[str]:
    """The closing lines: date, status, counts, unscored, left-out items, tokens and cost."""
    lines = [
        f"{record.date}: {record.status.value}"
        + (f" ({text.for_terminal(record.reason)})" if record.reason else "")
    ]
    counts = record.counts
    lines.append(
        f"  papers: {counts.total} in the feed, {counts.scanned} scanned, "
        f"{counts.relevant} kept, {len(record.unscored)} unscored"
    )
    for paper in record.unscored[:10]:
        lines.append(f"    unscored {paper.id}: {text.for_terminal(paper.reason, 200)}")
    if len(record.unscored) > 10:
        lines.append(f"    ... and {len(record.unscored) - 10} more (see the day file)")
    if record.skipped:
        lines.append(f"  left out: {len(record.skipped)} feed item(s) that could not be read")
        lines.extend(f"    {text.for_terminal(line, 200)}" for line in record.skipped[:10])
        if len(record.skipped) > 10:
            lines.append(f"    ... and {len(record.skipped) - 10} more (see the day file)")
    if record.scoring is not None:
        usage = record.scoring.usage
        cost = usage.total_cost
        money = "unknown (no price for this model)" if cost is None else f"${cost:.4f}"
        lines.append(
            f"  scorer: {record.scoring.scorer} ({record.scoring.model}), "
            f"prompt {record.scoring.prompt_hash}"
        )
        lines.append(
            f"  tokens: {usage.prompt_tokens} prompt ({usage.cached_prompt_tokens} "
            f"cached), {usage.completion_tokens} completion ({usage.reasoning_tokens} "
            f"reasoning), {usage.requests} requests; cost {money}"
        )
    return lines


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    store = DayStore(settings.data_dir)
    with scoring_progress() as progress:
        result = run_latest(settings, store, date=args.date, force=args.force, progress=progress)
    if result.up_to_date:
        print(
            f"already up to date: {result.record.date} is stored in {result.path} "
            "(use --force to rebuild it)"
        )
    else:
        print(f"wrote {result.path}")
    print("\n".join(summary(result.record)))
    return 0
