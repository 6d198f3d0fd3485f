"""Parse and validate an LLM's reply to a scoring batch (pure functions).

Models answer in many shapes: JSON lines as the prompt asks, a JSON array, an object
holding a list (structured output), each with or without code fences and with prose around
them. LaTeX in comments (``\\mathcal``) makes invalid JSON escapes, and ``\\frac`` or
``\\beta`` are *valid* escapes (form feed, backspace) that would silently mangle the text;
both are repaired before decoding. Every record is then validated against the batch, and
its text normalised by the one rule for outside text (:mod:`generator.text`).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from generator.models import Score
from generator.text import MAX_COMMENT, MAX_SHORT, one_line

_FENCE_RE = re.compile(r"^\s*```[\w-]*\s*$", re.MULTILINE)
_VERSION_RE = re.compile(r"v\d+$")
_HEX = set("0123456789abcdefABCDEF")


def _is_word(chars: str) -> bool:
    return len(chars) == 2 and chars.isascii() and chars.isalpha()


def repair_backslashes(text: str) -> str:
    """Escape backslashes that are LaTeX rather than JSON escapes."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt in ('"', "\\", "/"):
            out.append(char + nxt)
            i += 2
        elif nxt == "u" and len(text) >= i + 6 and set(text[i + 2 : i + 6]) <= _HEX:
            out.append(text[i : i + 6])
            i += 6
        elif nxt and nxt in "bfnrt" and _is_word(text[i + 2 : i + 4]):
            # \frac, \beta, \nabla, \theta, \rho: LaTeX commands, not control characters.
            out.append("\\\\")
            i += 1
        elif nxt and nxt in "bfnrt":
            out.append(char + nxt)
            i += 2
        else:
            out.append("\\\\")
            i += 1
    return "".join(out)


def _json_values(text: str) -> tuple[list[Any], int]:
    """Every top-level JSON object/array found in ``text``; and how many fragments failed."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    failed = 0
    i = 0
    while True:
        starts = [pos for pos in (text.find("{", i), text.find("[", i)) if pos != -1]
        if not starts:
            break
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            if text[start] == "{":
                failed += 1
                # Skip to the next line: a broken record must not swallow the following ones.
                newline = text.find("\n", start)
                i = newline + 1 if newline != -1 else len(text)
            else:
                i = start + 1
            continue
        values.append(value)
        i = end
    return values, failed


def _records_in(value: Any) -> Iterable[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _records_in(item) if isinstance(item, list) else [item]
    elif isinstance(value, dict):
        keys = {str(k).upper() for k in value}
        if keys & {"ARXIVID", "ARXIV_ID", "ID"}:
            yield value
            return
        # Structured output and some models wrap the list: {"papers": [...]}.
        for inner in value.values():
            if isinstance(inner, list):
                yield from _records_in(inner)


def extract_records(text: str) -> tuple[list[Any], int]:
    """Raw records of a reply, and the count of fragments that did not decode."""
    cleaned = _FENCE_RE.sub("\n", repair_backslashes(text or ""))
    try:
        whole = json.loads(cleaned)
    except json.JSONDecodeError:
        values, failed = _json_values(cleaned)
    else:
        values, failed = [whole], 0
    records: list[Any] = []
    for value in values:
        records.extend(_records_in(value))
    return records, failed


def _score_int(value: Any) -> int:
    # Strings like "8" and 8.0 are coerced; 8.5, "high", true are not scores.
    if isinstance(value, bool):
        raise ValueError("must be an integer from 1 to 10, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"must be an integer from 1 to 10, got {value!r}")


ScoreInt = Annotated[int, BeforeValidator(_score_int), Field(ge=1, le=10)]


def _one_line(limit: int) -> Callable[[Any], Any]:
    # The one normalisation rule for outside text (generator.text), applied as the record
    # is validated: a lone surrogate or a control character never reaches the cache, the
    # day file or the feed, and a runaway comment is cut rather than stored.
    def normalise(value: Any) -> Any:
        return one_line(value, limit) if isinstance(value, str) else value

    return normalise


Comment = Annotated[str, BeforeValidator(_one_line(MAX_COMMENT))]
Tag = Annotated[str, BeforeValidator(_one_line(MAX_SHORT))]


class ReplyRecord(BaseModel):
    """One validated record of a reply (or of the score cache): what a scorer said of a paper.

    Validation with ``context={"topics": [...]}`` maps the tags onto that vocabulary (and
    reads them from the comment when the record has none); without it the tags are kept
    as they are (the cache stores tags already mapped).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    relevance: ScoreInt
    novelty: ScoreInt
    comment: Comment = ""
    tags: tuple[Tag, ...] | None = None

    @model_validator(mode="after")
    def _vocabulary(self, info: ValidationInfo) -> ReplyRecord:
        topics = (info.context or {}).get("topics")
        if topics is None:
            tags = self.tags or ()
        elif self.tags is None:
            tags = tags_from_comment(self.comment, topics)
        else:
            tags = canonical_tags(self.tags, topics)
        object.__setattr__(self, "tags", tuple(tags))
        return self

    def to_score(self, version: int) -> Score:
        return Score(
            id=self.id,
            version=version,
            status="scored",
            relevance=self.relevance,
            novelty=self.novelty,
            comment=self.comment,
            tags=self.tags or (),
        )


