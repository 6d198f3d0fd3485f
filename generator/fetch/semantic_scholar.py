"""The optional Semantic Scholar h-index gate: skip scoring papers whose authors are all
below a cutoff.

Off by default. It asks Semantic Scholar for the authors of a day's papers through the
batch endpoints, caches every author's h-index on disk between runs, and lets a paper
through when any author reaches the cutoff. Any Semantic Scholar failure degrades to
"not gated": papers are never dropped because a third-party API is down.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import yamlio
from generator.config import SemanticScholarSettings
from generator.errors import DigestError
from generator.fetch.http import PoliteClient
from generator.fetch.transport import endpoint_setting
from generator.models import Paper

log = logging.getLogger(__name__)


class HIndexCache:
    """author key -> h-index (or None: unknown), persisted as JSON with atomic writes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, int | None] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("h_index"), dict):
                    self.entries = {
                        str(k): (v if isinstance(v, int) else None)
                        for k, v in data["h_index"].items()
                    }
            except (OSError, ValueError) as exc:
                # A corrupt cache costs only some lookups; say so and start afresh.
                log.warning("ignoring unreadable Semantic Scholar cache %s: %s", path, exc)

    def save(self) -> None:
        if self.path is None:
            return
        text = json.dumps({"h_index": self.entries}, indent=0, sort_keys=True)
        yamlio.atomic_write_text(self.path, text + "\n")


@dataclass
class GateResult:
    """Which papers pass the gate; ``degraded`` explains why nothing was gated."""

    passed: set[str]
    gated: set[str]
    degraded: str | None = None


class HIndexGate:
    """Skip scoring papers none of whose authors reach ``h_index_min`` on Semantic Scholar."""

    FIELDS_PAPER = "authors.authorId,authors.hIndex"

    def __init__(
        self,
        settings: SemanticScholarSettings,
        client: Any,
        cache: HIndexCache,
        api_key: str | None = None,
        batch_size: int = 500,
    ) -> None:
        self.settings = settings
        self.client = client
        self.cache = cache
        self.api_key = api_key
        self.batch_size = batch_size

    def _headers(self) -> dict[str, str]:
        # The key goes in a header, never in a URL, so it cannot leak into logs or errors.
        return {"x-api-key": self.api_key} if self.api_key else {}

    def _post(self, path: str, fields: str, body: Mapping[str, Any]) -> Any:
        url = f"{self.settings.base_url.rstrip('/')}{path}?fields={fields}"
        setting = endpoint_setting("semantic_scholar", "base_url")
        return self.client.post_json(url, body, headers=self._headers(), setting=setting)

    def apply(self, papers: Sequence[Paper]) -> GateResult:
        """Split papers into passed and gated; on any failure every paper passes."""
        if not papers:
            return GateResult(set(), set())
        try:
            authors_of = self._paper_authors(papers)
        except (DigestError, ValueError, KeyError, TypeError) as exc:
            log.warning("Semantic Scholar unavailable, h-index gate off: %s", exc)
            return GateResult({p.id for p in papers}, set(), degraded=str(exc))
        passed, gated = set(), set()
        for paper in papers:
            h_values = [self.cache.entries.get(a) for a in authors_of.get(paper.id, [])]
            known = [h for h in h_values if h is not None]
            # Unknown papers/authors are not evidence against a paper: let it through.
            if not known or max(known) >= self.settings.h_index_min:
                passed.add(paper.id)
            else:
                gated.add(paper.id)
        self.cache.save()
        return GateResult(passed, gated)

    def _paper_authors(self, papers: Sequence[Paper]) -> dict[str, list[str]]:
        authors_of: dict[str, list[str]] = {}
        for start in range(0, len(papers), self.batch_size):
            chunk = papers[start : start + self.batch_size]
            reply = self._post(
                "/graph/v1/paper/batch",
                self.FIELDS_PAPER,
                {"ids": [f"ARXIV:{p.id}" for p in chunk]},
            )
            if not isinstance(reply, list):
                raise ValueError(f"paper batch: expected a list, got {type(reply).__name__}")
            for paper, item in zip(chunk, reply, strict=False):
                if not isinstance(item, dict):
                    continue  # null: Semantic Scholar does not know this paper
                ids = []
                for author in item.get("authors") or []:
                    author_id = author.get("authorId")
                    if not author_id:
                        continue
                    ids.append(str(author_id))
                    if isinstance(author.get("hIndex"), int):
                        self.cache.entries[str(author_id)] = author["hIndex"]
                authors_of[paper.id] = ids
        missing = sorted(
            {a for ids in authors_of.values() for a in ids if a not in self.cache.entries}
        )
        self.lookup_authors(missing)
        return authors_of

    def lookup_authors(self, author_ids: Sequence[str]) -> dict[str, int | None]:
        """h-index of each author id, through the cache and ``/graph/v1/author/batch``."""
        todo = [a for a in author_ids if a not in self.cache.entries]
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            reply = self._post("/graph/v1/author/batch", "hIndex", {"ids": chunk})
            if not isinstance(reply, list):
                raise ValueError(f"author batch: expected a list, got {type(reply).__name__}")
            for author_id, item in zip(chunk, reply, strict=False):
                h = item.get("hIndex") if isinstance(item, dict) else None
                self.cache.entries[author_id] = h if isinstance(h, int) else None
        return {a: self.cache.entries.get(a) for a in author_ids}


def build_gate(
    settings: SemanticScholarSettings,
    cache_path: Path | None,
    env: Mapping[str, str],
    client: Any | None = None,
) -> Callable[[Sequence[Paper]], set[str]] | None:
    """The h-index gate as ``filter.select(gate=...)`` wants it, or None when it is off.

    ``S2_API_KEY`` (optional) is read from ``env`` and only ever sent as a header.
    """
    if not settings.h_index_gate:
        return None
    if client is None:
        # Semantic Scholar allows about one request per second with a key.
        client = PoliteClient(min_interval=1.0, timeout=settings.timeout, retries=2)
    gate = HIndexGate(settings, client, HIndexCache(cache_path), api_key=env.get("S2_API_KEY"))

    def passed(papers: Sequence[Paper]) -> set[str]:
        return gate.apply(papers).passed

    return passed
