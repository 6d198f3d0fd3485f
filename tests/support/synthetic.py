"""Synthetic day records of realistic size, for site tests and ``scripts/bench_site.py``.

A day holds ``papers`` kept entries (~1.5 KB abstracts with some LaTeX, 5-15 authors, 1-3
tags), a compact scan record per scanned paper, token usage and a prompt hash: what a real
day file carries, at the sizes the site benchmark uses. Deterministic per seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from generator.models import AnnounceType
from generator.schema import (
    Counts,
    DayRecord,
    DayStatus,
    KeptBecause,
    PaperEntry,
    ScanRecord,
    Scoring,
    Usage,
)
from generator.store import DayStore

WORDS = [
    "model",
    "training",
    "language",
    "transformer",
    "attention",
    "sparse",
    "mixture",
    "experts",
    "routing",
    "gradient",
    "optimization",
    "convergence",
    "theory",
    "bound",
    "sample",
    "efficient",
    "representation",
    "learning",
    "kernel",
    "neural",
    "network",
    "quantization",
    "compression",
    "pruning",
    "distillation",
    "inference",
    "latency",
    "memory",
    "benchmark",
    "evaluation",
    "robust",
    "adversarial",
    "generalization",
    "scaling",
    "law",
    "token",
    "context",
    "window",
    "retrieval",
    "reasoning",
    "agent",
    "policy",
    "reinforcement",
    "reward",
    "preference",
    "alignment",
    "diffusion",
    "generative",
    "flow",
    "matching",
    "score",
    "graph",
    "spectral",
    "low-rank",
    "adapter",
    "fine-tuning",
    "pretraining",
    "data",
    "curriculum",
    "loss",
    "landscape",
    "stochastic",
    "variance",
    "estimator",
    "regret",
    "online",
    "bandit",
]
FIRST = [
    "Ada",
    "Alan",
    "Barbara",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Grace",
    "Hiro",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mei",
    "Noor",
    "Omar",
]
LAST = [
    "Shrivastava",
    "Yang",
    "Zhang",
    "Xie",
    "Li",
    "Xu",
    "Okafor",
    "Novak",
    "Haddad",
    "Silva",
    "Tanaka",
    "Berg",
    "Kim",
    "Rossi",
]
TOPICS = (
    "Model Compression and Efficiency",
    "Mixture of Experts",
    "Representation Learning",
    "Training Dynamics",
    "Large Language Models",
    "High Performance Computing",
)
MATH = (
    r"$\mathcal{O}(\sqrt{N})$",
    r"$L_2$",
    r"$\epsilon$-greedy",
    r"$$\min_\theta \mathbb{E}[\ell(\theta)]$$",
    r"$k \ll d$",
)
PROMPT_HASH = "0123456789abcdef"
PROMPT_TEXT = "You are a helpful paper reading assistant.\n\n## Topics\n1. Mixture of Experts\n"


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_abstract(rng: random.Random, target_chars: int = 1500) -> str:
    parts: list[str] = []
    size = 0
    while size < target_chars:
        sentence = _sentence(rng, rng.randint(12, 24))
        if rng.random() < 0.25:
            sentence = sentence[:-1] + f" with {rng.choice(MATH)} cost."
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts)


def make_paper(rng: random.Random, date: dt.date, index: int) -> PaperEntry:
    relevance = rng.randint(8, 10)
    kept = KeptBecause.AUTHOR if index % 37 == 36 else KeptBecause.SCORE
    return PaperEntry(
        id=f"{date.strftime('%y%m')}.{(date.day * 1000 + index) % 100000:05d}",
        version=rng.randint(1, 3),
        title=_sentence(rng, rng.randint(6, 14))[:-1]
        + (f" in {MATH[0]} time" if index % 5 == 0 else ""),
        authors=[f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(5, 15))],
        abstract=make_abstract(rng),
        categories=rng.sample(["cs.LG", "cs.AI", "cs.CL", "stat.ML", "cs.CV"], rng.randint(1, 3)),
        announce_type=rng.choice([AnnounceType.NEW, AnnounceType.NEW, AnnounceType.CROSS]),
        relevance=relevance,
        novelty=rng.randint(7, 10),
        comment=f"{rng.choice(TOPICS)}: {_sentence(rng, 14)}",
        tags=sorted(set(rng.sample(TOPICS, rng.randint(1, 3)))),
        kept_because=kept,
    )


def synthetic_day(date: dt.date, papers: int = 70, seed: int = 0, scanned: int = 860) -> DayRecord:
    """A published day with ``papers`` kept papers (and ``scanned`` compact score records)."""
    rng = random.Random(f"{seed}-{date.isoformat()}")
    kept = [make_paper(rng, date, i) for i in range(papers)]
    scans = [ScanRecord(id=p.id, relevance=p.relevance, novelty=p.novelty) for p in kept]
    scans += [
        ScanRecord(
            id=f"{date.strftime('%y%m')}.{90000 + i:05d}",
            relevance=rng.randint(1, 7),
            novelty=rng.randint(1, 9),
        )
        for i in range(max(0, scanned - papers))
    ]
    usage = Usage(
        prompt_tokens=109_658,
        completion_tokens=106_795,
        requests=87,
        prompt_cost=0.14,
        completion_cost=1.07,
    )
    return DayRecord(
        date=date,
        status=DayStatus.PUBLISHED,
        categories=["cs.LG", "cs.AI"],
        announce_types=[AnnounceType.NEW, AnnounceType.CROSS],
        counts=Counts(
            total=1350,
            scanned=scanned,
            relevant=papers,
            by_type={
                AnnounceType.NEW: 600,
                AnnounceType.CROSS: 266,
                AnnounceType.REPLACE: 400,
                AnnounceType.REPLACE_CROSS: 84,
            },
        ),
        scoring=Scoring(
            scorer="llm",
            model="gpt-5",
            prompt_hash=PROMPT_HASH,
            relevance_min=8,
            novelty_min=7,
            usage=usage,
        ),
        papers=kept,
        scans=scans,
        source="rss",
    )


def no_announcement(date: dt.date) -> DayRecord:
    return DayRecord(
        date=date,
        status=DayStatus.NO_ANNOUNCEMENT,
        categories=["cs.LG", "cs.AI"],
        announce_types=[AnnounceType.NEW, AnnounceType.CROSS],
        counts=Counts(total=0, scanned=0, relevant=0),
        source="rss",
    )


def weekdays(start: dt.date, count: int) -> Iterator[dt.date]:
    """``count`` consecutive Monday-to-Friday dates from ``start``."""
    date = start
    produced = 0
    while produced < count:
        if date.weekday() < 5:
            yield date
            produced += 1
        date += dt.timedelta(days=1)


def write_days(
    data_dir: Path,
    days: int,
    papers: int = 70,
    seed: int = 0,
    start: dt.date = dt.date(2022, 1, 3),
    scanned: int = 860,
) -> list[dt.date]:
    """Write ``days`` synthetic published weekdays (and the prompt) into ``data_dir``."""
    store = DayStore(data_dir)
    store.prompt_path(PROMPT_HASH).parent.mkdir(parents=True, exist_ok=True)
    store.prompt_path(PROMPT_HASH).write_text(PROMPT_TEXT, encoding="utf-8")
    dates = list(weekdays(start, days))
    for date in dates:
        store.save(synthetic_day(date, papers=papers, seed=seed, scanned=scanned))
    return dates
