"""Fitting a long email into a model's context window, by characters, before any request.

A model server answers an over-long prompt with an error (llama.cpp: "exceeds the available
context size"), and the customer is no less angry for having written a lot. So the email is
cut to a character budget *before* it is sent:

* the newest customer text (``Email.body``) comes first and keeps up to the whole budget; if
  it alone is too long, its opening and its end are kept (that is where people say what
  happened and what they want) and the middle is replaced by a marker;
* the quoted history (``Email.quoted``) gets what is left, newest part first (mail clients
  put the latest earlier message at the top of the quote), and is dropped when nothing is left.

Characters, not tokens, because counting tokens needs the model's tokenizer; the engine turns
a server's context size into characters conservatively (see ``chars_for_tokens``).
"""

from __future__ import annotations

from dataclasses import replace

from drafter.models import Email

#: The email budget when nothing better is known: about 4,000 tokens of customer text,
#: which every current hosted model takes with room to spare.
DEFAULT_MAX_CHARS = 16_000
#: Never cut below this: a budget smaller than a short email helps nobody.
MIN_MAX_CHARS = 1_200
#: A conservative characters-per-token figure (English runs about 4; other scripts less).
CHARS_PER_TOKEN = 3
#: The share of a too-long body kept from its start; the rest comes from its end.
_HEAD_SHARE = 0.7
_OLDER_LEFT_OUT = "\n[… older messages left out …]"


def cut_marker(chars: int) -> str:
    return f"\n[… {chars} characters left out to fit the model's context …]\n"


def fit_text(text: str, max_chars: int) -> str:
    """``text`` if it fits, else its head and tail around a marker, within ``max_chars``."""
    if len(text) <= max_chars:
        return text
    room = max(0, max_chars - len(cut_marker(len(text))))
    head = int(room * _HEAD_SHARE)
    tail = room - head
    left_out = len(text) - head - tail
    return text[:head].rstrip() + cut_marker(left_out) + (text[-tail:].lstrip() if tail else "")


def fit_email(email: Email, max_chars: int = DEFAULT_MAX_CHARS) -> Email:
    """A copy of ``email`` whose body and quoted history together fit in ``max_chars``.

    The body is never dropped; the quoted history only gets the room the body leaves, and is
    cut at its end (its oldest part). Headers are left alone: they are short.
    """
    max_chars = max(MIN_MAX_CHARS, max_chars)
    body = fit_text(email.body, max_chars)
    room = max_chars - len(body)
    quoted = email.quoted
    if len(quoted) > room:
        quoted = "" if room < 200 else quoted[: room - 40].rstrip() + _OLDER_LEFT_OUT
    if body is email.body and quoted is email.quoted:
        return email
    return replace(email, body=body, quoted=quoted)


def chars_for_tokens(context_tokens: int, reserved_tokens: int) -> int:
    """How many email characters fit in a context of ``context_tokens`` tokens.

    ``reserved_tokens`` covers the instructions, the policy, the analysis and the reply the
    model must still write. Conservative on purpose: an email cut a little short is better
    than a request the server refuses.
    """
    return max(MIN_MAX_CHARS, (context_tokens - reserved_tokens) * CHARS_PER_TOKEN)
