"""The site model: what every page, feed and search record shows, computed once per build.

Built from the loaded day records (pure, no I/O): the days in order with their neighbours,
every tag with its final unique slug, and one :class:`PaperView` per kept paper holding its
anchor, day page, arXiv links, labels, resolved tag links and readable text. Every section
renders these views through its templates, so a paper's card, its tag-page entry, its feed
item and its search record cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from generator.schema import DayRecord, DayStatus, KeptBecause, PaperEntry
from generator.site.latex import readable
from generator.site.render import abs_url, day_src, html_url, paper_anchor, pdf_url, tag_slug

# What a kept paper's listing says about why it was kept, beside its scores.
KEPT_LABELS = {
    KeptBecause.SCORE: "",
    KeptBecause.AUTHOR: "author match",
    KeptBecause.UPDATED: "updated",
}


def tag_page_src(slug: str, page: int = 1) -> str:
    """``src_uri`` of page ``page`` of a tag (URLs ``tags/<slug>/``, ``tags/<slug>/page/N/``)."""
    return f"tags/{slug}/index.md" if page == 1 else f"tags/{slug}/page/{page}/index.md"


def tag_feed_src(slug: str) -> str:
    return f"tags/{slug}/feed.xml"


def paper_tag_names(paper: PaperEntry) -> list[str]:
    """The configured topics the paper matched, then its primary arXiv category (unique)."""
    out: list[str] = []
    for name in [*paper.tags, paper.primary_category]:
        name = name.strip()
        if name and name not in out:
            out.append(name)
    return out


def score_label(paper: PaperEntry) -> str:
    if paper.relevance is None or paper.novelty is None:
        return "not scored"
    return f"relevance {paper.relevance}, novelty {paper.novelty}"


def listing_label(paper: PaperEntry) -> str:
    """Why the paper is listed, in one line: ``relevance 9, novelty 8``, ``author match``,
    ``updated · relevance 6, novelty 5``."""
    kept = KEPT_LABELS[paper.kept_because]
    scored = paper.relevance is not None and paper.novelty is not None
    scores = score_label(paper) if scored or not kept else ""
    return " · ".join(part for part in (kept, scores) if part)


class _TagPages:
    """Where a tag's pages are, from its final slug (one rule for links and pages)."""

    slug: str

    @property
    def src(self) -> str:
        return tag_page_src(self.slug)

    @property
    def feed_src(self) -> str:
        return tag_feed_src(self.slug)


@dataclass(frozen=True)
class TagLink(_TagPages):
    """A tag as a paper carries it, resolved to the page that lists the paper."""

    name: str
    slug: str


@dataclass(eq=False)
class PaperView:
    """Everything any surface shows of one kept paper."""

    paper: PaperEntry
    date: dt.date  # the announcement day it was kept on
    tags: tuple[TagLink, ...]  # topics, then the primary category: tag pages, feeds, search
    topics: tuple[TagLink, ...]  # the topics it matched: the chips on its card
    # Room for what later stages attach (BibTeX, reading-state ids, enrichment).
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.paper.id

    @cached_property
    def anchor(self) -> str:
        return paper_anchor(self.paper.id)

    @cached_property
    def day_src(self) -> str:
        return day_src(self.date.isoformat())

    @property
    def abs_url(self) -> str:
        return abs_url(self.paper.id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.paper.id, self.paper.version)

    @property
    def html_url(self) -> str:
        return html_url(self.paper.id, self.paper.version)

    @property
    def versioned_id(self) -> str:
        return f"{self.paper.id}v{self.paper.version}"

    @property
    def score_label(self) -> str:
        return score_label(self.paper)

    @property
    def kept_label(self) -> str:
        """``author match``, ``updated``, or "" for a paper kept for its scores."""
        return KEPT_LABELS[self.paper.kept_because]

    @cached_property
    def card_data(self) -> dict[str, str]:
        """The card's ``data-*`` attributes: what the reader's scripts store at star time
        (the raw title with its TeX, names that may hold commas) without parsing the page."""
        paper = self.paper

        def array(items: Iterable[str]) -> str:
            return json.dumps(list(items), ensure_ascii=False)

        return {
            "arxiv-id": paper.id,
            "version": str(paper.version),
            "title": paper.title,
            "authors": array(paper.authors),
            "categories": array(paper.categories),
            "tags": array(paper.tags),
            "announce-type": paper.announce_type.value,
            "abs-url": self.abs_url,
            "pdf-url": self.pdf_url,
            "date": self.date.isoformat(),
        }

    @cached_property
    def label(self) -> str:
        """The one-line reason it is listed (tag pages, feeds, search)."""
        return listing_label(self.paper)

    # Readable text (LaTeX as Unicode) for surfaces without MathJax: computed once, when
    # first asked (day pages typeset the LaTeX source and never ask).
    @cached_property
    def title_text(self) -> str:
        return readable(self.paper.title)

    @cached_property
    def abstract_text(self) -> str:
        return readable(self.paper.abstract)

    @cached_property
    def comment_text(self) -> str:
        return readable(self.paper.comment)


