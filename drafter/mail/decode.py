"""Bytes of unknown or mislabelled encoding as text, and text without invisible characters.

Mail software labels charsets wrongly all the time (UTF-8 sent as "us-ascii", Windows-1252 sent
as "iso-8859-1"), and a reader must never fail on that: every function here returns text.
"""

from __future__ import annotations

import codecs
import re

#: Labels mail software uses for a superset encoding, mapped to that superset.
_CHARSET_ALIASES = {
    "us-ascii": "windows-1252", "ascii": "windows-1252", "iso-8859-1": "windows-1252",
    "latin1": "windows-1252", "latin-1": "windows-1252", "iso_8859-1": "windows-1252",
    "gb2312": "gb18030", "gbk": "gb18030", "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
    "shift_jis": "cp932", "iso-8859-8-i": "iso-8859-8", "tis-620": "cp874",
    "windows-874": "cp874", "x-sjis": "cp932", "utf8": "utf-8",
}


def decode_guess(data: bytes) -> tuple[str, str]:
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


def decode_charset(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text of a MIME part in its declared charset, and a warning when that did not work."""
    label = (charset or "").strip().strip("\"'").lower()
    codec = _CHARSET_ALIASES.get(label, label)
    if codec in {"", "windows-1252"}:
        # No label, 7-bit or Latin-1: mail software writes these for UTF-8 text all the time,
        # and valid multi-byte UTF-8 is practically never real Latin-1, so try UTF-8 first.
        return decode_guess(data)[0], None
    try:
        codecs.lookup(codec)
        if data.isascii() and not codec.startswith(("utf-16", "utf-32", "utf-7", "utf16",
                                                    "utf32")):
            return data.decode("ascii"), None
        return data.decode(codec), None
    except UnicodeDecodeError:
        text, used = decode_guess(data)
        return text, f"text is not valid {label}; decoded as {used} (best effort)"
    except (LookupError, ValueError):
        # Unknown, not a text encoding at all ("base64", "rot13"), or not even a name: a NUL
        # in the label makes codecs.lookup raise ValueError.
        text, used = decode_guess(data)
        return text, f"unknown charset {label!r}; decoded as {used} (best effort)"


#: Raw 8-bit bytes that the stdlib parser kept as surrogate escapes.
SURROGATE_RE = re.compile("[\udc80-\udcff]")


def fix_8bit(value: str) -> str:
    """Raw 8-bit header bytes (surrogate-escaped by the parser) as real text."""
    if not SURROGATE_RE.search(value):
        return value
    return decode_guess(value.encode("utf-8", "surrogateescape"))[0]


# Zero-width characters, bidi controls, soft hyphen, C0/C1 controls other than tab and newline:
# invisible to a reader, but they hide words from rules and can carry instructions to a model.
INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff]+"
)
_NEWLINE_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Apple Mail starts every quoted message with U+FEFF: dropped silently, it hides nothing.
_QUOTE_BOM_RE = re.compile("^([ \t>]*)\ufeff+", re.M)


def normalize(text: str, warnings: list[str]) -> str:
    """``\\n`` newlines, no invisible characters (with a warning when some were removed)."""
    text = _QUOTE_BOM_RE.sub(r"\1", _NEWLINE_RE.sub("\n", text))
    removed = 0

    def count(match: re.Match[str]) -> str:
        nonlocal removed
        removed += len(match.group(0))
        return ""

    text = INVISIBLE_RE.sub(count, text)
    if removed:
        warnings.append(f"removed {removed} invisible or control character(s) (zero-width, "
                        "bidi or NUL) from the text")
    return text
