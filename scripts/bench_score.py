"""Benchmark of the LLM scoring stage: wall time and prompt tokens per paper.

    .venv/bin/python scripts/bench_score.py [--delay 2.0] [--skip-baseline]

A day of 866 real papers (the cs.LG/cs.AI papers of ../shared/arxiv/listings/2025-10-07.jsonl,
topped up with those of 2025-10-08 to the 866 the reference digest scanned that day) is scored
against the loopback OpenAI-compatible stand-in (tests/support/llm.py), which answers every
call after ``--delay`` seconds, through the real openai SDK and the real LlmScorer:

- wall time with the default settings vs sequential batches of 5 (how gpt_paper_assistant runs);
- prompt tokens per paper for the default prompt (tiktoken, o200k_base: the gpt-4o/gpt-5
  encoding), split into the fixed prompt overhead amortised over a batch and the paper's own
  JSON, for several batch sizes.

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "tests"))

from support.llm import FakeLLM  # noqa: E402

from generator.config import LlmSettings, SelectionPrompt, load_settings  # noqa: E402
from generator.models import AnnounceType, Paper  # noqa: E402
from generator.score.llm import LlmScorer  # noqa: E402
from generator.score.prompt import DATA_CLOSE, DATA_OPEN, fixed_user_text, paper_json  # noqa: E402

DAY_SIZE = 866
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"


def load_papers() -> list[Paper]:
    papers: dict[str, Paper] = {}
    for date in ("2025-10-07", "2025-10-08"):
        path = SHARED / "arxiv" / "listings" / f"{date}.jsonl"
        if not path.is_file():
            sys.exit(f"../shared not found: {path} (real recorded listings) is needed")
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["id"] in papers or not {"cs.LG", "cs.AI"} & set(record["categories"]):
                continue
            papers[record["id"]] = Paper(
                id=record["id"],
                version=1,
                title=" ".join(record["title"].split()),
                authors=tuple(record["authors"]),
                abstract=" ".join(record["summary"].split()),
                categories=tuple(record["categories"]),
                announce_type=AnnounceType.NEW,
            )
            if len(papers) == DAY_SIZE:
                return list(papers.values())
    return list(papers.values())


def o200k() -> Any:
    """tiktoken's o200k_base; offline, its vocabulary file from the bpe-openai wheel."""
    import tiktoken

    try:
        return tiktoken.get_encoding("o200k_base")
    except Exception:  # noqa: BLE001 - no network: use the same file shipped in a wheel
        import bpe_openai
        from tiktoken_ext import openai_public

        data = Path(bpe_openai.__file__).parent / "data" / "o200k_base.tiktoken.gz"
        raw = gzip.decompress(data.read_bytes())
        if hashlib.sha256(raw).hexdigest() != O200K_SHA256:
            sys.exit("o200k_base vocabulary does not match tiktoken's published hash")
        import base64

        ranks = {
            base64.b64decode(tok): int(rank)
            for tok, rank in (line.split() for line in raw.splitlines() if line)
        }
        openai_public.load_tiktoken_bpe = lambda *a, **k: ranks  # type: ignore[attr-defined]
        return tiktoken.Encoding(**openai_public.o200k_base())


def token_table(prompt: SelectionPrompt, papers: list[Paper]) -> list[str]:
    enc = o200k()
    # Chat framing costs ~3 tokens per message plus 3 for the reply priming.
    overhead = (
        len(enc.encode(prompt.system))
        + len(enc.encode(fixed_user_text(prompt)))
        + len(enc.encode(f"\n{DATA_OPEN}\n\n{DATA_CLOSE}"))
        + 2 * 3
        + 3
    )
    per_paper = [len(enc.encode(paper_json(p))) + 1 for p in papers]
    mean = statistics.fmean(per_paper)
    lines = [
        f"- fixed prompt overhead per request: {overhead} tokens (system + instructions + "
        "rubric + topics + keywords + data-block framing)",
        f"- paper JSON (id, title, abstract): median {statistics.median(per_paper):.0f}, "
        f"mean {mean:.0f} tokens per paper ({len(papers)} papers)",
        "",
        "| batch size | prompt tokens per paper | overhead share | requests for 866 papers |",
        "|---:|---:|---:|---:|",
    ]
    for size in (1, 5, 10, 20, 40):
        total = overhead / size + mean
        lines.append(
            f"| {size} | {total:.0f} | {overhead / size / total:.0%} | {-(-len(papers) // size)} |"
        )
    return lines


def timed_run(
    prompt: SelectionPrompt, papers: list[Paper], delay: float, **llm: Any
) -> tuple[float, int, int]:
    with FakeLLM(delay=delay) as fake:
        settings = LlmSettings.model_validate({"base_url": fake.url + "/v1", **llm})
        scorer = LlmScorer(prompt, settings, api_key="bench")
        started = time.monotonic()
        outcome = scorer.score(papers)
        wall = time.monotonic() - started
    scored = sum(1 for s in outcome.scores.values() if s.status == "scored")
    return wall, outcome.usage.requests, scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=2.0, help="stand-in seconds per call")
    parser.add_argument(
        "--skip-baseline",
        action="store_true",
        help="skip the slow sequential baseline (batches of 5, one worker)",
    )
    args = parser.parse_args()
    prompt = load_settings(REPO / "digest.yaml", env={}).prompt
    papers = load_papers()
    print("## Prompt tokens per paper (tiktoken o200k_base, default prompt)\n")
    print("\n".join(token_table(prompt, papers)))
    defaults = LlmSettings()
    runs: list[tuple[str, dict[str, Any]]] = [
        (f"default (batch {defaults.batch_size}, {defaults.workers} workers)", {}),
        ("batch 10, 8 workers", {"batch_size": 10}),
    ]
    if not args.skip_baseline:
        runs.append(
            ("sequential batches of 5 (gpt_paper_assistant)", {"batch_size": 5, "workers": 1})
        )
    print(f"\n## Wall time, {len(papers)} papers, stand-in answering after {args.delay:g} s\n")
    print("| settings | wall time (s) | requests | scored |")
    print("|---|---:|---:|---:|")
    walls: dict[str, float] = {}
    for label, llm in runs:
        wall, requests, scored = timed_run(prompt, papers, args.delay, **llm)
        walls[label] = wall
        print(f"| {label} | {wall:.1f} | {requests} | {scored} |", flush=True)
    if not args.skip_baseline:
        default_wall, baseline = list(walls.values())[0], list(walls.values())[-1]
        print(
            f"\nDefault vs sequential batches of 5: {default_wall:.1f} s / {baseline:.1f} s "
            f"= 1/{baseline / default_wall:.1f}"
        )


if __name__ == "__main__":
    main()
