"""Benchmark the site build: our plugin (HTML injected) against the same days as Markdown pages.

    .venv/bin/python scripts/bench_site.py --days 1000 --runs 3 --md-runs 1

Generates N synthetic published days (70 kept papers each, ~1.5 KB abstracts with some
LaTeX, 5-15 authors; see tests/support/synthetic.py) into a temporary folder, then times full
``mkdocs build`` runs in child processes:

* **ours core, cold**: our plugin with the core sections (day pages, home, archive,
  prompt pages, day-file reference), its caches (.cache/site: validated records, rendered
  day pages) deleted before each run, as on a fresh clone or a CI run without a cache;
* **ours core, warm**: the same with the caches of the previous run (the daily build: CI
  restores .cache/site with actions/cache);
* **ours full**: every section (adds tags, feeds, reference, search), warm cache;
* **site features** (``--features``, see scripts/bench_site_features.py): search
  index per year cold and after a new day, tag pages, feeds, bytes of a first query;
* **markdown**: the same content written as one plain Markdown page per day (plus home and
  archive) and built by mkdocs-material with the same extensions, days kept out of the nav
  too, so only the rendering route differs.

For each route: median wall time, peak RSS of the build process (``os.wait4``), output
size, largest page. Also an in-process breakdown of our build (load+validate, render), cold
(no cache) and warm (record and page caches filled by the cold pass).
Not a test: the numbers depend on the machine; BENCHMARKS.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.synthetic import PROMPT_HASH, PROMPT_TEXT, synthetic_day, weekdays  # noqa: E402

from generator.schema import DayRecord  # noqa: E402
from generator.site.render import abs_url, pdf_url, tag_slug  # noqa: E402
from generator.store import DayStore  # noqa: E402

THEME = """theme:
  name: material
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - tables
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
extra_javascript:
  - javascripts/mathjax.js
