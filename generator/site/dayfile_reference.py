"""Site section: the day file's reference (``reference/day-file/``) and its JSON Schema asset.

Both come from :func:`generator.schema.day_json_schema`, so the docs cannot drift from the
code: a field added to the schema without a line in :data:`FIELD_DOCS` fails the tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.schema import day_json_schema
from generator.site import render
from generator.site.context import GeneratedAsset, GeneratedPage, SiteContext, SiteOutput

PAGE_SRC = "reference/day-file.md"
SCHEMA_SRC = "reference/day-file.schema.json"

# One line per field: what it means for a reader of the YAML (the schema has the types).
FIELD_DOCS: dict[str, str] = {
    "DayRecord.schema_version": "Version of this file format (bumped on incompatible changes).",
    "DayRecord.date": "The arXiv announcement date (from the feed), not the date the job ran.",
    "DayRecord.status": "published, no_announcement (weekend, holiday) or failed.",
    "DayRecord.reason": "Why the run failed (required when failed); a note otherwise.",
    "DayRecord.categories": "arXiv categories read that day (one combined feed).",
    "DayRecord.announce_types": "Announce types passed to scoring (new, cross, ...).",
    "DayRecord.counts": "The page's totals.",
    "DayRecord.scoring": "Scorer, model, prompt hash, thresholds and usage; absent when "
    "nothing was scored.",
    "DayRecord.papers": "The kept papers, ordered by relevance then novelty.",
    "DayRecord.unscored": "Scanned papers that could not be scored, with the reason.",
    "DayRecord.scans": "A compact score of every scanned paper, so thresholds can change "
    "later without scoring again.",
    "DayRecord.source": "Where the day came from: rss, api-backfill, ...",
    "Counts.total": "Every entry the day's feed held (all announce types and categories).",
    "Counts.scanned": "Papers sent to scoring.",
    "Counts.relevant": "Papers kept (equals the number of papers listed).",
    "Counts.by_type": "Feed entries per announce type.",
    "Scoring.scorer": "llm (an OpenAI-compatible model) or local (no network, no cost).",
    "Scoring.model": "The model that produced the scores (gpt-5, lexical, ...).",
    "Scoring.prompt_hash": "Hash of the selection prompt; its text is data/prompts/HASH.md.",
    "Scoring.relevance_min": "Relevance threshold in force that day.",
    "Scoring.novelty_min": "Novelty threshold in force that day.",
    "Scoring.usage": "Tokens and dollars spent on the day's scoring.",
    "Usage.prompt_tokens": "Prompt (input) tokens.",
    "Usage.cached_prompt_tokens": "Of the prompt tokens, those billed at the cached rate.",
    "Usage.completion_tokens": "Completion (output) tokens.",
    "Usage.reasoning_tokens": "Of the completion tokens, those spent on hidden reasoning.",
    "Usage.requests": "Requests made to the endpoint.",
    "Usage.prompt_cost": "Dollars for prompt tokens; null when the model's price is unknown.",
    "Usage.completion_cost": "Dollars for completion tokens; null when unknown.",
    "PaperEntry.id": "arXiv id without version (2510.05064, or old-style hep-ex/0601001).",
    "PaperEntry.version": "The version announced that day.",
    "PaperEntry.title": "Title as announced (may hold LaTeX).",
    "PaperEntry.authors": "Authors in order.",
    "PaperEntry.abstract": "Abstract as announced (may hold LaTeX).",
    "PaperEntry.categories": "arXiv categories, the primary first.",
    "PaperEntry.announce_type": "new, cross, replace or replace-cross.",
    "PaperEntry.relevance": "Relevance 1-10 (absent for an unscored author match).",
    "PaperEntry.novelty": "Novelty 1-10.",
    "PaperEntry.comment": "The scorer's comment: which topics the paper matches.",
    "PaperEntry.tags": "Topic names (the tags of the site).",
    "PaperEntry.kept_because": "score, author_match (a followed author) or updated.",
    "PaperEntry.doi": "DOI, when arXiv lists one.",
    "PaperEntry.journal_ref": "Journal reference, when arXiv lists one.",
    "ScanRecord.id": "arXiv id of a scanned paper.",
    "ScanRecord.relevance": "Its relevance 1-10.",
    "ScanRecord.novelty": "Its novelty 1-10.",
    "ScanRecord.score": "The local scorer's ranking score in [0, 1].",
    "ScanRecord.unscored": "Why it could not be scored (instead of the scores).",
    "UnscoredPaper.id": "arXiv id.",
    "UnscoredPaper.version": "Version.",
    "UnscoredPaper.title": "Title.",
    "UnscoredPaper.reason": "Why it could not be scored (budget, invalid reply, ...).",
}


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: str
    required: bool
    default: str
    doc: str


@dataclass(frozen=True)
class ModelDoc:
    name: str
    anchor: str
    description: str
    fields: list[FieldDoc]
    values: list[str]  # for enums


def build(ctx: SiteContext) -> SiteOutput:
    schema = day_json_schema()
    asset = GeneratedAsset(SCHEMA_SRC, json.dumps(schema, indent=2, sort_keys=True) + "\n")
    html = render.render(
        "day_reference.html",
        models=document(schema),
        schema_href=render.relative_url(PAGE_SRC, SCHEMA_SRC, ctx.use_directory_urls),
    )
    page = GeneratedPage(src_uri=PAGE_SRC, title="Day file reference", html=html, in_nav=True)
    return SiteOutput(pages=[page], assets=[asset])


def document(schema: dict[str, Any]) -> list[ModelDoc]:
    """The top-level record first, then each nested model and enum, in schema order."""
    models = [_model_doc("DayRecord", schema)]
    for name, definition in schema.get("$defs", {}).items():
        models.append(_model_doc(name, definition))
    return models


def _model_doc(name: str, definition: dict[str, Any]) -> ModelDoc:
    required = set(definition.get("required", []))
    fields = [
        FieldDoc(
            name=field,
            type=type_name(prop),
            required=field in required,
            default="" if "default" not in prop else json.dumps(prop["default"]),
            doc=FIELD_DOCS.get(f"{name}.{field}", ""),
        )
        for field, prop in definition.get("properties", {}).items()
    ]
    return ModelDoc(
        name=name,
        anchor=name.lower(),
        description=" ".join(str(definition.get("description", "")).split()),
        fields=fields,
        values=[str(v) for v in definition.get("enum", [])],
    )


def type_name(prop: dict[str, Any]) -> str:
    """A short human type for a JSON Schema property: ``list[PaperEntry]``, ``int 1-10 | null``."""
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " | ".join(type_name(option) for option in prop["anyOf"])
    if "const" in prop:
        return json.dumps(prop["const"])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list[{type_name(prop.get('items', {}))}]"
    if kind == "object":
        values = prop.get("additionalProperties")
        return f"map[{type_name(values)}]" if isinstance(values, dict) else "map"
    text = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}.get(
        str(kind), str(kind)
    )
    if prop.get("format"):
        text = str(prop["format"])
    if "minimum" in prop and "maximum" in prop:
        text += f" {prop['minimum']}-{prop['maximum']}"
    elif "minimum" in prop:
        text += f" >= {prop['minimum']}"
    if "pattern" in prop:
        text += " (pattern)"
    return text
