"""JSON-lines papers in and scores out, for ``arxiv-digest score`` (tuning and evaluation).

Input: one JSON object per line with ``id``, ``title``, ``abstract`` (or ``summary``, as in
arXiv listing dumps), optional ``authors``, ``categories`` and ``version`` (or a versioned
id such as ``2510.01234v2``). Output: one object per line with id, relevance, novelty,
comment, tags, status, reason and, for the local scorer, the ranking ``score``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.errors import DataError
from generator.models import AnnounceType, Paper, Score

_VERSIONED_RE = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")


def paper_from_json(data: Any, path: Path | str, line: int) -> Paper:
    where = f"line {line}"
    if not isinstance(data, dict):
        raise DataError(path, where, "expected a JSON object with id, title, abstract")
    raw_id = data.get("id")
    title = data.get("title")
    abstract = data.get("abstract", data.get("summary"))
    for key, value in (("id", raw_id), ("title", title), ("abstract", abstract)):
        if not isinstance(value, str) or not value.strip():
            raise DataError(path, f"{where}: {key}", "expected a non-empty string")
    assert isinstance(raw_id, str) and isinstance(title, str) and isinstance(abstract, str)
    paper_id, version = raw_id.strip(), data.get("version", 1)
    match = _VERSIONED_RE.match(paper_id)
    if match and "version" not in data:
        paper_id, version = match["id"], int(match["version"])
    if not isinstance(version, int) or version < 1:
        raise DataError(path, f"{where}: version", f"expected an integer >= 1, got {version!r}")
    authors = data.get("authors") or []
    categories = data.get("categories") or []
    if not isinstance(authors, list) or not isinstance(categories, list):
        raise DataError(path, where, "authors and categories must be lists of strings")
    return Paper(
        id=paper_id,
        version=version,
        title=" ".join(title.split()),
        authors=tuple(str(a) for a in authors),
        abstract=" ".join(abstract.split()),
        categories=tuple(str(c) for c in categories),
        announce_type=AnnounceType.NEW,
    )


def read_papers(path: Path) -> list[Paper]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    papers: list[Paper] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"line {number}", f"not JSON: {exc.msg}") from exc
        paper = paper_from_json(data, path, number)
        if paper.id not in seen:  # listing dumps repeat papers once per category page
            seen.add(paper.id)
            papers.append(paper)
    return papers


def score_to_json(score: Score, local: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": score.id,
        "relevance": score.relevance,
        "novelty": score.novelty,
        "comment": score.comment,
        "tags": list(score.tags),
        "status": score.status,
        "reason": score.reason,
    }
    if local:
        out["score"] = score.score
    return out


def scores_jsonl(papers: Iterable[Paper], scores: dict[str, Score], local: bool) -> str:
    lines = []
    for paper in papers:
        score = scores.get(paper.id) or Score.unscored(paper, "no score returned")
        lines.append(json.dumps(score_to_json(score, local), ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")
