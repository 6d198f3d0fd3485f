"""The site's caches: records keyed by file content, rendered day pages keyed by their inputs.

A warm build must give byte-identical pages to a cold one, re-render exactly the pages
whose inputs changed (the day, its neighbours' prev/next links, the prompt, the config),
and never let a cache hide a broken day file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.synthetic import write_days

from generator.config import load_settings
from generator.errors import DataError
from generator.site import days, loading
from generator.site.cache import PageCache
from generator.site.context import SiteContext
from generator.site.model import build_model
from generator.store import DayStore

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"


def _context(
    store: DayStore,
    records: list,
    title_override: str | None = None,
    use_directory_urls: bool = True,
) -> SiteContext:
    settings = load_settings(None, env={})
    if title_override is not None:
        settings.config.site.title = title_override
    prompts = {h: store.load_prompt(h) or "" for h in store.prompt_hashes()}
    return SiteContext(
        settings=settings,
        store=store,
        days=records,
        site_url=None,
        prompts=prompts,
        use_directory_urls=use_directory_urls,
    )


def _build(store: DayStore, cache: Path, **ctx: object) -> tuple[dict[str, str], PageCache]:
    records, digests = loading.load_days_digests(store, cache)
    pages = PageCache(cache, digests)
    context = _context(store, records, **ctx)  # type: ignore[arg-type]
    output = days.build(build_model(records), context, pages)
    return {p.src_uri: p.html for p in output.pages}, pages


def _fresh(store: DayStore, **ctx: object) -> dict[str, str]:
    """The pages rendered without any cache."""
    records = loading.load_days(store, None)
    context = _context(store, records, **ctx)  # type: ignore[arg-type]
    return {p.src_uri: p.html for p in days.build(build_model(records), context).pages}


@pytest.fixture
def store(tmp_path: Path) -> DayStore:
    store = DayStore(tmp_path / "data")
    write_days(store.root, days=5, papers=3, scanned=10, start=dt.date(2025, 1, 6))
    return store


def test_cached_pages_equal_fresh_renders_and_skip_rendering(
    store: DayStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _fresh(store)
    cold, cold_pages = _build(store, tmp_path / "cache")
    assert cold == fresh and (cold_pages.hits, cold_pages.misses) == (0, 6)  # 5 days + home

    def no_rendering(*args: object, **kwargs: object) -> str:
        raise AssertionError("rendered although cached")

    monkeypatch.setattr(days, "render_day", no_rendering)
    warm, warm_pages = _build(store, tmp_path / "cache")
    assert warm == fresh and (warm_pages.hits, warm_pages.misses) == (6, 0)


def test_the_cache_is_what_a_warm_build_serves(store: DayStore, tmp_path: Path) -> None:
    """Proof the stored HTML is used: an entry edited behind our back (same key) shows."""
    _build(store, tmp_path / "cache")
    entry = tmp_path / "cache/pages/days/2025/2025-01-07.md.html"
    key, _, _html = entry.read_text().partition("\n")
    entry.write_text(f"{key}\n<p>from the cache</p>")
    served = _build(store, tmp_path / "cache")[0]["days/2025/2025-01-07.md"]
    assert served == "<p>from the cache</p>"
    # A changed day file changes the key: rendered again from the new data.
    path = store.root / "2025/2025-01-07.yaml"
    path.write_text(path.read_text().replace("total: ", "total: 9", 1))
    rebuilt, pages = _build(store, tmp_path / "cache")
    assert "<p>from the cache</p>" not in rebuilt["days/2025/2025-01-07.md"]
    assert pages.misses == 1


def test_a_new_day_rerenders_its_neighbour_and_the_home_page(
    store: DayStore, tmp_path: Path
) -> None:
    _build(store, tmp_path / "cache")
    last = store.paths()[-1].stem  # 2025-01-10
    write_days(store.root, days=1, papers=3, scanned=10, start=dt.date(2025, 1, 13), seed=1)
    pages, cache = _build(store, tmp_path / "cache")
    # Misses: the new day, the old last day (its "next" link), and the home page.
    assert (cache.hits, cache.misses) == (4, 3)
    assert "2025-01-13" in pages[f"days/2025/{last}.md"]
    assert pages == _fresh(store)


@pytest.mark.parametrize(
    "change", [{"title_override": "Another title"}, {"use_directory_urls": False}]
)
def test_config_that_shapes_the_page_misses_the_cache(
    store: DayStore, tmp_path: Path, change: dict[str, object]
) -> None:
    _build(store, tmp_path / "cache")
    pages, cache = _build(store, tmp_path / "cache", **change)
    assert (cache.hits, cache.misses) == (0, 6)
    assert pages == _fresh(store, **change)


def test_record_cache_hits_on_same_bytes_with_a_new_mtime(
    store: DayStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh checkout (CI restoring .cache/site) touches every file but keeps its bytes."""
    loading.load_days(store, tmp_path / "cache")
    for path in store.paths():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed although the bytes are cached")

    monkeypatch.setattr(DayStore, "load_path", no_parsing)
    assert len(loading.load_days(store, tmp_path / "cache")) == 5


