"""Shared pytest setup.

``tests/`` is on ``sys.path`` (pytest's rootdir conftest), so tests import the loopback
stand-ins and fixture data as ``support.*``. Every test runs without the machine's digest
environment (API keys, endpoint overrides, a config path), so a developer's shell cannot
make a test reach a real service or read a real config.
"""

from __future__ import annotations

import pytest

DIGEST_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "S2_API_KEY",
    "DIGEST_CONFIG",
    "DIGEST_ARXIV_RSS_URL",
    "DIGEST_ARXIV_API_URL",
    "DIGEST_S2_API_URL",
    "SITE_URL",
)


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DIGEST_ENV:
        monkeypatch.delenv(name, raising=False)
