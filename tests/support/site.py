"""Stand-ins for the site-feature tests: day records, a fixture project, a loopback web server.

``make_day`` builds valid :class:`DayRecord` objects from a few fields; ``write_project``
writes a complete project (digest.yaml, prompt.yaml, mkdocs.yml, data/) into a temp folder so
a real ``mkdocs build`` runs against it; ``StaticServer`` serves a built site on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from generator.config import load_settings
from generator.schema import Counts, DayRecord, DayStatus, PaperEntry, Scoring
from generator.site.context import SiteContext
from generator.store import DayStore

REPO = Path(__file__).resolve().parents[2]
# Debian's Chromium, driven by Playwright (its own browser download fails here), with the
# flags that keep it headless and off the network of its own accord.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, closed afterwards (skips where it is absent)."""
    import pytest

    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: `make browser-deps` installs Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


PROMPT_HASH = "0123456789abcdef"

TRICKY_TITLE = 'Attacks on <script>alert("x")</script> Readers & "Quotes"'


def make_paper(
    arxiv_id: str,
    title: str,
    *,
    tags: Sequence[str] = (),
    categories: Sequence[str] = ("cs.LG",),
    relevance: int | None = 9,
    novelty: int | None = 8,
    abstract: str = "We study things.",
    authors: Sequence[str] = ("Ada Lovelace", "Alan Turing"),
    comment: str = "",
    version: int = 1,
) -> PaperEntry:
    return PaperEntry(
        id=arxiv_id,
        version=version,
        title=title,
        authors=list(authors),
        abstract=abstract,
        categories=list(categories),
        announce_type="new",
        relevance=relevance,
        novelty=novelty,
        comment=comment or (" + ".join(tags) + ": matched." if tags else ""),
        tags=list(tags),
        kept_because="score" if relevance is not None else "author_match",
    )


def make_day(
    date: dt.date, papers: Sequence[PaperEntry] = (), *, status: DayStatus = DayStatus.PUBLISHED
) -> DayRecord:
    scoring = None
    if status is DayStatus.PUBLISHED:
        scoring = Scoring(
            scorer="local", model="lexical", prompt_hash=PROMPT_HASH, relevance_min=8, novelty_min=7
        )
    return DayRecord(
        date=date,
        status=status,
        categories=["cs.LG", "cs.AI"],
        announce_types=["new", "cross"],
        counts=Counts(total=len(papers) * 10, scanned=len(papers) * 5, relevant=len(papers)),
        scoring=scoring,
        papers=list(papers),
        source="test",
    )


def sample_days() -> list[DayRecord]:
    """Three announcement days (one without announcement), with math, tags and hostile text."""
    d1, d2, d3 = dt.date(2025, 10, 6), dt.date(2025, 10, 7), dt.date(2025, 10, 8)
    return [
        make_day(
            d1,
            [
                make_paper(
                    "2510.00001",
                    "Sparse Mixtures of Experts at Scale",
                    tags=["Model Compression and Efficiency"],
                    relevance=10,
                    novelty=9,
                    abstract=r"We reach $\mathcal{O}(\sqrt{N})$ cost, 50% faster.",
                ),
                make_paper(
                    "hep-ex/0601001",
                    "An Old-Style Identifier Paper",
                    tags=[],
                    categories=["hep-ex", "cs.LG"],
                ),
            ],
        ),
        make_day(dt.date(2025, 10, 11), status=DayStatus.NO_ANNOUNCEMENT),
        make_day(
            d2,
            [
                make_paper(
                    "2510.00002",
                    TRICKY_TITLE,
                    tags=["Security"],
                    categories=["cs.CR"],
                    abstract="<script>alert(1)</script> & <b>bold</b> claims",
                    comment="Security: <img src=x onerror=alert(1)>",
                ),
            ],
        ),
        make_day(
            d3,
            [
                make_paper(
                    "2510.00003",
                    r"Quantized Attention with $\epsilon$-Guarantees",
                    tags=["Model Compression and Efficiency", "Security"],
                    relevance=9,
                    novelty=9,
                    abstract=r"Error below $\epsilon^2$ with \emph{no} retraining.",
                ),
                make_paper(
                    "2510.00004",
                    "Followed Author Paper",
                    relevance=None,
                    novelty=None,
                    categories=["cs.AI"],
                ),
            ],
        ),
    ]


PROMPT_YAML = {
    "system": "You are a helpful paper reading assistant.",
    "instructions": "Score each paper.",
    "rubric": "Relevance and novelty from 1 to 10.",
    "topics": [
        {"name": "Model Compression and Efficiency", "relevant": "compression"},
        {"name": "Security", "relevant": "attacks"},
    ],
}


def write_project(
    root: Path,
    days: Sequence[DayRecord],
    *,
    site_url: str | None = "https://digest.example.org/",
    extra_mkdocs: dict[str, Any] | None = None,
    digest: dict[str, Any] | None = None,
) -> Path:
    """A complete project in ``root``: configs, data/ with ``days``, docs/ from the repo.

    The repository's mkdocs.yml is the base (so the real theme, overrides and plugin run);
    ``site_url`` and ``extra_mkdocs`` override keys.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "prompt.yaml").write_text(yaml.safe_dump(PROMPT_YAML), encoding="utf-8")
    (root / "digest.yaml").write_text(
        yaml.safe_dump({"data_dir": "data", **(digest or {})}), encoding="utf-8"
    )
    store = DayStore(root / "data")
    for day in days:
        store.save(day)
    shutil.copytree(REPO / "docs", root / "docs", dirs_exist_ok=True)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    config.pop("site_url", None)
    if site_url:
        config["site_url"] = site_url
    config.update(extra_mkdocs or {})
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root / "mkdocs.yml"


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!ENV``/``!!python/name`` tags SafeLoader rejects, as plain text."""


def _passthrough(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("", lambda loader, suffix, node: _passthrough(loader, node))


def mkdocs_build(config_file: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real ``mkdocs build`` on a project; returns the finished process.

    Not ``-q``: it silences warnings before ``--strict`` can count them.
    """
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)]
    if strict:
        args.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        args,
        cwd=config_file.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        self.server.request_log.append(self.path)  # type: ignore[attr-defined]


class StaticServer:
    """A real HTTP server on 127.0.0.1 (port 0) serving a folder, as a context manager."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.request_log = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def request_log(self) -> list[str]:
        return self.httpd.request_log  # type: ignore[attr-defined,no-any-return]

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def site_context(
    tmp_path: Path, days: Sequence[DayRecord], *, digest: dict[str, Any] | None = None
) -> SiteContext:
    """A SiteContext over a fixture project in ``tmp_path`` (site_url set)."""
    write_project(tmp_path, days, digest=digest)
    settings = load_settings(tmp_path / "digest.yaml")
    store = DayStore(tmp_path / "data")
    return SiteContext(
        settings=settings,
        store=store,
        days=store.load_all(),
        site_url="https://digest.example.org/",
    )
