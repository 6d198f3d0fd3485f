"""Loading every day file for a site build, fast: the validated-record cache, parallel parsing.

Parsing YAML dominates a large build (even libyaml's C parser builds Python objects slowly),
and a day file rarely changes once written. So each validated record is kept in
:class:`~generator.site.cache.RecordCache`, keyed by the SHA-256 of the file's bytes; a warm
build hashes each file and validates the stored JSON, much faster than parsing YAML. Cache
misses are parsed in worker processes when there are many (a cold build, a fresh clone).
Validation is never skipped: new bytes are parsed and validated, cached JSON is validated
again on read.

The records handed to the site drop ``scans`` (the compact score of every scanned paper):
no page shows them, and across a long archive they would be most of the build's memory.
``arxiv-digest validate`` and the pipeline read whole records.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.errors import DataError
from generator.schema import DayRecord
from generator.site.cache import RecordCache, file_digest
from generator.store import DayStore

# Below this many misses, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 48


def site_view(record: DayRecord) -> DayRecord:
    """The record as the site uses it: validated in full, then without ``scans``."""
    return record.model_copy(update={"scans": []}) if record.scans else record


def _entry_name(store: DayStore, path: Path) -> str:
    """A day file's name in the cache: its path under the data folder."""
    if path.is_relative_to(store.root):
        return path.relative_to(store.root).as_posix()
    return path.name


# (record, file digest) or (None, error as (path, key, problem, message)).
_Parsed = tuple[DayRecord | None, str | tuple[str, str | None, str, str]]


def _parse(store_root: str, path: str) -> _Parsed:
    """Parse one file in a worker; a DataError comes back as data (it does not unpickle)."""
    file = Path(path)
    digest = file_digest(file)  # before reading: a concurrent rewrite then misses next time
    try:
        return site_view(DayStore(store_root).load_path(file)), digest
    except DataError as exc:
        return None, (exc.path, exc.key, exc.problem, str(exc))


def load_days(
    store: DayStore, cache_dir: Path | None = None, workers: int | None = None
) -> list[DayRecord]:
    """Every day record (site view), oldest first, validated; a bad file raises its DataError.

    ``cache_dir``: the plugin's cache folder (records are kept in its ``records/``).
    """
    return load_days_digests(store, cache_dir, workers)[0]


def load_days_digests(
    store: DayStore, cache_dir: Path | None = None, workers: int | None = None
) -> tuple[list[DayRecord], dict[str, str]]:
    """:func:`load_days`, plus each day's file digest by ISO date (the page cache's key)."""
    paths = store.paths()
    cache = RecordCache(cache_dir) if cache_dir is not None else None
    records: dict[Path, DayRecord] = {}
    digests: dict[Path, str] = {}
    misses: list[Path] = []
    for path in paths:
        record = None
        if cache is not None:
            digests[path] = file_digest(path)
            record = cache.get(_entry_name(store, path), digests[path])
        if record is None:
            misses.append(path)
        else:
            records[path] = record
    for path, (record, info) in zip(misses, _parse_all(store, misses, workers), strict=True):
        if isinstance(info, tuple):
            error_path, key, problem, message = info
            failure = DataError(error_path, key, problem)
            failure.args = (message,)  # the worker's exact message
            raise failure
        assert record is not None  # a worker returns a record or an error
        records[path] = record
        digests[path] = info
        if cache is not None:
            cache.put(_entry_name(store, path), info, record)
    ordered = [records[path] for path in paths]
    return ordered, {r.date.isoformat(): digests[p] for p, r in zip(paths, ordered, strict=True)}


def _parse_all(store: DayStore, paths: Sequence[Path], workers: int | None) -> list[_Parsed]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        # In process: a bad file raises its own DataError, with every detail.
        parsed: list[_Parsed] = []
        for path in paths:
            digest = file_digest(path)
            parsed.append((site_view(store.load_path(path)), digest))
        return parsed
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, len(paths) // (workers * 4))
        return list(
            pool.map(
                _parse, [str(store.root)] * len(paths), [str(p) for p in paths], chunksize=chunk
            )
        )