def _mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DIGEST_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        env=env,
    )


def _site_pages(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root / "site")): p.read_bytes() for p in (root / "site").rglob("*.html")
    }


def test_mkdocs_warm_build_is_identical_and_a_broken_file_still_fails(tmp_path: Path) -> None:
    root = tmp_path / "site_basic"
    shutil.copytree(FIXTURE, root)
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(REPO / "docs" / folder, root / "docs" / folder)
    cold = _mkdocs_build(root)
    assert cold.returncode == 0, cold.stderr
    cold_pages = _site_pages(root)
    assert len(list((root / ".cache/site/pages").rglob("*.html"))) == 5  # 4 days + home
    warm = _mkdocs_build(root)
    assert warm.returncode == 0, warm.stderr
    assert "5 from the page cache, 0 rendered" in warm.stderr
    assert _site_pages(root) == cold_pages
    # Caches warm, then a day file breaks: the build fails naming file and key.
    day = root / "data/2025/2025-10-06.yaml"
    day.write_text(day.read_text().replace("novelty: 9", "novelty: very", 1))
    broken = _mkdocs_build(root)
    assert broken.returncode != 0
    assert "2025-10-06.yaml" in broken.stderr and "papers[0].novelty" in broken.stderr
    with pytest.raises(DataError, match="papers\\[0\\].novelty"):
        loading.load_days(DayStore(root / "data"), root / ".cache/site")


@pytest.mark.parametrize("name", ["daily.yml", "backfill.yml"])
def test_workflows_restore_the_site_cache_before_the_build_and_save_it_after(name: str) -> None:
    import yaml

    workflow = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    steps = workflow["jobs"]["update"]["steps"]
    names = [s.get("name", "") for s in steps]
    build = next(i for i, s in enumerate(steps) if "mkdocs build" in s.get("run", ""))
    restore, save = names.index("Restore site cache"), names.index("Save site cache")
    assert restore < build < save
    for index in (restore, save):
        assert steps[index]["with"]["path"].split() == [".cache/site"]
        assert "run_id" in steps[index]["with"]["key"]
    # The score cache, saved before the build, must not carry the site's (large) caches.
    for step in ("Restore score cache", "Save score cache"):
        paths = steps[names.index(step)]["with"]["path"].split()
        assert {".cache", "!.cache/site"} <= set(paths)


def test_parallel_rendering_gives_the_same_pages(
    store: DayStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, _ = _build(store, tmp_path / "serial")
    monkeypatch.setattr(days, "PARALLEL_MIN_PAGES", 2)
    monkeypatch.setattr(days.os, "cpu_count", lambda: 2)
    calls: list[int] = []
    real_pool = days.ProcessPoolExecutor

    def counting_pool(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(days, "ProcessPoolExecutor", counting_pool)
    parallel, pages = _build(store, tmp_path / "parallel")
    assert calls == [1] and pages.misses == 6
    assert parallel == serial


def test_the_code_fingerprint_covers_every_module_and_template() -> None:
    from generator import schema
    from generator.site import cache

    package = REPO / "generator" / "site"
    sources = set(cache.fingerprint_sources())
    assert {p for p in package.glob("*.py")} <= sources
    assert {p for p in (package / "templates").iterdir() if p.is_file()} <= sources
    assert Path(schema.__file__) in sources
    # A file added to the templates folder changes it, with no list to update.
    before = cache.code_fingerprint()
    probe = package / "templates" / "_fingerprint_probe.html"
    try:
        probe.write_text("probe", encoding="utf-8")
        cache.code_fingerprint.cache_clear()
        assert cache.code_fingerprint() != before
    finally:
        probe.unlink()
        cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == before


@pytest.mark.parametrize(
    "markup",
    [
        "<script>x()</script>",
        "< SCRIPT src=//evil>",
        '<p onclick="x()">',
        "<img src=x onerror=alert(1)>",
        "<a/onmouseover=x>",
        "<p title='a>' onclick=1>",
        "<a href='javascript:alert(1)'>",
        '<a HREF=" JaVa\tScRiPt:x">',
        '<a href="data:text/html,x">',
        "<svg><circle/></svg>",
        '<meta http-equiv="refresh" content="0;url=//evil">',
    ],
)
def test_a_cached_page_with_active_markup_is_refused(markup: str) -> None:
    from generator.site.cache import inert

    assert not inert(f"<p>ours</p>{markup}<p>ours</p>")


def test_the_pages_we_render_are_inert() -> None:
    from support.golden import GOLDEN_DIR

    from generator.site.cache import inert

    pages = [p for p in GOLDEN_DIR.glob("*.html") if not p.name.startswith("search_record")]
    assert len(pages) >= 7
    for page in pages:
        assert inert(page.read_text(encoding="utf-8")), page.name
    # Words that look like markup in (escaped) text are fine.
    assert inert('<p>onset=3, javascript: a language; href=x</p><a href="../tags/x/">x</a>')
