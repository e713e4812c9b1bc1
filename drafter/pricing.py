"""Estimated cost of model calls (triage, eval), from token counts and one price table.

Prices are US dollars per million tokens (input, output), OpenAI's list prices when this
table was written; they change, so ``--price-in`` / ``--price-out`` override them, and a model
that is not in the table (a local server's, say) shows no cost rather than a made-up one.
Cached input tokens (the server reports them as ``prompt_tokens_details.cached_tokens``)
are billed at the cached-input price. The Batch API is billed at half these prices.
"""

from __future__ import annotations

#: USD per 1M tokens: (input, output), OpenAI's list prices in December 2026. Longest
#: matching prefix wins ("gpt-4o-mini-2024…"), so every family a prefix would misprice has
#: its own row ("gpt-5-pro" is not "gpt-5").
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-pro": (15.00, 120.00),
    "gpt-5-chat": (1.25, 10.00),
    "gpt-5.1": (1.25, 10.00),
    "gpt-5": (1.25, 10.00),
    "o1-pro": (150.00, 600.00),
    "o1-mini": (1.10, 4.40),
    "o1": (15.00, 60.00),
    "o3-pro": (20.00, 80.00),
    "o3-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
}
#: USD per 1M *cached* input tokens (prompt caching), where the model has a discount; the
#: same prefix rule. A model not listed bills cached tokens at its full input price.
CACHED_INPUT: dict[str, float] = {
    "gpt-4o-mini": 0.075, "gpt-4o": 1.25, "gpt-4.1-nano": 0.025, "gpt-4.1-mini": 0.10,
    "gpt-4.1": 0.50, "gpt-5-nano": 0.005, "gpt-5-mini": 0.025, "gpt-5-chat": 0.125,
    "gpt-5.1": 0.125, "gpt-5": 0.125, "o1-mini": 0.55, "o1": 7.50, "o3-mini": 0.55,
    "o3": 0.50, "o4-mini": 0.275,
}
BATCH_DISCOUNT = 0.5


def _listed(model: str | None, table: dict[str, object]) -> str | None:
    """The table's longest prefix of the model's name (``org/gpt-4o`` reads as ``gpt-4o``)."""
    if not model:
        return None
    name = model.lower().rsplit("/", 1)[-1]
    matches = [p for p in table if name.startswith(p)]
    if not matches:
        return None
    return max(matches, key=len)


def price_for(model: str | None, price_in: float | None = None,
              price_out: float | None = None) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens: the overrides, else the table, else None."""
    key = _listed(model, PRICES)
    known = PRICES[key] if key else None
    if price_in is None and price_out is None:
        return known
    base_in, base_out = known or (0.0, 0.0)
    return (price_in if price_in is not None else base_in,
            price_out if price_out is not None else base_out)


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int, *,
                  price_in: float | None = None, price_out: float | None = None,
                  batch: bool = False, cached_tokens: int = 0) -> float | None:
    """Dollars for the tokens, or None when the model's price is unknown.

    ``cached_tokens`` (part of ``prompt_tokens``) are billed at the cached-input price when
    the model has one and no ``price_in`` override was given.
    """
    price = price_for(model, price_in, price_out)
    if price is None:
        return None
    cached = min(max(cached_tokens, 0), prompt_tokens)
    key = _listed(model, CACHED_INPUT) if price_in is None else None
    cached_price = CACHED_INPUT[key] if key else price[0]
    cost = ((prompt_tokens - cached) * price[0] + cached * cached_price
            + completion_tokens * price[1]) / 1_000_000
    return cost * (BATCH_DISCOUNT if batch else 1.0)


def format_cost(cost: float | None) -> str:
    if cost is None:
        return "n/a"
    if cost == 0:
        return "$0"
    return f"${cost:,.4f}" if cost < 1 else f"${cost:,.2f}"
