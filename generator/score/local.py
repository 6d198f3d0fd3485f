"""The local scorer: ranks papers against the configured topics with no network.

Used when no API key is configured, and as a prefilter before the LLM. Each paper gets a
ranking score in [0, 1] from per-topic phrase matching (title weighted above the abstract,
the best topic counting most, irrelevant/application keywords as penalties), mapped to the
relevance/novelty integers of the prompt's rubric so that the default thresholds
(relevance >= 8, novelty >= 7) keep a few percent of a day. See BENCHMARKS.md
("Local scorer") for how well it ranks the labelled picks of recorded days.

``model`` is "lexical" (built in, no extra dependency) or, with the ``embed`` extra, a
sentence-transformers model name or path (see :mod:`generator.score.embedding`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.config import SelectionPrompt
from generator.models import Paper, Score
from generator.score.base import ScoringOutcome
from generator.score.lexical import ngram_counts, tokens
from generator.score.prompt import prompt_hash, render_prompt_text
from generator.score.topics import (
    Phrase,
    TopicVocabulary,
    build_vocabularies,
    foundational_vocabulary,
)

if TYPE_CHECKING:
    from generator.score.embedding import EmbeddingRanker

LEXICAL = "lexical"
_TITLE_WEIGHT = 1.5
_SECOND_TOPIC = 0.35  # share of the runner-up topics added to the best one
_NEGATIVE_WEIGHT = 0.8
_TAG_MIN = 1.0  # a topic is tagged from about one title hit or two abstract hits of its terms
_FOUNDATIONAL_WEIGHT = 1.0
# Primary categories of methods work; a paper cross-listed from elsewhere (q-bio, eess,
# cs.CR, ...) is more often an application, which the default prompt asks to avoid.
METHOD_CATEGORIES = frozenset(
    {
        "cs.LG",
        "stat.ML",
        "cs.AI",
        "cs.CL",
        "cs.NE",
        "cs.DC",
        "cs.AR",
        "cs.PF",
        "math.OC",
        "cs.IT",
        "math.ST",
        "stat.TH",
        "cs.DS",
        "cs.CC",
        "cs.FL",
    }
)
_CATEGORY_PENALTY = 1.5
_CENTER = 3.2  # raw score mapped to 0.5 (see to_unit)
_SPREAD = 2.5
# Embedding signal (optional model): raw += weight * (cos to best topic - share * cos to the
# negatives - offset). The offset is all-MiniLM-L6-v2's median on the unlabelled 2025-10-07
# day, so the median paper is unchanged and the relevance calibration roughly holds.
_EMBED_WEIGHT = 10.0
_EMBED_NEGATIVE_SHARE = 0.5
_EMBED_OFFSET = 0.18
_LOW_NOVELTY = ("benchmark", "dataset", "survey", "review", "position paper", "case study")
_LOW_NOVELTY_PENALTY = 1.0


@dataclass(frozen=True)
class Match:
    """How one paper matched: its raw score and the matched phrases per topic."""

    raw: float
    topics: tuple[str, ...]
    terms: tuple[str, ...]


def _prompt_hash(prompt: SelectionPrompt) -> str:
    """The same hash the pipeline records for the day (of the rendered prompt text)."""
    return prompt_hash(render_prompt_text(prompt))


def _low_novelty(paper: Paper) -> bool:
    title = paper.title.lower()
    return any(word in title for word in _LOW_NOVELTY)


class LexicalRanker:
    """Per-topic weighted phrase matching over title and abstract."""

    def __init__(self, prompt: SelectionPrompt) -> None:
        self.topics, self.negative = build_vocabularies(prompt)
        self.foundational = foundational_vocabulary(prompt)
        every = [*self.topics, self.negative, self.foundational]
        self.max_n = max((len(p) for v in every for p in v.phrases), default=1)

    def _topic_score(
        self,
        vocab: TopicVocabulary,
        title: Counter[Phrase],
        abstract: Counter[Phrase],
        idf: Callable[[Phrase], float],
    ) -> tuple[float, list[str]]:
        total, matched = 0.0, []
        for key, weight in vocab.phrases.items():
            in_title, in_abstract = title.get(key, 0), abstract.get(key, 0)
            if not (in_title or in_abstract):
                continue
            # Longer phrases are more specific; counts saturate (a term said 5x is not 5x).
            specificity = 1.0 + 0.5 * (len(key) - 1)
            hits = _TITLE_WEIGHT * min(in_title, 1) + math.log1p(in_abstract)
            total += weight * specificity * idf(key) * hits
            matched.append(vocab.labels.get(key, " ".join(key)))
        return total, matched

    def rank(self, papers: Sequence[Paper]) -> list[Match]:
        title_grams = [ngram_counts(tokens(p.title), self.max_n) for p in papers]
        abstract_grams = [ngram_counts(tokens(p.abstract), self.max_n) for p in papers]
        doc_freq: Counter[Phrase] = Counter()
        for t, a in zip(title_grams, abstract_grams, strict=True):
            doc_freq.update(set(t) | set(a))
        n_docs = len(papers)

        def idf(key: Phrase) -> float:
            # The day's own document frequency damps phrases that half the day uses
            # ("learning", "model"); too few papers say nothing, so then it is neutral.
            if n_docs < 30:
                return 1.0
            share = doc_freq.get(key, 0) / n_docs
            return min(1.0, max(0.15, -math.log(max(share, 1e-6)) / math.log(1 / 0.05)))

        matches = []
        for paper, title, abstract in zip(papers, title_grams, abstract_grams, strict=True):
            per_topic = []
            for vocab in self.topics:
                score, terms = self._topic_score(vocab, title, abstract, idf)
                per_topic.append((score, vocab.name, terms))
            per_topic.sort(key=lambda item: -item[0])
            best = per_topic[0][0]
            positive = best + _SECOND_TOPIC * sum(s for s, _, _ in per_topic[1:])
            penalty, _ = self._topic_score(self.negative, title, abstract, idf)
            bonus, _ = self._topic_score(self.foundational, title, abstract, idf)
            raw = positive + _FOUNDATIONAL_WEIGHT * bonus - _NEGATIVE_WEIGHT * penalty
            if paper.primary_category not in METHOD_CATEGORIES:
                raw -= _CATEGORY_PENALTY
            if _low_novelty(paper):  # the rubric rates new benchmarks/datasets "Tangential"
                raw -= _LOW_NOVELTY_PENALTY
            named = [
                (name, terms) for s, name, terms in per_topic if s >= max(_TAG_MIN, 0.5 * best)
            ]
            matches.append(
                Match(
                    raw=raw,
                    topics=tuple(name for name, _ in named),
                    terms=tuple(dict.fromkeys(t for _, terms in named for t in terms)),
                )
            )
        return matches


def to_unit(raw: float) -> float:
    """Map a raw match score to [0, 1] (logistic, monotone, deterministic).

    Calibrated on the unlabelled listing day 2025-10-07 (663 cs.LG/cs.AI papers): its 93rd
    percentile of raw scores maps to 0.7, the relevance-8 threshold, so the default
    thresholds keep about 7% of a day; the spread keeps the top of the ranking untied.
    """
    return 1.0 / (1.0 + math.exp(-(raw - _CENTER) / _SPREAD))


def rubric_scores(unit: float, paper: Paper) -> tuple[int, int]:
    """Relevance and novelty (1-10) from the ranking score.

    relevance >= 8 needs unit >= 0.7. Novelty cannot be read from words, so it follows
    relevance, one lower for benchmark/dataset/survey papers (the rubric's "Tangential").
    """
    relevance = max(1, min(10, 1 + int(unit * 10)))
    novelty = max(1, min(10, relevance - (1 if unit < 0.95 else 0)))
    if _low_novelty(paper):
        novelty = max(1, novelty - 2)
    return relevance, novelty


EVIDENCE_SHOWN = 3  # matched phrases named in a comment, strongest first


def local_comment(topics: Sequence[str], terms: Sequence[str]) -> str:
    """A sentence naming the matched topics and the strongest evidence, e.g.
    "Matches Model Compression and Efficiency: post training quantization, low bit."

    A phrase inside a longer one already named ("quantization" in "post training
    quantization") adds nothing and is left out.
    """
    if not topics:
        return "No topic of the prompt matched."
    shown: list[str] = []
    for term in terms:
        if any(term in kept for kept in shown):
            continue
        shown = [kept for kept in shown if kept not in term] + [term]
        if len(shown) == EVIDENCE_SHOWN:
            break
    names = " and ".join([", ".join(topics[:-1]), topics[-1]] if len(topics) > 1 else topics)
    return f"Matches {names}: {', '.join(shown)}." if shown else f"Matches {names}."


class LocalScorer:
    """Scores papers locally (no network); implements the ``Scorer`` protocol."""

    name = "local"

    def __init__(
        self, prompt: SelectionPrompt, model: str = LEXICAL, embedder: Any | None = None
    ) -> None:
        """``model``: "lexical", or a sentence-transformers model added to the lexical score
        (needs the ``embed`` extra; ``embedder`` passes an already loaded model)."""
        self.prompt = prompt
        self.model = model or LEXICAL
        self._ranker = LexicalRanker(prompt)
        self._prompt_hash = _prompt_hash(prompt)
        self._embedding: EmbeddingRanker | None = None
        if self.model != LEXICAL:
            from generator.score.embedding import EmbeddingRanker  # heavy: only when asked

            self._embedding = EmbeddingRanker(prompt, self.model, embedder)

    @property
    def embedder(self) -> Any | None:
        """The loaded embedding model (to share between scorers), if any."""
        return self._embedding.model if self._embedding is not None else None

    def _raw_scores(self, papers: Sequence[Paper]) -> tuple[list[float], list[Match]]:
        matches = self._ranker.rank(papers)
        raw = [m.raw for m in matches]
        if self._embedding is not None and papers:
            topical, negative = self._embedding.similarities(papers)
            signal = topical.max(axis=1) - _EMBED_NEGATIVE_SHARE * negative - _EMBED_OFFSET
            raw = [r + _EMBED_WEIGHT * float(x) for r, x in zip(raw, signal, strict=True)]
        return raw, matches

    def score(
        self, papers: Sequence[Paper], progress: Callable[[int], None] | None = None
    ) -> ScoringOutcome:
        """Score every paper; ``progress`` is called with the number of papers just done."""
        outcome = ScoringOutcome(scorer="local", model=self.model, prompt_hash=self._prompt_hash)
        raw_scores, matches = self._raw_scores(papers)
        for paper, raw, match in zip(papers, raw_scores, matches, strict=True):
            unit = round(to_unit(raw), 6)
            relevance, novelty = rubric_scores(unit, paper)
            comment = local_comment(match.topics, match.terms)
            outcome.scores[paper.id] = Score(
                id=paper.id,
                version=paper.version,
                status="scored",
                relevance=relevance,
                novelty=novelty,
                comment=comment,
                tags=match.topics,
                score=unit,
            )
        if progress is not None and papers:
            progress(len(papers))
        return outcome
