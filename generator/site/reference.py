"""Site section: the configuration reference (``guide/configuration/``) and JSON Schemas.

Generated from the pydantic models in :mod:`generator.config`, so it cannot go stale: every
key of ``digest.yaml`` and ``prompt.yaml`` with its type, default and description, plus the
environment variables. A key added without a description fails the tests (see
``tests/test_docs.py``); the few fields whose schema has none are described in
:data:`FALLBACK_DOCS`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from markupsafe import Markup, escape
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from generator import yamlio
from generator.config import ENV_OVERRIDES, DigestConfig, SelectionPrompt, config_json_schema
from generator.site import render
from generator.site.context import GeneratedAsset, GeneratedPage, SiteContext, SiteOutput
from generator.site.model import SiteModel

PAGE_SRC = "guide/configuration.md"
CONFIG_SCHEMA_SRC = "guide/digest.schema.json"
PROMPT_SCHEMA_SRC = "guide/prompt.schema.json"

# Descriptions for the fields whose schema carries none (mostly prompt.yaml's parts).
FALLBACK_DOCS: dict[str, str] = {
    "DigestConfig.arxiv": "arXiv endpoints and politeness (see the `arxiv` section).",
    "DigestConfig.semantic_scholar": "Author lookups (see the `semantic_scholar` section).",
    "DigestConfig.llm": "The LLM endpoint and client limits (see the `llm` section).",
    "DigestConfig.scoring": "Scorer choice, thresholds, budget (see the `scoring` section).",
    "DigestConfig.site": "Site title, feeds, tag pages (see the `site` section).",
    "FollowedAuthor.name": "The author's name as arXiv lists it.",
    "SelectionPrompt.system": "The system message sent with every scoring request.",
    "SelectionPrompt.instructions": "What to do with the paper list, and the reply format.",
    "SelectionPrompt.rubric": "How relevance and novelty are graded (1-10).",
    "SelectionPrompt.topics_intro": "The sentence introducing the topic list.",
    "SelectionPrompt.topics": "Your topics; their names are the site's tags.",
    "SelectionPrompt.keywords": "Keyword lists quoted in the prompt and used by the local scorer.",
    "Keywords.relevant": "Words that make a paper more relevant.",
    "Keywords.irrelevant": "Words that make a paper less relevant.",
    "Keywords.application": "Application areas that count only with a relevant method.",
}

# Environment variables: secrets are read from the environment only, never from a file.
ENV_DOCS: dict[str, str] = {
    "OPENAI_API_KEY": "Secret. Key of the LLM endpoint; without it the local scorer is used "
    "(with `scoring.scorer: auto`).",
    "S2_API_KEY": "Secret, optional. Semantic Scholar API key (higher rate limit).",
    "DIGEST_CONFIG": "Path of the configuration file (default: `digest.yaml`).",
}


@dataclass(frozen=True)
class KeyDoc:
    key: str  # dotted path, e.g. "llm.model"; list items as "followed_authors[].name"
    type: str
    default: str  # "" when required
    required: bool
    doc: Markup


@dataclass(frozen=True)
class SectionDoc:
    title: str
    anchor: str
    intro: Markup
    keys: list[KeyDoc]


def build(model: SiteModel, ctx: SiteContext) -> SiteOutput:
    prompt_schema = SelectionPrompt.model_json_schema()
    assets = [
        GeneratedAsset(CONFIG_SCHEMA_SRC, json.dumps(config_json_schema(), indent=2) + "\n"),
        GeneratedAsset(PROMPT_SCHEMA_SRC, json.dumps(prompt_schema, indent=2) + "\n"),
    ]
    html = render_reference(
        config_schema_href=render.relative_url(PAGE_SRC, CONFIG_SCHEMA_SRC, ctx.use_directory_urls),
        prompt_schema_href=render.relative_url(PAGE_SRC, PROMPT_SCHEMA_SRC, ctx.use_directory_urls),
    )
    page = GeneratedPage(src_uri=PAGE_SRC, title="Configuration reference", html=html, in_nav=True)
    return SiteOutput(pages=[page], assets=assets)


def render_reference(config_schema_href: str, prompt_schema_href: str) -> str:
    """The page body: pure, deterministic, from the models alone."""
    defaults = yamlio.dumps(DigestConfig().model_dump(mode="json"))  # type: ignore[call-arg]
    env_vars = [
        (var, _md(f"Overrides `{section}.{key}`.")) for var, (section, key) in ENV_OVERRIDES.items()
    ]
    env_vars += [(var, _md(doc)) for var, doc in ENV_DOCS.items()]
    return render.render(
        "config_reference.html",
        config_sections=config_sections(),
        prompt_sections=prompt_sections(),
        defaults=defaults,
        env_vars=env_vars,
        config_schema_href=config_schema_href,
        prompt_schema_href=prompt_schema_href,
    )


def config_sections() -> list[SectionDoc]:
    """``digest.yaml``: the top-level keys, then one section per nested model."""
    sections = [
        SectionDoc(
            "Top level", "top-level", _md(DigestConfig.__doc__ or ""), keys_of(DigestConfig, "")
        )
    ]
    for name, info in DigestConfig.model_fields.items():
        model, is_list = _model_of(info.annotation)
        if model is None:
            continue
        prefix = f"{name}[]." if is_list else f"{name}."
        intro = _md((model.__doc__ or "") if model.__doc__ and is_list else "")
        sections.append(
            SectionDoc(
                f"{name}{'[]' if is_list else ''}",
                name.replace("_", "-"),
                intro,
                keys_of(model, prefix),
            )
        )
    return sections


def prompt_sections() -> list[SectionDoc]:
    """``prompt.yaml``: its top-level parts, then each topic's and the keyword lists' keys."""
    sections = [
        SectionDoc(
            "prompt.yaml",
            "prompt-yaml",
            _md(SelectionPrompt.__doc__ or ""),
            keys_of(SelectionPrompt, ""),
        )
    ]
    for name, info in SelectionPrompt.model_fields.items():
        model, is_list = _model_of(info.annotation)
        if model is not None:
            prefix = f"{name}[]." if is_list else f"{name}."
            sections.append(
                SectionDoc(
                    f"{name}{'[]' if is_list else ''}",
                    f"prompt-{name}",
                    Markup(""),
                    keys_of(model, prefix),
                )
            )
    return sections


def keys_of(model: type[BaseModel], prefix: str) -> list[KeyDoc]:
    out = []
    for name, info in model.model_fields.items():
        doc = info.description or FALLBACK_DOCS.get(f"{model.__name__}.{name}", "")
        required = info.is_required()
        out.append(
            KeyDoc(
                key=prefix + name,
                type=type_name(info.annotation) + _constraints(info),
                default="" if required else _default(info),
                required=required,
                doc=_md(doc),
            )
        )
    return out


def type_name(annotation: Any) -> str:
    """A short, YAML-minded type: ``int``, ``list of str``, ``one of: auto, llm, local``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if origin in (Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return f"mapping {type_name(args[0])} -> {type_name(args[1])}"
    if get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        return type_name(args[0])  # Annotated[...]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(str(m.value) for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (section below)"
    if annotation is dt.date:
        return "date (YYYY-MM-DD)"
    return getattr(annotation, "__name__", str(annotation))


def _constraints(info: FieldInfo) -> str:
    bounds = []
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            bounds.append(f">= {item.ge}")
        elif isinstance(item, annotated_types.Gt):
            bounds.append(f"> {item.gt}")
        elif isinstance(item, annotated_types.Le):
            bounds.append(f"<= {item.le}")
        elif isinstance(item, annotated_types.Lt):
            bounds.append(f"< {item.lt}")
        elif isinstance(item, annotated_types.MinLen):
            bounds.append(f"at least {item.min_length}")
    return f", {' and '.join(bounds)}" if bounds else ""


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return ""
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "(section below)"
    if isinstance(value, list):
        value = [v.value if isinstance(v, enum.Enum) else v for v in value]
    return json.dumps(value)


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item, True
    return None, False


def _md(text: str) -> Markup:
    """Escape trusted-but-plain text, then render `backticks` as code."""
    escaped = str(escape(" ".join(text.split())))
    # Docstrings use reST ``double`` backticks, field descriptions Markdown `single` ones.
    return Markup(re.sub(r"``?([^`]+)``?", r"<code>\1</code>", escaped))
