"""Benchmark the fetch stage on the recorded full day (2025-10-07, 859 papers).

Measures (medians over --repeat runs):
- parsing the full-day RSS document with our ElementTree parser vs feedparser;
- fetching it end to end over loopback (HTTP + parse);
- rebuilding the day through the API stand-in with different page sizes (requests made,
  wall time at min_interval 0, and the time arXiv's 3 s politeness interval adds).

Usage: .venv/bin/python scripts/bench_fetch.py [--repeat 15]
Needs ../shared (the recorded data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import feedparser  # noqa: E402
from support.arxiv import FakeArxiv, Reply, listing_corpus, listing_feed  # noqa: E402

from generator.config import parse_config  # noqa: E402
from generator.fetch.api import fetch_day  # noqa: E402
from generator.fetch.http import PoliteClient  # noqa: E402
from generator.fetch.rss import fetch_announcement, parse_feed  # noqa: E402
from generator.fetch.schedule import Schedule  # noqa: E402


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not (ROOT.parent / "shared" / "arxiv").is_dir():
        print("../shared not found: the recorded data is needed", file=sys.stderr)
        return 2
    document = listing_feed("2025-10-07").encode()
    ours = median_ms(lambda: parse_feed(document, "bench"), args.repeat)
    theirs = median_ms(lambda: feedparser.parse(document), args.repeat)
    print(f"full-day feed: {len(document) / 1e6:.2f} MB, 859 items")
    print(f"parse_feed (ElementTree): median {ours:.1f} ms")
    print(f"feedparser.parse:         median {theirs:.1f} ms  (ratio {theirs / ours:.1f}x)")

    client = PoliteClient(min_interval=0.0, timeout=10.0, retries=0)
    with FakeArxiv() as fake:
        fake.script("/rss/cs.LG+cs.AI", Reply(200, document))
        config = parse_config({}, env={"DIGEST_ARXIV_RSS_URL": fake.url})
        loop = median_ms(lambda: fetch_announcement(config, client), args.repeat)
    print(f"fetch_announcement over loopback: median {loop:.1f} ms")

    corpus = listing_corpus()
    for page_size in (100, 200, 500, 1000):
        with FakeArxiv() as fake:
            fake.corpus = corpus
            config = parse_config(
                {"arxiv": {"page_size": page_size}}, env={"DIGEST_ARXIV_API_URL": fake.url}
            )
            before = len(fake.log)
            fetch_day(config, client, dt.date(2025, 10, 7), Schedule(holidays=()))
            pages = len(fake.log) - before
            wall = median_ms(
                lambda config=config: fetch_day(  # type: ignore[misc]
                    config, client, dt.date(2025, 10, 7), Schedule(holidays=())
                ),
                5,
            )
        polite = (pages - 1) * 3.0
        print(
            f"backfill 2025-10-07, page_size {page_size:4d}: {pages} requests, "
            f"median {wall:.0f} ms at min_interval 0, +{polite:.0f} s at arXiv's 3 s interval"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
