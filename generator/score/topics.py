"""Topic vocabularies for the local scorer, derived from the owner's selection prompt.

Each configured topic becomes a weighted set of phrases: its name, the items of its
"Relevant" note (split on commas, slashes and parentheses, so "Mixture-of-Experts (MoE)"
gives both the phrase and the acronym), the relevant keywords that share words with it, and
the expansions of :data:`EXPANSIONS` whose key phrase occurs in the topic. Negative phrases
come from the irrelevant and application keywords (with their own expansions).

The expansion table is general ML vocabulary keyed on phrases a prompt may use; an entry only
applies when its key appears in the prompt, so another prompt (say, about graph
learning) is not boosted on mixture-of-experts papers. It was written from domain knowledge,
not from the labelled evaluation days (see BENCHMARKS.md, "Local scorer").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.config import SelectionPrompt
from generator.score.lexical import phrase

Phrase = tuple[str, ...]

# key phrase (as written in a prompt) -> related phrases, weight relative to the key.
EXPANSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "mixture of experts": (
        ("moe", 1.0),
        ("experts", 0.6),
        ("expert routing", 1.0),
        ("router", 0.6),
        ("routing", 0.4),
        ("gating network", 0.6),
        ("sparse activation", 0.6),
        ("sparsely activated", 0.8),
    ),
    "transformers": (
        ("transformer", 1.0),
        ("attention", 0.5),
        ("self attention", 0.7),
        ("linear attention", 0.9),
        ("attention mechanism", 0.7),
        ("state space model", 0.8),
        ("mamba", 0.8),
        ("positional encoding", 0.8),
        ("recurrent", 0.3),
        ("architecture", 0.4),
    ),
    "autoencoders": (("autoencoder", 1.0), ("sparse autoencoder", 1.2), ("sae", 0.8)),
    "dynamic networks": (
        ("early exit", 0.8),
        ("adaptive computation", 0.9),
        ("dynamic depth", 0.9),
        ("hypernetwork", 0.7),
        ("conditional computation", 1.0),
    ),
    "sparsity": (("sparse", 0.8), ("sparsification", 1.0), ("n m sparsity", 1.0)),
    "pruning": (
        ("prune", 1.0),
        ("structured pruning", 1.0),
        ("lottery ticket", 0.9),
        ("token pruning", 1.0),
        ("layer pruning", 1.0),
    ),
    "quantization": (
        ("quantized", 1.0),
        ("low bit", 1.0),
        ("int4", 0.9),
        ("int8", 0.9),
        ("fp8", 0.9),
        ("fp4", 0.9),
        ("mixed precision", 0.8),
        ("bit width", 0.8),
        ("binarization", 0.8),
        ("post training quantization", 1.0),
        ("floating point format", 0.7),
    ),
    "low rank": (
        ("lora", 0.9),
        ("low rank adaptation", 0.9),
        ("singular value", 0.5),
        ("matrix factorization", 0.5),
        ("tensor decomposition", 0.6),
    ),
    "cache": (
        ("kv cache", 1.2),
        ("key value cache", 1.2),
        ("cache compression", 1.2),
        ("cache eviction", 1.2),
        ("caching", 0.8),
    ),
    "efficiency": (
        ("efficient", 0.5),
        ("speedup", 0.6),
        ("latency", 0.5),
        ("throughput", 0.5),
        ("flops", 0.6),
        ("inference cost", 0.7),
        ("speculative decoding", 0.9),
        ("token merging", 0.9),
        ("knowledge distillation", 0.6),
        ("compression", 0.8),
        ("memory footprint", 0.7),
        ("acceleration", 0.6),
        ("accelerating", 0.6),
        ("computational cost", 0.6),
        ("inference efficiency", 1.0),
        ("parallel decoding", 0.8),
        ("fewer operations", 0.8),
        ("long context", 0.5),
        ("sequence length", 0.4),
    ),
    "compression": (("compressed", 0.9), ("model compression", 1.2), ("compress", 0.8)),
    "distributed training": (
        ("data parallel", 1.0),
        ("pipeline parallelism", 1.0),
        ("tensor parallelism", 1.0),
        ("model parallelism", 1.0),
        ("parallelism", 0.7),
        ("communication", 0.4),
        ("all reduce", 0.8),
        ("fsdp", 1.0),
        ("gradient compression", 1.0),
        ("gpu", 0.4),
        ("kernel", 0.4),
        ("hardware", 0.4),
    ),
    "memory optimization": (
        ("memory efficient", 1.0),
        ("activation checkpointing", 1.0),
        ("offloading", 0.8),
        ("optimizer states", 0.8),
        ("memory usage", 0.8),
    ),
    "large scale models": (
        ("pretraining", 0.5),
        ("scaling law", 0.8),
        ("large language model", 0.3),
        ("llm", 0.3),
        ("large scale training", 0.9),
    ),
    "feature learning": (
        ("features", 0.4),
        ("superposition", 1.0),
        ("polysemantic", 1.0),
        ("monosemantic", 1.0),
        ("linear probe", 0.8),
        ("probing", 0.6),
        ("mechanistic interpretability", 1.0),
        ("circuits", 0.6),
        ("interpretability", 0.6),
    ),
    "dictionary learning": (
        ("sparse autoencoder", 1.0),
        ("sparse coding", 1.0),
        ("dictionary", 0.8),
    ),
    "contrastive": (
        ("contrastive learning", 1.0),
        ("self supervised", 0.8),
        ("infonce", 1.0),
    ),
    "training dynamics": (
        ("grokking", 1.0),
        ("loss landscape", 1.0),
        ("implicit bias", 1.0),
        ("neural tangent kernel", 1.0),
        ("ntk", 0.8),
        ("edge of stability", 1.0),
        ("double descent", 1.0),
        ("learning dynamics", 1.0),
        ("gradient descent", 0.6),
        ("sharpness", 0.7),
        ("generalization", 0.4),
        ("optimization dynamics", 1.0),
        ("emergence", 0.5),
        ("phase transition", 0.7),
        ("overparameterized", 0.8),
        ("initialization", 0.5),
        ("implicit regularization", 1.0),
        ("gradient flow", 0.9),
        ("stochastic gradient", 0.5),
        ("sgd", 0.5),
        ("learning rate", 0.5),
        ("loss surface", 0.9),
        ("optimizer", 0.4),
        ("deep neural networks", 0.5),
        ("neural networks", 0.3),
        ("deep learning", 0.3),
        ("weight matrices", 0.6),
    ),
    "encode information": (
        ("representations", 0.6),
        ("internal representations", 1.0),
        ("hidden states", 0.7),
        ("residual stream", 1.0),
        ("embedding", 0.3),
        ("latent space", 0.5),
        ("representation geometry", 1.0),
    ),
    "representation learning": (
        ("representations", 0.6),
        ("representation", 0.6),
        ("embeddings", 0.3),
        ("self supervised", 0.7),
    ),
    "foundation model": (("foundation models", 1.0), ("pretrained model", 0.4)),
    # Negative keys (irrelevant/application keywords of the default prompt).
    "reinforcement learning": (
        ("rl", 0.9),
        ("policy", 0.5),
        ("reward", 0.6),
        ("markov decision", 0.8),
        ("agent", 0.3),
        ("q learning", 0.9),
    ),
    "transfer learning": (("domain adaptation", 0.9), ("fine tuning", 0.3)),
    "federated learning": (("federated", 1.0), ("clients", 0.6)),
    "online learning": (("regret", 0.8), ("bandit", 0.9)),
    "diffusion models": (
        ("diffusion", 0.6),
        ("denoising", 0.5),
        ("score based", 0.6),
        ("image generation", 0.8),
    ),
    "medical imaging": (("medical", 0.9), ("clinical", 0.9), ("patient", 0.8), ("mri", 0.8)),
    "3d vision": (("point cloud", 0.9), ("3d", 0.6)),
    "video understanding": (("video", 0.8),),
    "information retrieval": (("retrieval", 0.6), ("rag", 0.7)),
    "recommendation systems": (("recommendation", 1.0), ("recommender", 1.0)),
    "time series": (("forecasting", 0.9), ("traffic", 0.6)),
    "speech recognition": (("speech", 0.9), ("audio", 0.7)),
    "spatial temporal modeling": (("spatiotemporal", 0.9), ("spatio temporal", 0.9)),
    "knowledge graph": (("knowledge graphs", 1.0),),
}

# The default prompt's application list ends in "etc." and its intro says "avoid purely
# application-driven work": when a prompt lists application keywords, these domain words (the
# usual application fields of cs.LG/cs.AI cross-lists) count as application too.
APPLICATION_DOMAINS: tuple[tuple[str, float], ...] = (
    ("healthcare", 0.8),
    ("health", 0.6),
    ("clinical", 0.8),
    ("patient", 0.8),
    ("disease", 0.7),
    ("biomedical", 0.8),
    ("drug", 0.7),
    ("molecule", 0.7),
    ("molecular", 0.7),
    ("protein", 0.7),
    ("genomic", 0.7),
    ("rna", 0.6),
    ("dna", 0.6),
    ("chemistry", 0.7),
    ("materials", 0.5),
    ("climate", 0.7),
    ("weather", 0.7),
    ("satellite", 0.7),
    ("remote sensing", 0.8),
    ("agriculture", 0.8),
    ("crop", 0.6),
    ("hydrology", 0.8),
    ("precipitation", 0.6),
    ("financial", 0.7),
    ("finance", 0.7),
    ("stock", 0.6),
    ("trading", 0.6),
    ("asset", 0.5),
    ("portfolio", 0.6),
    ("energy", 0.3),
    ("power grid", 0.8),
    ("battery", 0.6),
    ("vehicle", 0.6),
    ("autonomous driving", 0.8),
    ("drone", 0.7),
    ("uav", 0.7),
    ("robot", 0.6),
    ("robotic", 0.6),
    ("wireless", 0.7),
    ("mimo", 0.8),
    ("beamforming", 0.8),
    ("intrusion detection", 0.8),
    ("cybersecurity", 0.7),
    ("malware", 0.8),
    ("fraud", 0.7),
    ("legal", 0.6),
    ("education", 0.6),
    ("student", 0.4),
    ("music", 0.7),
    ("eeg", 0.8),
    ("ecg", 0.8),
    ("fmri", 0.7),
    ("tumor", 0.8),
    ("cancer", 0.7),
    ("pathology", 0.7),
    ("radiology", 0.8),
    ("manufacturing", 0.7),
    ("industrial", 0.5),
    ("fault diagnosis", 0.8),
    ("physics", 0.4),
    ("earthquake", 0.8),
    ("ecology", 0.7),
    ("epidemic", 0.7),
    ("smart grid", 0.8),
    ("social media", 0.6),
)

# A rubric that asks for "foundational methods or theoretical research" rewards these.
FOUNDATIONAL: tuple[tuple[str, float], ...] = (
    ("theoretical", 0.7),
    ("theory", 0.6),
    ("provably", 0.8),
    ("we prove", 0.9),
    ("theorem", 0.7),
    ("convergence", 0.4),
    ("sample complexity", 0.9),
    ("minimax", 0.7),
    ("generalization bound", 0.9),
    ("optimal rate", 0.8),
    ("scaling law", 0.8),
    ("mechanistic", 0.6),
    ("expressive power", 0.8),
    ("expressivity", 0.7),
)

_SPLIT = re.compile(r"[,;()]|\bor\b|\band\b|\.\s")
_GENERIC_LEADS = ("other ", "analysis ", "innovations ", "insights into ", "etc")


@dataclass
class TopicVocabulary:
    """One topic (or the negative set) as weighted phrases."""

    name: str
    phrases: dict[Phrase, float] = field(default_factory=dict)
    labels: dict[Phrase, str] = field(default_factory=dict)  # as written, for comments

    def add(self, text: str, weight: float) -> None:
        key = phrase(text)
        if key and weight > self.phrases.get(key, 0.0):
            self.phrases[key] = weight
            self.labels.setdefault(key, " ".join(text.split()).lower())


def _items(text: str) -> list[str]:
    """Split a note into its listed items ("Sparsity, pruning, quantization, ...")."""
    items = []
    for part in _SPLIT.split(text):
        part = part.strip(" .-:")
        if not part or part.lower().startswith(_GENERIC_LEADS):
            continue
        items.append(part)
        if "/" in part:  # "Conditional/Dynamic Networks" -> both; "Sparse/Sparsity" -> both
            words = part.split()
            head, tail = words[0], " ".join(words[1:])
            for alt in head.split("/"):
                items.append(f"{alt} {tail}".strip())
    return items


def _expand(vocab: TopicVocabulary, text: str, weight: float) -> None:
    """Add a phrase and, when the table knows it, its expansions."""
    vocab.add(text, weight)
    key = phrase(text)
    for expansion_key, related in EXPANSIONS.items():
        if phrase(expansion_key) == key:
            for related_text, factor in related:
                vocab.add(related_text, weight * factor)


def build_vocabularies(prompt: SelectionPrompt) -> tuple[list[TopicVocabulary], TopicVocabulary]:
    """The positive vocabulary of each topic and one negative vocabulary."""
    topics = []
    for topic in prompt.topics:
        vocab = TopicVocabulary(topic.name)
        _expand(vocab, topic.name, 1.0)
        for item in _items(topic.relevant):
            _expand(vocab, item, 1.0)
        # Expansion keys that occur inside the topic's text ("memory optimization" in a note).
        text_phrase = " " + " ".join(phrase(f"{topic.name} {topic.relevant}")) + " "
        for expansion_key in EXPANSIONS:
            key = phrase(expansion_key)
            if key and f" {' '.join(key)} " in text_phrase:
                _expand(vocab, expansion_key, 1.0)
        topics.append(vocab)
    for keyword in prompt.keywords.relevant:
        for item in _items(keyword):
            words = set(phrase(item))
            if not words:
                continue
            owners = [v for v in topics if any(words & set(p) for p in v.phrases)]
            for vocab in owners or topics:
                _expand(vocab, item, 1.0 if owners else 0.5)
    negative = TopicVocabulary("negative")
    for keyword in [*prompt.keywords.irrelevant, *prompt.keywords.application]:
        for item in _items(keyword):
            _expand(negative, item, 1.0)
    if prompt.keywords.application:
        for text, weight in APPLICATION_DOMAINS:
            negative.add(text, weight)
    return topics, negative


def foundational_vocabulary(prompt: SelectionPrompt) -> TopicVocabulary:
    """Words of theory/foundations, when the rubric asks for them (else empty)."""
    vocab = TopicVocabulary("foundational")
    rubric = f"{prompt.rubric} {prompt.topics_intro}".lower()
    if "theoretical" in rubric or "foundational" in rubric:
        for text, weight in FOUNDATIONAL:
            vocab.add(text, weight)
    return vocab
