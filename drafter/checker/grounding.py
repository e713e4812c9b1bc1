"""Grounding and policy: a reply may only state facts it was given and offer what is allowed.

``invented-fact`` compares the order ids, amounts and dates in the reply with those in the
customer's email (and the policy). ``over-promise`` compares offers with the policy: the
amount limit for each option kind and the kinds it lists. Together they are the guard
against a customer's email talking a model into inventing a refund.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drafter.facts import reference_kind_before
from drafter.models import Finding

if TYPE_CHECKING:
    from drafter.checker.context import Context
    from drafter.checker.rules import Rule
    from drafter.models import Fact
    from drafter.policy import Policy

_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CODES = r"USD|EUR|GBP|CAD|AUD|CHF|NZD|JPY|INR"
_AMOUNT = re.compile(
    rf"(?:[$€£¥]|(?<![A-Za-z])(?:{_CODES}) ?)(?P<a>{_NUM})(?!\d)"
    rf"|(?<![\w.,])(?P<b>{_NUM}) ?(?:{_CODES}|dollars?|euros?|pounds?|bucks|€|£)(?![A-Za-z])",
    re.IGNORECASE,
)
_ID = re.compile(
    r"#\s?(?P<h>(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{2,})"
    r"|(?<![\w-])(?P<p>[A-Z]{1,5}-?\d{4,}[A-Z0-9-]*)(?![\w-])"
    r"|(?<![\w.,$€£-])(?P<n>\d{6,})(?![\w-])"
    r"|(?<![\w-])(?P<t>(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,})(?![\w-])"
    r"|(?i:order|account|ticket|case|reference|ref|invoice|tracking|booking|reservation"
    r"|confirmation)(?:\s+(?i:number|no\.?|num|id|code))?\s*[:#]?\s*"
    r"(?P<k>(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,})"
)
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
#: Amounts written in words ("five hundred dollars", "a thousand pounds"): over-promises a
#: model writes without digits. "a" only opens one, and at most six words follow: an
#: unbounded chain is retried from every word of "a a a a …" (quadratic on 100 KB).
_WORD_AMOUNT = re.compile(
    rf"(?<![\w-])(?P<w>(?:a|{_NUMBER_WORD})(?:(?:[ -]|[ -]and[ -])(?:{_NUMBER_WORD})){{0,6}})"
    r" (?:(?:us |canadian |australian )?dollars?|euros?|pounds?(?: sterling)?|bucks|quid)\b",
    re.IGNORECASE,
)


def words_value(text: str) -> float | None:
    """ "five hundred" → 500, "twenty-five" → 25, "a thousand" → 1000; None if not a number."""
    total, current = 0, 0
    for word in re.split(r"[ -]+", text.lower()):
        if word in ("and", ""):
            continue
        if word == "a":
            current = current or 1
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    value = total + current
    return float(value) if value else None


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = re.compile(
    rf"(?<!\w)(?P<m1>{_MONTH})\.? (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,? \d{{4}})?"
    rf"|(?<!\w)(?P<d2>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m2>{_MONTH})(?!\w)(?:,? \d{{4}})?"
    r"|(?<![\w/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?:\d{4}|\d{2})(?![\w/])"
    r"|(?<![\w-])\d{4}-(?P<m4>\d{2})-(?P<d4>\d{2})(?![\w-])"
)
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d{1,2})?")
#: Whole tokens of letters, digits and dashes (those with a digit are id candidates). Matched
#: from a token's start only: "a token holding a digit somewhere" as one pattern retried
#: from every letter of a 100 KB word, quadratically.
_TOKEN = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9][A-Za-z0-9-]*")
_WEEKDAY = (r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day"
            r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+")
_COMMIT_BEFORE = re.compile(
    rf"(?:\bby|\bbefore|\buntil|\btill|\bno later than|\bon or before)\s+(?:the\s+)?"
    rf"(?:{_WEEKDAY})?$", re.I)
_SOFT_BEFORE = re.compile(
    rf"(?:\bon|\bfor|\bfrom|\bstarting|\bafter|\bnext)\s+(?:the\s+)?(?:{_WEEKDAY})?$", re.I)
_PAST_BEFORE = re.compile(r"\b(?:placed|ordered|made|dated|since|purchased|bought|paid|"
                          r"charged|delivered|shipped|received)\b", re.I)

#: What the company reports having done: "I've refunded", "has been credited".
_DONE = re.compile(r"\b(?:I|we)(?:'ve| have) (?:already |now |just |also )?(?!been\b|had\b)"
                   r"\w+(?:ed|en|t)\b|\b(?:has|have) (?:now |already |just )?been \w+(?:ed|en|t)\b",
                   re.IGNORECASE)
#: "and I can do that": agreeing to a restated request, which the offer vocabulary leaves out.
_CAN_DO = re.compile(r"\b(?:I|we) (?:can|could)\b(?!'t|n't| not)", re.IGNORECASE)

_KIND_LABEL = {"id": "The reference", "amount": "The amount", "date": "The date"}


@dataclass(frozen=True)
class Mention:
    """A checkable detail in some text: ``keys`` are its normalized comparable forms."""

    kind: str  # id | amount | date
    start: int
    end: int
    keys: frozenset[object]
    value: float | None = None


def mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """The ids, amounts and dates in ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    found: list[Mention] = []
    for m in _AMOUNT.finditer(text, start, end):
        value = parse_amount(m.group("a") or m.group("b"))
        if value is not None:
            found.append(Mention("amount", m.start(), m.end(), frozenset({value}), value))
    for m in _WORD_AMOUNT.finditer(text, start, end):
        value = words_value(m.group("w"))
        if value is not None and value >= 2:
            found.append(Mention("amount", m.start(), m.end(), frozenset({value}), value))
    for m in _DATE.finditer(text, start, end):
        keys = _date_keys(m)
        if keys:
            found.append(Mention("date", m.start(), m.end(), keys))
    taken = [(x.start, x.end) for x in found]
    for m in _ID.finditer(text, start, end):
        name = next(g for g in ("h", "p", "n", "t", "k") if m.group(g))
        s, e = m.span(name)
        if any(s < te and ts < e for ts, te in taken):
            continue
        found.append(Mention("id", s, e, id_keys(m.group(name))))
        taken.append((s, e))
    return sorted(found, key=lambda x: x.start)


