"""A real `mkdocs build --strict` of the fixture site, with checks on the HTML it writes."""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"


def make_site(root: Path) -> Path:
    """A copy of the fixture site with the repository's stylesheet and MathJax config."""
    shutil.copytree(FIXTURE, root)
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(REPO / "docs" / folder, root / "docs" / folder)
    return root


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("fixture") / "site_basic")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.nav_hrefs: list[str] = []
        self._in_nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "nav" and "md-nav--primary" in (attributes.get("class") or ""):
            self._in_nav = 1
        elif tag == "nav" and self._in_nav:
            self._in_nav += 1
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))
            if self._in_nav:
                self.nav_hrefs.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _content(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    start = html.index('<div class="digest-')
    return html[start:]


def test_pages_exist(built: Path) -> None:
    for page in (
        "index.html",
        "archive/index.html",
        "days/2025/2025-10-03/index.html",
        "days/2025/2025-10-04/index.html",
        "days/2025/2025-10-06/index.html",
        "days/2025/2025-10-07/index.html",
        "prompts/f13fd0ed3b1edb5d/index.html",
        "reference/day-file/index.html",
        "stylesheets/digest.css",
    ):
        assert (built / page).is_file(), page
    schema = json.loads((built / "reference/day-file.schema.json").read_text())
    assert schema["title"] == "arxiv-digest day file"


def test_day_page_anchors_math_and_escaping(built: Path) -> None:
    page = built / "days/2025/2025-10-06/index.html"
    html = page.read_text(encoding="utf-8")
    links = parse(page)
    assert {"2510.02676", "2510.05064", "2509.11111", "hep-ex-0601001"} <= links.ids
    assert html.count('<article class="digest-paper"') == 4
    assert '<span class="arithmatex">\\(\\mathcal{O}(\\sqrt{N})\\)</span>' in html
    assert '<span class="arithmatex">\\[H(X) \\le \\log_2 |E|\\]</span>' in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    assert "alert(" not in "".join(str(s) for s in links.scripts)
    assert not re.search(r"<script>\s*alert", html) and "<img src=x" not in html
    assert "[markdown link](javascript:alert(3))" in html  # text, never turned into a link
    assert not [h for h in links.hrefs if h.lower().startswith("javascript:")]
    srcs = [s.get("src") or "" for s in links.scripts]
    assert any(s.endswith("javascripts/mathjax.js") for s in srcs)
    assert "stylesheets/digest.css" in html
    assert 'name="__palette"' in html and 'data-md-color-scheme="slate"' in html  # dark toggle
    assert "<h1" in html and html.count("<h1") == 1  # ours, not a second one from the theme


def test_prev_next_and_every_internal_link_resolve(built: Path) -> None:
    page = built / "days/2025/2025-10-06/index.html"
    links = parse(page)
    body = _content(page)
    assert 'rel="prev" href="../2025-10-04/"' in body and 'rel="next" href="../2025-10-07/"' in body
    for day_page in sorted(built.glob("days/*/*/index.html")) + [
        built / "index.html",
        built / "archive/index.html",
    ]:
        hrefs = re.findall(r'href="([^"]+)"', _content(day_page))
        for href in hrefs:
            if href.startswith(("http://", "https://", "#")):
                continue
            target = posixpath.normpath(
                posixpath.join(str(day_page.parent.relative_to(built)), href.split("#")[0])
            )
            resolved = built / target
            if resolved.is_dir():
                resolved = resolved / "index.html"
            assert resolved.is_file(), f"{day_page.relative_to(built)}: dead link {href}"
    assert links.ids


def test_status_pages_and_home(built: Path) -> None:
    quiet = (built / "days/2025/2025-10-04/index.html").read_text()
    assert "arXiv does not announce on weekends and holidays" in quiet
    failed = (built / "days/2025/2025-10-07/index.html").read_text()
    assert "The run failed: arXiv feed" in failed
    home = (built / "index.html").read_text()
    assert 'id="2510.02676"' in home  # the latest published day, in full
    assert 'href="days/2025/2025-10-06/">permalink</a>' in home
    archive = (built / "archive/index.html").read_text()
    assert archive.index("2025-10-07") < archive.index("2025-10-03")  # newest first
    assert "no announcement" in archive and "failed" in archive


def test_navigation_does_not_list_days(built: Path) -> None:
    nav = parse(built / "days/2025/2025-10-06/index.html").nav_hrefs
    assert nav, "the primary navigation should exist"
    assert not [h for h in nav if "days/" in h or "prompts/" in h], nav
    assert any(h.endswith("archive/") for h in nav)


def test_broken_day_file_fails_the_build_naming_file_and_key(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site_basic")
    day = root / "data/2025/2025-10-06.yaml"
    day.write_text(day.read_text().replace("novelty: 9", "novelty: very", 1))
    (root / "site").mkdir()
    (root / "site" / "previous.html").write_text("previous build")
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "2025-10-06.yaml" in result.stderr
    assert "papers[0].novelty" in result.stderr and "valid integer" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in (root / "site").iterdir()] == ["previous.html"]  # nothing touched


def test_empty_data_builds_a_site_that_says_how_to_start(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site_basic")
    shutil.rmtree(root / "data")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    home = (root / "site" / "index.html").read_text()
    assert "No digest yet" in home and "make run" in home
    assert (root / "site" / "archive" / "index.html").is_file()


def test_hand_written_index_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site_basic")
    (root / "docs" / "index.md").write_text("# Hello\n")
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "index.md" in result.stderr and "generated" in result.stderr


def test_sections_option_builds_only_the_named_sections(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site_basic")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      config_file: digest.yaml\n",
            "      config_file: digest.yaml\n      sections: [days, archive]\n",
        )
    )
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert (site / "days/2025/2025-10-06/index.html").is_file()
    assert (site / "archive/index.html").is_file()
    assert not (site / "reference").exists() and not (site / "feed.xml").exists()
    assert list((root / ".cache" / "site" / "records").rglob("*.json"))  # the record cache


def test_build_without_digest_yaml_reads_the_prompt_beside_mkdocs_yml(tmp_path: Path) -> None:
    """No digest.yaml: defaults apply, and relative paths (prompt.yaml, data/) are taken
    beside mkdocs.yml, not from wherever mkdocs was started."""
    root = make_site(tmp_path / "site_basic")
    (root / "digest.yaml").unlink()
    config = root / "mkdocs.yml"  # no config_file option: digest.yaml if present
    config.write_text(config.read_text().replace("      config_file: digest.yaml\n", ""))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DIGEST_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "index.html").is_file()
