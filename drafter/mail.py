"""Reading customer email: .eml files, plain text, stdin, or already-parsed messages.

Everything downstream (analysis, prompts, the checker) should see only the customer's newest
words, so this module does three jobs: find the text a person would read (the right MIME part,
decoded), split off what is not the customer's message (quoted history and signatures, kept
as context), and refuse input that is not an email with one clear :class:`InputError`.

Real mail is messy: wrong charsets, broken boundaries, HTML-only bodies, 20 MB attachments.
None of that may raise anything but :class:`InputError`, and nothing here may take more than
linear time — batch triage runs this over whole inbox exports.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Callable
from email import errors as email_errors
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from typing import BinaryIO, TypeVar

from drafter.errors import InputError
from drafter.htmltext import html_to_text
from drafter.models import Email

#: The most body text kept; more is cut (with a warning) so rules and prompts stay bounded.
MAX_BODY_CHARS = 100_000
#: The most quoted history kept as context.
MAX_QUOTED_CHARS = 100_000
#: The most signature text kept (legal disclaimers can run for pages).
MAX_SIGNATURE_CHARS = 5_000
#: The most characters kept of a shown header (subject, sender, to, date): RFC 5322's line
#: limit. Headers go into every prompt outside the email's budget, so they must stay short.
MAX_HEADER_CHARS = 998
#: The most bytes read from a file or stdin; the rest is ignored (with a warning).
MAX_INPUT_BYTES = 32 * 1024 * 1024
#: The most HTML converted to text: html.parser manages ~5 MB/s, and the reply is on top.
MAX_HTML_CHARS = 300_000
#: The most decoded text searched for quotes and signatures. Everything kept fits well inside
#: it; the cap bounds the time spent on a pathological message, not what the agent sees.
MAX_SCAN_CHARS = 1_000_000
#: The most MIME parts parsed. The stdlib parser spends ~0.3 ms per part; a message with
#: tens of thousands of parts would take seconds, and the text is always among the first.
MAX_MIME_PARTS = 500

_T = TypeVar("_T")

# ---------------------------------------------------------------------------------------------
# Reading input
# ---------------------------------------------------------------------------------------------


def read_email(source: str | Path, *, stdin: BinaryIO | None = None) -> Email:
    """Read one email from a file path, or from stdin when ``source`` is ``"-"``."""
    if str(source) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        label = "<stdin>"
        data = _read_stream(stream, label)
    else:
        path = Path(source)
        label = str(path)
        data = _read_path(path)
    truncated = len(data) > MAX_INPUT_BYTES
    email = parse_bytes(data[:MAX_INPUT_BYTES], label)
    if truncated:
        email.warnings.append(f"input larger than {MAX_INPUT_BYTES // 2**20} MiB; the rest was "
                              "ignored")
    return email


def _read_path(path: Path) -> bytes:
    """File bytes (at most one byte past the limit), with OS errors as one-line InputErrors."""
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory; pass one email file, or use "
                             "`drafter triage` for folders")
        with path.open("rb") as fh:
            return fh.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory; pass one email file, or use "
                         "`drafter triage` for folders") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _read_stream(stream: BinaryIO, label: str) -> bytes:
    try:
        return stream.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"{label}: cannot read ({exc})") from None


def parse_bytes(data: bytes, source: str = "") -> Email:
    """An Email from raw bytes: a MIME message when it starts with mail headers, else text."""
    label = source or "input"
    data = _utf8_from_bom(data)
    if not data.strip():
        raise InputError(f"empty input: {source}" if source else "empty input")
    if _looks_like_mime(data):
        data, cut = _limit_parts(data)
        try:
            msg = BytesParser(policy=policy.default).parsebytes(data)
        except Exception as exc:  # the parser is lenient; this is a last line of defence
            raise InputError(f"{label}: cannot parse as an email ({exc})") from None
        email = email_from_message(msg, source)
        if cut:
            email.warnings.append(f"more than {MAX_MIME_PARTS} MIME parts; only the first "
                                  f"{MAX_MIME_PARTS} were read")
        return email
    if _looks_binary(data):
        hint = "; save Outlook .msg files as .eml first" if data.startswith(_OLE_MAGIC) else ""
        raise InputError(f"{label} does not look like an email or text file (binary data{hint})")
    return _email_from_text(data, source)


def _limit_parts(data: bytes) -> tuple[bytes, bool]:
    """A multipart message cut before its (MAX_MIME_PARTS + 1)th possible boundary line."""
    end = data.find(b"\n\n", 0, 512 * 1024)
    end = data.find(b"\r\n\r\n", 0, 512 * 1024) if end < 0 else end
    headers = data[:end if end >= 0 else 512 * 1024].lower()
    if b"multipart/" not in headers or data.count(b"\n--") <= MAX_MIME_PARTS:
        return data, False
    pos = 0
    for _ in range(MAX_MIME_PARTS + 1):
        pos = data.find(b"\n--", pos) + 1
    return data[:pos], True


def _utf8_from_bom(data: bytes) -> bytes:
    """UTF-16 text (Notepad's "Unicode") as UTF-8, and without a UTF-8 BOM."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            if codec == "utf-8":
                return data[len(bom):]
            return data[len(bom):].decode(codec, "replace").encode("utf-8")
    return data


# ---------------------------------------------------------------------------------------------
# What kind of input is this?
# ---------------------------------------------------------------------------------------------

_HEADER_NAME_RE = re.compile(rb"^([!-9;-~]+)[ \t]*:")
#: Headers a human would not type at the top of a note: seeing one means a real message.
_MAIL_HEADERS = frozenset({
    b"from", b"to", b"cc", b"bcc", b"date", b"message-id", b"content-type", b"mime-version",
    b"received", b"return-path", b"delivered-to", b"reply-to", b"in-reply-to", b"references",
    b"sender", b"user-agent", b"dkim-signature", b"authentication-results", b"thread-topic",
    b"thread-index", b"content-transfer-encoding", b"list-id", b"envelope-to", b"arc-seal",
})
_HEADER_SCAN_LINES = 2_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"PK\x03\x04", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
                 b"BZh9", b"\x7fELF", b"7z\xbc\xaf", b"Rar!", b"\xfd7zXZ", _OLE_MAGIC)