"""


CORE_SECTIONS = ("days", "archive", "dayfile_reference")


@dataclass
class Result:
    route: str
    times: list[float]
    peak_rss_mb: float
    output_mb: float
    largest_page_kb: float
    largest_page: str
    pages: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def generate(root: Path, days: int, papers: int) -> None:
    """Write the data/ of our site and the docs/ of the Markdown site, day by day."""
    ours = root / "ours"
    markdown = root / "markdown"
    store = DayStore(ours / "data")
    store.prompt_path(PROMPT_HASH).parent.mkdir(parents=True, exist_ok=True)
    store.prompt_path(PROMPT_HASH).write_text(PROMPT_TEXT, encoding="utf-8")
    (ours / "docs" / "javascripts").mkdir(parents=True)
    shutil.copy(REPO / "docs/javascripts/mathjax.js", ours / "docs/javascripts")
    shutil.copytree(REPO / "docs/stylesheets", ours / "docs/stylesheets")
    shutil.copytree(ours / "docs/javascripts", markdown / "docs/javascripts")
    shutil.copy(REPO / "prompt.yaml", ours / "prompt.yaml")
    (ours / "digest.yaml").write_text("data_dir: data\n", encoding="utf-8")
    header = "site_name: Bench\nsite_url: https://example.org/bench/\ndocs_dir: docs\n" + THEME
    plugin = "plugins:\n  - arxiv-digest:\n      config_file: digest.yaml\n"
    css = "extra_css:\n  - stylesheets/digest.css\n"
    # Our site uses the theme override (feed links, header search box, search.js).
    shutil.copytree(REPO / "docs/overrides", ours / "docs/overrides")
    shutil.copy(REPO / "docs/javascripts/search.js", ours / "docs/javascripts")
    full_header = (
        header.replace("  name: material\n", "  name: material\n  custom_dir: docs/overrides\n", 1)
        + "exclude_docs: |\n  /overrides/\n"
    )
    (ours / "mkdocs.yml").write_text(full_header + css + plugin, encoding="utf-8")
    (ours / "core.yml").write_text(
        header + css + plugin + f"      sections: [{', '.join(CORE_SECTIONS)}]\n",
        encoding="utf-8",
    )
    (markdown / "mkdocs.yml").write_text(
        "site_name: Bench\nsite_url: https://example.org/bench/\ndocs_dir: docs\n"
        + THEME
        + "plugins: []\nnav:\n  - index.md\n  - archive.md\nnot_in_nav: |\n  /days/\n",
        encoding="utf-8",
    )
    dates = list(weekdays(dt.date(2022, 1, 3), days))
    archive_lines = ["# Archive", "", "| Date | Relevant | Scanned | Total |", "|---|---|---|---|"]
    for index, date in enumerate(dates):
        record = synthetic_day(date, papers=papers)
        store.save(record)
        page = markdown / "docs" / "days" / f"{date.year}" / f"{date.isoformat()}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        prev_day = dates[index - 1] if index else None
        next_day = dates[index + 1] if index + 1 < len(dates) else None
        page.write_text(day_markdown(record, prev_day, next_day), encoding="utf-8")
        if index == len(dates) - 1:
            (markdown / "docs" / "index.md").write_text(
                day_markdown(record, prev_day, None, home=True), encoding="utf-8"
            )
        archive_lines.append(
            f"| [{date}](days/{date.year}/{date}.md) | {record.counts.relevant} | "
            f"{record.counts.scanned} | {record.counts.total} |"
        )
    (markdown / "docs" / "archive.md").write_text("\n".join(archive_lines) + "\n")


def _text(value: str) -> str:
    # Paper text is untrusted in this route too: escape HTML, keep $...$ for arithmatex.
    return html.escape(value, quote=False).replace("*", "\\*").replace("_", "\\_")


def day_markdown(
    day: DayRecord, prev_day: dt.date | None, next_day: dt.date | None, home: bool = False
) -> str:
    """The day page as a Markdown generator would write it (what the core build is compared to)."""
    up = "" if home else "../../"
    usage = day.scoring.usage if day.scoring else None
    lines = [f"# Personalized Daily ArXiv Papers {day.date}", ""]
    if usage is not None and day.scoring is not None:
        lines += [
            f"| [{day.scoring.model}] | Prompt | Completion | Total |",
            "|---|---|---|---|",
            f"| Token | {usage.prompt_tokens} | {usage.completion_tokens} | {usage.total_tokens} |",
            f"| Cost | ${usage.prompt_cost} | ${usage.completion_cost} | ${usage.total_cost} |",
            "",
        ]
    lines += [
        f"Total arXiv papers: {day.counts.total}  ",
        f"Total scanned papers: {day.counts.scanned}  ",
        f"Total relevant papers: {day.counts.relevant}",
        "",
        "## Contents",
        "",
    ]
    papers = day.sorted_papers()
    for rank, paper in enumerate(papers, 1):
        authors = _text(", ".join(paper.authors))
        lines.append(f"{rank}. [{_text(paper.title)}](#{paper.id}) {authors}")
    lines.append("")
    for rank, paper in enumerate(papers, 1):
        tags = " ".join(f"`{tag_slug(tag)}`" for tag in paper.tags)
        lines += [
            f"## {rank}. [{_text(paper.title)}]({abs_url(paper.id)}) {{ #{paper.id} }}",
            "",
            f"arXiv:{paper.id}v{paper.version} · [PDF]({pdf_url(paper.id, paper.version)}) · "
            f"{', '.join(paper.categories)}  ",
            f"**Authors:** {_text(', '.join(paper.authors))}  ",
            f"**Relevance:** {paper.relevance} **Novelty:** {paper.novelty} · "
            f"{paper.announce_type.value}",
            "",
            _text(paper.abstract),
            "",
            f"**Comment:** {_text(paper.comment)}",
            "",
            f"Tags: {tags}",
            "",
        ]
    nav = []
    if prev_day:
        nav.append(f"[← {prev_day}](../{prev_day.year}/{prev_day}.md)")
    nav.append(f"[Archive]({up}archive.md)")
    if next_day:
        nav.append(f"[{next_day} →](../{next_day.year}/{next_day}.md)")
    if not home:
        lines += [" · ".join(nav), ""]
    return "\n".join(lines)


# Peak RSS through a small launcher: Linux carries a process's RSS high-water mark across
# fork and exec, so a child forked from this (large, after breakdown()) process would report
# at least our own peak. The launcher's children start small; it reports their peak
# (RUSAGE_CHILDREN covers the build and the Pagefind runs it waits for).
PEAK_LAUNCHER = (
    "import resource, subprocess, sys; rc = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(rc)"
)


def peak_run(args: list[str], **popen: object) -> tuple[float, float, int]:
    """Run ``args`` via the launcher: (seconds, peak RSS in MB, exit code)."""
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", PEAK_LAUNCHER, peak.name, *args], **popen)  # type: ignore[call-overload]
        proc.wait()
        elapsed = time.perf_counter() - start
        kilobytes = int(Path(peak.name).read_text() or 0)
    return elapsed, kilobytes / 1024, proc.returncode  # ru_maxrss is in KB on Linux


def timed_build(site: Path, config: str) -> tuple[float, float]:
    """One `mkdocs build` in a child process: (seconds, peak RSS in MB)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DIGEST_CONFIG", None)
    with open(site / "build.log", "w") as log:
        elapsed, peak_mb, returncode = peak_run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / config)],
            cwd=site,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    if returncode != 0:
        raise SystemExit(f"build of {site} failed:\n{(site / 'build.log').read_text()[-3000:]}")
    return elapsed, peak_mb


def measure(
    route: str, site: Path, runs: int, config: str = "mkdocs.yml", cold: bool = False
) -> Result:
    times, peaks = [], []
    for run in range(runs):
        if cold:
            shutil.rmtree(site / ".cache", ignore_errors=True)
        seconds, peak = timed_build(site, config)
        times.append(seconds)
        peaks.append(peak)
        print(
            f"  {route} run {run + 1}/{runs}: {seconds:.1f} s, peak RSS {peak:.0f} MB", flush=True
        )
    out = site / "site"
    files = [p for p in out.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size)
    return Result(
        route=route,
        times=times,
        peak_rss_mb=max(peaks),
        output_mb=sum(p.stat().st_size for p in files) / 1e6,
        largest_page_kb=largest.stat().st_size / 1e3,
        largest_page=str(largest.relative_to(out)),
        pages=len(pages),
    )


