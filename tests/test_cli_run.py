"""`arxiv-digest run` and `arxiv-digest score` against loopback stand-ins.

The commands run in-process (``generator.cli.main``) with the environment, working folder,
stdout, stderr and logging a fresh process would have; the kill test needs a real process,
and tests/test_cli_smoke.py checks the console script itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.arxiv import LISTING_EXCERPT, FakeArxiv, Reply, listing_feed, read_listing
from support.llm import FakeLLM

from generator.cli import main
from generator.schema import DayStatus
from generator.store import DayStore

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "site_basic"
KEY = "sk-cli-test-key-abcdef"


def make_root(tmp_path: Path, llm: dict[str, Any] | None = None) -> Path:
    """A site folder: the fixture's mkdocs.yml and docs, our digest.yaml, no data yet."""
    root = tmp_path / "site_root"
    shutil.copytree(FIXTURE, root)
    shutil.rmtree(root / "data")
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(REPO / "docs" / folder, root / "docs" / folder, dirs_exist_ok=True)
    config = {
        "data_dir": "data",
        "categories": ["cs.LG", "cs.AI"],
        "arxiv": {"min_interval": 0, "retries": 1, "timeout": 10},
        "llm": {"model": "gpt-5", "batch_size": 10, "workers": 4, "timeout": 10, **(llm or {})},
        "scoring": {"prompt_file": "prompt.yaml", "cache_file": ".cache/scores.sqlite"},
        "site": {"title": "Fixture Digest"},
    }
    (root / "digest.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.copy(REPO / "prompt.yaml", root / "prompt.yaml")
    return root


def cli_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "DIGEST_")) and k != "S2_API_KEY"
    }
    env.update(extra)
    return env


