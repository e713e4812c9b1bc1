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

#: A number as written in any of the seven languages: "1,299.00", "1.240,00", "19,99",
#: "8.700", "1 299,50", "12.99", "40".
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
#: Currency marks and what they mean. "$" is read as US dollars: the mark most support
#: mail uses for them (a "CA$"/"A$"/"R$" says otherwise).
_CURRENCY_CODES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "¥": "JPY", "jpy": "JPY", "chf": "CHF", "fr.": "CHF", "r$": "BRL", "brl": "BRL",
    "ca$": "CAD", "cad": "CAD", "a$": "AUD", "aud": "AUD",
}
_BEFORE = r"R\$|CA\$|A\$|US\$|[$€£¥]|USD|EUR|GBP|CHF|CAD|AUD|BRL"
_AFTER = (r"€|£|\$|USD|EUR|GBP|CHF|CAD|AUD|BRL|JPY|dollars?|euros?|pounds?|bucks|quid|"
          r"eur\b")
_AMOUNT_RE = re.compile(
    rf"(?<![\w.,])(?P<cur>{_BEFORE})\s?(?P<num>{_NUMBER})"
    rf"|(?<![\w.,])(?P<num2>{_NUMBER})\s?(?P<cur2>{_AFTER})(?![\w$€£])",
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

    def add(pos: int, kind: str, value: str, raw: str, currency: str = "") -> None:
        key = (kind, value.lower())
        if key not in seen:
            seen.add(key)
            found.append((pos, Fact(kind=kind, value=value, text=raw.strip(),
                                    currency=currency)))

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
        mark = (m.group("cur") or m.group("cur2")).lower()
        value = normalize_amount(m.group("num") or m.group("num2"))
        if value is not None:
            add(m.start(), "amount", value, m.group(0),
                _CURRENCY_CODES.get(mark, mark.upper()))
    for m in _DATE_RE.finditer(text):
        add(m.start(), "date", " ".join(m.group(0).split()), m.group(0))
    return [fact for _, fact in sorted(found, key=lambda pair: pair[0])]


def normalize_amount(number: str) -> str | None:
    """One spelling per amount, whatever the writer's separators: ``"1,299.00"`` and
    ``"1.299,00"`` → ``"1299"``, ``"12.99"`` and ``"12,99"`` → ``"12.99"``, ``"8.700"`` →
    ``"8700"``; None for what is not a number.

    The last separator is the decimal one when both kinds appear; a lone separator is a
    thousands separator when exactly three digits follow it ("8.700 euros", "$1,298"), and
    a decimal one otherwise ("19,99 EUR"). (price-parser applies the same rule; at 80 ms
    of import it would cost a sixth of ``drafter draft``.)
    """
    digits = re.sub(r"[\u00a0\u202f ]", "", number)
    marks = [c for c in digits if c in ".,"]
    if not marks:
        whole, frac = digits, ""
    elif len(set(marks)) == 2:
        last = max(digits.rfind("."), digits.rfind(","))
        whole, frac = digits[:last], digits[last + 1:]
    else:
        head, _, tail = digits.rpartition(marks[-1])
        if len(tail) == 3 and (len(marks) > 1 or head):
            whole, frac = digits, ""
        else:
            whole, frac = head, tail
    whole = re.sub(r"[.,]", "", whole)
    if not whole.isdigit() or (frac and not frac.isdigit()):
        return None
    value = float(f"{whole}.{frac or '0'}")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _looks_like_year(ident: str) -> bool:
    return ident.isdigit() and len(ident) == 4 and ident.startswith(("19", "20"))
