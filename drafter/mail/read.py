"""Reading input: a file, stdin or bytes, told apart as MIME mail, plain text or neither.

Input is bounded before anything parses it: at most MAX_INPUT_BYTES are read, at most
MAX_MIME_PARTS parts are parsed, and header fields are cut to size on the raw bytes
(:func:`~drafter.mail.headers.guard_raw_headers`). Anything that is not an email raises one
clear :class:`~drafter.errors.InputError`.
"""

from __future__ import annotations

import re
import sys
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import BinaryIO

from drafter.errors import InputError
from drafter.mail.headers import guard_raw_headers
from drafter.mail.message import email_from_message, email_from_text
from drafter.models import Email

#: The most bytes read from a file or stdin; the rest is ignored (with a warning).
MAX_INPUT_BYTES = 32 * 1024 * 1024
#: The most MIME parts parsed. The stdlib parser spends ~0.3 ms per part; a message with
#: tens of thousands of parts would take seconds, and the text is always among the first.
MAX_MIME_PARTS = 500


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
    if not data or data.isspace():  # not data.strip(): that would copy a 32 MB input
        raise InputError(f"empty input: {source}" if source else "empty input")
    if _looks_like_mime(data):
        data, cut = _limit_parts(guard_raw_headers(data))
        try:
            # compat32, not policy.default: the parser reads Content-Type (and boundaries)
            # while it parses, and policy.default's structured header parsers are quadratic
            # on hostile values; compat32's are plain string operations. Headers are read
            # raw and decoded by drafter.mail.headers either way.
            msg = BytesParser(policy=compat32).parsebytes(data)
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
    return email_from_text(data, source)


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