def validation_problem(exc: ValidationError) -> str:
    """The first problem of a failed validation, as ``field: message``."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


@dataclass
class ParsedReply:
    """What a reply held for one batch: valid records by id, and what was wrong."""

    scores: dict[str, ReplyRecord] = field(default_factory=dict)
    foreign: int = 0  # records whose id is not in the batch (hallucinated), ignored
    invalid: dict[str, str] = field(default_factory=dict)  # batch id -> problem
    unparsed: int = 0  # fragments that were not JSON at all
    # Batch ids with more than one record. A model answers once per paper; a second record
    # is a model following an instruction (a prompt injection) or confused about the batch,
    # so the scorer trusts none of that reply.
    duplicated: set[str] = field(default_factory=set)


def normalize_id(raw: Any) -> str:
    text = str(raw).strip()
    text = re.sub(r"^(arxiv:|https?://arxiv\.org/abs/)", "", text, flags=re.IGNORECASE)
    return _VERSION_RE.sub("", text)


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s/-]+", name) if w and w.lower() not in {"and", "of", "the"}]
    return "".join(w[0] for w in words).upper()


def tags_from_comment(comment: str, topics: Sequence[str]) -> tuple[str, ...]:
    """Topics a comment names: exact name, acronym (HPC), or a close fuzzy match."""
    lowered = comment.lower()
    found: list[str] = []
    segments = [s.strip() for s in re.split(r"[:;,+()\n]|\band\b|\bwith\b", lowered) if s.strip()]
    for name in topics:
        low = name.lower()
        acronym = _acronym(name)
        if (
            low in lowered
            or (len(acronym) >= 2 and re.search(rf"\b{re.escape(acronym)}\b", comment))
            or difflib.get_close_matches(low, segments, n=1, cutoff=0.85)
        ):
            found.append(name)
    return tuple(found)


def canonical_tags(raw: Iterable[str], topics: Sequence[str]) -> tuple[str, ...]:
    by_lower = {t.lower(): t for t in topics}
    out: list[str] = []
    for tag in raw:
        name = by_lower.get(str(tag).strip().lower())
        if name is None:
            close = difflib.get_close_matches(str(tag).lower(), list(by_lower), n=1, cutoff=0.85)
            name = by_lower[close[0]] if close else None
        if name and name not in out:
            out.append(name)
    return tuple(out)


def parse_reply(text: str, batch_ids: Iterable[str], topics: Sequence[str]) -> ParsedReply:
    """Validate every record of ``text`` against the batch (see :class:`ParsedReply`)."""
    wanted = set(batch_ids)
    raw_records, unparsed = extract_records(text)
    result = ParsedReply(unparsed=unparsed)
    seen: set[str] = set()
    for raw in raw_records:
        if not isinstance(raw, dict):
            result.unparsed += 1
            continue
        upper = {str(k).upper().replace("ARXIV_ID", "ARXIVID"): v for k, v in raw.items()}
        if "ARXIVID" not in upper and "ID" in upper:
            upper["ARXIVID"] = upper.pop("ID")
        paper_id = normalize_id(upper.get("ARXIVID", ""))
        if paper_id not in wanted:
            result.foreign += 1
            continue
        if paper_id in seen:
            result.duplicated.add(paper_id)
            continue
        seen.add(paper_id)
        fields = {
            "id": paper_id,
            "relevance": upper.get("RELEVANCE"),
            "novelty": upper.get("NOVELTY"),
            "comment": upper.get("COMMENT") or "",
            "tags": upper.get("TAGS"),
        }
        try:
            record = ReplyRecord.model_validate(fields, context={"topics": topics})
        except ValidationError as exc:
            result.invalid[paper_id] = validation_problem(exc)
            continue
        result.scores[paper_id] = record
    return result


def parse_id_list(text: str, batch_ids: Iterable[str]) -> set[str]:
    """Ids of a title-screening reply (a JSON array of ids), restricted to the batch."""
    wanted = set(batch_ids)
    values, _ = _json_values(_FENCE_RE.sub("\n", text or ""))
    found: set[str] = set()
    for value in values:
        items = value if isinstance(value, list) else []
        for item in items:
            if isinstance(item, str | int) and normalize_id(item) in wanted:
                found.add(normalize_id(item))
    return found
