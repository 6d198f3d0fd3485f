"""Site section: tag archives (``tags/`` index, one paginated page per tag).

A paper's tags are the topics it matched (``PaperEntry.tags``, the prompt's topic names) plus
its primary arXiv category; the model (:mod:`generator.site.model`) gives each tag its final
unique slug. Each tag page lists the tag's papers newest first, ``site.tag_page_size`` per
page, so a tag with thousands of papers is many light pages rather than one heavy one.
Entries link to the paper's anchor on its day page.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.schema import PaperEntry
from generator.site import render
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.model import PaperView, SiteModel, TagView, tag_page_src

AUTHORS_SHOWN = 4  # tag listings are an index: the day page has the full author list
INDEX_SRC = "tags.md"  # URL tags/; a top-level nav entry, not a section


def pages_of(tag: TagView, page_size: int) -> list[list[PaperView]]:
    return [tag.entries[i : i + page_size] for i in range(0, len(tag.entries), page_size)] or [[]]


def short_authors(paper: PaperEntry) -> str:
    names = paper.authors[:AUTHORS_SHOWN]
    more = len(paper.authors) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def render_tag_page(
    tag: TagView,
    page: int,
    pages: int,
    entries: Sequence[PaperView],
    page_size: int,
    use_directory_urls: bool = True,
) -> str:
    """Body of one page of a tag: summary with feed link, pager, the entries, pager."""
    return render.render(
        "tag_page.html",
        tag=tag,
        page=page,
        pages=pages,
        entries=entries,
        start=(page - 1) * page_size + 1,
        link=render.linker(tag_page_src(tag.slug, page), use_directory_urls),
        tag_page_src=tag_page_src,
        index_src=INDEX_SRC,
        authors=short_authors,
    )


def render_index(tags: Sequence[TagView], use_directory_urls: bool = True) -> str:
    """Body of ``tags/``: one row per tag with its count, latest day and feed."""
    return render.render(
        "tag_index.html",
        tags=tags,
        link=render.linker(INDEX_SRC, use_directory_urls),
        day_src=render.day_src,
    )


def build(model: SiteModel, ctx: SiteContext) -> SiteOutput:
    page_size = ctx.settings.config.site.tag_page_size
    udu = ctx.use_directory_urls
    out = SiteOutput()
    out.pages.append(
        GeneratedPage(
            src_uri=INDEX_SRC,
            title="Tags",
            html=render_index(model.tags, udu),
            meta={"digest": "tags"},
            in_nav=True,
        )
    )
    for tag in model.tags:
        chunks = pages_of(tag, page_size)
        for number, entries in enumerate(chunks, start=1):
            title = f"Tag: {tag.name}"
            if number > 1:
                title += f" (page {number} of {len(chunks)})"
            out.pages.append(
                GeneratedPage(
                    src_uri=tag_page_src(tag.slug, number),
                    title=title,
                    html=render_tag_page(tag, number, len(chunks), entries, page_size, udu),
                    meta={"digest": "tag", "tag": tag.name, "tag_slug": tag.slug},
                )
            )
    return out
