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


#: What a credential looks like in a server's error text: OpenAI-style keys, bearer tokens,
#: "api_key=…" pairs, and the 32-hex-character keys Azure issues.
_SECRET_RE = re.compile(
    r"\b(?:sk|rk|pk)-[A-Za-z0-9_-]{8,}"
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|(?i:api[-_ ]?key|api-key|x-api-key|authorization)[\"']?\s*[:=]\s*[\"']?[^\s\"',;}]{6,}"
    r"|\b[a-f0-9]{32}\b"
)


def redact_secrets(text: str, *known: str | None) -> str:
    """``text`` with anything key-shaped, and each ``known`` secret, replaced by ``[redacted]``.

    A server's error body is copied into messages that reach stderr, the ledger, triage rows
    and the report; a server that echoes the request's key must not put it on disk.
    """
    for secret in known:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return _SECRET_RE.sub("[redacted]", text)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 emails``: counts people read, in words that agree."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
