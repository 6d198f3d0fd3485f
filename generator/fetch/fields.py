"""One fetched paper's fields, checked and normalised at the edge, the same way for the RSS
feed and the arXiv API.

Every text goes through :mod:`generator.text` (no control characters, NFC, the ``MAX_*``
limits), so what reaches ``data/`` and the site is what the day-file schema accepts. An item
that cannot be a paper (an id that is not an arXiv id, no title, an unknown announce type)
raises :class:`BadItem`; the parsers skip it, log it and count it in
``Announcement.skipped``. Category names that are not arXiv categories are dropped from the
paper, not the paper itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator import text
from generator.models import AnnounceType, Paper
from generator.schema import ARXIV_ID_RE

log = logging.getLogger(__name__)

# arXiv category names: cs.LG, stat.ML, math.GT, hep-ex, astro-ph.CO. arXiv also puts old
# MSC/ACM class codes ("00-01", "I.2.6; K.3.2") in category elements; those do not match.
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")


class BadItem(ValueError):
    """A feed item or API entry that cannot be a paper; the message says why."""


def shown(value: str) -> str:
    """An outside value quoted for a log line or a skip note."""
    return repr(text.for_terminal(value, 80))


def paper_id(raw: str) -> str:
    """``raw`` if it is an arXiv id (no version), else :class:`BadItem`."""
    if not ARXIV_ID_RE.fullmatch(raw):
        raise BadItem(f"id {shown(raw)} is not an arXiv id")
    return raw


def version(raw: str | int) -> int:
    number = int(raw)
    if number < 1:
        raise BadItem(f"version {number} is not a version (they start at 1)")
    return number


def title(raw: str | None) -> str:
    cleaned = text.one_line(raw, text.MAX_TITLE)
    if not cleaned:
        raise BadItem("no title")
    return cleaned


def abstract(raw: str | None) -> str:
    """Whitespace collapsed (feeds and the API hard-wrap lines), paragraph breaks kept."""
    # Cut hostile input early (a real abstract's wrapping never quadruples it), then again,
    # with the ellipsis, once the whitespace is folded.
    cleaned = text.clean(raw, 4 * text.MAX_ABSTRACT)
    paragraphs = re.split(r"\n\s*\n", cleaned.strip())
    joined = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return text.clean(joined, text.MAX_ABSTRACT)


def authors(names: Iterable[str]) -> tuple[str, ...]:
    cleaned = (text.one_line(name, text.MAX_AUTHOR) for name in names)
    return tuple(name for name in cleaned if name)[: text.MAX_AUTHORS]


def optional_line(raw: str | None, limit: int) -> str | None:
    """A DOI or journal reference: one line, or None when absent."""
    return text.one_line(raw, limit) or None


def announce_type(raw: str) -> AnnounceType:
    try:
        return AnnounceType(raw)
    except ValueError:
        raise BadItem(f"unknown announce type {shown(raw)}") from None


@dataclass
class Intake:
    """What one feed or API query let through: skipped items and dropped category names,
    logged as they happen (naming the URL and the item) and summed up at the end."""

    url: str
    skipped: list[str] = field(default_factory=list)
    dropped_categories: list[str] = field(default_factory=list)

    def skip(self, where: str, problem: object) -> None:
        """Record an item that was not taken (``where`` is "item 12", "entry 3", ...)."""
        note = f"{where}: {problem}"
        log.warning("%s: skipping %s", self.url, note)
        self.skipped.append(note)

    def categories(self, raw: Iterable[str | None]) -> tuple[str, ...]:
        """The arXiv category names among ``raw`` (order kept, repeats once)."""
        kept: list[str] = []
        for value in raw:
            name = text.one_line(value, text.MAX_SHORT)
            if not name:
                continue
            if CATEGORY_RE.fullmatch(name):
                if name not in kept:
                    kept.append(name)
            else:
                self.dropped_categories.append(name)
        return tuple(kept)

    def close(self) -> tuple[str, ...]:
        """Log the dropped categories once; the skip notes for ``Announcement.skipped``."""
        if self.dropped_categories:
            examples = ", ".join(shown(c) for c in sorted(set(self.dropped_categories))[:3])
            log.warning(
                "%s: dropped %d category name(s) that are not arXiv categories (%s)",
                self.url,
                len(self.dropped_categories),
                examples,
            )
        return tuple(self.skipped)


def make_paper(
    intake: Intake,
    *,
    raw_id: str,
    raw_version: str | int,
    raw_title: str | None,
    raw_authors: Iterable[str],
    raw_abstract: str | None,
    raw_categories: Iterable[str | None],
    kind: AnnounceType,
    raw_doi: str | None = None,
    raw_journal_ref: str | None = None,
) -> Paper:
    """A :class:`Paper` from raw fields, every one checked and normalised; the categories
    last, so an item that is skipped adds nothing to the dropped-category count."""
    checked_id = paper_id(raw_id)
    checked_version = version(raw_version)
    checked_title = title(raw_title)
    return Paper(
        id=checked_id,
        version=checked_version,
        title=checked_title,
        authors=authors(raw_authors),
        abstract=abstract(raw_abstract),
        categories=intake.categories(raw_categories),
        announce_type=kind,
        doi=optional_line(raw_doi, text.MAX_SHORT),
        journal_ref=optional_line(raw_journal_ref, text.MAX_JOURNAL_REF),
    )
