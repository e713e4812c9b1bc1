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


#: Where a clause ends inside a sentence: a comma, semicolon, colon or dash with a space.
_CLAUSE_BREAK_RE = re.compile(r"\s*[,;:\u2014\u2013]\s+|\s+-\s+")
#: Shorter pieces ("Well,", "Sir:") carry no meaning of their own.
_MIN_CLAUSE_WORDS = 3


def clauses(sentence: str) -> list[tuple[int, int, str]]:
    """``(start, end, clause)`` for the clauses of a sentence of two or more clauses, else [].

    A signal in a long sentence is often one clause among several ("If nobody sorts this
    out on Friday, I will make sure that branch has a day it won't forget, and the staff
    had better not be near the window"), and a model reading the whole sentence sees it
    diluted by the rest; scoring each clause as well finds it.
    """
    pieces, start = [], 0
    for m in _CLAUSE_BREAK_RE.finditer(sentence):
        pieces.append((start, m.start()))
        start = m.end()
    pieces.append((start, len(sentence)))
    found = [(a, b, sentence[a:b]) for a, b in pieces
             if len(sentence[a:b].split()) >= _MIN_CLAUSE_WORDS]
    return found if len(found) > 1 else []
