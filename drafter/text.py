"""Small text helpers shared by analysis, drafting and checking."""

from __future__ import annotations

import re

from drafter.understand.segment import sentences

__all__ = ["sentences", "shorten", "squash"]


def squash(text: str) -> str:
    """All whitespace runs, line breaks included, as single spaces."""
    return " ".join(text.split())


def shorten(text: str, limit: int = 160) -> str:
    """One line, at most ``limit`` characters, cut at a word boundary."""
    flat = squash(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


#: Control characters a terminal acts on (ESC, OSC, CSI…), tab and newline excepted.
TERMINAL_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 emails``: counts people read, in words that agree."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
