"""The score cache: never pay twice for the same paper, prompt and model.

A small sqlite file keyed by (paper id, version, prompt hash, model). WAL journaling and a
commit after every batch mean a run killed with ``kill -9`` keeps every score it paid for;
sqlite's journal makes a crash mid-write roll back to the last commit, never a torn file.
Only scored papers are stored: unscored ones are asked again on the next run.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.errors import DataError
from generator.models import Paper, Score

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    prompt_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    relevance INTEGER NOT NULL,
    novelty INTEGER NOT NULL,
    comment TEXT NOT NULL,
    tags TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (id, version, prompt_hash, model)
)
"""


class ScoreCache:
    """Thread-safe (one connection behind a lock; writes are tiny next to an LLM call)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise DataError(path, None, f"score cache unusable: {exc}") from exc

    def get_many(self, papers: Sequence[Paper], prompt_hash: str, model: str) -> dict[str, Score]:
        """Cached scores of ``papers`` (by id) for this prompt and model."""
        found: dict[str, Score] = {}
        with self._lock:
            for paper in papers:
                row = self._db.execute(
                    "SELECT relevance, novelty, comment, tags FROM scores "
                    "WHERE id=? AND version=? AND prompt_hash=? AND model=?",
                    (paper.id, paper.version, prompt_hash, model),
                ).fetchone()
                if row:
                    found[paper.id] = Score(
                        id=paper.id,
                        version=paper.version,
                        status="scored",
                        relevance=row[0],
                        novelty=row[1],
                        comment=row[2],
                        tags=tuple(json.loads(row[3])),
                    )
        return found

    def put_many(self, scores: Iterable[Score], prompt_hash: str, model: str) -> None:
        """Store one batch's scores in one transaction (committed before returning)."""
        rows = [
            (
                s.id,
                s.version,
                prompt_hash,
                model,
                s.relevance,
                s.novelty,
                s.comment,
                json.dumps(list(s.tags)),
                time.time(),
            )
            for s in scores
            if s.status == "scored"
        ]
        if not rows:
            return
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