@dataclass(eq=False)
class DayView:
    record: DayRecord
    papers: list[PaperView]  # the day page's order
    prev: DayRecord | None = None
    next: DayRecord | None = None

    @property
    def date(self) -> dt.date:
        return self.record.date

    @property
    def src(self) -> str:
        return day_src(self.record.date.isoformat())


@dataclass(eq=False)
class TagView(_TagPages):
    name: str
    slug: str
    entries: list[PaperView] = field(default_factory=list)  # newest day first

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def latest(self) -> dt.date:
        return self.entries[0].date


@dataclass(eq=False)
class SiteModel:
    days: list[DayView]  # oldest first
    tags: list[TagView]  # most used first, then by name

    @cached_property
    def tag_by_name(self) -> dict[str, TagView]:
        return {tag.name: tag for tag in self.tags}

    @cached_property
    def published(self) -> list[DayView]:
        """Published days, oldest first."""
        return [d for d in self.days if d.record.status is DayStatus.PUBLISHED]

    def papers(self) -> Iterable[PaperView]:
        for day in self.days:
            yield from day.papers


def assign_slugs(names: Iterable[str]) -> dict[str, str]:
    """A unique slug per tag name: two names that slug alike (``Graph ML``, ``graph-ml``) get
    ``graph-ml`` and ``graph-ml-2``, in name order."""
    taken: set[str] = set()
    slugs: dict[str, str] = {}
    for name in sorted(set(names)):
        base = tag_slug(name)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[name] = slug
    return slugs


def build_model(records: Sequence[DayRecord]) -> SiteModel:
    """The model of a site over ``records`` (validated, oldest first)."""
    # Tags come from published days only (the schema gives papers to no other status).
    papers = [
        [(paper, paper_tag_names(paper)) for paper in record.sorted_papers()]
        if record.status is DayStatus.PUBLISHED
        else []
        for record in records
    ]
    names = (name for day in papers for _, paper_names in day for name in paper_names)
    links = {name: TagLink(name, slug) for name, slug in assign_slugs(names).items()}
    days: list[DayView] = []
    for index, (record, day_papers) in enumerate(zip(records, papers, strict=True)):
        views = [_paper_view(p, record.date, tag_names, links) for p, tag_names in day_papers]
        days.append(
            DayView(
                record=record,
                papers=views,
                prev=records[index - 1] if index > 0 else None,
                next=records[index + 1] if index + 1 < len(records) else None,
            )
        )
    tags = {name: TagView(name, link.slug) for name, link in links.items()}
    for day in sorted(days, key=lambda d: d.date, reverse=True):
        for view in day.papers:
            for link in view.tags:
                tags[link.name].entries.append(view)
    ordered = sorted(tags.values(), key=lambda t: (-t.count, t.name.lower(), t.name))
    return SiteModel(days=days, tags=ordered)


def _paper_view(
    paper: PaperEntry, date: dt.date, names: list[str], links: dict[str, TagLink]
) -> PaperView:
    tags = tuple(links[name] for name in names)
    topic_names = {name.strip() for name in paper.tags}
    topics = tuple(link for link in tags if link.name in topic_names)
    return PaperView(paper=paper, date=date, tags=tags, topics=topics)
