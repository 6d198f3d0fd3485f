"""What every site section renders from: the loaded days, the settings, the site URL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.config import Settings
from generator.schema import DayRecord
from generator.store import DayStore


@dataclass(frozen=True)
class GeneratedPage:
    """A page the plugin adds: ``markdown`` goes through MkDocs (title, nav), ``html`` is
    injected as the page body afterwards, so paper text never goes through Markdown."""

    src_uri: str  # e.g. "days/2025/2025-10-07.md"
    title: str
    html: str
    markdown: str = ""  # extra Markdown (rarely needed); the title becomes the H1 otherwise
    meta: dict[str, object] = field(default_factory=dict)  # front matter (e.g. {"hide": ["toc"]})
    # Listed in the site navigation? Only a handful of pages are (home, archive, tags index,
    # reference): the rest (days, tag pages, prompts) are built but kept out of the nav,
    # which would otherwise grow with every day and weigh on every page (see BENCHMARKS.md).
    in_nav: bool = False


@dataclass(frozen=True)
class GeneratedAsset:
    """A non-page file the plugin adds (feed.xml, a JSON schema, ...)."""

    src_uri: str
    content: str | bytes


@dataclass
class SiteOutput:
    pages: list[GeneratedPage] = field(default_factory=list)
    assets: list[GeneratedAsset] = field(default_factory=list)

    def extend(self, other: SiteOutput) -> None:
        self.pages.extend(other.pages)
        self.assets.extend(other.assets)


@dataclass
class SiteContext:
    settings: Settings
    store: DayStore
    days: list[DayRecord]  # oldest first, validated
    site_url: str | None  # absolute base URL (for feeds); None when mkdocs.yml has no site_url
    prompts: dict[str, str] = field(default_factory=dict)  # prompt hash -> prompt text
    now: dt.datetime | None = None  # injected clock for reproducible output
    # mkdocs.yml's use_directory_urls: our injected HTML computes its own relative links
    # (generator.site.render.relative_url), since MkDocs does not rewrite them.
    use_directory_urls: bool = True

    @property
    def title(self) -> str:
        return self.settings.config.site.title

    @property
    def latest(self) -> DayRecord | None:
        return self.days[-1] if self.days else None