#: C0 control bytes that never occur in text (tab, newlines, form feed and ESC are allowed).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])


def _looks_like_mime(data: bytes) -> bool:
    """True when the input starts with a block of RFC 5322 header fields.

    A lone "Subject:" line does not count: people paste that above a plain-text complaint,
    and such text must be decoded as text (UTF-8 or Windows-1252), not as 7-bit mail.
    """
    lines = data[:512 * 1024].split(b"\n", _HEADER_SCAN_LINES)[:_HEADER_SCAN_LINES]
    if lines and lines[0].startswith(b"From "):  # an mbox "From " envelope line
        lines = lines[1:]
    seen_mail_header = False
    for i, raw in enumerate(lines):
        line = raw.rstrip(b"\r")
        if not line:
            return seen_mail_header and i > 0
        if line[:1] in (b" ", b"\t"):
            if i == 0:
                return False
            continue
        match = _HEADER_NAME_RE.match(line)
        if not match:  # a body with no blank line before it: the parser copes, if it is mail
            return seen_mail_header and i >= 2
        name = match.group(1).lower()
        seen_mail_header = seen_mail_header or name in _MAIL_HEADERS or name.startswith(b"x-")
    return seen_mail_header


def _looks_binary(data: bytes) -> bool:
    """Heuristics for "this is a PNG / zip / random bytes", checked on the first 8 KB."""
    sample = data[:8192]
    if b"\x00" in sample or sample.startswith(_BINARY_MAGIC):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.05


# ---------------------------------------------------------------------------------------------
# Decoding bytes
# ---------------------------------------------------------------------------------------------

#: Labels mail software uses for a superset encoding, mapped to that superset.
_CHARSET_ALIASES = {
    "us-ascii": "windows-1252", "ascii": "windows-1252", "iso-8859-1": "windows-1252",
    "latin1": "windows-1252", "latin-1": "windows-1252", "iso_8859-1": "windows-1252",
    "gb2312": "gb18030", "gbk": "gb18030", "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
    "shift_jis": "cp932", "iso-8859-8-i": "iso-8859-8", "tis-620": "cp874",
    "windows-874": "cp874", "x-sjis": "cp932", "utf8": "utf-8",
}


def _decode_guess(data: bytes) -> tuple[str, str]:
    """Text from bytes of unknown encoding, and the name of the encoding used.

    UTF-8 first; text that is clearly UTF-8 with a few bad bytes stays UTF-8 (with U+FFFD);
    otherwise Windows-1252, the usual reality behind an unlabelled 8-bit message; Latin-1
    never fails.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # valid multi-byte characters
    if good > 0 and bad <= good // 10:
        return text, "utf-8"
    try:
        return data.decode("windows-1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _decode_charset(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text of a MIME part in its declared charset, and a warning when that did not work."""
    label = (charset or "").strip().strip("\"'").lower()
    codec = _CHARSET_ALIASES.get(label, label)
    if codec in {"", "windows-1252"}:
        # No label, 7-bit or Latin-1: mail software writes these for UTF-8 text all the time,
        # and valid multi-byte UTF-8 is practically never real Latin-1, so try UTF-8 first.
        return _decode_guess(data)[0], None
    try:
        codecs.lookup(codec)
        if data.isascii() and not codec.startswith(("utf-16", "utf-32", "utf-7", "utf16",
                                                    "utf32")):
            return data.decode("ascii"), None
        return data.decode(codec), None
    except UnicodeDecodeError:
        text, used = _decode_guess(data)
        return text, f"text is not valid {label}; decoded as {used} (best effort)"
    except (LookupError, ValueError):
        # Unknown, not a text encoding at all ("base64", "rot13"), or not even a name: a NUL
        # in the label makes codecs.lookup raise ValueError.
        text, used = _decode_guess(data)
        return text, f"unknown charset {label!r}; decoded as {used} (best effort)"


