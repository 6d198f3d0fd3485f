"""The MkDocs plugin: a thin shell that loads data/ and adds the generated pages.

Every section (day pages, archive, tags, feeds, reference, search) is a module with a pure
``build(ctx) -> SiteOutput``; this file only wires them into MkDocs' events. Pages are made
with ``File.generated`` (nothing is written into docs/), and their bodies are rendered HTML
injected in ``on_page_content``: paper text never goes through Markdown (fast, and no
Markdown/HTML injection from paper text).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.config import load_settings
from generator.errors import DigestError
from generator.site import archive, dayfile_reference, days, feeds, reference, search, tags
from generator.site.context import GeneratedPage, SiteContext, SiteOutput
from generator.site.loading import RenderedPages, load_days_digests
from generator.store import DayStore

log = get_plugin_logger(__name__)

SECTIONS = (days, archive, tags, feeds, reference, dayfile_reference, search)
SECTION_NAMES = tuple(module.__name__.rsplit(".", 1)[-1] for module in SECTIONS)


class DigestPluginConfig(base.Config):
    config_file = c.Type(str, default="digest.yaml")
    data_dir = c.Optional(c.Type(str))  # overrides digest.yaml's data_dir
    # Validated day records and rendered day pages are cached here (see
    # generator/site/loading.py and days.py); false: no cache.
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/site")
    # Which sections to build (default: all). Mostly for benchmarks and debugging.
    sections = c.Optional(c.ListOfItems(c.Choice(SECTION_NAMES)))


class DigestPlugin(BasePlugin[DigestPluginConfig]):
    def __init__(self) -> None:
        self.context: SiteContext | None = None
        self.output = SiteOutput()
        self._bodies: dict[str, str] = {}
        self._pages: RenderedPages | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # Load and validate everything before MkDocs touches the output folder, so a bad
        # day file fails the build naming file and key, with nothing else changed.
        base_dir = Path(config.config_file_path or ".").resolve().parent
        config_file = Path(self.config.config_file)
        if not config_file.is_absolute():
            config_file = base_dir / config_file
        try:
            settings = load_settings(
                config_file if config_file.is_file() else None, base_dir=base_dir
            )
            data_dir = Path(self.config.data_dir) if self.config.data_dir else settings.data_dir
            if not data_dir.is_absolute():
                data_dir = base_dir / data_dir
            store = DayStore(data_dir)
            cache_dir = base_dir / self.config.cache_dir if self.config.cache else None
            records, digests = load_days_digests(store, cache_dir)
            self._pages = RenderedPages(cache_dir, digests) if cache_dir is not None else None
            prompts = {h: store.load_prompt(h) or "" for h in store.prompt_hashes()}
        except DigestError as exc:
            raise PluginError(f"arxiv-digest: {exc}") from exc
        self.context = SiteContext(
            settings=settings,
            store=store,
            days=records,
            site_url=config.site_url,
            prompts=prompts,
            use_directory_urls=config.use_directory_urls,
        )
        log.info("loaded %d day file(s) from %s", len(records), data_dir.name)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        assert self.context is not None
        self.output = SiteOutput()
        try:
            for section in self._sections():
                if section is days:  # the one section with a rendered-page cache
                    self.output.extend(days.build(self.context, self._pages))
                else:
                    self.output.extend(section.build(self.context))
        except DigestError as exc:
            raise PluginError(f"arxiv-digest: {exc}") from exc
        if self._pages is not None:
            log.info(
                "day pages: %d from the page cache, %d rendered",
                self._pages.hits,
                self._pages.misses,
            )
        self._bodies = {}
        generated = [p.src_uri for p in self.output.pages] + [a.src_uri for a in self.output.assets]
        clashes = sorted(uri for uri in generated if files.get_file_from_path(uri) is not None)
        if clashes:
            raise PluginError(
                f"arxiv-digest: {', '.join(clashes)} in {config.docs_dir} would replace a "
                "generated page or file (e.g. the home page is generated from data/): remove it"
            )
        for page in self.output.pages:
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(
                File.generated(config, page.src_uri, content=page_source(page), inclusion=inclusion)
            )
            self._bodies[page.src_uri] = page.html
        for asset in self.output.assets:
            files.append(File.generated(config, asset.src_uri, content=asset.content))
        # The bodies now live in self._bodies only, and each leaves it once injected: at
        # 1,000 days they are ~250 MB that MkDocs copies into every page's content anyway.
        self.output = SiteOutput()
        return files

    def _sections(self) -> tuple[Any, ...]:
        wanted = self.config.sections
        if wanted is None:
            return SECTIONS
        return tuple(m for m, name in zip(SECTIONS, SECTION_NAMES, strict=True) if name in wanted)

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        body = self._bodies.pop(page.file.src_uri, None)
        if body is None:
            return html
        return html + body

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.context is not None
        if search not in self._sections():
            return
        try:
            search.index(self.context, Path(config.site_dir))
        except DigestError as exc:
            raise PluginError(f"arxiv-digest: {exc}") from exc


def page_source(page: GeneratedPage) -> str:
    """The Markdown MkDocs sees for a generated page: front matter (title, meta) only.

    The body is our HTML, appended in ``on_page_content``. When it has no ``<h1>``, Material
    shows the title as the heading. Front matter values are JSON, which YAML reads as is, so
    no title can break out of it.
    """
    meta = {"title": page.title, **page.meta}
    lines = ["---", *(f"{key}: {json.dumps(value)}" for key, value in meta.items()), "---", ""]
    return "\n".join(lines) + (page.markdown or "")
