"""Benchmark of the local scorer on the labelled days of ../shared/eval/.

For each labelled day: the pool is the day's papers carrying cs.LG or cs.AI (deduplicated by
id) from ../shared/arxiv/listings/, the positives are the labelled picks of a reference
digest. Prints AUC and recall of the picks in the top 20% / 50% of the ranking for the local
scorer and for the baselines (BM25 of the whole prompt; all-MiniLM-L6-v2 cosine when the
``embed`` extra is installed), the share of the day the default thresholds keep, and the
time to score a day of 900 papers (median of runs). ``--models lexical,all-MiniLM-L6-v2``
adds the hybrid scorer.

    .venv/bin/python scripts/bench_local_scorer.py [--shared ../shared] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.config import SelectionPrompt, load_settings  # noqa: E402
from generator.models import AnnounceType, Paper  # noqa: E402
from generator.score.lexical import bm25_scores, content_tokens  # noqa: E402
from generator.score.local import LEXICAL, LocalScorer  # noqa: E402

LABELLED_DAYS = ("2025-10-06", "2025-10-08")
POOL_CATEGORIES = {"cs.LG", "cs.AI"}


def load_pool(shared: Path, day: str) -> list[Paper]:
    """The day's cs.LG/cs.AI papers, deduplicated by id, as pipeline Papers."""
    papers: dict[str, Paper] = {}
    path = shared / "arxiv" / "listings" / f"{day}.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["id"] in papers or not POOL_CATEGORIES & set(row["categories"]):
            continue
        primary = row["categories"][0] if row["categories"] else ""
        papers[row["id"]] = Paper(
            id=row["id"],
            version=1,
            title=" ".join(row["title"].split()),
            authors=tuple(row["authors"]),
            abstract=" ".join(row["summary"].split()),
            categories=tuple(row["categories"]),
            announce_type=AnnounceType.NEW if primary in POOL_CATEGORIES else AnnounceType.CROSS,
        )
    return list(papers.values())


def load_picks(shared: Path, day: str) -> set[str]:
    rows = json.loads((shared / "eval" / f"selected-{day}.json").read_text(encoding="utf-8"))
    return {row["id"] for row in rows}


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def recall_at(scores: Sequence[float], labels: Sequence[bool], share: float) -> float:
    """Share of the positives inside the top ``share`` of the ranking (ties by input order)."""
    top = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[: round(share * len(scores))]
    return sum(labels[i] for i in top) / sum(labels)


def prompt_text(prompt: SelectionPrompt) -> str:
    """The prompt's topical text (what a bag-of-words baseline would query with)."""
    parts = [t.name + " " + t.relevant for t in prompt.topics]
    parts += prompt.keywords.relevant
    return " ".join(parts)


def bm25_baseline(prompt: SelectionPrompt) -> Callable[[list[Paper]], list[float]]:
    query = content_tokens(prompt_text(prompt))

    def rank(papers: list[Paper]) -> list[float]:
        docs = [content_tokens(f"{p.title} {p.abstract}") for p in papers]
        return bm25_scores(query, docs)

    return rank


def minilm_baseline(prompt: SelectionPrompt) -> Callable[[list[Paper]], list[float]] | None:
    """Cosine of each paper to the whole prompt text with all-MiniLM-L6-v2, if installed."""
    try:
        from generator.score.embedding import load_model

        model = load_model("all-MiniLM-L6-v2")
    except Exception as exc:  # the optional extra is missing: say so, skip the baseline
        print(f"(MiniLM baseline skipped: {exc})")
        return None
    query = model.encode([prompt_text(prompt)], normalize_embeddings=True)[0]

    def rank(papers: list[Paper]) -> list[float]:
        vectors = model.encode(
            [f"{p.title}. {p.abstract}" for p in papers], normalize_embeddings=True, batch_size=64
        )
        return [float(v @ query) for v in vectors]

    return rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--runs", type=int, default=5, help="timing runs (median reported)")
    parser.add_argument(
        "--models",
        default="lexical",
        help="comma-separated local models to evaluate (lexical, or an "
        "embedding model name with the embed extra)",
    )
    parser.add_argument("--no-minilm", action="store_true", help="skip the MiniLM baseline")
    args = parser.parse_args(argv)
    if not (args.shared / "eval").is_dir():
        print(f"{args.shared}/eval not found: this benchmark needs ../shared", file=sys.stderr)
        return 2
    prompt = load_settings(REPO / "digest.yaml").prompt
    rankers: dict[str, Callable[[list[Paper]], list[float]]] = {
        "bm25-prompt (baseline)": bm25_baseline(prompt),
    }
    if not args.no_minilm:
        minilm = minilm_baseline(prompt)
        if minilm is not None:
            rankers["minilm-cosine (baseline)"] = minilm
    models = args.models.split(",")
    scorers = {model: LocalScorer(prompt, model) for model in models}

    print(
        f"{'day':<11} {'ranker':<34} {'pool':>5} {'picks':>5} {'AUC':>6} {'R@20%':>6} "
        f"{'R@50%':>6}  kept by default thresholds (of them picks)"
    )
    for day in LABELLED_DAYS:
        pool = load_pool(args.shared, day)
        picks = load_picks(args.shared, day)
        labels = [p.id in picks for p in pool]
        rows: list[tuple[str, list[float], str]] = [
            (name, rank(pool), "") for name, rank in rankers.items()
        ]
        for model, scorer in scorers.items():
            outcome = scorer.score(pool)
            kept = [
                s
                for s in outcome.scores.values()
                if (s.relevance or 0) >= 8 and (s.novelty or 0) >= 7
            ]
            hits = sum(s.id in picks for s in kept)
            rows.append(
                (
                    f"local:{model}",
                    [outcome.scores[p.id].score or 0.0 for p in pool],
                    f"{len(kept)} = {len(kept) / len(pool):.1%} ({hits})",
                )
            )
        if LEXICAL in scorers:
            # One paper per call (the `score` command on tiny inputs): no day statistics.
            alone = [scorers[LEXICAL].score([p]).scores[p.id] for p in pool]
            kept_alone = sum((s.relevance or 0) >= 8 and (s.novelty or 0) >= 7 for s in alone)
            rows.append(
                (
                    f"local:{LEXICAL} one paper per call",
                    [s.score or 0.0 for s in alone],
                    f"{kept_alone}",
                )
            )
        for name, scores, kept_text in rows:
            print(
                f"{day:<11} {name:<34} {len(pool):>5} {sum(labels):>5} "
                f"{auc(scores, labels):>6.3f} {recall_at(scores, labels, 0.2):>6.3f} "
                f"{recall_at(scores, labels, 0.5):>6.3f}  {kept_text}"
            )

    # Timing: a day of 900 papers (the three listing days' cs.LG/cs.AI papers, cut to 900),
    # scorer construction included (vocabulary build; the embedding model is loaded once).
    day_papers = [
        p for day in ("2025-10-06", "2025-10-07", "2025-10-08") for p in load_pool(args.shared, day)
    ][:900]
    for model, scorer in scorers.items():
        embedder = scorer.embedder
        runs = args.runs if model == LEXICAL else min(args.runs, 3)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            LocalScorer(prompt, model, embedder).score(day_papers)
            times.append(time.perf_counter() - start)
        print(
            f"local:{model}: {len(day_papers)} papers in {statistics.median(times):.2f} s "
            f"(median of {runs})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