def breakdown(site: Path) -> dict[str, float]:
    """In-process phases of our build: load+validate every day, render every day page; cold
    (empty caches, in a scratch folder) then warm (the caches the cold pass filled)."""
    from generator.config import load_settings
    from generator.site import days
    from generator.site.cache import PageCache
    from generator.site.context import SiteContext
    from generator.site.loading import load_days_digests
    from generator.site.model import build_model

    settings = load_settings(site / "digest.yaml", env={})
    store = DayStore(site / "data")
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_dir:
        cache = Path(cache_dir)
        for state in ("cold", "warm"):
            start = time.perf_counter()
            records, digests = load_days_digests(store, cache)
            loaded = time.perf_counter()
            ctx = SiteContext(
                settings=settings,
                store=store,
                days=records,
                site_url=None,
                prompts={PROMPT_HASH: PROMPT_TEXT},
            )
            days.build(build_model(records), ctx, PageCache(cache, digests))
            phases[f"load_{state}_s"] = loaded - start
            phases[f"render_{state}_s"] = time.perf_counter() - loaded
    phases["data_mb"] = sum(p.stat().st_size for p in (site / "data").rglob("*.yaml")) / 1e6
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=100, help="synthetic days (default 100)")
    parser.add_argument("--papers", type=int, default=70, help="kept papers per day (70)")
    parser.add_argument("--runs", type=int, default=3, help="builds of our site (median)")
    parser.add_argument(
        "--md-runs", type=int, default=None, help="builds of the Markdown route (default: --runs)"
    )
    parser.add_argument(
        "--full-runs",
        type=int,
        default=1,
        help="builds with every section (tags, feeds, search too); 0: skip",
    )
    parser.add_argument(
        "--features",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="site-feature figures: search index cold/daily, tags, feeds, first "
        "query bytes in Chromium (default: on)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="work in this folder (kept); reuses days generated there before",
    )
    args = parser.parse_args(argv)
    md_runs = args.md_runs if args.md_runs is not None else args.runs

    root = args.root or Path(tempfile.mkdtemp(prefix="bench-site-"))
    keep = args.keep or args.root is not None
    try:
        existing = len(list((root / "ours" / "data").glob("*/*.yaml")))
        if existing == args.days:
            print(f"reusing {existing} days under {root}", flush=True)
        else:
            shutil.rmtree(root / "ours", ignore_errors=True)
            shutil.rmtree(root / "markdown", ignore_errors=True)
            start = time.perf_counter()
            generate(root, args.days, args.papers)
            print(
                f"generated {args.days} days x {args.papers} papers in "
                f"{time.perf_counter() - start:.0f} s under {root}",
                flush=True,
            )
        phases = breakdown(root / "ours")
        print(
            f"  ours in-process ({phases['data_mb']:.0f} MB of YAML): cold load+validate "
            f"{phases['load_cold_s']:.1f} s, render day pages {phases['render_cold_s']:.1f} s; "
            f"warm load {phases['load_warm_s']:.1f} s, day pages from the page cache "
            f"{phases['render_warm_s']:.1f} s",
            flush=True,
        )
        # Markdown before the full build: the other sections' cost is not ours to bound.
        plan = [
            ("core cold", root / "ours", args.runs, "core.yml", True),
            ("core warm", root / "ours", args.runs, "core.yml", False),
            ("markdown", root / "markdown", md_runs, "mkdocs.yml", False),
            ("full warm", root / "ours", args.full_runs, "mkdocs.yml", False),
        ]
        results = []
        for route, site, runs, config, cold in plan:
            if runs:
                results.append(measure(route, site, runs, config, cold=cold))
                print(f"  => {route}: median {results[-1].median:.1f} s", flush=True)
        print()
        print(
            f"{'route':<10} {'median s':>9} {'runs':>5} {'peak RSS MB':>12} {'output MB':>10} "
            f"{'pages':>6} {'largest page KB':>16}"
        )
        for r in results:
            print(
                f"{r.route:<10} {r.median:>9.1f} {len(r.times):>5} {r.peak_rss_mb:>12.0f} "
                f"{r.output_mb:>10.0f} {r.pages:>6} {r.largest_page_kb:>16.0f}  "
                f"({r.largest_page})"
            )
        markdown = next((r for r in results if r.route == "markdown"), None)
        if markdown is not None:
            print()
            for r in results:
                if r is markdown:
                    continue
                print(
                    f"{r.route} / markdown time: {r.median / markdown.median:.1%} "
                    f"(goal <= 10%); peak RSS {r.peak_rss_mb:.0f} MB (goal <= 1024 MB)"
                )
        if args.features and args.full_runs:
            from bench_site_features import site_features

            site_features(root / "ours", timed_build)
    finally:
        if keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
