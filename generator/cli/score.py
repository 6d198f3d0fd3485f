"""`arxiv-digest score`: score papers from a JSON-lines file (prompt tuning, evaluation)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.progress import scoring_progress
from generator.config import load_settings
from generator.score import make_scorer
from generator.score.papers_io import read_papers, scores_jsonl
from generator.yamlio import atomic_write_text


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "score",
        help="score papers from a JSON-lines file with the LLM or the local scorer",
        description="Read papers (one JSON object per line: id, title, abstract or summary, "
        "authors, categories) and write one JSON object per line: id, relevance, novelty, "
        "comment, tags, status (scored/unscored), reason, and for the local scorer a float "
        "score in [0, 1] used for ranking. For tuning the prompt and for evaluation. LLM "
        "scores go through the same cache as `run`.",
    )
    parser.add_argument(
        "--papers",
        type=Path,
        required=True,
        metavar="IN.jsonl",
        help="papers to score (JSON lines)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUT.jsonl",
        help="where to write the scores (JSON lines, written atomically)",
    )
    parser.add_argument(
        "--scorer",
        choices=("auto", "llm", "local"),
        default=None,
        help="override scoring.scorer (default: the configured one)",
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    papers = read_papers(args.papers)
    scorer = make_scorer(settings, choice=args.scorer)
    with scoring_progress() as progress:
        progress.start(len(papers))
        outcome = scorer.score(papers, progress.advance)
    atomic_write_text(args.out, scores_jsonl(papers, outcome.scores, scorer.name == "local"))
    scored = sum(1 for s in outcome.scores.values() if s.status == "scored")
    usage = outcome.usage
    cost = usage.total_cost
    print(
        f"{scored} of {len(papers)} papers scored by {outcome.scorer} ({outcome.model}); "
        f"{len(papers) - scored} unscored; {usage.prompt_tokens} prompt + "
        f"{usage.completion_tokens} completion tokens in {usage.requests} requests; cost "
        + ("unknown" if cost is None else f"${cost:.4f}")
        + f"; wrote {args.out}",
        file=sys.stderr,
    )
    return 0
