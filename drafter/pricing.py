"""Estimated cost of model calls (triage, eval), from token counts and one price table.

Prices are US dollars per million tokens (input, output), OpenAI's list prices when this
table was written; they change, so ``--price-in`` / ``--price-out`` override them, and a model
that is not in the table (a local server's, say) shows no cost rather than a made-up one.
The Batch API is billed at half these prices.
"""

from __future__ import annotations

#: USD per 1M tokens: (input, output). Longest matching prefix wins ("gpt-4o-mini-2024…").
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
}
BATCH_DISCOUNT = 0.5


def price_for(model: str | None, price_in: float | None = None,
              price_out: float | None = None) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens: the overrides, else the table, else None."""
    known = None
    if model:
        name = model.lower().rsplit("/", 1)[-1]
        matches = [p for p in PRICES if name.startswith(p)]
        if matches:
            known = PRICES[max(matches, key=len)]
    if price_in is None and price_out is None:
        return known
    base_in, base_out = known or (0.0, 0.0)
    return (price_in if price_in is not None else base_in,
            price_out if price_out is not None else base_out)


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int, *,
                  price_in: float | None = None, price_out: float | None = None,
                  batch: bool = False) -> float | None:
    """Dollars for the tokens, or None when the model's price is unknown."""
    price = price_for(model, price_in, price_out)
    if price is None:
        return None
    cost = (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
    return cost * (BATCH_DISCOUNT if batch else 1.0)


def format_cost(cost: float | None) -> str:
    if cost is None:
        return "n/a"
    if cost == 0:
        return "$0"
    return f"${cost:,.4f}" if cost < 1 else f"${cost:,.2f}"
