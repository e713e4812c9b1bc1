"""Inline silencing, the way prose linters do it: the reply itself says which rule to skip.

Two spellings, both on a line of their own or anywhere in the text:

* ``<!-- drafter-disable calm-down, no-next-step -->`` (an HTML comment, invisible when a
  reply is rendered as HTML or Markdown), and
* ``drafter: disable=calm-down,no-next-step`` (a plain line, optionally after ``#`` or ``//``).

A name may be a rule id (``no-options``) or a mistake id (``all-i-can-do``, which silences
every rule that reports that mistake). Directives silence the rule for the whole reply, and
their own text is blanked before matching so it never trips a rule itself. Remember to strip
them before sending: :func:`strip_directives` does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HTML = re.compile(r"<!--\s*drafter-disable\s*:?\s*(?P<names>[^>]*?)\s*-->", re.IGNORECASE)
_LINE = re.compile(
    # One blank run before the comment mark, one after it: two optional runs side by side
    # split a line of 50,000 spaces every possible way (seconds).
    r"^[ \t]*(?:(?:#|//|--|;)[ \t]*)?drafter:[ \t]*disable[ \t]*=[ \t]*"
    r"(?P<names>[\w, \t-]*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SPLIT = re.compile(r"[\s,]+")


@dataclass
class Directives:
    """What a reply asks to silence, and where those requests sit in the text."""

    names: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)


def find_directives(view: str) -> Directives:
    found = Directives()
    for regex in (_HTML, _LINE):
        for m in regex.finditer(view):
            found.spans.append(m.span())
            found.names |= {n.lower() for n in _SPLIT.split(m.group("names")) if n}
    return found


def strip_directives(text: str) -> str:
    """The reply without its silencing directives (whole directive lines removed)."""
    text = _LINE.sub("", text)
    text = re.sub(r"^[ \t]*<!--\s*drafter-disable[^>]*-->[ \t]*\n?", "", text,
                  flags=re.IGNORECASE | re.MULTILINE)
    return _HTML.sub("", text)
