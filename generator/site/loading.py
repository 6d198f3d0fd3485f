"""Loading every day file for a site build, fast: a validated-record cache and parallel parsing.

Parsing YAML dominates a large build: even libyaml's C parser builds Python objects at
~6 MB/s, ~30 ms for a 200 KB day (70 papers and ~860 compact score records), so ~30 s at
1,000 days. A day file rarely changes once written, so each validated record is cached as
a pickle keyed by the SHA-256 of the file's bytes and by a fingerprint of the schema code;
a warm build hashes (~0.2 ms) and unpickles (~1 ms) per day. The key is the content, not
the mtime, because a fresh git checkout (CI restoring ``.cache/site`` with actions/cache)
gives every file a new mtime but the same bytes. Cache misses are parsed in worker
processes when there are many (a cold build, a fresh clone). Validation is never skipped
for new bytes: a cached record was validated when it was stored from exactly these bytes,
and any change to the file or the schema misses the cache.

The content digests also key the rendered-page cache (generator/site/days.py): a day page
is re-rendered only when its file, its neighbours, the templates or the config change.

The records handed to the site drop ``scans`` (the compact score of every scanned paper,
~860 a day): no page shows them, and at 1,000 days they would hold ~860,000 objects, most of
the build's memory. ``arxiv-digest validate`` and the pipeline read whole records.
"""

from __future__ import annotations

import datetime as dt
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


def file_digest(path: Path) -> str:
    """SHA-256 of a day file's bytes (its identity for both caches); unreadable: ""."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""  # load_path reports the file properly; "" never matches a cache entry


class RecordCache:
    """Validated day records pickled under ``root`` (``.cache/site`` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _entry(self, store: DayStore, path: Path) -> Path:
        relative = path.relative_to(store.root) if path.is_relative_to(store.root) else path.name
        return self.root / "days" / f"{relative}.pickle"

    def get(self, store: DayStore, path: Path, digest: str) -> DayRecord | None:
        entry = self._entry(store, path)
        try:
            with entry.open("rb") as handle:
                key, record = pickle.load(handle)
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            AttributeError,
            ValueError,
            TypeError,
            ImportError,
        ):
            return None  # absent, truncated or from an incompatible version: parse again
        if not digest or key != (code_fingerprint(), digest) or not isinstance(record, DayRecord):
            return None
        return record

    def put(self, store: DayStore, path: Path, record: DayRecord, digest: str) -> None:
        entry = self._entry(store, path)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(((code_fingerprint(), digest), record), handle, protocol=5)
            os.replace(tmp, entry)
        except OSError:
            pass  # a read-only checkout still builds, just without the cache


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
    """Every day record (site view), oldest first, validated; a bad file raises its DataError."""
    return load_days_digests(store, cache_dir, workers)[0]


def load_days_digests(
    store: DayStore, cache_dir: Path | None = None, workers: int | None = None
) -> tuple[list[DayRecord], dict[dt.date, str]]:
    """:func:`load_days`, plus each day's file digest (the rendered-page cache's key)."""
    paths = store.paths()
    cache = RecordCache(cache_dir) if cache_dir is not None else None
    records: dict[Path, DayRecord] = {}
    digests: dict[Path, str] = {}
    misses: list[Path] = []
    for path in paths:
        record = None
        if cache is not None:
            digests[path] = file_digest(path)
            record = cache.get(store, path, digests[path])
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
            cache.put(store, path, record, info)
    ordered = [records[path] for path in paths]
    return ordered, {r.date: digests[p] for p, r in zip(paths, ordered, strict=True)}


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


class RenderedPages:
    """Rendered day pages under ``root/pages`` (``.cache/site/pages``): days.PageCache.

    One file per page (``pages/days/2025/2025-10-07.md.html``), its key on the first line:
    the cache stays one entry per page however often a day is re-rendered. Records are
    known by their file's digest (from :func:`load_days_digests`) and the schema code.
    """

    def __init__(self, root: Path, digests: dict[dt.date, str]) -> None:
        self.root = root / "pages"
        self.digests = digests
        self.hits = 0
        self.misses = 0

    def record_key(self, day: DayRecord) -> str | None:
        digest = self.digests.get(day.date)
        return f"{code_fingerprint()}:{digest}" if digest else None

    def _entry(self, src_uri: str) -> Path:
        return self.root / f"{src_uri}.html"

    def get(self, src_uri: str, key: str) -> str | None:
        try:
            text = self._entry(src_uri).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        stored, _, html = text.partition("\n")
        if stored != key:
            self.misses += 1
            return None
        self.hits += 1
        return html

    def put(self, src_uri: str, key: str, html: str) -> None:
        entry = self._entry(src_uri)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(f"{key}\n{html}")
            os.replace(tmp, entry)
        except OSError:
            pass  # a read-only checkout still builds, just without the cache
