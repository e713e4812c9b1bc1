"""The one sentence splitter: analysis, escalation and the checker all cut text the same way.

A sentence runs until ``.``, ``!`` or ``?`` followed by a space (so "$12.99" and "e.g."
inside a word don't end it), or until a blank line or a list item; hard-wrapped lines stay
one sentence. Spans are character offsets into the text given, so a finding can point at
the exact words. Every branch of the pattern consumes at least one character and the
branches don't overlap: linear time on any input, however hostile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE_RE = re.compile(
    r"(?:[^.!?\n]+|[.!?]+(?=[^\s.!?\"')\]])|\n(?![ \t]*\n|[ \t]*(?:[-*•>]|\d+[.)])[ \t]))+"
    r"(?:[.!?]+[\"')\]]*)?"
)


def sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, sentence)`` for each sentence of ``text``, whitespace trimmed."""
    for m in _SENTENCE_RE.finditer(text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if stripped:
            start = m.start() + (len(chunk) - len(chunk.lstrip()))
            yield start, start + len(stripped), stripped
