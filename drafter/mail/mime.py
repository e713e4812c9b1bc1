"""MIME structure: which part holds the text a person would read, and that text decoded.

The walk prefers what the customer typed (text/plain in a multipart/alternative), skips
attachments and delivery reports, keeps forwarded messages for a last resort, and recovers a
multipart whose declared boundary is wrong. Before any part's headers are read, the
message's :class:`~drafter.mail.headers.HeaderCaps` bound them (see that module).
"""

from __future__ import annotations

import re
from email import errors as email_errors
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from drafter.htmltext import html_to_text
from drafter.mail.decode import SURROGATE_RE, decode_charset
from drafter.mail.flowed import unflow
from drafter.mail.headers import HeaderCaps, guard_raw_headers
from drafter.mail.util import safe, warn

#: The most HTML converted to text: html.parser manages ~5 MB/s, and the reply is on top.
MAX_HTML_CHARS = 300_000
#: The deepest MIME nesting walked (forwards of forwards included).
MAX_MIME_DEPTH = 30

_STRUCTURE_DEFECTS = {
    "StartBoundaryNotFoundDefect": "opening boundary not found",
    "CloseBoundaryNotFoundDefect": "closing boundary missing",
    "NoBoundaryInMultipartDefect": "multipart without a boundary",
    "MultipartInvariantViolationDefect": "multipart without parts",
    "MissingHeaderBodySeparatorDefect": "no blank line after the headers",
    "FirstHeaderLineIsContinuationDefect": "malformed first header line",
}
_B64_DEFECTS = (email_errors.InvalidBase64PaddingDefect,
                email_errors.InvalidBase64CharactersDefect,
                email_errors.InvalidBase64LengthDefect)


class Walk:
    """Collects body candidates (in preference order), forwarded messages and MIME defects."""

    def __init__(self, caps: HeaderCaps) -> None:
        self.caps = caps
        self.forwarded: list[Message] = []
        self.defects: list[str] = []

    def visit(self, part: Message, depth: int = 0) -> list[Message]:
        if depth > MAX_MIME_DEPTH:
            self._defect("parts nested too deeply")
            return []
        self.caps.apply(part)  # before any of its headers is read
        for defect in getattr(part, "defects", ()):
            if type(defect).__name__ in _STRUCTURE_DEFECTS:
                self._defect(_STRUCTURE_DEFECTS[type(defect).__name__])
        ctype = safe(part.get_content_type, "text/plain")
        if ctype in {"message/rfc822", "message/global"}:
            self.forwarded.append(part)
            return []
        if ctype.startswith("message/"):  # delivery reports and the like: not text to answer
            return []
        if depth and _is_attachment(part):  # a whole message is never its own attachment
            return []
        if ctype.startswith("multipart/"):
            return self._multipart(part, ctype, depth)
        return [part] if ctype in {"text/plain", "text/html"} else []

    def _multipart(self, part: Message, ctype: str, depth: int) -> list[Message]:
        children = part.get_payload()
        if not isinstance(children, list):  # boundary never found: the body is one string
            recovered = _recover_multipart(part, ctype)
            return self.visit(recovered, depth + 1) if recovered is not None else [part]
        found = [c for child in children if isinstance(child, Message)
                 for c in self.visit(child, depth + 1)]
        if ctype == "multipart/alternative":  # prefer what the customer typed: text/plain
            found.sort(key=lambda c: safe(c.get_content_type, "") != "text/plain")
        return found

    def _defect(self, text: str) -> None:
        if text not in self.defects:
            self.defects.append(text)


def _is_attachment(part: Message) -> bool:
    disposition = safe(part.get_content_disposition, None)
    if disposition == "attachment":
        return True
    return disposition != "inline" and bool(safe(part.get_filename, None))


_BOUNDARY_LINE_RE = re.compile(r"^--([^\s\"]{1,200})[ \t]*\r?\n(?=[A-Za-z-]+:)", re.M)


def _recover_multipart(part: Message, ctype: str) -> Message | None:
    """Re-parse a multipart whose declared boundary is wrong, using the one actually there."""
    raw = getattr(part, "_payload", None)  # get_payload() would mangle 8-bit bytes
    match = _BOUNDARY_LINE_RE.search(raw) if isinstance(raw, str) else None
    if not match or match.group(1) == safe(part.get_boundary, None):
        return None
    head = f'Content-Type: {ctype}; boundary="{match.group(1)}"\n\n'
    data = guard_raw_headers((head + raw).encode("utf-8", "surrogateescape"))
    return safe(lambda: BytesParser(policy=compat32).parsebytes(data), None)


def _param(part: Message, name: str) -> str:
    value = safe(lambda: part.get_param(name), None)
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value or "").strip().lower()


def part_text(part: Message, warnings: list[str]) -> tuple[str, str]:
    """(text, content type) of a leaf part: transfer encoding undone, charset decoded.

    A multipart whose boundary could not be found lands here too and is read as plain text.
    """
    ctype = "text/html" if safe(part.get_content_type, "") == "text/html" else "text/plain"
    text = _unencoded_text(part)
    if text is None:
        payload = safe(lambda: part.get_payload(decode=True), None)
        if not isinstance(payload, bytes):
            raw = safe(part.get_payload, "")
            payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
            ctype = "text/plain"
        if any(isinstance(d, _B64_DEFECTS) for d in getattr(part, "defects", ())):
            warn(warnings, "the body's base64 encoding is damaged; decoded best-effort")
        text, problem = decode_charset(payload, _param(part, "charset") or None)
        if problem:
            warn(warnings, problem)
    if ctype == "text/plain" and _param(part, "format") == "flowed":
        text = unflow(text, delsp=_param(part, "delsp") == "yes")
    return text, ctype


def _unencoded_text(part: Message) -> str | None:
    """The payload itself when a message was built from ``str`` with real non-ASCII text.

    ``get_payload(decode=True)`` would turn such text into raw-unicode-escape bytes. The stored
    payload is read directly: ``get_payload()`` already replaces undecodable 8-bit bytes.
    """
    raw = getattr(part, "_payload", None)
    if not isinstance(raw, str) or raw.isascii():
        return None
    if SURROGATE_RE.search(raw):  # 8-bit bytes that BytesParser kept as surrogates
        return None
    cte = str(safe(lambda: part.get("content-transfer-encoding", ""), "") or "").strip().lower()
    return raw if cte in {"", "7bit", "8bit", "binary"} else None


# A data: URI (inline image) can be megabytes of base64 that is not text; drop it before the
# HTML size cap so it cannot push the customer's words past the cap.
_DATA_URI_RE = re.compile(r"data:[\w.+/-]{0,100};base64,[A-Za-z0-9+/=\s]{200,}")


def html_text(html: str, warnings: list[str]) -> str:
    """HTML body as text, warning about hidden text and oversize markup."""
    html = _DATA_URI_RE.sub("data:,", html)
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        warn(warnings, f"HTML body longer than {MAX_HTML_CHARS:,} characters; only the "
                       "start was read")
    hidden: list[str] = []
    text = html_to_text(html, hidden)
    if hidden:
        preview = " ".join(hidden)
        preview = preview if len(preview) <= 80 else preview[:79] + "…"
        warn(warnings, f"dropped hidden HTML text ({len(hidden)} element(s)): {preview!r}")
    return text