def parse_amount(raw: str | None) -> float | None:
    """ "1,200.50" → 1200.5, "12,99" → 12.99; the last separator before 1–2 digits is decimal."""
    if not raw:
        return None
    m = re.fullmatch(r"(.*?)[.,](\d{1,2})", raw.strip())
    whole, frac = (m.group(1), m.group(2)) if m else (raw, "0")
    digits = re.sub(r"[.,\s]", "", whole)
    try:
        return round(float(f"{digits or 0}.{frac}"), 2)
    except ValueError:
        return None


def id_keys(raw: str) -> frozenset[object]:
    """ "A-12345" and "a12345" are one id; long digit runs also match without their prefix."""
    alnum = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    keys: set[object] = {alnum}
    digits = re.sub(r"\D", "", alnum)
    if len(digits) >= 5:
        keys.add(("digits", digits))
    return frozenset(keys)


def _date_keys(m: re.Match[str]) -> frozenset[object]:
    pairs: list[tuple[int, int]] = []
    if m.group("m1") or m.group("m2"):
        month = _MONTHS.index((m.group("m1") or m.group("m2"))[:3].lower()) + 1
        pairs.append((month, int(m.group("d1") or m.group("d2"))))
    elif m.group("a"):
        a, b = int(m.group("a")), int(m.group("b"))
        pairs += [(a, b), (b, a)]  # 3/4 is March 4th or 3 April: either grounds it
    elif m.group("m4"):
        pairs.append((int(m.group("m4")), int(m.group("d4"))))
    return frozenset(("date", mo, d) for mo, d in pairs if 1 <= mo <= 12 and 1 <= d <= 31)