# Zero-width characters, bidi controls, soft hyphen, C0/C1 controls other than tab and newline:
# invisible to a reader, but they hide words from rules and can carry instructions to a model.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff]+"
)
_NEWLINE_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Apple Mail starts every quoted message with U+FEFF: dropped silently, it hides nothing.
_QUOTE_BOM_RE = re.compile("^([ \t>]*)\ufeff+", re.M)


def _normalize(text: str, warnings: list[str]) -> str:
    """``\\n`` newlines, no invisible characters (with a warning when some were removed)."""
    text = _QUOTE_BOM_RE.sub(r"\1", _NEWLINE_RE.sub("\n", text))
    removed = 0

    def count(match: re.Match[str]) -> str:
        nonlocal removed
        removed += len(match.group(0))
        return ""

    text = _INVISIBLE_RE.sub(count, text)
    if removed:
        warnings.append(f"removed {removed} invisible or control character(s) (zero-width, "
                        "bidi or NUL) from the text")
    return text


# ---------------------------------------------------------------------------------------------
# Messages: headers
# ---------------------------------------------------------------------------------------------


def _safe(fn: Callable[[], _T], default: _T) -> _T:
    """Call a stdlib accessor that may choke on a malformed header; never raise."""
    try:
        return fn()
    except Exception:
        return default


def _raw_header(msg: Message, name: str) -> str:
    """The header as it was written (no policy parsing, which can fail on malformed values)."""
    wanted = name.lower()
    try:
        for key, value in msg.raw_items():
            if key.lower() == wanted:
                return str(value)
    except Exception:
        return str(_safe(lambda: msg.get(name), "") or "")
    return ""


_SURROGATE_RE = re.compile("[\udc80-\udcff]")


