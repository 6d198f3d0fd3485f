"""The digest's configuration: ``digest.yaml`` (settings) and ``prompt.yaml`` (the selection
prompt, whose topic names double as the tag vocabulary).

Both are validated once, here, at the edge. An unknown or mistyped key is a
:class:`~generator.errors.ConfigError` naming the file, the key (and line) and what was
expected. Every number is finite and bounded, every endpoint an http(s) URL with a host.
Endpoints can be overridden from the environment (for tests and mirrors):
``DIGEST_ARXIV_RSS_URL``, ``DIGEST_ARXIV_API_URL``, ``DIGEST_S2_API_URL``, ``OPENAI_BASE_URL``;
an override is checked like the key it replaces, and its error names the variable.
Secrets (``OPENAI_API_KEY``, ``S2_API_KEY``) are read from the environment only, never
from a file, and never stored on the config object.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    ValidationError,
    field_validator,
    model_validator,
)

from generator import text, yamlio
from generator.errors import ConfigError, short_repr
from generator.models import AnnounceType
from generator.schema import Text

DEFAULT_CONFIG_FILE = "digest.yaml"
ENV_OVERRIDES = {
    "DIGEST_ARXIV_RSS_URL": ("arxiv", "rss_base"),
    "DIGEST_ARXIV_API_URL": ("arxiv", "api_base"),
    "DIGEST_S2_API_URL": ("semantic_scholar", "base_url"),
    "OPENAI_BASE_URL": ("llm", "base_url"),
}


# arXiv category names: cs.LG, stat.ML, hep-ex, math.GT, q-bio.NC, astro-ph.CO.
CATEGORY_RE = re.compile(r"[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?")
MAX_PRICE = 10_000.0  # $ per 1M tokens: far above any model's price


def _without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed: safe to show in an error."""
    return re.sub(r"(?<=//)[^/?#]*@", "", url, count=1)


def check_endpoint(url: str) -> str:
    """``url`` if it is an http(s) URL with a host and no fragment, else a ValueError."""
    shown = short_repr(_without_userinfo(url), 120)
    why = text.problem(url, 2_000)
    if why or any(c.isspace() for c in url):
        raise ValueError(f"{shown} is not a URL: {why or 'it contains white space'}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{shown} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"{shown} is not an http:// or https:// URL with a host")
    if parts.fragment or url.endswith("#"):
        raise ValueError(f"{shown} has a #fragment: give the base URL only")
    return url


Endpoint = Annotated[str, AfterValidator(check_endpoint)]
ShortText = Annotated[str, Text(text.MAX_SHORT, non_empty=True)]


class _Section(BaseModel):
    # allow_inf_nan=False: `.inf` or `.nan` in any float setting is an error, not a hang.
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class FollowedAuthor(_Section):
    """An author whose papers are kept whatever their score ("Author match")."""

    name: ShortText
    s2_id: ShortText | None = Field(None, description="Semantic Scholar author id (optional).")


class ArxivSettings(_Section):
    rss_base: Endpoint = Field(
        "https://rss.arxiv.org", description="Base URL of arXiv's RSS service."
    )
    api_base: Endpoint = Field("https://export.arxiv.org", description="Base URL of the arXiv API.")
    min_interval: float = Field(
        3.0, ge=0, le=60, description="Seconds between two arXiv requests (arXiv asks for 3)."
    )
    timeout: float = Field(60.0, gt=0, le=600, description="Seconds before one request times out.")
    retries: int = Field(4, ge=0, le=10, description="Retries on 429/5xx/connection errors.")
    page_size: int = Field(200, ge=1, le=2000, description="Results per arXiv API page.")
    holidays: list[dt.date] = Field(
        default_factory=list,
        description="Extra dates without an arXiv mailing (backfill skips them; their "
        "submissions roll into the next day). A few known holidays are built in.",
    )


class SemanticScholarSettings(_Section):
    base_url: Endpoint = Field(
        "https://api.semanticscholar.org", description="Base URL of the Semantic Scholar API."
    )
    h_index_gate: bool = Field(
        False, description="Skip scoring papers none of whose authors reach `h_index_min`."
    )
    h_index_min: int = Field(10, ge=0, le=10_000, description="h-index cutoff of the gate.")
    cache_file: str = Field(".cache/s2.json", description="On-disk cache of author lookups.")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds before one request times out.")


class LlmSettings(_Section):
    base_url: Endpoint | None = Field(
        None,
        description="Any OpenAI-compatible endpoint (OpenAI, OpenRouter, vLLM, Ollama...). "
        "Default: the openai SDK's (api.openai.com). Also set by OPENAI_BASE_URL.",
    )
    model: ShortText = Field("gpt-5", description="Model name sent to the endpoint.")
    # 20 by measurement (scripts/bench_score.py, figures in BENCHMARKS.md): large enough that
    # the fixed prompt is a small share of the tokens, small enough that a reply stays short
    # and a bad one re-asks few papers.
    batch_size: int = Field(
        20, ge=1, le=200, description="Papers per request (20: chosen by measurement)."
    )
    workers: int = Field(8, ge=1, le=64, description="Concurrent requests.")
    requests_per_minute: int = Field(
        500, ge=1, le=1_000_000, description="Client-side request rate limit."
    )
    tokens_per_minute: int = Field(
        2_000_000,
        ge=1,
        le=10**12,
        description="Client-side token rate limit (estimated prompt tokens).",
    )
    max_tries: int = Field(
        3, ge=1, le=10, description="Times a paper is asked before it is recorded unscored."
    )
    timeout: float = Field(
        180.0, gt=0, le=3600, description="Seconds before one request times out."
    )
    structured_output: Literal["auto", "json_schema", "off"] = Field(
        "auto", description="Request json_schema output where the endpoint supports it."
    )
    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature (None: default)."
    )


