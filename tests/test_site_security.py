"""Untrusted input stays data: hostile paper text, poisoned caches, bad file names and options.

Every check runs a real ``mkdocs build`` of a fixture project and reads the files it wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import jinja2
import pytest
from support.site import PROMPT_HASH, make_day, make_paper, mkdocs_build, write_project

from generator.errors import SearchIndexError
from generator.schema import DayRecord, UnscoredPaper
from generator.site import feeds

pytestmark = pytest.mark.slow

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
HOSTILE = f"{IMG} {SCRIPT}"
FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"
REPO = Path(__file__).resolve().parent.parent


def strict_build(config_file: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` without ``-q``, which would hide warnings from ``--strict``'s count."""
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)]
    return subprocess.run(
        [*args, "--strict"] if strict else args,
        cwd=config_file.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def hostile_days() -> list[DayRecord]:
    """Hostile text in every free-text field of a day file (ids and enums have patterns)."""
    paper = make_paper(
        "2510.00001",
        f"Title {HOSTILE}",
        tags=[f"Topic {IMG}", SCRIPT],
        categories=[f"cs.{IMG}", "cs.LG"],
        abstract=f"Abstract {HOSTILE} with $x {IMG}$ and \\({SCRIPT}\\)",
        authors=[f"Eve {IMG}", SCRIPT],
        comment=f"Comment {HOSTILE} and [31m escapes",
    )
    day = make_day(dt.date(2025, 10, 6), [paper])
    assert day.scoring is not None
    day = day.model_copy(
        update={
            "categories": [f"cs.{IMG}"],
            "source": HOSTILE,
            "unscored": [UnscoredPaper(id="2510.00009", title=f"U {IMG}", reason=SCRIPT)],
            "scoring": day.scoring.model_copy(update={"model": f"model {IMG}"}),
        }
    )
    quiet = make_day(dt.date(2025, 10, 7), status="no_announcement").model_dump()
    failed = DayRecord.model_validate({**quiet, "status": "failed", "reason": f"boom {HOSTILE}"})
    return [day, failed]


class _Markup(HTMLParser):
    """What a browser would build: elements, attributes, script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag in ("img", "script", "iframe") and (value or "") == "x":
                self.problems.append(f"<{tag} {name}=x>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "__pwned" in data:
            self.problems.append(f"script body {data[:60]!r}")


def check_html(path: Path) -> list[str]:
    parser = _Markup()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.problems


def check_xml(path: Path) -> list[str]:
    raw = path.read_bytes()
    root = ET.fromstring(raw)  # well-formed, control characters and all
    parsed = feedparser.parse(raw)
    problems = [] if parsed.bozo is False else [f"feedparser: {parsed.get('bozo_exception')}"]
    for node in root.iter():
        for text in (node.text or "", *node.attrib.values()):
            lowered = text.lower()
            if "<img" in lowered or "<script" in lowered:
                problems.append(f"<{node.tag}> carries raw markup: {text[:80]!r}")
    return problems


def test_hostile_text_stays_text_in_every_output_file(tmp_path: Path) -> None:
    config = write_project(tmp_path, hostile_days())
    prompts = tmp_path / "data" / "prompts"
    prompts.mkdir(parents=True, exist_ok=True)
    (prompts / f"{PROMPT_HASH}.md").write_text(f"Prompt {HOSTILE}", encoding="utf-8")
    result = strict_build(config)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    problems: dict[str, list[str]] = {}
    checked = 0
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            found = check_html(path)
        elif path.suffix == ".xml" and path.name != "sitemap.xml":
            found = check_xml(path)
        elif path.suffix == ".json" and "pagefind" not in path.parts:
            json.loads(path.read_text(encoding="utf-8"))
            found = []
        else:
            continue
        checked += 1
        if found:
            problems[str(path.relative_to(site))] = found
    assert not problems, problems
    assert checked > 10
    # The hostile text is there, as text: on the day page, its tag page, and the feeds.
    day = (site / "days/2025/2025-10-06/index.html").read_text(encoding="utf-8")
    assert "Title &lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in day
    assert "Prompt &lt;img src=x" in day
    assert (site / "prompts" / PROMPT_HASH / "index.html").is_file()
    tag_page = next(site.glob("tags/topic-img-*/index.html")).read_text(encoding="utf-8")
    assert "<h1>Tag: Topic &lt;img src=x" in tag_page and "<title>Tag: Topic &lt;img" in tag_page
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo and "Comment &lt;img" in feed.entries[0].summary
    # Day files refuse control characters; the feed writer drops them too (defence in depth).
    assert feeds.xml_text("a bell \x07 and \x1b[31m escape") == "a bell  and [31m escape"


def _pages(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _fixture(tmp_path: Path) -> Path:
    root = tmp_path / "site_basic"
    shutil.copytree(FIXTURE, root)
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(REPO / "docs" / folder, root / "docs" / folder)
    return root


class _Marker:
    """Unpickling this creates ``path`` (``open(path, "w")``): proof that a pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def test_poisoned_caches_are_ignored_and_never_run(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    first = mkdocs_build(root / "mkdocs.yml")
    assert first.returncode == 0, first.stderr
    clean = _pages(root / "site")
    cache = root / ".cache" / "site"
    marker = tmp_path / "pwned"
    # A crafted pickle where the old record cache lived, and beside every new entry.
    old = cache / "days" / "2025" / "2025-10-06.yaml.pickle"
    old.parent.mkdir(parents=True)
    old.write_bytes(pickle.dumps(((None, None), _Marker(marker))))
    for entry in list(cache.rglob("*.json")) + list(cache.rglob("*.html")):
        entry.with_suffix(".pickle").write_bytes(pickle.dumps(_Marker(marker)))
    # Hostile JSON under the right key: a record the schema refuses, a pickle as JSON text.
    records = sorted((cache / "records").rglob("*.json"))
    key = records[0].read_bytes().partition(b"\n")[0]
    records[0].write_bytes(key + b'\n{"date": "2025-10-03", "status": "gone", "papers": "x"}')
    records[1].write_bytes(key + b"\n" + pickle.dumps(_Marker(marker)))
    # A rendered page under its right key, with a script in it.
    page = cache / "pages" / "days" / "2025" / "2025-10-06.md.html"
    page_key = page.read_bytes().partition(b"\n")[0]
    page.write_bytes(page_key + b"\n<p>fake</p><script>window.__pwned=1</script>")
    # A cached search bundle with foreign code, and a stray file that is not Pagefind's.
    bundle = next((cache / "search").glob("2025-*"))
    (bundle / "pagefind.js").write_text("window.__pwned = 3;", encoding="utf-8")
    (bundle / "extra.html").write_text(f"<p>{SCRIPT}</p>", encoding="utf-8")
    warm = strict_build(root / "mkdocs.yml")
    assert warm.returncode == 0, warm.stderr
    assert not marker.exists()
    assert "cached index of 2025 holds foreign code" in warm.stderr
    rebuilt = _pages(root / "site")
    index = "search/pagefind/"  # re-indexed: Pagefind's hashes differ from run to run
    assert {k: v for k, v in rebuilt.items() if not k.startswith(index)} == {
        k: v for k, v in clean.items() if not k.startswith(index)
    }
    assert rebuilt[f"{index}2025/pagefind.js"] == clean[f"{index}2025/pagefind.js"]
    assert not [k for k in rebuilt if k.endswith((".pickle", "extra.html"))]
    assert b"__pwned" not in (root / "site/days/2025/2025-10-06/index.html").read_bytes()


def _build_in_process(config_file: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(config_file)))


@pytest.mark.parametrize("failure", ["template", "pagefind"])
def test_a_build_that_fails_while_rendering_leaves_site_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from generator.site import assemble, search

    root = _fixture(tmp_path)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(root)
    first = mkdocs_build(root / "mkdocs.yml")
    assert first.returncode == 0, first.stderr
    before = _pages(root / "site")
    # A new day, so the failing build has something new to render.
    day = root / "data/2025/2025-10-06.yaml"
    day.write_text(day.read_text().replace("total: ", "total: 1", 1))

    def broken_tags(*args: object) -> object:
        raise jinja2.UndefinedError("'paper' is undefined (injected)")

    def broken_pagefind(*args: object) -> None:
        raise SearchIndexError(2025, "pagefind exited with 1 (injected)")

    if failure == "template":
        monkeypatch.setitem(assemble.SECTIONS, "tags", broken_tags)
    else:
        monkeypatch.setattr(search, "run_pagefind", broken_pagefind)
        shutil.rmtree(root / ".cache" / "site" / "search")  # so the index is built again
    with pytest.raises(BaseException) as info:  # noqa: PT011 - MkDocs wraps it (Abort)
        _build_in_process(root / "mkdocs.yml")
    chain: list[BaseException] = []
    error: BaseException | None = info.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any("injected" in str(e) for e in chain), chain
    assert _pages(root / "site") == before


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("config_file", "digets.yaml", "plugin option 'config_file': "),
        ("data_dir", "no-such-data", "plugin option 'data_dir': "),
    ],
)
def test_a_plugin_option_naming_a_missing_path_fails_the_build(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    root = _fixture(tmp_path)
    config = root / "mkdocs.yml"
    options = {"config_file": "digest.yaml", option: value}
    lines = "".join(f"      {key}: {setting}\n" for key, setting in options.items())
    config.write_text(config.read_text().replace("      config_file: digest.yaml\n", lines))
    result = mkdocs_build(config)
    assert result.returncode != 0
    assert message in result.stderr and str(root / value) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_prompt_files_not_named_by_a_hash_are_ignored_with_a_warning(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    bad = "<img src=x onerror=alert(1)>"
    (root / "data" / "prompts" / f"{bad}.md").write_text("not ours", encoding="utf-8")
    result = strict_build(root / "mkdocs.yml", strict=False)
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stderr and "ignoring " in result.stderr
    assert "not a prompt file" in result.stderr
    prompts = sorted(
        p.relative_to(root / "site").as_posix() for p in (root / "site/prompts").rglob("*.html")
    )
    assert prompts == ["prompts/f13fd0ed3b1edb5d/index.html"]
    assert bad not in "".join(p.read_text() for p in (root / "site").rglob("*.html"))
    strict = strict_build(root / "mkdocs.yml")
    assert strict.returncode != 0  # --strict counts the warning


def test_without_a_cache_the_site_and_search_are_built_and_nothing_is_kept(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      config_file: digest.yaml\n",
            "      config_file: digest.yaml\n      cache: false\n",
        )
    )
    result = strict_build(config)
    assert result.returncode == 0, result.stderr
    assert (root / "site/search/pagefind/2025/pagefind.js").is_file()
    assert (root / "site/days/2025/2025-10-06/index.html").is_file()
    assert not (root / ".cache").exists()
