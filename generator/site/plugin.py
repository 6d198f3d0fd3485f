"""The MkDocs plugin: a thin shell that loads data/, builds the site and hands it to MkDocs.

Everything is made in ``on_config``, before MkDocs cleans the output folder (it does so
after ``on_pre_build``): the records are loaded and validated, the site model and every
section are rendered (:mod:`generator.site.assemble`), the search bundles are built. A bad
day file, a failing template or Pagefind then fails the build with the previous ``site/``
untouched. ``on_files`` only hands the pages (``File.generated``, nothing is written into
docs/) and files over, and page bodies are injected in ``on_page_content``: paper text never
goes through Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.config import load_settings
from generator.errors import DigestError
from generator.site.assemble import SECTION_NAMES, SiteBuild, build_site, stored_prompts
from generator.site.context import GeneratedPage, SiteContext
from generator.site.loading import load_days_digests
from generator.site.logs import site_logger
from generator.store import DayStore

log = site_logger(__name__)


class DigestPluginConfig(base.Config):
    # None: digest.yaml beside mkdocs.yml when there is one, else the defaults. A file named
    # here must exist.
    config_file = c.Optional(c.Type(str))
    data_dir = c.Optional(c.Type(str))  # overrides digest.yaml's data_dir; must exist
    # Validated day records, rendered day pages and search bundles are cached here (see
    # generator/site/cache.py); false: no cache.
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/site")
    # Which sections to build (default: all). Mostly for benchmarks and debugging.
    sections = c.Optional(c.ListOfItems(c.Choice(SECTION_NAMES)))


class DigestPlugin(BasePlugin[DigestPluginConfig]):
    def __init__(self) -> None:
        self.site: SiteBuild | None = None
        self._bodies: dict[str, str] = {}

    def _path(self, base_dir: Path, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else base_dir / path

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        config_file = None
        if self.config.config_file is not None:
            config_file = self._path(base_dir, self.config.config_file)
            if not config_file.is_file():
                raise PluginError(
                    f"arxiv-digest: plugin option 'config_file': {config_file} does not exist"
                )
        data_dir_option = None
        if self.config.data_dir is not None:
            data_dir_option = self._path(base_dir, self.config.data_dir)
            if not data_dir_option.is_dir():
                raise PluginError(
                    f"arxiv-digest: plugin option 'data_dir': {data_dir_option} is not a folder"
                )
        try:
            settings = load_settings(config_file, base_dir=base_dir)
            data_dir = data_dir_option or self._path(base_dir, str(settings.data_dir))
            store = DayStore(data_dir)
            cache_dir = self._path(base_dir, self.config.cache_dir) if self.config.cache else None
            records, digests = load_days_digests(store, cache_dir)
            prompts = stored_prompts(store)
            ctx = SiteContext(
                settings=settings,
                store=store,
                days=records,
                site_url=config.site_url,
                prompts=prompts,
                use_directory_urls=config.use_directory_urls,
            )
            log.info("loaded %d day file(s) from %s", len(records), data_dir.name)
            sections = self.config.sections
            self.site = build_site(
                ctx,
                sections=SECTION_NAMES if sections is None else sections,
                cache_dir=cache_dir,
                digests=digests,
            )
        except DigestError as exc:
            raise PluginError(f"arxiv-digest: {exc}") from exc
        pages = self.site.page_cache
        if pages is not None and (pages.hits or pages.misses):
            log.info("day pages: %d from the page cache, %d rendered", pages.hits, pages.misses)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        assert self.site is not None
        output = self.site.output
        generated = [p.src_uri for p in output.pages] + [a.src_uri for a in output.assets]
        generated += [uri for uri, _ in self.site.search_files]
        clashes = sorted(uri for uri in generated if files.get_file_from_path(uri) is not None)
        if clashes:
            raise PluginError(
                f"arxiv-digest: {', '.join(clashes)} in {config.docs_dir} would replace a "
                "generated page or file (e.g. the home page is generated from data/): remove it"
            )
        self._bodies = {}
        for page in output.pages:
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(
                File.generated(config, page.src_uri, content=page_source(page), inclusion=inclusion)
            )
            self._bodies[page.src_uri] = page.html
        for asset in output.assets:
            files.append(File.generated(config, asset.src_uri, content=asset.content))
        for uri, path in self.site.search_files:
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        # The bodies now live in self._bodies only, and each leaves it once injected: for a
        # long archive they are large, and MkDocs copies them into every page's content.
        output.pages.clear()
        output.assets.clear()
        return files

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        body = self._bodies.pop(page.file.src_uri, None)
        if body is None:
            return html
        return html + body

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._finish()

    def on_build_error(self, *, error: Exception) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.site is not None:
            self.site.cleanup()
        self._bodies = {}


def page_source(page: GeneratedPage) -> str:
    """The Markdown MkDocs sees for a generated page: front matter (title, meta) only.

    The body is our HTML, appended in ``on_page_content``. When it has no ``<h1>``, Material
    shows the title as the heading. Front matter values are JSON, which YAML reads as is, so
    no title can break out of it. The title is HTML-escaped here because MkDocs' theme
    templates print ``page.title`` as is (no autoescape), in ``<title>``, the header and the
    heading: a tag named ``<img onerror=...>`` would otherwise be markup. Other meta values
    are data the templates escape themselves (``page.meta.tag | e``).
    """
    meta: dict[str, Any] = {"title": str(escape(page.title)), **page.meta}
    lines = ["---", *(f"{key}: {json.dumps(value)}" for key, value in meta.items()), "---", ""]
    return "\n".join(lines) + (page.markdown or "")
