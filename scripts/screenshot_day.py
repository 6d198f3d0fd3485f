"""Take the README's screenshot of a day page (docs/assets/day-page.png).

    .venv/bin/python scripts/screenshot_day.py [--out docs/assets/day-page.png]

Builds a one-day site in a temporary folder from real recorded data in ../shared (the
papers a reference digest (gpt-5) kept on 2025-10-06, with its scores and comments, joined
with that day's arXiv listing for titles, authors and abstracts), serves it on loopback
and photographs the day page with headless Chromium (Debian's `chromium` package).
Nothing from ../shared is written into the repository; only the picture is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATE = "2025-10-06"


def build_record(topics: list[str]):  # noqa: ANN201 - DayRecord, imported lazily
    from generator.models import AnnounceType
    from generator.schema import (
        Counts,
        DayRecord,
        DayStatus,
        KeptBecause,
        PaperEntry,
        Scoring,
        Usage,
    )

    kept = json.loads((SHARED / "eval" / f"selected-{DATE}.json").read_text())
    listing: dict[str, dict] = {}
    for line in (SHARED / "arxiv" / "listings" / f"{DATE}.jsonl").read_text().splitlines():
        item = json.loads(line)
        listing.setdefault(item["id"], item)
    pool = [p for p in listing.values() if {"cs.LG", "cs.AI"} & set(p["categories"])]
    papers = []
    for entry in kept:
        paper = listing[entry["id"]]
        author = bool(entry.get("author_match"))
        papers.append(
            PaperEntry(
                id=entry["id"],
                version=1,
                title=paper["title"],
                authors=paper["authors"],
                abstract=paper["summary"],
                categories=paper["categories"],
                announce_type=AnnounceType.NEW
                if paper["categories"][0] in ("cs.LG", "cs.AI")
                else AnnounceType.CROSS,
                relevance=entry.get("relevance"),
                novelty=entry.get("novelty"),
                comment=entry.get("comment") or "",
                tags=[t for t in topics if t.lower() in (entry.get("comment") or "").lower()],
                kept_because=KeptBecause.AUTHOR if author else KeptBecause.SCORE,
            )
        )
    return DayRecord(
        date=dt.date.fromisoformat(DATE),
        status=DayStatus.PUBLISHED,
        categories=["cs.LG", "cs.AI"],
        announce_types=[AnnounceType.NEW, AnnounceType.CROSS],
        counts=Counts(total=len(pool), scanned=len(pool), relevant=len(papers)),
        # The recorded selection has no token counts: the table shows zeros and "unknown".
        scoring=Scoring(
            scorer="llm",
            model="gpt-5",
            prompt_hash="0" * 16,
            relevance_min=8,
            novelty_min=7,
            usage=Usage(prompt_cost=None, completion_cost=None),
        ),
        papers=papers,
        source="recorded",
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "assets" / "day-page.png"))
    parser.add_argument("--size", default="1280,1600", help="window size (default 1280,1600)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not (SHARED / "eval").is_dir() or not Path(chromium).exists():
        print("needs ../shared and chromium (apt-get install -y chromium)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    from support.site import CHROMIUM_ARGS

    from generator.config import load_settings
    from generator.store import DayStore

    root = Path(tempfile.mkdtemp(prefix="screenshot-"))
    try:
        for name in ("digest.yaml", "prompt.yaml"):
            shutil.copy(REPO / name, root / name)
        shutil.copytree(REPO / "docs", root / "docs")
        topics = load_settings(REPO / "digest.yaml", env={}).prompt.tag_names
        DayStore(root / "data").save(build_record(topics))
        # The real site configuration: header search box, RSS link, navigation.
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": "http://127.0.0.1/"}
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, check=True, env=env
        )
        handler = functools.partial(_QuietHandler, directory=str(root / "site"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/days/{DATE[:4]}/{DATE}/"
        out = Path(args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                chromium,
                *CHROMIUM_ARGS,
                "--hide-scrollbars",
                f"--screenshot={out}",
                f"--window-size={args.size}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        server.shutdown()
        print(f"wrote {out} ({out.stat().st_size // 1024} KB) from {url}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
