"""Building the Email: the body part's text split into new words, history and signature, capped.

Every size limit on what an Email carries lives here (body, quoted history, signature, the
text scanned), so what reaches prompts and rules is bounded whatever came in.
"""

from __future__ import annotations

import re
from email.message import Message

from drafter.errors import InputError
from drafter.mail.decode import decode_guess, normalize
from drafter.mail.headers import HeaderCaps, cap_shown, decode_words, read_headers
from drafter.mail.mime import MAX_MIME_DEPTH, Walk, html_text, part_text
from drafter.mail.quotes import clean_body, unquote
from drafter.mail.util import safe, warn
from drafter.models import Email

#: The most body text kept; more is cut (with a warning) so rules and prompts stay bounded.
MAX_BODY_CHARS = 100_000
#: The most quoted history kept as context.
MAX_QUOTED_CHARS = 100_000
#: The most signature text kept (legal disclaimers can run for pages).
MAX_SIGNATURE_CHARS = 5_000
#: The most decoded text searched for quotes and signatures. Everything kept fits well inside
#: it; the cap bounds the time spent on a pathological message, not what the agent sees.
MAX_SCAN_CHARS = 1_000_000


def email_from_message(msg: Message, source: str = "") -> Email:
    """An Email from a parsed message (``EmailMessage`` or a legacy compat32 ``Message``).

    Only the base ``Message`` API and raw headers are used, so messages from ``mailbox``
    (compat32) work without re-serializing them, which could itself fail on bad input. The
    header limits of :mod:`drafter.mail.headers` are applied to every part before it is read,
    whoever parsed the message (an over-long header list is shortened in place).
    """
    caps = HeaderCaps()
    walk = Walk(caps)
    candidates = walk.visit(msg)
    warnings: list[str] = []
    if walk.defects:
        warnings.append(f"malformed MIME structure ({', '.join(walk.defects)}); read "
                        "best-effort")
    email = _first_text(candidates)
    if email is None:
        email = _forwarded_text(walk.forwarded, caps)
    if email is None:
        raise InputError(f"no message text found in {source or 'the message'}")
    header_warnings: list[str] = []
    for key, value in read_headers(msg, header_warnings).items():
        setattr(email, key, cap_shown(key, value, header_warnings))
    email.source = source
    warnings = [*warnings, *caps.finish(), *header_warnings]
    email.warnings = warnings + [w for w in email.warnings if w not in warnings]
    return email


def _first_text(candidates: list[Message]) -> Email | None:
    """The first candidate part that holds text once quotes and signature are split off."""
    for part in candidates:
        warnings: list[str] = []
        text, ctype = part_text(part, warnings)
        if ctype == "text/html":
            text = html_text(text, warnings)
        email = _assemble(text, ctype, warnings)
        if email is not None:
            return email
    return None


def _forwarded_text(forwarded: list[Message], caps: HeaderCaps, depth: int = 0) -> Email | None:
    """Last resort: the text of an attached (forwarded-as-attachment) message.

    A forward of a forward nests one message in another: the innermost text is found, up
    to the same depth limit as MIME parts.
    """
    for part in forwarded:
        inner = safe(part.get_payload, None)
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, Message):
            continue
        walk = Walk(caps)
        email = _first_text(walk.visit(inner))
        if email is None and walk.forwarded and depth < MAX_MIME_DEPTH:
            email = _forwarded_text(walk.forwarded, caps, depth + 1)
        if email is not None:
            warn(email.warnings, "the message has no text of its own; used the text of the "
                                 "attached message")
            return email
    return None


def email_from_text(data: bytes, source: str) -> Email:
    """An Email from a plain-text file; an optional leading "Subject:" line is the subject."""
    text, _ = decode_guess(data)
    warnings: list[str] = []
    subject, text = _leading_subject(text)
    ctype = "text/plain"
    if _looks_like_html(text):
        text, ctype = html_text(text, warnings), "text/html"
    email = _assemble(text, ctype, warnings)
    if email is None:
        raise InputError(f"no message text found in {source or 'the input'}")
    email.subject = decode_words(subject)
    email.source = source
    return email


_SUBJECT_LINE_RE = re.compile(r"[ \t]*subject[ \t]*:[ \t]*(.{0,998})", re.I)


def _leading_subject(text: str) -> tuple[str, str]:
    """("subject", rest) when the text opens with a "Subject: ..." line, else ("", text)."""
    stripped = text.lstrip("\r\n\ufeff")
    first, _, rest = stripped.partition("\n")
    match = _SUBJECT_LINE_RE.fullmatch(first.rstrip("\r"))
    if not match:
        return "", text
    return match.group(1).strip(), rest


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<body", "<div", "<p>", "<p ", "<table",
                            "<meta", "<head"))


def _assemble(text: str, content_type: str, warnings: list[str]) -> Email | None:
    """Body, quoted history and signature of decoded text, capped; None when there is no text.

    When the only text is quoted (a bare forward, a reply with nothing typed above the quote),
    that text becomes the body, best effort, because failing would help nobody.
    """
    if len(text) > MAX_SCAN_CHARS:
        text = text[:MAX_SCAN_CHARS]
        warnings.append(f"message text longer than {MAX_SCAN_CHARS:,} characters; only the "
                        "start was read")
    text = normalize(text, warnings)
    body, quoted, signature = clean_body(text)
    body = body.strip()
    if not body and quoted.strip():
        body, inner_quoted, inner_signature = clean_body(unquote(quoted))
        body = body.strip()
        if body:
            quoted, signature = inner_quoted, inner_signature or signature
            warnings.append("no new text above the quoted or forwarded message; its text is "
                            "used as the body")
    if not body:
        return None
    return Email(
        body=_cap(body, MAX_BODY_CHARS, "body", warnings),
        quoted=_cap(quoted, MAX_QUOTED_CHARS, "quoted history", warnings),
        signature=_cap(signature, MAX_SIGNATURE_CHARS, "signature", warnings),
        content_type=content_type,
        warnings=warnings,
    )


def _cap(text: str, limit: int, what: str, warnings: list[str]) -> str:
    """At most ``limit`` characters, cut at a line or word end where one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for sep in ("\n", " "):
        at = cut.rfind(sep)
        if at > limit - 2_000:
            cut = cut[:at]
            break
    warnings.append(f"{what} truncated to {len(cut):,} characters (was {len(text):,})")
    return cut.rstrip()
