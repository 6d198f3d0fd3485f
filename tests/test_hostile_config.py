"""Hostile or broken settings in digest.yaml and the environment: one clear ConfigError each.

Each case writes a real digest.yaml beside the fixture prompt and loads it with
``load_settings``, as ``run``, ``validate`` and the site do; the CLI test checks that
``arxiv-digest validate`` prints exactly one line for it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import load_settings, parse_config
from generator.errors import ConfigError
from generator.score.pricing import price_for

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"

# (digest.yaml, expected message after "<file>: ")
CASES = {
    "category-path": (
        "categories: ['cs.LG/../../x']\n",
        r"categories \(line 1\): 'cs.LG/../../x' is not an arXiv category such as 'cs.LG'",
    ),
    "category-markup": (
        "categories: ['cs.LG?#&']\n",
        r"categories \(line 1\): 'cs.LG\?#&' is not an arXiv category",
    ),
    "rss-from-local-disk": (
        "arxiv:\n  rss_base: file:///etc\n",
        r"arxiv.rss_base \(line 2\): 'file:///etc' is not an http:// or https:// URL with a host",
    ),
    "api-over-ftp": (
        "arxiv:\n  api_base: ftp://export.arxiv.org\n",
        r"arxiv.api_base \(line 2\): 'ftp://export.arxiv.org' is not an http:// or https://",
    ),
    "s2-javascript": (
        "semantic_scholar:\n  base_url: 'javascript:alert(1)'\n",
        r"semantic_scholar.base_url \(line 2\): 'javascript:alert\(1\)' is not an http://",
    ),
    "llm-javascript": (
        "llm:\n  base_url: 'javascript:alert(1)'\n",
        r"llm.base_url \(line 2\): 'javascript:alert\(1\)' is not an http:// or https://",
    ),
    "url-without-host": (
        "llm:\n  base_url: 'https:///v1'\n",
        r"llm.base_url \(line 2\): 'https:///v1' is not an http:// or https:// URL with a host",
    ),
    "url-with-fragment": (
        "llm:\n  base_url: 'https://llm.example.org/v1#x'\n",
        r"llm.base_url \(line 2\): 'https://llm.example.org/v1#x' has a #fragment",
    ),
    "credentials-are-not-echoed": (
        "llm:\n  base_url: 'ftp://alice:s3cret@llm.example.org/v1'\n",
        r"llm.base_url \(line 2\): 'ftp://llm.example.org/v1' is not an http:// or https://",
    ),
    "impossible-holiday": (
        "arxiv:\n  holidays: [2025-12-25, 2025-02-30]\n",
        r"line 2, column 26: cannot read '2025-02-30': day is out of range for month",
    ),
    "negative-price": (
        "scoring:\n  pricing:\n    my-llama: {input: -1, output: 0}\n",
        r"scoring.pricing.my-llama.input \(line 3\): Input should be greater than or equal to 0",
    ),
    "misspelt-price-key": (
        "scoring:\n  pricing:\n    my-llama: {input: 1, output: 2, outptu: 3}\n",
        r"scoring.pricing.my-llama.outptu \(line 3\): unknown key",
    ),
    "infinite-timeout": (
        "arxiv:\n  timeout: .inf\n",
        r"arxiv.timeout \(line 2\): Input should be a finite number",
    ),
    "endless-interval": (
        "arxiv:\n  min_interval: 1e9\n",
        r"arxiv.min_interval \(line 2\): Input should be less than or equal to 60",
    ),
    "llm-timeout-past-an-hour": (
        "llm:\n  timeout: 3601\n",
        r"llm.timeout \(line 2\): Input should be less than or equal to 3600",
    ),
    "nan-budget": (
        "scoring:\n  budget_usd: .nan\n",
        r"scoring.budget_usd \(line 2\): Input should be a finite number",
    ),
    "temperature-out-of-range": (
        "llm:\n  temperature: 5\n",
        r"llm.temperature \(line 2\): Input should be less than or equal to 2",
    ),
    "duplicate-key": (
        "site:\n  title: A\n  title: B\n",
        r"line 3, column 3: duplicate key 'title' \(first given on line 2\)",
    ),
    "control-character-in-title": (
        'site:\n  title: "Digest\\e[2J"\n',
        r"site.title \(line 2\): contains the control character U\+001B at offset 6",
    ),
    "data-dir-is-a-file": (
        "data_dir: digest.yaml\n",
        r"data_dir: '.*digest.yaml' is not a folder",
    ),
}


def _project(root: Path, config: str) -> Path:
    shutil.copy(FIXTURE / "prompt.yaml", root / "prompt.yaml")
    (root / "digest.yaml").write_text(config, encoding="utf-8")
    return root / "digest.yaml"


@pytest.mark.parametrize(("config", "expected"), CASES.values(), ids=CASES.keys())
def test_each_bad_setting_is_one_config_error(tmp_path: Path, config: str, expected: str) -> None:
    path = _project(tmp_path, config)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    lines = info.value.lines()
    assert len(lines) == 1, lines
    assert re.fullmatch(re.escape(f"{path}: ") + expected + ".*", lines[0]), lines[0]
    assert "s3cret" not in str(info.value) and "alice" not in str(info.value)


@pytest.mark.parametrize(("config", "expected"), CASES.values(), ids=CASES.keys())
def test_validate_prints_exactly_one_line_for_each(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    expected: str,
) -> None:
    _project(tmp_path, config)
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: ") and "digest.yaml: " in errors[0]
    assert "Traceback" not in captured.err
    assert "1 problem(s)" in captured.out


def test_arxiv_category_names_of_every_shape_are_accepted() -> None:
    names = ["cs.LG", "stat.ML", "hep-ex", "math.GT", "q-bio.NC", "astro-ph.CO", "math-ph"]
    assert parse_config({"categories": names}).categories == names


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DIGEST_ARXIV_RSS_URL", "file:///etc", r"'file:///etc' is not an http:// or https://"),
        ("DIGEST_ARXIV_API_URL", "ftp://mirror.example.org", "is not an http:// or https://"),
        ("DIGEST_S2_API_URL", "http://s2.example.org/#top", "has a #fragment"),
        ("OPENAI_BASE_URL", "gopher://bob:hunter2@llm.example.org", r"'gopher://llm.example.org'"),
    ],
)
def test_environment_overrides_are_checked_and_name_the_variable(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    path = _project(tmp_path, "{}\n")
    with pytest.raises(ConfigError, match=rf"^environment: {variable}: .*{expected}") as info:
        load_settings(path, env={variable: value})
    assert "hunter2" not in str(info.value) and "bob" not in str(info.value)


def test_good_endpoints_and_overrides_still_load(tmp_path: Path) -> None:
    path = _project(tmp_path, "llm:\n  base_url: http://127.0.0.1:8000/v1\n")
    settings = load_settings(path, env={"DIGEST_ARXIV_RSS_URL": "http://[::1]:9/feeds"})
    assert settings.config.llm.base_url == "http://127.0.0.1:8000/v1"
    assert settings.config.arxiv.rss_base == "http://[::1]:9/feeds"


def test_price_entries_are_typed_and_cached_input_defaults_to_input(tmp_path: Path) -> None:
    path = _project(tmp_path, "scoring:\n  pricing:\n    my-llama: {input: 2, output: 4}\n")
    pricing = load_settings(path, env={}).config.scoring.pricing
    assert pricing == {"my-llama": {"input": 2.0, "cached_input": 2.0, "output": 4.0}}
    price = price_for("my-llama", pricing)
    assert price is not None and (price.input, price.cached_input, price.output) == (2, 2, 4)
    with pytest.raises(ConfigError, match=r"gpt-5.output: Input should be a finite number"):
        price_for("gpt-5", {"gpt-5": {"input": 1, "output": float("inf")}})