def _fix_8bit(value: str) -> str:
    """Raw 8-bit header bytes (surrogate-escaped by the parser) as real text."""
    if not _SURROGATE_RE.search(value):
        return value
    return _decode_guess(value.encode("utf-8", "surrogateescape"))[0]


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, folding and runs of whitespace collapsed to one space."""
    value = " ".join(_fix_8bit(value).split())
    if "=?" in value:
        value = _safe(lambda: str(policy.default.header_factory("x-drafter", value)), value)
    value = _INVISIBLE_RE.sub("", value)
    return " ".join(value.split())


def _header(msg: Message, name: str) -> str:
    return _decode_words(_raw_header(msg, name))


_ADDR_RE = re.compile(r"[^@\s<>\"',;:()\[\]]+@[^@\s<>\"',;:()\[\]]+\.[^@\s<>\"',;:()\[\]]+")


#: ``Dana Whitfield <dana@example.com>`` or a bare address: most From headers, read at once.
#: Anything else (quotes, comments, encoded words, groups, odd dots) goes to the full
#: RFC 5322 parser, which gives the same answer for these (checked on 300,000 random
#: headers) but costs a fifth of a triage email's parse.
_ATOM = r"[^\s<>()\[\]\\,;:@\".]+"
_DOT_ATOM_ADDR = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*"
_NAME_WORD = r"\w[\w'-]*(?:\.(?=\s))?"
_PLAIN_FROM_RE = re.compile(
    rf"\s*(?:({_NAME_WORD}(?:\s+{_NAME_WORD})*)?\s*<({_DOT_ATOM_ADDR})>|({_DOT_ATOM_ADDR}))\s*")


def _address(raw_from: str, decoded: str) -> tuple[str, str]:
    """(display name, address) of the From header, tolerating what the parsers reject."""
    fixed = _fix_8bit(raw_from)

    def registry() -> tuple[str, str]:
        header = policy.default.header_factory("from", fixed)
        for addr in header.addresses:
            if _ADDR_RE.fullmatch(addr.addr_spec):
                return addr.display_name, addr.addr_spec
        return "", ""

    plain = _PLAIN_FROM_RE.fullmatch(fixed)
    address = (plain.group(2) or plain.group(3)) if plain else ""
    if plain and _ADDR_RE.fullmatch(address):
        name = " ".join((plain.group(1) or "").split())
    else:
        name, address = _safe(registry, ("", ""))
    if not address:
        name, address = parseaddr(decoded)
    if not _ADDR_RE.fullmatch(address or ""):
        found = _ADDR_RE.search(decoded)
        address = found.group(0) if found else ""
        name = (decoded.replace(address, "") if found else decoded).strip(" <>\"'")
    return " ".join(_INVISIBLE_RE.sub("", name).split()), address


_MSGID_RE = re.compile(r"<[^<>\s]*>")


def _message_ids(value: str) -> list[str]:
    """Message ids in a References/In-Reply-To value; bare tokens when nobody used brackets."""
    return _MSGID_RE.findall(value) or value.split()


def _headers(msg: Message) -> dict[str, object]:
    raw_from = _raw_header(msg, "From")
    sender = _decode_words(raw_from)
    name, address = _address(raw_from, sender)
    in_reply_to = _header(msg, "In-Reply-To")
    return {
        "subject": _header(msg, "Subject"),
        "sender": sender,
        "sender_name": name,
        "sender_address": address,
        "to": _header(msg, "To"),
        "date": _header(msg, "Date"),
        "message_id": _header(msg, "Message-ID"),
        "in_reply_to": (_message_ids(in_reply_to) or [""])[0],
        "references": _message_ids(_header(msg, "References")),
    }


# ---------------------------------------------------------------------------------------------
# Messages: finding and decoding the body part
# ---------------------------------------------------------------------------------------------

_MAX_MIME_DEPTH = 30
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


class _Walk:
    """Collects body candidates (in preference order), forwarded messages and MIME defects."""

    def __init__(self) -> None:
        self.forwarded: list[Message] = []
        self.defects: list[str] = []

    def visit(self, part: Message, depth: int = 0) -> list[Message]:
        if depth > _MAX_MIME_DEPTH:
            self._defect("parts nested too deeply")
            return []
        for defect in getattr(part, "defects", ()):
            if type(defect).__name__ in _STRUCTURE_DEFECTS:
                self._defect(_STRUCTURE_DEFECTS[type(defect).__name__])
        ctype = _safe(part.get_content_type, "text/plain")
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
            found.sort(key=lambda c: _safe(c.get_content_type, "") != "text/plain")
        return found

    def _defect(self, text: str) -> None:
        if text not in self.defects:
            self.defects.append(text)


def _is_attachment(part: Message) -> bool:
    disposition = _safe(part.get_content_disposition, None)
    if disposition == "attachment":
        return True
    return disposition != "inline" and bool(_safe(part.get_filename, None))


_BOUNDARY_LINE_RE = re.compile(r"^--([^\s\"]{1,200})[ \t]*\r?\n(?=[A-Za-z-]+:)", re.M)


def _recover_multipart(part: Message, ctype: str) -> Message | None:
    """Re-parse a multipart whose declared boundary is wrong, using the one actually there."""
    raw = getattr(part, "_payload", None)  # get_payload() would mangle 8-bit bytes
    match = _BOUNDARY_LINE_RE.search(raw) if isinstance(raw, str) else None
    if not match or match.group(1) == _safe(part.get_boundary, None):
        return None
    head = f'Content-Type: {ctype}; boundary="{match.group(1)}"\n\n'
    data = (head + raw).encode("utf-8", "surrogateescape")
    return _safe(lambda: BytesParser(policy=policy.default).parsebytes(data), None)


def _param(part: Message, name: str) -> str:
    value = _safe(lambda: part.get_param(name), None)
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value or "").strip().lower()


def _part_text(part: Message, warnings: list[str]) -> tuple[str, str]:
    """(text, content type) of a leaf part: transfer encoding undone, charset decoded.

    A multipart whose boundary could not be found lands here too and is read as plain text.
    """
    ctype = "text/html" if _safe(part.get_content_type, "") == "text/html" else "text/plain"
    text = _unencoded_text(part)
    if text is None:
        payload = _safe(lambda: part.get_payload(decode=True), None)
        if not isinstance(payload, bytes):
            raw = _safe(part.get_payload, "")
            payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
            ctype = "text/plain"
        if any(isinstance(d, _B64_DEFECTS) for d in getattr(part, "defects", ())):
            _warn(warnings, "the body's base64 encoding is damaged; decoded best-effort")
        text, problem = _decode_charset(payload, _param(part, "charset") or None)
        if problem:
            _warn(warnings, problem)
    if ctype == "text/plain" and _param(part, "format") == "flowed":
        text = _unflow(text, delsp=_param(part, "delsp") == "yes")
    return text, ctype


def _unencoded_text(part: Message) -> str | None:
    """The payload itself when a message was built from ``str`` with real non-ASCII text.

    ``get_payload(decode=True)`` would turn such text into raw-unicode-escape bytes. The stored
    payload is read directly: ``get_payload()`` already replaces undecodable 8-bit bytes.
    """
    raw = getattr(part, "_payload", None)
    if not isinstance(raw, str) or raw.isascii():
        return None
    if _SURROGATE_RE.search(raw):  # 8-bit bytes that BytesParser kept as surrogates
        return None
    cte = str(_safe(lambda: part.get("content-transfer-encoding", ""), "") or "").strip().lower()
    return raw if cte in {"", "7bit", "8bit", "binary"} else None


def _warn(warnings: list[str], text: str) -> None:
    if text not in warnings:
        warnings.append(text)


# A data: URI (inline image) can be megabytes of base64 that is not text; drop it before the
# HTML size cap so it cannot push the customer's words past the cap.
_DATA_URI_RE = re.compile(r"data:[\w.+/-]{0,100};base64,[A-Za-z0-9+/=\s]{200,}")


def _html_text(html: str, warnings: list[str]) -> str:
    """HTML body as text, warning about hidden text and oversize markup."""
    html = _DATA_URI_RE.sub("data:,", html)
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        _warn(warnings, f"HTML body longer than {MAX_HTML_CHARS:,} characters; only the "
                        "start was read")
    hidden: list[str] = []
    text = html_to_text(html, hidden)
    if hidden:
        preview = " ".join(hidden)
        preview = preview if len(preview) <= 80 else preview[:79] + "…"
        _warn(warnings, f"dropped hidden HTML text ({len(hidden)} element(s)): {preview!r}")
    return text


# ---------------------------------------------------------------------------------------------
# Building the Email
# ---------------------------------------------------------------------------------------------


def email_from_message(msg: Message, source: str = "") -> Email:
    """An Email from a parsed message (``EmailMessage`` or a legacy compat32 ``Message``).

    Only the base ``Message`` API and raw headers are used, so messages from ``mailbox``
    (compat32) work without re-serializing them, which could itself fail on bad input.
    """
    warnings: list[str] = []
    walk = _Walk()
    candidates = walk.visit(msg)
    if walk.defects:
        warnings.append(f"malformed MIME structure ({', '.join(walk.defects)}); read "
                        "best-effort")
    email = _first_text(candidates)
    if email is None:
        email = _forwarded_text(walk.forwarded)
    if email is None:
        raise InputError(f"no message text found in {source or 'the message'}")
    for key, value in _headers(msg).items():
        setattr(email, key, _cap_header(key, value, warnings))
    email.source = source
    email.warnings = warnings + [w for w in email.warnings if w not in warnings]
    return email


#: Headers people and models read; each goes into every prompt outside the email budget.
_SHOWN_HEADERS = frozenset({"subject", "sender", "sender_name", "to", "date"})


def _cap_header(key: str, value: object, warnings: list[str]) -> object:
    """A shown header cut to ``MAX_HEADER_CHARS`` (a 200 KB subject is junk, not a subject)."""
    if key not in _SHOWN_HEADERS or not isinstance(value, str) or len(value) <= MAX_HEADER_CHARS:
        return value
    warnings.append(f"{key.replace('_', ' ')} header truncated to {MAX_HEADER_CHARS} characters "
                    f"(was {len(value):,})")
    return value[:MAX_HEADER_CHARS - 1].rstrip() + "…"


def _first_text(candidates: list[Message]) -> Email | None:
    """The first candidate part that holds text once quotes and signature are split off."""
    for part in candidates:
        warnings: list[str] = []
        text, ctype = _part_text(part, warnings)
        if ctype == "text/html":
            text = _html_text(text, warnings)
        email = _assemble(text, ctype, warnings)
        if email is not None:
            return email
    return None


def _forwarded_text(forwarded: list[Message], depth: int = 0) -> Email | None:
    """Last resort: the text of an attached (forwarded-as-attachment) message.

    A forward of a forward nests one message in another: the innermost text is found, up
    to the same depth limit as MIME parts.
    """
    for part in forwarded:
        inner = _safe(part.get_payload, None)
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, Message):
            continue
        walk = _Walk()
        email = _first_text(walk.visit(inner))
        if email is None and walk.forwarded and depth < _MAX_MIME_DEPTH:
            email = _forwarded_text(walk.forwarded, depth + 1)
        if email is not None:
            _warn(email.warnings, "the message has no text of its own; used the text of the "
                                  "attached message")
            return email
    return None


def _email_from_text(data: bytes, source: str) -> Email:
    """An Email from a plain-text file; an optional leading "Subject:" line is the subject."""
    text, _ = _decode_guess(data)
    warnings: list[str] = []
    subject, text = _leading_subject(text)
    ctype = "text/plain"
    if _looks_like_html(text):
        text, ctype = _html_text(text, warnings), "text/html"
    email = _assemble(text, ctype, warnings)
    if email is None:
        raise InputError(f"no message text found in {source or 'the input'}")
    email.subject = _decode_words(subject)
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
    text = _normalize(text, warnings)
    body, quoted, signature = clean_body(text)
    body = body.strip()
    if not body and quoted.strip():
        body, inner_quoted, inner_signature = clean_body(_unquote(quoted))
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


# ---------------------------------------------------------------------------------------------
# format=flowed (RFC 3676)
# ---------------------------------------------------------------------------------------------

def _unflow(text: str, *, delsp: bool) -> str:
    """Join format=flowed soft line breaks, so a wrapped "On … wrote:" is one line again."""
    out: list[str] = []
    pieces: list[str] = []
    depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        level = len(line) - len(line.lstrip(">"))
        content = line[level:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if pieces and level != depth:
            out.append(_flowed_line(depth, pieces))
            pieces = []
        depth = level
        soft = content.endswith(" ") and content != "-- "
        pieces.append(content[:-1] if soft and delsp else content)
        if not soft:
            out.append(_flowed_line(depth, pieces))
            pieces = []
    if pieces:
        out.append(_flowed_line(depth, pieces))
    return "\n".join(out)


def _flowed_line(depth: int, pieces: list[str]) -> str:
    text = "".join(pieces)
    return ("> " * depth + text) if depth else text


# ---------------------------------------------------------------------------------------------
# Quotes and signatures
# ---------------------------------------------------------------------------------------------

#: Marker lines are short; longer lines are never tested, which keeps every regex linear.
_MAX_MARKER = 400

_OPENERS = r"(?:on|le|am|el|op|il|em|den|dne|w\s+dniu|på)"
_VERBS = (r"(?:wrote|writes|a\s+écrit|schrieb|escribió|escribio|schreef|ha\s+scritto|scrisse|"
          r"escreveu|skrev|napisał|napsal\(a\)|napsal|kirjoitti|написал)")
_ATTRIBUTION_RE = re.compile(rf"^\s*{_OPENERS}\s.*\b{_VERBS}\b[^:]{{0,200}}:\s*$", re.I)
_OPENER_RE = re.compile(rf"^\s*{_OPENERS}\s", re.I)
_TIME_OR_ADDRESS_RE = re.compile(r"@|\b\d{1,2}[:.h]\d{2}\b")
_WROTE_RE = re.compile(rf"^.{{0,300}}\b{_VERBS}\s*:\s*$", re.I)
_SEPARATOR_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded message|original|message d'origine|"
    r"message transféré|mensaje original|mensaje reenviado|ursprüngliche nachricht|"
    r"weitergeleitete nachricht|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|"
    r"doorgestuurd bericht|mensagem original|mensagem encaminhada|ursprungligt meddelande)"
    r"\s*-{2,}\s*$",
    re.I,
)
_BEGIN_FORWARD_RE = re.compile(
    r"^\s*(?:begin forwarded message|début du message réexpédié|"
    r"anfang der weitergeleiteten nachricht|inicio del mensaje reenviado)\s*:\s*$",
    re.I,
)
_UNDERSCORES_RE = re.compile(r"^\s*_{10,}\s*$")
_FROM_LINE_RE = re.compile(r"^\s*\*?(?:from|de|von|van|da|od|fra|från)\s*\*?\s*:", re.I)
_HEADER_LINE_RE = re.compile(
    r"^\s*\*?(sent|date|to|cc|bcc|subject|reply-to|envoyé|à|objet|gesendet|datum|an|betreff|"
    r"enviado|fecha|para|asunto|inviato|data|a|oggetto|verzonden|aan|onderwerp)\s*\*?\s*:",
    re.I,
)


def clean_body(text: str) -> tuple[str, str, str]:
    """Split text into (the customer's new words, quoted history, signature).

    Line-based and linear: every line is classified once, and regexes only ever see lines of
    bounded length. Inline replies (the customer's lines between quoted ones) stay in the body.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body_lines, quoted_lines = _split_quotes(lines)
    body_lines, signature_lines = _split_signature(body_lines)
    return _join(body_lines), _join(quoted_lines), _join(signature_lines)


def _join(lines: list[str]) -> str:
    """Lines as text: trailing spaces and runs of blank lines squeezed, no blank ends."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _is_quote(line: str) -> bool:
    first = line[:1]
    return first == ">" or (first in " \t" and first != "" and line.lstrip()[:1] == ">")


def _split_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Route each line to the body or the quoted history (see :func:`clean_body`)."""
    history = len(lines)  # where everything-is-history starts (Outlook separators, forwards)
    attribution: tuple[int, int] | None = None
    headers = _HeaderLines(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped[0] == ">" or len(stripped) > _MAX_MARKER:
            continue
        # Every marker has a colon or starts with "-"/"_", except the first line of a wrapped
        # "On <date>, <name>\nwrote:": this cheap test keeps ordinary lines regex-free.
        if ":" not in stripped and stripped[0] not in "-_" and not _OPENER_RE.match(stripped):
            continue
        if _starts_history(stripped, lines, i, headers):
            history = i
            break
        if attribution is None and (stripped[-1] == ":" or _OPENER_RE.match(stripped)):
            size = _attribution_size(lines, i)
            if size:
                attribution = (i, size)
    body: list[str] = []
    quoted: list[str] = []
    if attribution is None:
        _route(lines[:history], body, quoted)
    else:
        start, size = attribution
        size = min(size, history - start)  # a wrapped attribution never runs into the history
        _route(lines[:start], body, quoted)
        rest = lines[start + size:history]
        first = next((k for k, line in enumerate(rest) if _is_quote(line)), None)
        quoted.extend(lines[start:start + size])
        if first is None:  # "On … wrote:" then the old message without ">": all history
            quoted.extend(rest)
        else:
            quoted.extend(rest[:first])
            _route(rest[first:], body, quoted)
    quoted.extend(lines[history:])
    return body, quoted


def _route(lines: list[str], body: list[str], quoted: list[str]) -> None:
    for line in lines:
        (quoted if _is_quote(line) else body).append(line)


def _next_nonblank(lines: list[str], i: int, limit: int = 3) -> str:
    for line in lines[i:i + limit]:
        if line.strip():
            return line
    return ""


def _attribution_size(lines: list[str], i: int) -> int:
    """How many lines (1–3) an "On <date>, <name> wrote:" line starting at ``i`` spans; 0 if
    it is not one. Without ``>`` lines after it, a time or an address must be in it (mail
    clients always write one): a customer may well write "On 3 March your agent wrote:" and
    go on in their own words."""
    line = lines[i].strip()
    if _OPENER_RE.match(line):
        joined = line
        for k in range(1, 4):
            if len(joined) > _MAX_MARKER:
                break
            if joined.endswith(":") and _ATTRIBUTION_RE.match(joined) and (
                _is_quote(_next_nonblank(lines, i + k)) or _TIME_OR_ADDRESS_RE.search(joined)
            ):
                return k
            nxt = lines[i + k].strip() if i + k < len(lines) else ""
            if not nxt or nxt.startswith(">"):
                break
            joined = f"{joined} {nxt}"
    elif line.endswith(":") and _WROTE_RE.match(line) and _is_quote(_next_nonblank(lines, i + 1)):
        return 1
    return 0


def _starts_history(line: str, lines: list[str], i: int, headers: _HeaderLines) -> bool:
    """True at an Outlook/forward separator, after which everything is earlier messages.

    ``line`` is ``lines[i]`` stripped and known to be short.
    """
    if line[0] == "-":
        return bool(_SEPARATOR_RE.match(line))
    if line[0] == "_":
        if not _UNDERSCORES_RE.match(line):
            return False
        after = _next_nonblank(lines, i + 1)
        return len(line) >= 30 or bool(_FROM_LINE_RE.match(after[:_MAX_MARKER]))
    if _BEGIN_FORWARD_RE.match(line):
        return True
    return bool(_FROM_LINE_RE.match(line)) and headers.block_after(i)


class _HeaderLines:
    """Which lines look like "Sent:/To:/Subject:" header lines, each line tested at most once.

    A message made of thousands of "From:" lines would otherwise re-test the same following
    lines over and over.
    """

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._keys: dict[int, str] = {}

    def key(self, i: int) -> str:
        if i not in self._keys:
            match = _HEADER_LINE_RE.match(self._lines[i][:_MAX_MARKER])
            self._keys[i] = match.group(1).lower() if match else ""
        return self._keys[i]

    def block_after(self, i: int) -> bool:
        """A From: line followed by at least two of Sent/Date/To/Subject/…: a quoted header."""
        keys: set[str] = set()
        for k in range(i + 1, min(i + 9, len(self._lines))):
            key = self.key(k)
            if not key:  # the block ends at the first line that is not a header field
                break
            keys.add(key)
        return len(keys) >= 2


# -- signatures ---------------------------------------------------------------------------------

_MOBILE_RE = re.compile(
    r"^\s*(?:sent from my [\w .'’-]{1,40}|sent from (?:mail|outlook|yahoo|gmail|samsung|"
    r"proton ?mail|aol|icloud)[\w .'’-]{0,40}|get outlook for (?:ios|android)|"
    r"sent (?:via|with|using) [\w .'’-]{1,40}|envoyé de mon [\w .'’-]{1,30}|"
    r"von meinem [\w .'’-]{1,30} gesendet|enviado desde mi [\w .'’-]{1,30}|"
    r"inviato da [\w .'’-]{1,40}|verzonden (?:vanaf|met) [\w .'’-]{1,30}|"
    r"enviado do meu [\w .'’-]{1,30})\s*[.!]?\s*(?:<[^<>]{0,200}>|\([^()]{0,200}\))?\s*$",
    re.I,
)
_SIGNOFF_RE = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|thx|regards|kind regards|best regards|"
    r"warm regards|warmest regards|with regards|best|all the best|best wishes|cheers|"
    r"sincerely|yours sincerely|sincerely yours|yours truly|yours|respectfully|cordially|"
    r"take care|talk soon|cordialement|bien à vous|merci|mit freundlichen grüßen|"
    r"freundliche grüße|viele grüße|liebe grüße|beste grüße|grüße|gruß|saludos|un saludo|"
    r"saludos cordiales|atentamente|gracias|muchas gracias|grazie|cordiali saluti|"
    r"distinti saluti|met vriendelijke groet|groeten|obrigado|obrigada|atenciosamente)"
    r"(?:\s+(?:so much|a lot|again|in advance))?\s*[,.!;:—–-]*\s*(?P<name>[^\n]{0,40})$",
    re.I,
)
_CONTACT_RE = re.compile(r"\d|@|https?://|www\.", re.I)
#: Lines of a sign-off block: at most this many, each at most _MAX_SIG_LINE characters.
_MAX_SIGNOFF_LINES = 6
_MAX_SIG_LINE = 80


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Body lines and signature lines: after "-- ", a mobile footer, or a short sign-off."""
    cut = _delimiter(lines)
    body, signature = lines[:cut], lines[cut:]
    footer = _mobile_footer(body)
    body, signature = body[:footer], body[footer:] + signature
    signoff = _signoff(body)
    return body[:signoff], body[signoff:] + signature


def _delimiter(lines: list[str]) -> int:
    """Index of the RFC 3676 "-- " line; a bare "--" only counts near the end."""
    for i, line in enumerate(lines):
        if line == "-- ":
            return i
    tail = max(len(lines) - 12, 0)
    for i in range(len(lines) - 1, tail - 1, -1):
        if lines[i].strip() == "--":
            return i
    return len(lines)


def _nonblank_tail(lines: list[str], count: int) -> list[int]:
    """Indices of the last ``count`` non-blank lines, last first."""
    found: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            found.append(i)
            if len(found) == count:
                break
    return found


def _mobile_footer(lines: list[str]) -> int:
    for i in _nonblank_tail(lines, 3):
        if len(lines[i]) <= _MAX_MARKER and _MOBILE_RE.match(lines[i]):
            return i
    return len(lines)


def _signoff(lines: list[str]) -> int:
    """Start of a trailing "Thanks,\\nJane Doe\\n555-…" block, or len(lines) when there is none.

    The earliest sign-off line among the last few lines wins, as long as everything after it
    looks like a name, title or contact detail: a sentence after "Thanks," means the customer
    was still talking, and the customer's words must never end up in the signature.
    """
    tail = _nonblank_tail(lines, _MAX_SIGNOFF_LINES + 1)
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for i in reversed(tail):
        line = lines[i]
        if len(line) > _MAX_SIG_LINE:
            continue
        match = _SIGNOFF_RE.match(line)
        if not match or not _name_like(match.group("name")):
            continue
        rest = [x for x in lines[i + 1:] if x.strip()]
        if i > first_text and all(_signature_like(x) for x in rest):
            return i
    return len(lines)


def _name_like(text: str) -> bool:
    """Empty, or a few capitalized words ("Jane", "J. Doe", "The Smiths")."""
    words = text.split()
    if not words:
        return True
    if len(words) > 4 or text.rstrip()[-1:] in "!?:":
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _signature_like(line: str) -> bool:
    """A name, title, company or contact line, as opposed to a sentence of the message."""
    text = line.strip()
    if len(text) > _MAX_SIG_LINE or text[-1:] in "!?":
        return False
    words = text.split()
    if _CONTACT_RE.search(text):
        return len(words) <= 8
    if len(words) == 1:
        return True
    capitalized = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return len(words) <= 6 and capitalized * 2 >= len(words) and not text.endswith(".")


# -- undoing a quote (for messages that are nothing but a forward) ------------------------------

_QUOTE_PREFIX_RE = re.compile(r"^(?:[ \t]*>)+[ \t]?")


def _unquote(quoted: str) -> str:
    """The quoted message itself: no ``>`` prefixes, no separator/attribution, no header block."""
    lines = [_QUOTE_PREFIX_RE.sub("", line) for line in quoted.split("\n")]
    i = _skip_blank(lines, 0)
    if i < len(lines):
        line = lines[i]
        if _SEPARATOR_RE.match(line) or _BEGIN_FORWARD_RE.match(line) or \
                _UNDERSCORES_RE.match(line):
            i += 1
        else:
            i += _attribution_size(lines, i) if len(line) <= _MAX_MARKER else 0
    i = _skip_blank(lines, i)
    if i < len(lines) and _FROM_LINE_RE.match(lines[i][:_MAX_MARKER]):
        while i < len(lines) and lines[i].strip():
            i += 1
    return "\n".join(lines[i:])


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i
