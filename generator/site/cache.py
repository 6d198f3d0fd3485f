"""The site's caches, all under the plugin's ``cache_dir``: day records, rendered pages, search.

A day file rarely changes once written, so a build keeps what it derived from it:

- ``records/``: each validated day record (site view) as JSON, keyed by the SHA-256 of the
  file's bytes. The key is the content, not the mtime: a fresh checkout (CI restoring the
  cache with actions/cache) gives every file a new mtime but the same bytes;
- ``pages/``: each rendered day page, keyed by everything it is rendered from;
- ``search/``: one Pagefind bundle per year (see :mod:`generator.site.search`).

Every key also holds :func:`code_fingerprint`, so an edited template or module, or an
upgraded library, misses every entry.

Cache files are untrusted data: the Actions cache can be written by other workflows, and
a crafted pickle once ran code during ``mkdocs build``. So nothing here is ever unpickled
or executed: records are JSON that the schema validates again on every read, pages are
text used only when their key matches and they hold no active markup, and a file that is
corrupt, foreign or hostile is a miss. A read-only or full disk only loses the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pydantic

from generator import schema
from generator.schema import DayRecord
from generator.yamlio import atomic_write_text

PACKAGES = ("jinja2", "markupsafe", "pydantic", "pylatexenc", "arxiv-digest")


def fingerprint_sources() -> list[Path]:
    """Every ``.py`` file of this package, every file of its templates folder (found, not
    listed by hand), and the schema."""
    here = Path(__file__).parent
    sources = sorted(p for p in here.rglob("*.py") if "__pycache__" not in p.parts)
    sources += sorted(p for p in (here / "templates").rglob("*") if p.is_file())
    sources.append(Path(schema.__file__))
    return sources


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever code that shapes cached output could: :func:`fingerprint_sources`
    and the versions of the libraries that render or validate."""
    root = Path(__file__).parents[2]
    digest = hashlib.sha256()
    for source in fingerprint_sources():
        name = source.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    for package in PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version}\0".encode())
    digest.update(pydantic.VERSION.encode())
    return digest.hexdigest()[:16]


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (a day file's identity for every cache); unreadable: ""."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""  # the loader reports the file properly; "" never matches a cache entry


def _read_entry(path: Path, key: str) -> bytes | None:
    """The payload stored in ``path`` under ``key`` (the file's first line), else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    stored, newline, payload = data.partition(b"\n")
    if not newline or stored != key.encode():
        return None
    return payload


def _write_entry(path: Path, key: str, payload: str) -> None:
    # A read-only checkout still builds, just without the cache.
    with contextlib.suppress(OSError):
        atomic_write_text(path, f"{key}\n{payload}")


class RecordCache:
    """Validated day records as JSON, one file per day file (``records/2025/2025-10-07.json``)."""

    def __init__(self, root: Path) -> None:
        self.root = root / "records"

    def _entry(self, name: str) -> Path:
        return self.root / f"{name}.json"

    @staticmethod
    def key(digest: str) -> str:
        return f"{code_fingerprint()}:{digest}"

    def get(self, name: str, digest: str) -> DayRecord | None:
        """The record stored for day file ``name`` (path under data/) with these bytes."""
        if not digest:
            return None
        payload = _read_entry(self._entry(name), self.key(digest))
        if payload is None:
            return None
        try:
            return DayRecord.model_validate_json(payload)  # validated again: never trusted
        except (pydantic.ValidationError, ValueError):
            return None

    def put(self, name: str, digest: str, record: DayRecord) -> None:
        if digest:
            _write_entry(self._entry(name), self.key(digest), record.model_dump_json())


# What our page bodies never contain (paper text is escaped, so "<" and quotes only come
# from our own markup): elements that run or load code, and inside a tag (quoted values
# skipped whole) an event handler or a URL attribute with a scheme other than http(s). A
# cached page holding one was not written by us, and is not served. One pass, starting at
# each "<": a few ms for a day page, far less than rendering it.
_ACTIVE_MARKUP = re.compile(
    r"<(?:\s*/?\s*(?i:script|iframe|frame|object|embed|style|link|meta|base|form|svg|math)\b"
    r"|[a-zA-Z](?:[^<>\"']|\"[^\"]*\"|'[^']*')*?[\s\"'/]"
    r"(?:(?i:on[a-z]+)\s*=|(?i:href|src|action)\s*=\s*[\"']?\s*(?!(?i:https?):)[a-zA-Z][\w+.\s-]*:))"
)


def inert(html: str) -> bool:
    """True when ``html`` holds no script, event handler or script URL."""
    return _ACTIVE_MARKUP.search(html) is None


class PageCache:
    """Rendered day pages, one file per page (``pages/days/2025/2025-10-07.md.html``).

    The key is on the first line, so the cache stays one entry per page however often a day
    is re-rendered. Records are known by their file's digest (from the loader).
    """

    def __init__(self, root: Path, digests: dict[str, str]) -> None:
        self.root = root / "pages"
        self.digests = digests  # ISO date -> day file digest
        self.hits = 0
        self.misses = 0

    def record_key(self, day: DayRecord) -> str | None:
        digest = self.digests.get(day.date.isoformat())
        return f"{code_fingerprint()}:{digest}" if digest else None

    def _entry(self, src_uri: str) -> Path:
        return self.root / f"{src_uri}.html"

    def get(self, src_uri: str, key: str) -> str | None:
        payload = _read_entry(self._entry(src_uri), key)
        html = None
        if payload is not None:
            try:
                html = payload.decode("utf-8")
            except UnicodeDecodeError:
                html = None
        if html is None or not inert(html):
            self.misses += 1
            return None
        self.hits += 1
        return html

    def put(self, src_uri: str, key: str, html: str) -> None:
        _write_entry(self._entry(src_uri), key, html)


def search_dir(cache_dir: Path) -> Path:
    """Where the per-year search bundles are kept."""
    return cache_dir / "search"