@dataclass
class Ground:
    """Everything the reply may repeat: the email's details and the policy's numbers."""

    keys: set[object] = field(default_factory=set)
    amounts: set[float] = field(default_factory=set)

    def add_text(self, text: str, *, bare_numbers: bool = True) -> None:
        if not text:
            return
        keys, amounts = _text_ground(text, bare_numbers)
        self.keys |= keys
        self.amounts |= amounts

    def covers(self, mention: Mention) -> bool:
        if mention.kind == "amount" and mention.value is not None:
            return any(abs(mention.value - a) < 0.005 for a in self.amounts)
        return bool(mention.keys & self.keys)


@functools.lru_cache(maxsize=128)  # a few texts per email; bodies are up to 100k chars
def _text_ground(text: str, bare_numbers: bool) -> tuple[frozenset[object], frozenset[float]]:
    """The keys and amounts one text grounds. Cached: a draft is checked several times (and
    the offline builder probes phrases too) against the same email and policy, whose
    scanning was a sixth of an offline triage email's CPU."""
    keys: set[object] = set()
    amounts: set[float] = set()
    for mention in mentions(text):
        keys |= mention.keys
        if mention.value is not None:
            amounts.add(mention.value)
    for token in _TOKEN.findall(text):
        if any(c.isdigit() for c in token):
            keys |= id_keys(token)
    if bare_numbers:
        for num in _BARE_NUMBER.findall(text):
            value = parse_amount(num)
            if value is not None:
                amounts.add(value)
    return frozenset(keys), frozenset(amounts)


def ground(ctx: Context) -> Ground:
    """The email's facts and text, the analysis's wording, and the policy's own numbers."""
    g = Ground()
    for fact in ctx.facts or []:
        g.add_text(fact.text)
        g.add_text(fact.value)
    if ctx.email is not None:
        for text in (ctx.email.body, ctx.email.subject, ctx.email.quoted):
            g.add_text(text)
    if ctx.analysis is not None:
        for text in (ctx.analysis.summary, *ctx.analysis.wants, *ctx.analysis.grievances):
            g.add_text(text)
    _add_policy(g, ctx.policy)
    return g


def _add_policy(g: Ground, policy: Policy) -> None:
    for opt in policy.options:
        if opt.max_amount is not None:
            g.amounts.add(round(opt.max_amount, 2))
        g.add_text(opt.offer)
        g.add_text(opt.when)
    g.add_text(policy.contact)
    g.add_text(policy.company, bare_numbers=False)
    g.add_text(policy.signoff, bare_numbers=False)


def check_invented(ctx: Context) -> list[Finding]:
    """``invented-fact``: ids and amounts must come from the email or the policy.

    Dates the reply commits to ("by March 3", "on the 5th we'll call") are promises, not
    facts, and weekdays are never facts; a credit or discount within the policy's limit
    is an offer (``over-promise`` judges it), not a claim about the customer's order.
    """
    rule = ctx.rule("invented-fact")
    if rule is None or ctx.facts is None:
        return []
    g = ground(ctx)
    out = []
    sources = _source_texts(ctx)
    for mention in ctx.body_mentions:
        if g.covers(mention):
            wrong = _wrong_currency(ctx, mention, sources) or _wrong_kind(ctx, mention, sources)
            if wrong:
                out.append(ctx.finding(rule, mention.start, mention.end, message=wrong))
            continue
        if _is_commitment(ctx, mention) or _allowed_offer(ctx, mention):
            continue
        label = _KIND_LABEL[mention.kind]
        excerpt = ctx.text[mention.start:mention.end]
        if _company_figure(ctx, mention) or (not ctx.drafted and mention.kind != "amount"):
            found = ctx.finding(rule, mention.start, mention.end, message=(
                f"{label} {excerpt!r} is not in the customer's email: check the figure "
                "before sending."))
            found.severity = "warning"
            out.append(found)
            continue
        out.append(ctx.finding(
            rule, mention.start, mention.end,
            message=f"{label} {excerpt!r} is in neither the customer's email nor the policy."))
    return out


def _company_figure(ctx: Context, mention: Mention) -> bool:
    """An amount in a sentence that reports what the company has done ("I've refunded CHF 180,
    the difference for three nights"): a figure from the company's own systems, which only
    a person can verify, so a warning rather than an error. An amount offered or restated
    ("I can refund the $19.99 fee") and every id and date stay errors."""
    if mention.kind != "amount":
        return False
    s0, s1 = ctx.sentence(mention.start)
    return _DONE.search(ctx.view, s0, s1) is not None


