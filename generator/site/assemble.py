"""Everything a site build makes, made in one go before anything is handed to MkDocs.

The model is built once from the loaded records, then every section renders from it:
``build(model, ctx) -> SiteOutput``. The search bundles are built too (Pagefind, cached),
so a failure anywhere happens before MkDocs cleans the output folder and the previous site
stays as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.site import archive, cache, dayfile_reference, days, feeds, reference, search, tags
from generator.site.context import SiteContext, SiteOutput
from generator.site.latex import quiet_pylatexenc
from generator.site.logs import site_logger
from generator.site.model import SiteModel, build_model
from generator.store import DayStore

log = site_logger(__name__)

Section = Callable[[SiteModel, SiteContext], SiteOutput]

# In build order; the plugin's ``sections`` option names them.
SECTIONS: dict[str, Section] = {
    "days": days.build,
    "archive": archive.build,
    "tags": tags.build,
    "feeds": feeds.build,
    "reference": reference.build,
    # dayfile_reference belongs to another module owner and keeps its build(ctx).
    "dayfile_reference": lambda model, ctx: dayfile_reference.build(ctx),
    "search": search.build,
}
SECTION_NAMES = tuple(SECTIONS)


def stored_prompts(store: DayStore) -> dict[str, str]:
    """Prompt hash -> text of the stored selection prompts; stray files are skipped, warned."""
    for problem in store.stray_prompt_files():
        log.warning("arxiv-digest: ignoring %s", problem)
    return {digest: store.load_prompt(digest) or "" for digest in store.prompt_hashes()}


@dataclass
class SiteBuild:
    """What one build made: the pages and assets, and the search files to publish."""

    model: SiteModel
    output: SiteOutput = field(default_factory=SiteOutput)
    search_files: list[tuple[str, Path]] = field(default_factory=list)  # (site URI, file)
    page_cache: cache.PageCache | None = None
    scratch: tempfile.TemporaryDirectory[str] | None = None  # search bundles, without a cache

    def cleanup(self) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None


def build_site(
    ctx: SiteContext,
    *,
    sections: Iterable[str] = SECTION_NAMES,
    cache_dir: Path | None = None,
    digests: dict[str, str] | None = None,
) -> SiteBuild:
    """Build the model and every wanted section, and the search bundles when wanted.

    ``cache_dir``: the plugin's cache folder (rendered pages, search bundles), or None;
    ``digests``: each day file's digest by ISO date (keys the page cache).
    """
    wanted = set(sections)
    result = SiteBuild(model=build_model(ctx.days))
    if cache_dir is not None:
        result.page_cache = cache.PageCache(cache_dir, digests or {})
    try:
        with quiet_pylatexenc():
            for name, section in SECTIONS.items():
                if name not in wanted:
                    continue
                if name == "days":  # the one section with a rendered-page cache
                    result.output.extend(days.build(result.model, ctx, result.page_cache))
                else:
                    result.output.extend(section(result.model, ctx))
        if "search" in wanted:
            if cache_dir is not None:
                root = cache.search_dir(cache_dir)
            else:
                result.scratch = tempfile.TemporaryDirectory(prefix="arxiv-digest-search-")
                root = Path(result.scratch.name)
            bundles = search.prepare_index(result.model, ctx, root)
            result.search_files = list(search.bundle_files(bundles))
    except BaseException:
        result.cleanup()
        raise
    return result
