"""What every scorer shares: the :class:`Scorer` protocol, the progress hook and the reasons
a paper ends unscored without a scorer failing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from generator.models import Paper, Score
from generator.schema import Usage

# progress(n): n more papers are finished (scored or given up on); an increment, not a total.
Progress = Callable[[int], None]

BUDGET_REASON = "budget"
TITLE_PREFILTER_REASON = "title prefilter"


@dataclass
class ScoringOutcome:
    """Everything a scorer returns for a set of papers."""

    scorer: Literal["llm", "local"]
    model: str
    prompt_hash: str
    scores: dict[str, Score] = field(default_factory=dict)  # by paper id
    usage: Usage = field(default_factory=Usage)


class Scorer(Protocol):
    name: str

    def score(
        self, papers: Sequence[Paper], progress: Progress | None = None
    ) -> ScoringOutcome: ...
