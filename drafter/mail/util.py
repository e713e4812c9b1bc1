"""Two helpers every part of the mail reader uses: call without raising, warn once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


def safe(fn: Callable[[], _T], default: _T) -> _T:
    """Call a stdlib accessor that may choke on a malformed header; never raise.

    The stdlib's header and MIME accessors raise on hostile input (``HeaderParseError``,
    ``IndexError``, ``RecursionError`` on deeply nested comments…); a message that trips one
    is read best-effort instead of failing.
    """
    try:
        return fn()
    except Exception:
        return default


def warn(warnings: list[str], text: str) -> None:
    """Add a warning unless the same one is already there (parts repeat the same problem)."""
    if text not in warnings:
        warnings.append(text)
