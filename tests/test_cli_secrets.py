"""Keys stay in the project: `arxiv-digest run` in-process against the RSS and LLM stand-ins
with credentials in ``OPENAI_BASE_URL`` and an API key, quiet and verbose; and the CLI prints
errors as one line without control characters or secrets."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.arxiv import FakeArxiv, Reply, rss_document, rss_item
from support.llm import FakeLLM

from generator.cli import main
from generator.store import DayStore

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "SECRETPW"
KEY = "sk-SECRETKEY"
DAY = dt.date(2025, 10, 7)


def feed(count: int = 4) -> str:
    return rss_document(
        ["cs.LG", "cs.AI"],
        DAY,
        [
            rss_item(
                f"2510.{n:05d}",
                1,
                f"Sparse experts {n}",
                "We prune weights of mixture-of-experts models.",
                ["A. Author"],
                ["cs.LG"],
                "new",
                "Tue, 07 Oct 2025 00:00:00 -0400",
            )
            for n in range(1, count + 1)
        ],
    )


def project(tmp_path: Path) -> Path:
    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    config = {
        "arxiv": {"min_interval": 0, "retries": 0, "timeout": 5},
        "llm": {"model": "gpt-5", "batch_size": 10, "workers": 1, "timeout": 10},
        "scoring": {"scorer": "llm", "cache_file": ".cache/scores.sqlite"},
    }
    path = tmp_path / "digest.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_run_never_shows_the_key_or_the_url_password(
    verbose: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = project(tmp_path)
    with FakeArxiv() as arxiv, FakeLLM() as llm:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed()))
        base = llm.url.replace("http://", f"http://user:{PASSWORD}@") + "/v1"
        monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", arxiv.url)
        monkeypatch.setenv("OPENAI_BASE_URL", base)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        args = ["--config", str(config), *(["--verbose"] if verbose else []), "run"]
        code = main(args)
        asked = len(llm.requests)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert asked >= 1  # the LLM really was called with these credentials
    assert DayStore(tmp_path / "data").load(DAY).scoring is not None
    logged = "\n".join(
        [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    )
    for secret in (PASSWORD, KEY):
        assert secret not in out.out and secret not in out.err and secret not in logged
    if verbose:
        assert any(r.name.startswith(("httpx", "httpcore", "openai")) for r in caplog.records)
        assert "//***@127.0.0.1" in out.err  # the request URL, its password hidden
    else:
        assert not any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)


def test_errors_print_as_one_clean_line_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project(tmp_path)
    # A server that echoes a key it was given, inside escape sequences.
    page = f"<html><title>\x1b[2J\x1b]0;{KEY}\x07Down\nfor\rmaintenance</title></html>"
    with FakeArxiv() as arxiv:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(503, page, content_type="text/html"))
        monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", arxiv.url)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        code = main(["--config", str(config), "fetch"])
    err = capsys.readouterr().err
    assert code == 1
    error = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(error) == 1, err
    assert "Down for maintenance" in error[0] and "HTTP 503" in error[0]
    assert "\x1b" not in err and "\x07" not in err and "\r" not in err
    assert KEY not in err and "<OPENAI_API_KEY>" in error[0]


def test_help_and_validate_do_not_import_the_openai_sdk() -> None:
    probe = (
        "import sys, time\n"
        "started = time.perf_counter()\n"
        "import generator.cli\n"
        "elapsed = time.perf_counter() - started\n"
        "from generator.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "main(['validate', '--data', 'no-such-folder'])\n"
        "print('openai' in sys.modules, 'httpx' in sys.modules, f'{elapsed:.3f}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    openai_loaded, httpx_loaded, _seconds = result.stdout.split()[-3:]
    assert openai_loaded == "False" and httpx_loaded == "False", result.stdout