def _source_texts(ctx: Context) -> list[str]:
    """The customer's own words, where ids appear with their kind ("flight 1007")."""
    if ctx.email is not None:
        return [t for t in (ctx.email.body, ctx.email.subject) if t]
    return [f.text for f in ctx.facts or []]


def _wrong_currency(ctx: Context, mention: Mention, sources: list[str]) -> str | None:
    """An amount the customer gave, restated in another currency ("£100" → "$100").

    Only amounts whose value the customer wrote count: a policy limit in the policy's own
    currency is the policy's business, not a misquote.
    """
    if mention.kind != "amount" or mention.value is None:
        return None
    said = _currency_of(ctx.text[mention.start:mention.end])
    if not said:
        return None
    theirs = {(c, raw) for text in sources for value, c, raw in _amounts_with_currency(text)
              if abs(value - mention.value) < 0.005}
    if not theirs or said in {c for c, _ in theirs}:
        return None
    excerpt = ctx.text[mention.start:mention.end]
    written = " / ".join(sorted(raw for _, raw in theirs))
    return f"The amount {excerpt!r} is in {said}, but the customer wrote {written}."


def _currency_of(text: str) -> str:
    from drafter.facts import extract_facts

    return next((f.currency for f in extract_facts(text) if f.kind == "amount"), "")


@functools.lru_cache(maxsize=64)
def _amounts_with_currency(text: str) -> tuple[tuple[float, str, str], ...]:
    """(value, currency, as written) for the amounts in ``text`` that name a currency."""
    from drafter.facts import extract_facts

    out = []
    for fact in extract_facts(text):
        value = parse_amount(fact.value) if fact.kind == "amount" else None
        if value is not None and fact.currency:
            out.append((value, fact.currency, fact.text))
    return tuple(out)


def _wrong_kind(ctx: Context, mention: Mention, sources: list[str]) -> str | None:
    """A reference the customer gave as one kind, called another ("flight 1007" as
    "order 1007"): the customer reads that the company has not read their email."""
    if mention.kind != "id":
        return None
    ours = reference_kind_before(ctx.view, mention.start)
    if ours is None:
        return None
    theirs: set[str] = set()
    for text in sources:
        for m in mentions(text):
            if m.kind == "id" and m.keys & mention.keys:
                kind = reference_kind_before(text, m.start)
                if kind is not None:
                    theirs.add(kind)
    if not theirs or ours in theirs:
        return None
    raw = ctx.text[mention.start:mention.end]
    return (f"The reference {raw!r} is called a{'n' if ours[0] in 'aeiou' else ''} {ours} "
            f"here, but the customer's {raw} is their {' / '.join(sorted(theirs))}.")


def _is_commitment(ctx: Context, mention: Mention) -> bool:
    if mention.kind != "date":
        return False
    s0, _ = ctx.sentence(mention.start)
    before = ctx.view[max(s0, mention.start - 40):mention.start]
    if _COMMIT_BEFORE.search(before):
        return True
    commit = ctx.pack.vocab.get("commit")
    sentence = ctx.view[s0:ctx.sentence(mention.start)[1]]
    return bool(_SOFT_BEFORE.search(before) and commit and commit.search(sentence)
                and not _PAST_BEFORE.search(before))


def _allowed_offer(ctx: Context, mention: Mention) -> bool:
    if mention.kind != "amount" or mention.value is None:
        return False
    kind = nearest_kind(ctx, mention)
    limit = ctx.policy.max_amount(kind) if kind in ("credit", "discount") else None
    return limit is not None and mention.value <= limit + 0.005


def nearest_kind(ctx: Context, mention: Mention) -> str | None:
    """The option kind named closest to an amount in its sentence ("a $10 credit")."""
    s0, s1 = ctx.sentence(mention.start)
    best: tuple[int, str] | None = None
    for kind, regex in ctx.pack.kinds.items():
        for m in regex.finditer(ctx.view, s0, s1):
            gap = max(m.start() - mention.end, mention.start - m.end(), 0)
            if best is None or gap < best[0]:
                best = (gap, kind)
    return best[1] if best else None


