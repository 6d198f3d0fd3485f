"""Site section: days (to be built)."""

from __future__ import annotations

from generator.site.context import SiteContext, SiteOutput


def build(ctx: SiteContext) -> SiteOutput:
    return SiteOutput()
