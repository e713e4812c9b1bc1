"""Small text helpers shared by analysis, drafting and checking."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence runs until . ! or ? followed by a space (so "$12.99" and "e.g." inside a word
# don't end it), or until a blank line or a list item. Hard-wrapped lines stay one sentence.
# Every branch consumes at least one character and the branches don't overlap: linear time.
_SENTENCE_RE = re.compile(
    r"(?:[^.!?\n]+|[.!?]+(?=[^\s.!?\"')\]])|\n(?![ \t]*\n|[ \t]*(?:[-*•>]|\d+[.)])[ \t]))+"
    r"(?:[.!?]+[\"')\]]*)?"
)


def sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """Sentences and their spans in ``text``: good enough for email prose, linear on any input."""
    for m in _SENTENCE_RE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if stripped:
            start = m.start() + (len(chunk) - len(chunk.lstrip()))
            yield start, start + len(stripped), stripped


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