def check_over_promise(ctx: Context) -> list[Finding]:
    """``over-promise`` (code part): amounts above a kind's limit, kinds the policy lacks."""
    rule = ctx.rule("over-promise")
    if rule is None or not ctx.policy_given:
        return []
    out = []
    for mention in ctx.body_mentions:
        if mention.kind != "amount" or mention.value is None:
            continue
        kind = nearest_kind(ctx, mention)
        limit = ctx.policy.max_amount(kind) if kind else None
        if kind and limit is not None and mention.value > limit + 0.005 \
                and not _restated_request(ctx, mention):
            name = kind.replace("_", " ")
            out.append(ctx.finding(
                rule, mention.start, mention.end,
                message=f"Offers a {name} of {ctx.text[mention.start:mention.end]}, above the "
                        f"policy's limit of {_money(limit, ctx.policy.currency)}."))
    if ctx.english:
        out.extend(_unlisted_kinds(ctx, rule))
    return out


def _restated_request(ctx: Context, mention: Mention) -> bool:
    """The amount is in a sentence that restates the customer's ask and offers nothing.

    "You asked for a refund of $3,600, which I can't offer" listens; "You asked for $3,600
    and we will refund it" promises, so any offer or commitment in the sentence keeps it.
    """
    vocab = ctx.pack.vocab
    request = vocab.get("request")
    if request is None:
        return False
    s0, s1 = ctx.sentence(mention.start)
    if not request.search(ctx.view, s0, s1):
        return False
    return not any(rx is not None and rx.search(ctx.view, s0, s1)
                   for rx in (vocab.get("offer"), vocab.get("commit"), _CAN_DO))


def _line_at(text: str, pos: int) -> str:
    """The line of ``text`` around ``pos``, lower case (an option is one line of a reply)."""
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1:end if end >= 0 else len(text)].lower()


def _policy_offer_parts(policy: Policy) -> list[str]:
    """The fixed words of each of the policy's offers (around ``{amount}``), lower case,
    long enough to be the offer itself rather than a common phrase."""
    parts = []
    for option in policy.options:
        for text in (option.offer, *option.offers.values()):
            parts += [p.strip().lower() for p in text.split("{amount}") if len(p.strip()) >= 12]
    return parts


def _unlisted_kinds(ctx: Context, rule: Rule) -> list[Finding]:
    """Offers of an option kind that the policy does not list (one finding per kind)."""
    if not ctx.policy.options:
        return []
    offer, negation = ctx.pack.vocab.get("offer"), ctx.pack.vocab.get("negation")
    if offer is None:
        return []
    out = []
    start, end = ctx.layout.body_start, max(ctx.layout.body_end, ctx.layout.body_start)
    ours = _policy_offer_parts(ctx.policy)
    from drafter.policy import INDUSTRY_KINDS

    industry = bool(ctx.policy.kinds & INDUSTRY_KINDS)
    for kind, regex in ctx.pack.kinds.items():
        if kind in ctx.policy.kinds or (kind in INDUSTRY_KINDS and not industry):
            continue
        for m in regex.finditer(ctx.view, start, end):
            s0, s1 = ctx.sentence(m.start())
            if not offer.search(ctx.view, s0, s1):
                continue
            if any(part in _line_at(ctx.view, m.start()) for part in ours):
                continue  # the policy's own option, in its own words ("meal vouchers" of
                # an airline's expenses option is not an unlisted credit)
            if negation is not None and negation.search(ctx.view, s0, s1):
                continue
            name = kind.replace("_", " ")
            out.append(ctx.finding(
                rule, m.start(), m.end(),
                message=f"Offers {name}, which the policy does not list as an option."))
            break
    return out


def _money(amount: float, currency: str) -> str:
    from drafter.localize import money

    return money(amount, currency)


def email_facts(body: str) -> list[Fact]:
    """The email's facts, from the project's extractor (the analysis step uses the same one)."""
    from drafter.facts import extract_facts  # type: ignore[import-not-found]

    return list(extract_facts(body))
