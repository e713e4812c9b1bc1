"""Reading customer email: .eml files, plain text, stdin, or already-parsed messages.

Everything downstream (analysis, prompts, the checker) should see only the customer's newest
words, so this package does three jobs: find the text a person would read (the right MIME
part, decoded), split off what is not the customer's message (quoted history and signatures,
kept as context), and refuse input that is not an email with one clear :class:`InputError`.

Real mail is messy: wrong charsets, broken boundaries, HTML-only bodies, 20 MB attachments,
and hostile headers. None of that may raise anything but :class:`InputError`, and nothing here
may take more than linear time — batch triage runs this over whole inbox exports. Each concern
is a module, so each can be tested and capped on its own:

* :mod:`~drafter.mail.read`: input, size limits, telling MIME from text from binary;
* :mod:`~drafter.mail.headers`: header limits (before parsing), decoding, the sender's address;
* :mod:`~drafter.mail.mime`: walking MIME parts, decoding the body part;
* :mod:`~drafter.mail.decode`: charsets and invisible characters;
* :mod:`~drafter.mail.flowed`: format=flowed;
* :mod:`~drafter.mail.quotes`: quote and signature splitting;
* :mod:`~drafter.mail.message`: putting the Email together, with its size limits.
"""

from __future__ import annotations

from drafter.mail.headers import (
    MAX_COMMENT_DEPTH,
    MAX_HEADER_BYTES,
    MAX_HEADER_CHARS,
    MAX_HEADER_FIELD_BYTES,
    MAX_MIME_FIELD_BYTES,
)
from drafter.mail.message import (
    MAX_BODY_CHARS,
    MAX_QUOTED_CHARS,
    MAX_SCAN_CHARS,
    MAX_SIGNATURE_CHARS,
    email_from_message,
)
from drafter.mail.mime import MAX_HTML_CHARS
from drafter.mail.quotes import clean_body
from drafter.mail.read import MAX_INPUT_BYTES, MAX_MIME_PARTS, parse_bytes, read_email

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_COMMENT_DEPTH",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_CHARS",
    "MAX_HEADER_FIELD_BYTES",
    "MAX_HTML_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_MIME_FIELD_BYTES",
    "MAX_MIME_PARTS",
    "MAX_QUOTED_CHARS",
    "MAX_SCAN_CHARS",
    "MAX_SIGNATURE_CHARS",
    "clean_body",
    "email_from_message",
    "parse_bytes",
    "read_email",
]
