"""One logging convention for the site package.

Every site module logs to ``mkdocs.plugins.arxiv_digest.<module>``: under ``mkdocs.`` so
MkDocs prints our messages and ``mkdocs build --strict`` counts our warnings, without the
library modules importing mkdocs. Nothing here configures logging.
"""

from __future__ import annotations

import logging

PREFIX = "mkdocs.plugins.arxiv_digest"


def site_logger(module: str) -> logging.Logger:
    """The logger of a site module (pass ``__name__``)."""
    return logging.getLogger(f"{PREFIX}.{module.rsplit('.', 1)[-1]}")