class ModelPrice(_Section):
    """A model's price in US dollars per 1M tokens."""

    input: float = Field(ge=0, le=MAX_PRICE, description="Prompt tokens.")
    cached_input: float | None = Field(
        default=None,
        ge=0,
        le=MAX_PRICE,
        description="Prompt tokens read from cache (default: input).",
    )
    output: float = Field(ge=0, le=MAX_PRICE, description="Completion tokens.")

    @model_validator(mode="after")
    def _cached_costs_input_by_default(self) -> ModelPrice:
        if self.cached_input is None:
            self.cached_input = self.input
        return self


PricingTable = dict[ShortText, ModelPrice]
# scoring.pricing is validated as a PricingTable and kept as the plain mappings the scorer's
# ``pricing`` parameter takes ({model: {input, cached_input, output}}).
Pricing = Annotated[
    dict[str, dict[str, float]],
    GetPydanticSchema(
        lambda _source, handler: handler(
            dict[ShortText, Annotated[ModelPrice, AfterValidator(lambda m: m.model_dump())]]
        )
    ),
]


class ScoringSettings(_Section):
    scorer: Literal["auto", "llm", "local"] = Field(
        "auto", description="auto: the LLM when OPENAI_API_KEY is set, else the local scorer."
    )
    prompt_file: str = Field("prompt.yaml", description="The selection prompt (relative path).")
    relevance_min: int = Field(8, ge=1, le=10, description="Keep papers at or above this.")
    novelty_min: int = Field(7, ge=1, le=10, description="...and at or above this novelty.")
    budget_usd: float | None = Field(
        None,
        ge=0,
        le=1_000_000,
        description="Daily spending cap; papers past it are unscored ('budget').",
    )
    pricing: Pricing = Field(
        default_factory=dict,
        description="Overrides of the shipped pricing table: model -> "
        "{input, cached_input, output} in $ per 1M tokens.",
    )
    cache_file: str = Field(".cache/scores.sqlite", description="Score cache (never pay twice).")
    prefilter_keep: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Send only this top fraction of the local scorer's ranking to the LLM.",
    )
    title_prefilter: bool = Field(
        False, description="Ask the LLM about titles first, score only the kept ones."
    )
    local_model: str = Field(
        "lexical", description="Local scorer model: 'lexical' (built in) or an embedding model."
    )


class SiteSettings(_Section):
    title: ShortText = Field("Personalized Daily ArXiv Papers", description="Site and page title.")
    feed_days: int = Field(7, ge=1, le=365, description="Days of papers in the RSS feeds.")
    tag_page_size: int = Field(100, ge=10, le=1000, description="Papers per tag page.")


class DigestConfig(_Section):
    """Everything in ``digest.yaml``."""

    data_dir: str = Field("data", description="Where the day files live.")
    categories: Annotated[list[str], Field(min_length=1)] = Field(
        default_factory=lambda: ["cs.LG", "cs.AI"],
        description="arXiv categories to read (one combined feed).",
    )
    announce_types: Annotated[list[AnnounceType], Field(min_length=1)] = Field(
        default_factory=lambda: [AnnounceType.NEW, AnnounceType.CROSS],
        description="Announce types passed to scoring.",
    )
    primary_only: bool = Field(
        False, description="Keep only papers whose primary category is configured."
    )
    keep_updated: bool = Field(
        False, description="Keep replacements of papers shown before, marked 'updated'."
    )
    followed_authors: list[FollowedAuthor] = Field(
        default_factory=list, description="Authors whose papers are always kept."
    )
    arxiv: ArxivSettings = Field(default_factory=ArxivSettings)  # type: ignore[arg-type]
    semantic_scholar: SemanticScholarSettings = Field(
        default_factory=SemanticScholarSettings  # type: ignore[arg-type]
    )
    llm: LlmSettings = Field(default_factory=LlmSettings)  # type: ignore[arg-type]
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)  # type: ignore[arg-type]
    site: SiteSettings = Field(default_factory=SiteSettings)  # type: ignore[arg-type]

    @field_validator("categories")
    @classmethod
    def _category_names(cls, value: list[str]) -> list[str]:
        for cat in value:
            if not CATEGORY_RE.fullmatch(cat):
                raise ValueError(
                    f"{short_repr(cat)} is not an arXiv category such as 'cs.LG' or 'hep-ex'"
                )
        return value


