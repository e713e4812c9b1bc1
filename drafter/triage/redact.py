"""``--redact``: mask email addresses, phone numbers, card numbers and IBANs in what triage
stores.

A triage run leaves customer data in several places (the ledger, the JSONL/CSV rows, the HTML
report). Teams that share those files or keep them longer than the mailbox itself want the
identifiers that matter most masked, while the text stays readable for a person deciding what
to do. Masks keep a hint of what was there ("[email]", "[phone]", "[card …4242]") so a
reader still understands the sentence.

Card numbers are only masked when the digits pass the Luhn check, so order numbers and
tracking codes (which rarely do) survive; phone numbers need a phone-like shape (a leading
``+``, an area code in brackets, or separator-grouped digits), so amounts, dates and plain
order numbers survive too.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# 13–19 digits, optionally grouped by single spaces or dashes (as cards are written).
_CARD_RE = re.compile(r"(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Phone shapes: +country…, (area) …, or 3+ digit groups joined by separators; 7–15 digits.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,4}){1,4}(?![\w])"
    r"|(?<![\w+])\+\d{7,15}(?!\w)"
)
# A bare run of digits counts as a phone number only where the text says it is one.
_LABELLED_PHONE_RE = re.compile(
    r"(?P<label>\b(?:phone|tel|telephone|mobile|cell|whatsapp|call me (?:at|on)|"
    r"reach me (?:at|on))\b\s*(?:number|no\.?|#)?\s*(?:is\s*)?[:.]?\s*)(?P<num>\d{7,15})(?!\w)",
    re.IGNORECASE,
)
# IBANs: country code, check digits, then 11–30 letters and digits, often in groups of four.
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")

#: Row fields that are identifiers, not customer text: a Message-ID looks like an address.
KEEP_FIELDS = frozenset({"id", "key", "thread", "source", "in_reply_to", "references",
                         "message_id", "engine", "model", "status", "batch"})


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return f"[card …{digits[-4:]}]"
    return match.group(0)


def iban_ok(text: str) -> bool:
    """The ISO 13616 mod-97 check every IBAN satisfies (so order codes survive)."""
    compact = re.sub(r"\s", "", text)
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def _iban(match: re.Match[str]) -> str:
    text = match.group(0)
    tail = re.sub(r"\s", "", text)[-4:]
    return f"[iban …{tail}]" if iban_ok(text) else text


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15 or _DATE_LIKE.match(text):
        return text
    if not (text.startswith(("+", "(")) or re.search(r"\d[ .-]\d", text)):
        return text
    # "12.99" or "1 234" style amounts have short groups; phones have a group of 3+ after it.
    groups = re.split(r"[ .()-]+", text.strip("+"))
    if sum(1 for g in groups if len(g) >= 3) < 2 and not text.startswith("+"):
        return text
    return PHONE_MASK


def redact_text(text: str) -> str:
    """``text`` with emails, IBANs, Luhn-valid card numbers and phone numbers masked."""
    if not text:
        return text
    text = _EMAIL_RE.sub(EMAIL_MASK, text)
    text = _IBAN_RE.sub(_iban, text)
    text = _CARD_RE.sub(_card, text)
    text = _PHONE_RE.sub(_phone, text)
    return _LABELLED_PHONE_RE.sub(lambda m: m.group("label") + PHONE_MASK, text)


def redact_value(value: Any) -> Any:
    """Strings masked, containers walked; numbers and booleans left alone."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in KEEP_FIELDS else redact_value(v) for k, v in value.items()}
    return value


def redact_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a result row with every free-text field masked, identifiers kept."""
    return {k: v if k in KEEP_FIELDS else redact_value(v) for k, v in row.items()}
