"""The fixture site built with ProperDocs, the maintained fork of MkDocs 1.6.

ProperDocs (PyPI ``properdocs``, in the test extra) is its own package beside mkdocs: the
``properdocs`` command, which reads a ``mkdocs.yml`` given with ``-f`` and, once started,
serves every ``import mkdocs...`` from ``properdocs`` (``properdocs/replacement.py``), so
Material and our ``arxiv-digest`` entry point (group ``mkdocs.plugins``) load unchanged.
That aliasing is process-wide, hence real processes here. mkdocs stays the default; this
checks that the site needs nothing more to move over: a strict build whose pages, tag pages
and feeds are those of the mkdocs build, bar the generator line naming ProperDocs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "site_basic"
GENERATOR_META = re.compile(r'<meta name="generator" content="([^"]*)">')
DAYS = ("2025-10-03", "2025-10-04", "2025-10-06", "2025-10-07")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("properdocs") is None,
    reason="properdocs is not installed (it is in the test extra: make install)",
)


def build(tool: str, tmp_path: Path) -> Path:
    """A strict build of a fresh copy of the fixture site with ``tool``; returns site/."""
    root = tmp_path / tool / "site_basic"
    shutil.copytree(FIXTURE, root)
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(REPO / "docs" / folder, root / "docs" / folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    result = subprocess.run(
        [sys.executable, "-m", tool, "build", "--strict", "-f", str(root / "mkdocs.yml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{tool} build failed:\n{result.stderr}"
    return root / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("builds")
    return build("mkdocs", tmp_path), build("properdocs", tmp_path)


def pages(site: Path) -> list[str]:
    """Every page, feed and data file we generate (pagefind's hashed index files aside)."""
    found = [
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.suffix in (".html", ".xml", ".json") and "pagefind" not in p.parts
    ]
    return sorted(found)


def test_properdocs_builds_the_day_tag_and_feed_pages(sites: tuple[Path, Path]) -> None:
    _, site = sites
    for day in DAYS:
        assert (site / f"days/2025/{day}/index.html").is_file(), day
    day_page = (site / "days/2025/2025-10-06/index.html").read_text(encoding="utf-8")
    assert day_page.count('<article class="digest-paper"') == 4
    assert 'id="2510.02676"' in day_page
    tags = sorted(p.parent.name for p in site.glob("tags/*/index.html"))
    assert "mixture-of-experts" in tags and (site / "tags/index.html").is_file()
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.version == "rss20" and not feed.bozo and feed.entries
    assert any("2510.02676" in entry.link for entry in feed.entries)
    assert list((site / "search" / "pagefind").rglob("pagefind-entry.json"))
    generator = GENERATOR_META.search(day_page)
    assert generator and generator[1].startswith("mkdocs-ProperDocs 1.6"), generator


def test_properdocs_pages_equal_the_mkdocs_pages(sites: tuple[Path, Path]) -> None:
    with_mkdocs, with_properdocs = sites
    assert pages(with_mkdocs) == pages(with_properdocs)
    assert len(pages(with_mkdocs)) > 20
    for name in pages(with_mkdocs):
        ours = GENERATOR_META.sub("", (with_mkdocs / name).read_text(encoding="utf-8"))
        theirs = GENERATOR_META.sub("", (with_properdocs / name).read_text(encoding="utf-8"))
        assert ours == theirs, name
