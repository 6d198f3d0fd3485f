"""Dollar cost of a request from its token usage, with the shipped price table as data.

``pricing.yaml`` beside this module holds public prices per 1M tokens; ``scoring.pricing``
in digest.yaml overrides or extends it. An unknown model is not an error: its tokens are
recorded and its cost is ``None`` ("unknown") on the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from generator import yamlio
from generator.errors import ConfigError
from generator.schema import Usage

PRICE_KEYS = ("input", "cached_input", "output")
EXPECTED = "{input, cached_input, output} in $ per 1M tokens"
# Dated snapshots ("gpt-5-2025-08-07") cost what their alias costs.
_SNAPSHOT_RE = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Price:
    """US dollars per 1M tokens."""

    input: float
    cached_input: float
    output: float

    def cost(self, usage: Usage) -> Usage:
        """``usage`` with its dollar fields filled in."""
        uncached = max(usage.prompt_tokens - usage.cached_prompt_tokens, 0)
        prompt = (uncached * self.input + usage.cached_prompt_tokens * self.cached_input) / 1e6
        completion = usage.completion_tokens * self.output / 1e6
        return usage.model_copy(update={"prompt_cost": prompt, "completion_cost": completion})

    def estimate(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Upper-bound dollars of a request (no cache discount assumed)."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1e6


def _parse_table(data: object, source: str) -> dict[str, Price]:
    if not isinstance(data, Mapping):
        raise ConfigError(source, None, f"expected a mapping of model -> {EXPECTED}")
    table: dict[str, Price] = {}
    for model, entry in data.items():
        key = f"{model}"
        if not isinstance(entry, Mapping):
            raise ConfigError(source, key, f"expected {EXPECTED}")
        unknown = set(entry) - set(PRICE_KEYS)
        if unknown:
            raise ConfigError(source, key, f"unknown key(s) {sorted(unknown)}; expected {EXPECTED}")
        values: dict[str, float] = {}
        for name in PRICE_KEYS:
            value = entry.get(name, entry.get("input") if name == "cached_input" else None)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(source, f"{key}.{name}", f"expected a price >= 0, got {value!r}")
            values[name] = float(value)
        table[str(model)] = Price(**values)
    return table


@cache
def shipped_prices() -> dict[str, Price]:
    text = resources.files("generator.score").joinpath("pricing.yaml").read_text(encoding="utf-8")
    return _parse_table(yamlio.loads(text), "generator/score/pricing.yaml")


def price_for(
    model: str,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
    source: str = "digest.yaml: scoring.pricing",
) -> Price | None:
    """The price of ``model`` (overrides first), or None when unknown."""
    table = dict(shipped_prices())
    if overrides:
        table.update(_parse_table(overrides, source))
    for name in (
        model,
        _SNAPSHOT_RE.sub("", model),
        model.split("/")[-1],
        _SNAPSHOT_RE.sub("", model.split("/")[-1]),
    ):
        if name in table:
            return table[name]
    return None


def priced(usage: Usage, price: Price | None) -> Usage:
    """``usage`` with its dollar fields filled in (None when the price is unknown)."""
    if price is None:
        return usage.model_copy(update={"prompt_cost": None, "completion_cost": None})
    return price.cost(usage)
