"""Finding the checkable details in a customer's email: order ids, amounts, dates.

A reply that repeats the customer's own order number and amount reads as written for them;
a reply that invents one is a liability. Both the offline draft and the checker's
``invented-fact`` rule rely on this one extractor, so they agree on what counts as a fact.
"""

from __future__ import annotations

import re

from drafter.models import Fact

_ID_WORDS = {
    "order_id": r"order|purchase|po|invoice|pedido|commande|bestellung|ordine|encomenda|"
                r"bestelling|auftrag",
    "account_id": r"account|acct|customer|member(?:ship)?",
    "ticket_id": r"ticket|case|reference|ref|claim|complaint|rma|return",
    "tracking": r"tracking|shipment|parcel|package",
}
# "order #A-12345", "Order number: 55123", "ticket no. 8812", "case ID 12-AB"
_ID_RE = {
    kind: re.compile(
        rf"\b(?:{words})\s*(?:number|no\.?|num|id|#|code)?\s*(?:is|was)?\s*[:#]?\s*"
        r"#?(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,24})\b",
        re.IGNORECASE,
    )
    for kind, words in _ID_WORDS.items()
}
# A bare "#12345" still reads as an order number in support mail.
_HASH_ID_RE = re.compile(r"(?<![\w&])#(?P<id>[A-Z0-9][A-Z0-9-]{2,24})\b", re.IGNORECASE)

_AMOUNT_RE = re.compile(
    r"(?P<cur>[$€£¥])\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"|(?P<num2>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s?"
    r"(?P<cur2>USD|EUR|GBP|dollars|euros|pounds|bucks)\b",
    re.IGNORECASE,
)

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b",
    re.IGNORECASE,
)


def extract_facts(text: str) -> list[Fact]:
    """All ids, amounts and dates in ``text``, in order of first appearance, without repeats."""
    found: list[tuple[int, Fact]] = []
    seen: set[tuple[str, str]] = set()

    def add(pos: int, kind: str, value: str, raw: str) -> None:
        key = (kind, value.lower())
        if key not in seen:
            seen.add(key)
            found.append((pos, Fact(kind=kind, value=value, text=raw.strip())))

    for kind, rx in _ID_RE.items():
        for m in rx.finditer(text):
            ident = m.group("id").upper()
            if not _looks_like_year(ident):
                add(m.start(), kind, ident, m.group(0))
    ids = {v for k, v in seen}
    for m in _HASH_ID_RE.finditer(text):
        ident = m.group("id").upper()
        if ident.lower() not in ids and any(c.isdigit() for c in ident):
            add(m.start(), "order_id", ident, m.group(0))
    for m in _AMOUNT_RE.finditer(text):
        add(m.start(), "amount", normalize_amount(m.group("num") or m.group("num2")), m.group(0))
    for m in _DATE_RE.finditer(text):
        add(m.start(), "date", " ".join(m.group(0).split()), m.group(0))
    return [fact for _, fact in sorted(found, key=lambda pair: pair[0])]


def normalize_amount(number: str) -> str:
    """``"1,299.00"`` → ``"1299"``, ``"12.99"`` → ``"12.99"``: one spelling per amount."""
    value = float(number.replace(",", ""))
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _looks_like_year(ident: str) -> bool:
    return ident.isdigit() and len(ident) == 4 and ident.startswith(("19", "20"))