@dataclass
class Finished:
    """What a finished command left, as on a ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def cli(root: Path, *args: str, env: dict[str, str]) -> Finished:
    """``arxiv-digest ARGS`` in-process, in ``root``, with exactly ``env`` as its environment.

    Root logging is emptied for the call so that ``main``'s own ``basicConfig`` sends log
    lines to the captured stderr, as in a fresh process (a test that no secret reaches
    stderr must see the log lines too)."""
    out, err = io.StringIO(), io.StringIO()
    root_logger = logging.getLogger()
    handlers, level = root_logger.handlers[:], root_logger.level
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.chdir(root)
        for name in set(os.environ) - set(env):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        root_logger.handlers = []
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse errors and --help
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            root_logger.handlers = handlers
            root_logger.setLevel(level)
    return Finished(code, out.getvalue(), err.getvalue())


def test_run_end_to_end_writes_a_complete_day_and_site(tmp_path: Path) -> None:
    feed = listing_feed("2025-10-07")  # skips when ../shared is absent
    root = make_root(tmp_path)
    with FakeArxiv() as arxiv, FakeLLM() as llm:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed))
        env = cli_env(
            DIGEST_ARXIV_RSS_URL=arxiv.url, OPENAI_BASE_URL=llm.url + "/v1", OPENAI_API_KEY=KEY
        )
        result = cli(root, "run", env=env)
        assert result.returncode == 0, result.stderr
        billed = llm.billed()
        again = cli(root, "run", env=env)
        assert again.returncode == 0, again.stderr
        assert "already up to date" in again.stdout
        assert llm.billed() == billed  # nothing paid by the second run
    store = DayStore(root / "data")
    record = store.load(dt.date(2025, 10, 7))
    listing = read_listing("2025-10-07")
    in_scope = [p for p in listing.values() if {"cs.LG", "cs.AI"} & set(p["categories"])]
    assert record.status is DayStatus.PUBLISHED
    assert record.counts.total == len(listing) and record.counts.scanned == len(in_scope)
    assert len(record.scans) == len(in_scope) and record.unscored == []
    assert record.scoring is not None and record.scoring.usage.requests == billed["requests"]
    assert record.scoring.usage.prompt_tokens == billed["prompt_tokens"]
    assert record.papers and all(p.relevance and p.relevance >= 8 for p in record.papers)
    assert store.load_prompt(record.scoring.prompt_hash)
    summary = result.stdout
    assert "2025-10-07: published" in summary and f"{len(in_scope)} scanned" in summary
    assert "cost $" in summary and KEY not in summary + result.stderr

    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=180,
        env={**cli_env(), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stderr
    page = (root / "site" / "days" / "2025" / "2025-10-07" / "index.html").read_text("utf-8")
    for paper in record.papers:
        assert f'id="{paper.id}"' in page


def test_run_without_key_uses_the_local_scorer(tmp_path: Path) -> None:
    feed = listing_feed(LISTING_EXCERPT)  # a day of papers; the full day is not needed
    root = make_root(tmp_path)
    with FakeArxiv() as arxiv:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed))
        result = cli(root, "run", env=cli_env(DIGEST_ARXIV_RSS_URL=arxiv.url))
    assert result.returncode == 0, result.stderr
    assert "scorer: local" in result.stdout


def test_run_with_unusable_endpoint_fails_and_records_it(tmp_path: Path) -> None:
    feed = listing_feed(LISTING_EXCERPT)  # a day of papers; the full day is not needed
    root = make_root(tmp_path)
    with FakeArxiv() as arxiv, FakeLLM(default="401") as llm:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed))
        result = cli(
            root,
            "run",
            env=cli_env(
                DIGEST_ARXIV_RSS_URL=arxiv.url, OPENAI_BASE_URL=llm.url + "/v1", OPENAI_API_KEY=KEY
            ),
        )
    assert result.returncode == 1
    assert "401" in result.stderr and KEY not in result.stderr
    day = (root / "data" / "2025" / "2025-10-07.yaml").read_text(encoding="utf-8")
    assert "status: failed" in day


def test_failed_fetch_writes_nothing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    with FakeArxiv() as arxiv:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(503, "down"))
        result = cli(root, "run", env=cli_env(DIGEST_ARXIV_RSS_URL=arxiv.url))
    assert result.returncode == 1 and "503" in result.stderr
    assert not (root / "data").exists() or not list((root / "data").rglob("*.yaml"))


def write_papers(path: Path, n: int) -> list[str]:
    ids = [f"2510.{i:05d}" for i in range(1, n + 1)]
    with path.open("w", encoding="utf-8") as out:
        for paper_id in ids:
            out.write(
                json.dumps(
                    {
                        "id": paper_id + "v1",
                        "title": f"On sparse experts {paper_id}",
                        "abstract": "We prune $\\mathcal{O}(n)$ weights.",
                        "authors": ["A"],
                        "categories": ["cs.LG"],
                    }
                )
                + "\n"
            )
    return ids


def test_score_command_killed_midway_never_pays_twice(tmp_path: Path) -> None:
    root = make_root(tmp_path, llm={"batch_size": 5, "workers": 1})
    ids = write_papers(root / "in.jsonl", 40)
    with FakeLLM(delay=0.25) as llm:
        env = cli_env(OPENAI_BASE_URL=llm.url + "/v1", OPENAI_API_KEY=KEY)
        args = [
            sys.executable,
            "-m",
            "generator",
            "score",
            "--scorer",
            "llm",
            "--papers",
            "in.jsonl",
            "--out",
            "out.jsonl",
        ]
        proc = subprocess.Popen(
            args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while len(llm.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Request 4 is being answered: requests 1-3 were received (and cached) by the client.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        answered_before_kill = {pid for r in llm.requests[:3] for pid in r.paper_ids}
        assert len(answered_before_kill) == 15
        time.sleep(0.6)  # let the stand-in finish the orphaned request
        first_run = len(llm.requests)
        result = cli(root, *args[3:], env=env)  # the re-run needs no process of its own
        assert result.returncode == 0, result.stderr
        second = llm.requests[first_run:]
    asked_again = {pid for r in second for pid in r.paper_ids}
    assert asked_again.isdisjoint(answered_before_kill)
    assert asked_again == set(ids) - answered_before_kill
    rows = [json.loads(line) for line in (root / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ids
    assert all(r["status"] == "scored" and 1 <= r["relevance"] <= 10 for r in rows)
    assert set(rows[0]) == {"id", "relevance", "novelty", "comment", "tags", "status", "reason"}


def test_score_command_local_writes_ranking_scores(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    write_papers(root / "in.jsonl", 5)
    result = cli(
        root,
        "score",
        "--scorer",
        "local",
        "--papers",
        "in.jsonl",
        "--out",
        "o.jsonl",
        env=cli_env(),
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (root / "o.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and all(0.0 <= r["score"] <= 1.0 for r in rows)
    assert all(r["status"] == "scored" and r["reason"] is None for r in rows)


@pytest.mark.parametrize(
    "line, key",
    [
        ('{"id": "2510.00001", "title": "T"}', "line 2: abstract"),
        ("not json", "line 2"),
    ],
)
def test_score_command_bad_input_names_file_and_line(tmp_path: Path, line: str, key: str) -> None:
    root = make_root(tmp_path)
    good = json.dumps({"id": "2510.00002", "title": "T", "abstract": "A"})
    (root / "in.jsonl").write_text(good + "\n" + line + "\n", encoding="utf-8")
    result = cli(
        root,
        "score",
        "--scorer",
        "local",
        "--papers",
        "in.jsonl",
        "--out",
        "o.jsonl",
        env=cli_env(),
    )
    assert result.returncode == 1
    assert "in.jsonl" in result.stderr and key in result.stderr
    assert not (root / "o.jsonl").exists()


def test_run_a_past_date_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from support.arxiv import listing_corpus

    from generator.cli import main

    corpus = listing_corpus()  # skips when ../shared is absent
    root = make_root(tmp_path)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DIGEST_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    with FakeArxiv() as arxiv:
        arxiv.corpus = corpus
        monkeypatch.setenv("DIGEST_ARXIV_API_URL", arxiv.url)
        config = str(root / "digest.yaml")
        assert main(["--config", config, "run", "--date", "2025-10-07"]) == 0
        api_requests = len(arxiv.requests_to("/api"))
        assert main(["--config", config, "run", "--date", "2025-10-07"]) == 0
        assert len(arxiv.requests_to("/api")) == api_requests  # stored: not fetched again
        assert main(["--config", config, "run", "--date", "2025-10-11"]) == 1  # a Saturday
    out = capsys.readouterr()
    assert "already up to date" in out.out and "2025-10-11" in out.err
    record = DayStore(root / "data").load(dt.date(2025, 10, 7))
    assert record.source == "api-backfill" and record.counts.scanned > 600
    assert api_requests >= 1


def test_make_run_builds_the_site_even_when_the_run_fails(tmp_path: Path) -> None:
    """`make run` offline: the run fails (the host does not resolve), the site is still built
    from data/ (here: the empty-site page), and make exits with the run's status."""
    root = make_root(tmp_path)
    config = yaml.safe_load((root / "digest.yaml").read_text(encoding="utf-8"))
    config["arxiv"].update(retries=3, rss_base="http://arxiv-digest.invalid")  # RFC 6761
    (root / "digest.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    # The Makefile's stamp depends on pyproject.toml; a link keeps it up to date here.
    (root / "pyproject.toml").symlink_to(REPO / "pyproject.toml")
    env = cli_env(NO_MKDOCS_2_WARNING="1")
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "MAKEFLAGS"):
        env.pop(name, None)
    result = subprocess.run(
        ["make", "-f", str(REPO / "Makefile"), f"VENV={REPO / '.venv'}", "run"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert "cannot resolve arxiv-digest.invalid" in result.stderr
    assert "after 1 attempt(s)" in result.stderr  # not retried
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "No digest yet" in page and "make run" in page
