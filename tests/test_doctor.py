"""`arxiv-digest doctor` against real loopback servers: an arXiv-like RSS/API endpoint and an
OpenAI-compatible ``/v1/models``, each scripted per test; the real urllib client talks to them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.arxiv import rss_document, rss_item

from generator.cli import main
from generator.config import load_settings
from generator.doctor import Check, HttpAnswer, check_llm, redact, render

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-doctor-test-9f8e7d6c5b4a"

DAY = dt.date(2025, 10, 7)


def feed(items: int) -> str:
    """An arXiv-format feed with ``items`` items (each about 700 bytes)."""
    return rss_document(
        ["cs.LG", "cs.AI"],
        DAY,
        [
            rss_item(
                f"2510.{n:05d}",
                1,
                f"Paper {n}",
                "An abstract. " * 40,
                ["A. Author", "B. Author"],
                ["cs.LG"],
                "new",
                "Tue, 07 Oct 2025 00:00:00 -0400",
            )
            for n in range(1, items + 1)
        ],
    )


RSS = feed(1)
ATOM = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>'


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.log.append((self.path, dict(self.headers)))
        status, body = self.server.answer(self.path, self.headers.get("Authorization", ""))
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _Server(ThreadingHTTPServer):
    """arXiv RSS at /rss/..., arXiv API at /api/query, OpenAI-style models at /v1/models."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log: list[tuple[str, dict[str, str]]] = []
        self.rss_status = 200
        self.rss = RSS
        self.api_status = 200
        self.models = ["gpt-5", "gpt-5-mini"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, path: str, auth: str) -> tuple[int, str]:
        if path.startswith("/rss/"):
            if self.rss_status == 400:
                return 400, "<rss><channel><title>Feed error for query</title></channel></rss>"
            return self.rss_status, self.rss
        if path.startswith("/api/query"):
            return self.api_status, ATOM if self.api_status == 200 else "busy"
        if path == "/v1/models":
            if auth != f"Bearer {KEY}":
                # Some providers echo the key they were given: the doctor must not show it.
                given = auth.removeprefix("Bearer ")
                return 401, json.dumps({"error": {"message": f"Incorrect API key: {given}"}})
            return 200, json.dumps({"data": [{"id": m} for m in self.models]})
        return 404, "not found"


@pytest.fixture
def doctor_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def doctor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doctor_server: _Server) -> Path:
    """A project folder with the repo's prompt, a small config, and env pointing at loopback."""
    shutil.copy(ROOT / "prompt.yaml", tmp_path / "prompt.yaml")
    (tmp_path / "digest.yaml").write_text("data_dir: data\nllm:\n  model: gpt-5\n")
    monkeypatch.chdir(tmp_path)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "S2_API_KEY", "DIGEST_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", doctor_server.url)
    monkeypatch.setenv("DIGEST_ARXIV_API_URL", doctor_server.url)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{doctor_server.url}/v1")
    return tmp_path


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", "digest.yaml", "doctor", "--timeout", "3", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_all_good(
    doctor_home: Path,
    doctor_server: _Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, out = _doctor(capsys)
    assert code == 0, out
    assert "[FAIL]" not in out and "[warn]" not in out
    assert "all good" in out and "1 item(s)" in out and "accepts the key" in out
    assert KEY not in out and KEY[:8] not in out
    paths = [path for path, _ in doctor_server.log]
    assert "/rss/cs.LG+cs.AI" in paths and "/v1/models" in paths
    assert any(p.startswith("/api/query?search_query=cat%3Acs.LG") for p in paths)
    models_headers = next(h for p, h in doctor_server.log if p == "/v1/models")
    assert models_headers["Authorization"] == f"Bearer {KEY}"