class Topic(_Section):
    name: str = Field(description="Topic name; also the tag shown on pages.")
    relevant: str = Field(description="What makes a paper relevant to this topic.")
    irrelevant: str = Field("", description="What does not count.")


class Keywords(_Section):
    relevant: list[str] = []
    irrelevant: list[str] = []
    application: list[str] = []


class SelectionPrompt(_Section):
    """The paper-selection prompt, in its parts (see prompt.yaml)."""

    system: str
    instructions: str
    rubric: str
    topics_intro: str = ""
    topics: Annotated[list[Topic], Field(min_length=1)]
    keywords: Keywords = Keywords()

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.topics]


class Settings:
    """A loaded configuration: the validated config, its prompt, and where they came from."""

    def __init__(
        self, config: DigestConfig, prompt: SelectionPrompt, base_dir: Path, source: Path | None
    ) -> None:
        self.config = config
        self.prompt = prompt
        self.base_dir = base_dir
        self.source = source

    def path(self, relative: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def data_dir(self) -> Path:
        return self.path(self.config.data_dir)


def _read_yaml(path: Path) -> tuple[Any, str]:
    """The YAML in ``path`` and its text (for the line of a later validation error)."""
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 text: {exc.reason}") from exc
    return yamlio.load_text(content, path, ConfigError) or {}, content


def _validate(model: type[_Section], data: Any, source: Path | str, content: str | None) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        line_of = (lambda loc: yamlio.node_line(content, loc)) if content else None
        raise ConfigError.from_validation(source, exc, line_of) from exc


def parse_config(
    data: Mapping[str, Any],
    source: Path | str = "<config>",
    env: Mapping[str, str] | None = None,
    content: str | None = None,
) -> DigestConfig:
    """Validate a config mapping, applying environment overrides of endpoints.

    ``content`` is the file's text, when there is one: errors then give the line.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(source, None, "expected a mapping of settings")
    merged: dict[str, Any] = {
        k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()
    }
    for var, (section, key) in ENV_OVERRIDES.items():
        value = (env if env is not None else os.environ).get(var)
        if value:
            try:
                check_endpoint(value)
            except ValueError as exc:
                raise ConfigError("environment", var, str(exc)) from None
            merged.setdefault(section, {})
            if isinstance(merged[section], dict):
                merged[section][key] = value
    config: DigestConfig = _validate(DigestConfig, merged, source, content)
    return config


def parse_prompt(
    data: Any, source: Path | str = "<prompt>", content: str | None = None
) -> SelectionPrompt:
    if not isinstance(data, Mapping):
        raise ConfigError(
            source, None, "expected a mapping with system, instructions, rubric, topics"
        )
    prompt: SelectionPrompt = _validate(SelectionPrompt, data, source, content)
    return prompt


def load_settings(
    config_file: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> Settings:
    """Load ``digest.yaml`` (or defaults when it does not exist) and its prompt file.

    ``base_dir`` is where relative paths point when no config file is given (default: the
    current folder); with a config file they are relative to its folder.
    """
    env = os.environ if env is None else env
    folder = base_dir if base_dir is not None else Path.cwd()
    path = Path(config_file or env.get("DIGEST_CONFIG") or folder / DEFAULT_CONFIG_FILE)
    if path.is_file():
        data, content = _read_yaml(path)
        config = parse_config(data, path, env, content)
        base_dir, source = path.resolve().parent, path
    elif config_file is not None:
        raise ConfigError(path, None, "config file not found")
    else:
        config = parse_config({}, "<defaults>", env)
        base_dir, source = folder, None
    prompt_path = Path(config.scoring.prompt_file)
    if not prompt_path.is_absolute():
        prompt_path = base_dir / prompt_path
    if not prompt_path.is_file():
        raise ConfigError(
            source or "<defaults>",
            "scoring.prompt_file",
            f"prompt file {prompt_path.name!r} not found",
        )
    prompt_data, prompt_content = _read_yaml(prompt_path)
    prompt = parse_prompt(prompt_data, prompt_path, prompt_content)
    settings = Settings(config, prompt, base_dir, source)
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise ConfigError(
            source or "<defaults>", "data_dir", f"{str(settings.data_dir)!r} is not a folder"
        )
    return settings


def config_json_schema() -> dict[str, Any]:
    """JSON Schema of digest.yaml (the configuration reference is generated from it)."""
    return DigestConfig.model_json_schema()
