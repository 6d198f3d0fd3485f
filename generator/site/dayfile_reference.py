"""Site section: the day file's reference (``reference/day-file/``) and its JSON Schema asset.

Both come from :func:`generator.schema.day_json_schema`, types and descriptions alike (each
field's ``Field(description=...)``), so the docs cannot drift from the code: a field added
to the schema without a description fails the tests.
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
            doc=" ".join(str(prop.get("description", "")).split()),
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
