"""The score cache: never pay twice for the same paper, prompt and model.

A small sqlite file keyed by (paper id, version, prompt hash, model). WAL journaling and a
commit after every batch mean a run killed with ``kill -9`` keeps every score it paid for;
sqlite's journal makes a crash mid-write roll back to the last commit, never a torn file.
Only scored papers are stored: unscored ones are asked again on the next run.

The cache only saves money, so it never costs a day: a file that is not a score cache (not
sqlite, another schema) is set aside as ``<name>.broken-<UTC time>`` and a fresh one
started; a row that does not validate like a reply is a miss; a write that fails (a full
disk) keeps the scores in memory for the rest of the run, with one warning naming the file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import ValidationError

from generator.models import Paper, Score
from generator.score.reply import ReplyRecord

log = logging.getLogger(__name__)

_COLUMNS = (
    "id",
    "version",
    "prompt_hash",
    "model",
    "relevance",
    "novelty",
    "comment",
    "tags",
    "created",
)
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
# The errors of a cache that cannot be written or read right now (full disk, read-only
# file system, permissions); a text sqlite refuses to encode is a ValueError.
_WRITE_ERRORS = (sqlite3.Error, OSError, ValueError)

_Key = tuple[str, int, str, str]


class _NotACache(Exception):
    """The file is a database, but not a score cache of this schema."""


def row_score(paper: Paper, row: Sequence[object]) -> Score | None:
    """The score of a cache row (relevance, novelty, comment, tags), or None when invalid.

    Rows are data from outside the run: they are validated like a reply.
    """
    relevance, novelty, comment, tags = row
    if not isinstance(relevance, int) or not isinstance(novelty, int):
        return None
    try:
        decoded = json.loads(tags) if isinstance(tags, str) else None
        if not isinstance(decoded, list):
            return None
        record = ReplyRecord.model_validate(
            {
                "id": paper.id,
                "relevance": relevance,
                "novelty": novelty,
                "comment": comment,
                "tags": decoded,
            }
        )
    except (ValueError, ValidationError):
        return None
    return record.to_score(paper.version)


class ScoreCache:
    """Thread-safe (one connection behind a lock; writes are tiny next to an LLM call)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._in_memory_only = str(path) == ":memory:"
        self._lock = threading.Lock()
        self._unsaved: dict[_Key, Score] = {}  # scores a failed write could not store
        self._write_warned = False
        self.bad_rows = 0  # rows ignored as invalid, over the cache's life
        self._db = self._open()

    # -- opening -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if not self._in_memory_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            columns = tuple(r[1] for r in db.execute("PRAGMA table_info(scores)"))
            if columns and columns != _COLUMNS:
                raise _NotACache(f"its scores table has the columns {', '.join(columns)}")
            db.execute(_SCHEMA)
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection | None:
        try:
            return self._connect()
        except (sqlite3.OperationalError, OSError) as exc:  # disk, permissions: not the file
            self._unusable(exc)
            return None
        except (_NotACache, sqlite3.DatabaseError) as exc:  # not sqlite, or another schema
            if self._set_aside(exc) is None:
                return None
        try:
            return self._connect()
        except (_NotACache, sqlite3.Error, OSError) as exc:
            self._unusable(exc)
            return None

    def _set_aside(self, why: BaseException) -> Path | None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        broken = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        try:
            self.path.rename(broken)
            for suffix in ("-wal", "-shm"):  # the journal belongs to the broken file
                journal = self.path.with_name(self.path.name + suffix)
                if journal.exists():
                    journal.rename(broken.with_name(broken.name + suffix))
        except OSError as exc:
            self._unusable(exc)
            return None
        log.warning(
            "score cache %s is not a usable score cache (%s): set aside as %s, "
            "starting a fresh one",
            self.path,
            why,
            broken,
        )
        return broken

    def _unusable(self, exc: BaseException) -> None:
        """Warn that the cache file cannot be used; the run goes on without it."""
        log.warning(
            "score cache %s cannot be opened (%s): this run keeps its scores in memory only",
            self.path,
            exc,
        )
        self._write_warned = True

    # -- reading and writing -------------------------------------------------------------
    def get_many(self, papers: Sequence[Paper], prompt_hash: str, model: str) -> dict[str, Score]:
        """Cached scores of ``papers`` (by id) for this prompt and model."""
        found: dict[str, Score] = {}
        bad = 0
        with self._lock:
            for paper in papers:
                unsaved = self._unsaved.get((paper.id, paper.version, prompt_hash, model))
                if unsaved is not None:
                    found[paper.id] = unsaved
                    continue
                if self._db is None:
                    continue
                try:
                    row = self._db.execute(
                        "SELECT relevance, novelty, comment, tags FROM scores "
                        "WHERE id=? AND version=? AND prompt_hash=? AND model=?",
                        (paper.id, paper.version, prompt_hash, model),
                    ).fetchone()
                except sqlite3.Error as exc:
                    log.warning("score cache %s unreadable (%s): scoring afresh", self.path, exc)
                    break
                if row is None:
                    continue
                score = row_score(paper, row)
                if score is None:
                    bad += 1
                else:
                    found[paper.id] = score
            self.bad_rows += bad
        if bad:
            log.warning("ignored %d invalid row(s) of score cache %s: asked again", bad, self.path)
        return found

    def put_many(self, scores: Iterable[Score], prompt_hash: str, model: str) -> None:
        """Store one batch's scores in one transaction (committed before returning).

        A write that fails keeps the scores in memory (this run still has them) and warns
        once: what was paid for is never lost to a full disk.
        """
        batch = [s for s in scores if s.status == "scored"]
        if not batch:
            return
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
            for s in batch
        ]
        with self._lock:
            try:
                if self._db is None:
                    raise sqlite3.OperationalError("not open")
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                    )
            except _WRITE_ERRORS as exc:
                for score in batch:
                    self._unsaved[(score.id, score.version, prompt_hash, model)] = score
                if not self._write_warned:
                    self._write_warned = True
                    log.warning(
                        "could not write score cache %s (%s): this run keeps its scores in "
                        "memory; they will be paid for again by a later run",
                        self.path,
                        exc,
                    )

    def __len__(self) -> int:
        with self._lock:
            stored = 0
            if self._db is not None:
                stored = int(self._db.execute("SELECT COUNT(*) FROM scores").fetchone()[0])
            return stored + len(self._unsaved)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