def test_rejected_key_is_reported_without_showing_it(
    doctor_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "sk-wrong-1234567890abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    code, out = _doctor(capsys)
    assert code == 1
    assert "[FAIL] LLM endpoint" in out and "HTTP 401" in out and "rejected the API key" in out
    assert "OPENAI_API_KEY secret" in out  # the fix
    assert wrong not in out and wrong[:8] not in out
    assert "Incorrect API key: <OPENAI_API_KEY>" in out  # the echoed key was redacted


def test_no_key_with_auto_scorer_is_a_warning(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _doctor(capsys)
    assert code == 0, out
    assert "[warn] OPENAI_API_KEY: not set" in out and "[skip] LLM endpoint" in out
    assert "/v1/models" not in [path for path, _ in doctor_server.log]


def test_no_key_with_llm_scorer_fails(
    doctor_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (doctor_home / "digest.yaml").write_text("scoring:\n  scorer: llm\n")
    code, out = _doctor(capsys)
    assert code == 1 and "[FAIL] OPENAI_API_KEY: not set, but scoring.scorer is 'llm'" in out


def test_unlisted_model_is_a_warning(
    doctor_home: Path,
    doctor_server: _Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    doctor_server.models = ["llama-3.1-8b"]
    code, out = _doctor(capsys)
    assert code == 0 and "does not list model 'gpt-5'" in out


def test_bad_categories_and_dead_endpoints(
    doctor_home: Path,
    doctor_server: _Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doctor_server.rss_status = 400
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("DIGEST_ARXIV_API_URL", dead)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", dead)
    started = time.monotonic()
    code, out = _doctor(capsys)
    assert time.monotonic() - started < 10
    assert code == 1
    assert "[FAIL] arXiv RSS" in out and "HTTP 400" in out and "categories" in out
    assert "[warn] arXiv API" in out and "did not answer" in out
    assert "[FAIL] LLM endpoint" in out and "OPENAI_BASE_URL" in out


def test_invalid_config_names_the_key(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    (doctor_home / "digest.yaml").write_text("scoring:\n  relevance_minimum: 8\n")
    code, out = _doctor(capsys)
    assert code == 1
    assert "[FAIL] config" in out and "scoring.relevance_minimum" in out and "unknown key" in out
    assert doctor_server.log == []  # no network checks on a broken config


def test_broken_day_file_is_named(doctor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = doctor_home / "data" / "2025" / "2025-10-07.yaml"
    day.parent.mkdir(parents=True)
    day.write_text("date: 2025-10-07\nstatus: sunny\n")
    code, out = _doctor(capsys, "--offline")
    assert code == 1
    assert "[FAIL] data" in out and "2025-10-07.yaml" in out and "status" in out
    assert "arxiv-digest validate" in out


def test_offline_makes_no_request(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _doctor(capsys, "--offline")
    assert code == 0 and "[skip] network" in out
    assert doctor_server.log == []


def test_llm_check_404_and_credentials_in_url(
    doctor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pure check with an injected getter: an endpoint without /models is a warning, and
    user:password in a base URL is never shown."""
    monkeypatch.setenv("OPENAI_BASE_URL", "https://user:hunter22@llm.example/v1")
    settings = load_settings("digest.yaml")
    seen: list[str] = []

    def get(url: str, headers: object, timeout: float) -> HttpAnswer:
        seen.append(url)
        return HttpAnswer(404, b"")

    check = check_llm(settings, {"OPENAI_API_KEY": KEY}, get, 1.0)
    assert seen == ["https://user:hunter22@llm.example/v1/models"]
    assert check.status == "warn" and "hunter22" not in check.detail
    assert "https://llm.example/v1/models" in check.detail


def test_render_and_redact() -> None:
    text = render([Check("a", "ok", "fine"), Check("b", "fail", "broken", "do this")])
    assert text.splitlines() == [
        "[ ok ] a: fine",
        "[FAIL] b: broken",
        "       fix: do this",
        "1 problem(s) to fix (2 checks, 0 warning(s))",
    ]
    assert redact(f"x {KEY} y", {"OPENAI_API_KEY": KEY}) == "x <OPENAI_API_KEY> y"


def test_a_long_feed_is_counted_whole(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    doctor_server.rss = feed(327)
    assert len(doctor_server.rss.encode()) > 4 * 64 * 1024  # far past the old 64 KiB read
    code, out = _doctor(capsys)
    assert code == 0, out
    assert "327 item(s) for 2025-10-07" in out


def test_a_failing_api_is_only_a_warning(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    doctor_server.api_status = 503
    code, out = _doctor(capsys)
    assert code == 0, out
    assert "[warn] arXiv API" in out and "HTTP 503" in out and "only backfill needs it" in out
    assert "[FAIL]" not in out


def test_a_feed_that_does_not_parse_fails_the_rss_check(
    doctor_home: Path, doctor_server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    doctor_server.rss = RSS[: len(RSS) // 2]  # truncated
    code, out = _doctor(capsys)
    assert code == 1 and "[FAIL] arXiv RSS" in out and "not well-formed XML" in out


def test_an_unresolvable_feed_host_is_named_with_the_setting(
    doctor_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIGEST_ARXIV_RSS_URL", "http://arxiv-digest.invalid")  # RFC 6761
    code, out = _doctor(capsys)
    assert code == 1
    assert "[FAIL] arXiv RSS" in out and "does not resolve" in out
    assert "arxiv.rss_base / DIGEST_ARXIV_RSS_URL" in out
