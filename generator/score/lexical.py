"""Text normalisation for the local scorer: tokens, a light stemmer and phrase matching.

Pure functions, no I/O. The stemmer is deliberately small (a suffix stripper, not Porter):
it only has to make the prompt's words meet the abstracts' words ("sparsity" / "sparse",
"quantization" / "quantized", "pruning" / "pruned"), and it must be deterministic and fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")
_WORD = re.compile(r"[a-z0-9]+")

# Longest first; a suffix is stripped once, and only when a stem of >= 4 letters remains.
_SUFFIXES = (
    "izations",
    "ization",
    "isations",
    "isation",
    "ational",
    "ations",
    "ation",
    "ements",
    "ement",
    "ities",
    "ness",
    "ingly",
    "ities",
    "ively",
    "ings",
    "ency",
    "ence",
    "ance",
    "ized",
    "ised",
    "izes",
    "ises",
    "izing",
    "ising",
    "ize",
    "ise",
    "ity",
    "ing",
    "ion",
    "ent",
    "ers",
    "ies",
    "ied",
    "ed",
    "es",
    "ly",
    "er",
    "al",
    "s",
    "e",
    "y",
)
# Words the stripper would mangle into something else.
_KEEP = frozenset(
    {
        "moe",
        "moes",
        "lora",
        "llm",
        "llms",
        "vae",
        "gnn",
        "rnn",
        "cnn",
        "kv",
        "sae",
        "ssm",
        "transformer",
        "transformers",
        "expert",
        "experts",
        "bias",
        "process",
        "class",
        "less",
        "loss",
        "gaussian",
        "series",
        "analysis",
        "basis",
    }
)
_IRREGULAR = {"moes": "moe", "llms": "llm", "transformers": "transformer", "experts": "expert"}

_STOPWORD_TEXT = """a about above across after again against all also an and any are as at be
    because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having here how i if in into is it its itself just more most no nor
    not of off on once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your via etc e g i e using
    use used based new novel approach approaches method methods paper propose proposed show
    shows results result work existing"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def normalize(text: str) -> str:
    """Lower-case, drop LaTeX commands, and split hyphenated words ("low-rank" -> "low rank")."""
    text = _LATEX_COMMAND.sub(" ", text)
    return text.lower().replace("-", " ").replace("/", " ")


def stem(word: str) -> str:
    """Strip one common English suffix so that word variants meet."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _KEEP or len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            # "spars-ity" and "spars-e" meet; double consonants ("mapp-ing") are undone.
            if len(base) > 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return word


def tokens(text: str) -> list[str]:
    """Stemmed word tokens of ``text`` (stopwords kept: phrases need their positions)."""
    return [stem(w) for w in _WORD.findall(normalize(text))]


def content_tokens(text: str) -> list[str]:
    """Stemmed tokens without stopwords (for bags of words)."""
    return [stem(w) for w in _WORD.findall(normalize(text)) if w not in STOPWORDS]


def phrase(text: str) -> tuple[str, ...]:
    """A phrase as its tuple of stemmed tokens (stopwords removed: "mixture of experts")."""
    return tuple(content_tokens(text))


def ngram_counts(toks: Sequence[str], max_n: int) -> Counter[tuple[str, ...]]:
    """Counts of every 1..max_n-gram of the non-stopword token sequence."""
    words = [t for t in toks if t not in STOPWORDS]
    counts: Counter[tuple[str, ...]] = Counter()
    for n in range(1, max_n + 1):
        for i in range(len(words) - n + 1):
            counts[tuple(words[i : i + n])] += 1
    return counts


def bm25_scores(
    query: Iterable[str], documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75
) -> list[float]:
    """Okapi BM25 of one bag-of-words query against tokenised documents (IDF from them)."""
    n_docs = len(documents)
    if n_docs == 0:
        return []
    doc_freq: Counter[str] = Counter()
    for doc in documents:
        doc_freq.update(set(doc))
    avg_len = sum(len(d) for d in documents) / n_docs or 1.0
    query_terms = Counter(query)
    idf = {
        term: math.log(1 + (n_docs - doc_freq[term] + 0.5) / (doc_freq[term] + 0.5))
        for term in query_terms
    }
    scores = []
    for doc in documents:
        tf = Counter(doc)
        norm = k1 * (1 - b + b * len(doc) / avg_len)
        total = 0.0
        for term, q_count in query_terms.items():
            f = tf.get(term, 0)
            if f:
                total += q_count * idf[term] * f * (k1 + 1) / (f + norm)
        scores.append(total)
    return scores
