"""The score stage: the :class:`Scorer` protocol and the choice between the LLM and local scorers.

Every paper passed to ``Scorer.score`` ends in ``outcome.scores[paper.id]``, scored or
explicitly unscored with a reason; none is silently dropped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from generator.config import Settings
from generator.errors import ConfigError
from generator.score.base import Progress, Scorer

__all__ = ["Progress", "Scorer", "make_scorer"]


def make_scorer(
    settings: Settings, env: Mapping[str, str] | None = None, choice: str | None = None
) -> Scorer:
    """The configured scorer: the LLM (needs OPENAI_API_KEY) or the local one.

    ``choice`` ("llm"/"local"/"auto"), when given, overrides ``scoring.scorer``.
    The scorer modules are imported here, not at the top: the LLM client library takes
    seconds to import, and commands such as ``--help`` or ``validate`` never need it.
    """
    env = os.environ if env is None else env
    scoring = settings.config.scoring
    choice = choice or scoring.scorer
    use_llm = choice == "llm" or (choice == "auto" and bool(env.get("OPENAI_API_KEY")))
    if use_llm:
        api_key = env.get("OPENAI_API_KEY")
        if not api_key:
            raise ConfigError(
                "environment", "OPENAI_API_KEY", "the LLM scorer needs an API key in OPENAI_API_KEY"
            )
        from generator.score.cache import ScoreCache
        from generator.score.llm import LlmScorer

        return LlmScorer(
            settings.prompt,
            settings.config.llm,
            api_key=api_key,
            cache=ScoreCache(settings.path(scoring.cache_file)),
            pricing=scoring.pricing,
            budget_usd=scoring.budget_usd,
            title_prefilter=scoring.title_prefilter,
        )
    from generator.score.local import LocalScorer

    return LocalScorer(settings.prompt, model=scoring.local_model)
