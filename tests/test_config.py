"""digest.yaml and prompt.yaml: defaults, validation at the edge, environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import DigestConfig, config_json_schema, load_settings, parse_config
from generator.errors import ConfigError
from generator.models import AnnounceType

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"


def _site(tmp_path: Path, config: str, prompt: str | None = None) -> Path:
    (tmp_path / "digest.yaml").write_text(config)
    prompt_text = prompt if prompt is not None else (FIXTURE / "prompt.yaml").read_text()
    (tmp_path / "prompt.yaml").write_text(prompt_text)
    return tmp_path / "digest.yaml"


def test_repository_config_and_prompt_load() -> None:
    settings = load_settings(REPO / "digest.yaml", env={})
    assert settings.config.categories == ["cs.LG", "cs.AI"]
    assert settings.config.announce_types == [AnnounceType.NEW, AnnounceType.CROSS]
    assert (settings.config.scoring.relevance_min, settings.config.scoring.novelty_min) == (8, 7)
    assert len(settings.prompt.tag_names) >= 3
    assert settings.data_dir == REPO / "data"


def test_defaults_when_keys_are_absent(tmp_path: Path) -> None:
    settings = load_settings(_site(tmp_path, "{}\n"), env={})
    assert settings.config == DigestConfig()
    assert settings.base_dir == tmp_path
    assert settings.source == tmp_path / "digest.yaml"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"digest.yaml: scoring.relevance_mn \(line 2\): unknown key"
    ):
        load_settings(_site(tmp_path, "scoring:\n  relevance_mn: 8\n"), env={})


def test_wrong_type_and_range_are_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"scoring.relevance_min \(line 2\): .*less than or equal to 10"
    ):
        load_settings(_site(tmp_path, "scoring:\n  relevance_min: 11\n"), env={})
    with pytest.raises(ConfigError, match=r"categories.*'cs LG' is not an arXiv category"):
        load_settings(_site(tmp_path, "categories: ['cs LG']\n"), env={})
    with pytest.raises(ConfigError, match=r"announce_types\[0\] \(line 1\): Input should be 'new'"):
        load_settings(_site(tmp_path, "announce_types: [brand-new]\n"), env={})


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"digest.yaml: line 2, column \d+: not valid YAML"):
        load_settings(_site(tmp_path, "categories: [cs.LG\nllm: {}\n"), env={})


def test_prompt_file_problems(tmp_path: Path) -> None:
    config = _site(tmp_path, "{}\n", prompt="system: s\ninstructions: i\nrubric: r\n")
    with pytest.raises(
        ConfigError, match=r"prompt.yaml: topics \(line 1\): required key is missing"
    ):
        load_settings(config, env={})
    (tmp_path / "prompt.yaml").unlink()
    with pytest.raises(ConfigError, match=r"prompt_file: prompt file 'prompt.yaml' not found"):
        load_settings(config, env={})


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_environment_overrides_endpoints_only(tmp_path: Path) -> None:
    env = {
        "DIGEST_ARXIV_RSS_URL": "http://127.0.0.1:9/",
        "OPENAI_BASE_URL": "http://127.0.0.1:8/v1",
        "OPENAI_API_KEY": "sk-secret",
    }
    config = parse_config({"llm": {"model": "gpt-5-mini"}}, "digest.yaml", env)
    assert config.arxiv.rss_base == "http://127.0.0.1:9/"
    assert config.llm.base_url == "http://127.0.0.1:8/v1"
    assert config.llm.model == "gpt-5-mini"
    assert "sk-secret" not in config.model_dump_json()


def test_config_schema_lists_every_section() -> None:
    properties = config_json_schema()["properties"]
    assert {"categories", "llm", "scoring", "site", "arxiv"} <= set(properties)
