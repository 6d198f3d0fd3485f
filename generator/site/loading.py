"""Loading every day file for a site build, fast: a validated-record cache and parallel parsing.

Parsing YAML dominates a large build: even libyaml's C parser builds Python objects at
~6 MB/s, ~30 ms for a 200 KB day (70 papers and ~860 compact score records), so ~30 s at
1,000 days. A day file rarely changes once written, so each validated record is cached as
a pickle keyed by the file's size and mtime and by a fingerprint of the schema code; a
warm build unpickles in ~2 ms per day. Cache misses are parsed in worker processes when
there are many (a cold build, a fresh clone). Validation is never skipped: a cached record
was validated when it was stored, and any change to the file or the schema misses the cache.

The records handed to the site drop ``scans`` (the compact score of every scanned paper,
~860 a day): no page shows them, and at 1,000 days they would hold ~860,000 objects, most of
the build's memory. ``arxiv-digest validate`` and the pipeline read whole records.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import pydantic

from generator import schema
from generator.errors import DataError
from generator.schema import DayRecord
from generator.store import DayStore

# Below this many misses, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 48


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the schema code or pydantic changes (then every entry is stale)."""
    source = Path(schema.__file__).read_bytes()
    return hashlib.sha256(source + pydantic.VERSION.encode()).hexdigest()[:16]


def site_view(record: DayRecord) -> DayRecord:
    """The record as the site uses it: validated in full, then without ``scans``."""
    return record.model_copy(update={"scans": []}) if record.scans else record


def _file_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


class RecordCache:
    """Validated day records pickled under ``root`` (``.cache/site`` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry(self, store: DayStore, path: Path) -> Path:
        relative = path.relative_to(store.root) if path.is_relative_to(store.root) else path.name
        return self.root / "days" / f"{relative}.pickle"

    def get(self, store: DayStore, path: Path) -> DayRecord | None:
        entry = self._entry(store, path)
        try:
            with entry.open("rb") as handle:
                key, record = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError,
                TypeError, ImportError):
            return None  # absent, truncated or from an incompatible version: parse again
        if key != (code_fingerprint(), *_file_key(path)) or not isinstance(record, DayRecord):
            return None
        return record

    def put(self, store: DayStore, path: Path, record: DayRecord, key: tuple[int, int]) -> None:
        entry = self._entry(store, path)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(((code_fingerprint(), *key), record), handle, protocol=5)
            os.replace(tmp, entry)
        except OSError:
            pass  # a read-only checkout still builds, just without the cache


# (record, file key) or (None, error as (path, key, problem, message)).
_Parsed = tuple[DayRecord | None, tuple[int, int] | tuple[str, str | None, str, str]]


def _parse(store_root: str, path: str) -> _Parsed:
    """Parse one file in a worker; a DataError comes back as data (it does not unpickle)."""
    file = Path(path)
    key = _file_key(file)  # before reading: a concurrent rewrite then misses next time
    try:
        return site_view(DayStore(store_root).load_path(file)), key
    except DataError as exc:
        return None, (exc.path, exc.key, exc.problem, str(exc))


def load_days(
    store: DayStore, cache_dir: Path | None = None, workers: int | None = None
) -> list[DayRecord]:
    """Every day record (site view), oldest first, validated; a bad file raises its DataError."""
    paths = store.paths()
    cache = RecordCache(cache_dir) if cache_dir is not None else None
    records: dict[Path, DayRecord] = {}
    misses: list[Path] = []
    for path in paths:
        record = cache.get(store, path) if cache is not None else None
        if record is None:
            misses.append(path)
        else:
            records[path] = record
    for path, (record, info) in zip(misses, _parse_all(store, misses, workers), strict=True):
        if record is None:
            error_path, key, problem, message = info  # type: ignore[misc]
            failure = DataError(error_path, key, problem)
            failure.args = (message,)  # the worker's exact message
            raise failure
        records[path] = record
        if cache is not None:
            cache.put(store, path, record, info)  # type: ignore[arg-type]
    return [records[path] for path in paths]


def _parse_all(store: DayStore, paths: Sequence[Path], workers: int | None) -> list[_Parsed]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        # In process: a bad file raises its own DataError, with every detail.
        return [(site_view(store.load_path(path)), _file_key(path)) for path in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, len(paths) // (workers * 4))
        return list(
            pool.map(_parse, [str(store.root)] * len(paths), [str(p) for p in paths],
                     chunksize=chunk)
        )
