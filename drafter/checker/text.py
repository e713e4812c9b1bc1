"""Offset-preserving views of a reply: every rule matches on a view, every finding indexes the text.

Rules never see the raw reply. They see a *view* of exactly the same length in which curly
quotes and dashes are folded to ASCII (so one pattern covers "I'm" and "I’m"), and in which
the parts that are not the agent's own words (quoted thread lines, silencing directives, the
sign-off block) are blanked with spaces. Because the view has the same length, an offset
found in it is an offset into the reply, and ``excerpt == text[start:end]`` always holds.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# One-to-one character folds only: a fold that changed the length would break every offset.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u3000": " ",
    "\u200b": " ", "\u200c": " ", "\u200d": " ", "\ufeff": " ", "\t": " ",
    "\uff01": "!", "\uff1f": "?", "\u203c": "!", "\u2047": "?", "\u2048": "?", "\u2049": "!",
})

# A terminator only ends a sentence when whitespace follows: "$49.99" and "e.g.x" stay whole.
_SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;]+(?=[^\s.!?;]))*(?:[.!?;]+|\n|$)")
_FULL_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))*(?:[.!?]+|\n|$)")
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_GREETING = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|to whom)\b"
    r"[^\n?]{0,50}?(?<![.?])\s*$"
)
_SIGNOFF = re.compile(
    r"(?i)^\s*(?:best|kind regards|warm regards|best regards|regards|warmly|many thanks|"
    r"thanks(?: again| so much)?|thank you(?: again| so much)?|sincerely|"
    r"yours(?: sincerely| truly)?|"
    r"cheers|all the best|best wishes|take care|talk soon|with thanks)\b"
    r"[ ,.!-]*(?:[\w'.-]+[ ,.!-]*){0,2}$"
)
#: A sign-off is followed by a short signature block, not by more of the letter.
_MAX_SIGNATURE_LINES = 6


def fold(text: str) -> str:
    """Same-length ASCII-ish copy of ``text`` for matching."""
    return text.translate(_FOLD)


def blank(view: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace ``spans`` with spaces, keeping newlines so line structure survives."""
    chars = list(view)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def quoted_line_spans(view: str) -> list[tuple[int, int]]:
    """Lines of the customer's thread quoted with ``>``: their words, not ours."""
    return [m.span() for m in _QUOTED_LINE.finditer(view)]


@dataclass(frozen=True)
class Layout:
    """Where the body of a reply starts and ends, i.e. between greeting and sign-off.

    Absence findings (no apology, no next step) point at the place where the missing
    sentence belongs, and the fixer inserts text at the same places.
    """

    body_start: int
    body_end: int
    signoff_start: int  # == len(text) when the reply has no sign-off


def layout(view: str) -> Layout:
    """Find the greeting line and the sign-off block, tolerating replies that have neither."""
    lines = [(s, e) for s, e in _line_spans(view) if view[s:e].strip()]
    body_start = 0
    if len(lines) > 1 and _GREETING.match(view[lines[0][0]:lines[0][1]]):
        body_start = lines[0][1]
    signoff = len(view)
    for i, (start, end) in enumerate(lines):
        if start < body_start or len(lines) - i - 1 > _MAX_SIGNATURE_LINES:
            continue
        if end - start <= 40 and _SIGNOFF.match(view[start:end]):
            signoff = start
            break
    body_start = _skip_blank(view, min(body_start, signoff))
    body_end = signoff
    while body_end > body_start and view[body_end - 1].isspace():
        body_end -= 1
    return Layout(body_start=body_start, body_end=body_end, signoff_start=signoff)


def _skip_blank(view: str, pos: int) -> int:
    while pos < len(view) and view[pos] in " \n\r":
        pos += 1
    return pos


def _line_spans(view: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in view.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


class Sentences:
    """Sentence spans of a view, with a fast lookup of the sentence around an offset."""

    def __init__(self, view: str, *, clauses: bool = True) -> None:
        """``clauses`` splits at semicolons too: rules judge a clause, rewrites a sentence."""
        self.spans: list[tuple[int, int]] = []
        for m in (_SENTENCE if clauses else _FULL_SENTENCE).finditer(view):
            start, end = m.span()
            while start < end and view[start].isspace():
                start += 1
            stripped_end = end
            while stripped_end > start and view[stripped_end - 1].isspace():
                stripped_end -= 1
            if stripped_end > start:
                self.spans.append((start, stripped_end))
        self._starts = [s for s, _ in self.spans]

    def around(self, offset: int) -> tuple[int, int]:
        """The sentence that contains ``offset`` (or the nearest one before it)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return (offset, offset)
        return self.spans[i]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, the way compilers report positions."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
