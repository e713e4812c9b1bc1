"""The offline engine: rules for listening, a Jinja2 template for replying. No model, no network.

It is the embedded default so drafter works on a fresh machine, and it is deterministic, which
makes it the baseline prompt authors compare against. The wording lives in
``prompts/offline_reply.j2``; this module only decides *what* to say: which grievance to
restate, which policy options answer which want, and when to follow up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drafter.analyze import analyze_email, want_kind
from drafter.models import Analysis, Draft, Email, Fact, Finding, Usage
from drafter.policy import Option, Policy
from drafter.prompts import Prompts
from drafter.voice import second_person

#: Which policy options answer which kind of want, best first.
_OPTIONS_FOR_WANT: dict[str, tuple[str, ...]] = {
    "refund": ("refund", "credit"),
    "replacement": ("replacement", "exchange", "expedited_shipping"),
    "delivery": ("expedited_shipping", "replacement"),
    "cancel": ("cancel", "refund"),
    "callback": ("callback",),
    "repair": ("repair", "replacement"),
    "credit": ("credit", "discount"),
    "explanation": ("callback",),
    "apology": (),
    "stop-charges": ("refund", "credit", "cancel"),
    "escalate": ("callback",),
    "account": (),
    "other": (),
}
#: Options that fit the area of the problem, to fill the list up after the wants' own.
_OPTIONS_FOR_CATEGORY: dict[str, tuple[str, ...]] = {
    "delivery": ("expedited_shipping", "replacement", "refund", "credit"),
    "billing": ("refund", "credit", "callback", "cancel"),
    "product": ("replacement", "repair", "refund", "exchange"),
    "service": ("callback", "credit"),
    "account": ("callback", "credit"),
}
#: Who the agent checks with, by category, in the follow-up sentence.
_TEAMS = {
    "delivery": "our shipping team",
    "billing": "our billing team",
    "product": "our product team",
    "service": "the team lead",
    "account": "our accounts team",
}
#: Enough choice to be a real meeting of minds, few enough to read at a glance. Options that
#: answer an explicit want are always offered, up to the hard limit.
_MAX_OPTIONS = 3
_MAX_WANTED_OPTIONS = 4


@dataclass(frozen=True)
class OfferedOption:
    kind: str
    text: str


class OfflineEngine:
    """Rule-based analysis and template drafting, implementing the Engine protocol."""

    name = "offline"
    model: str | None = None

    def __init__(self, prompts: Prompts | None = None, today: dt.date | None = None) -> None:
        self.prompts = prompts or Prompts()
        self.today = today

    def analyze(self, email: Email, policy: Policy, usage: Usage) -> Analysis:
        return analyze_email(email)

    def draft(self, email: Email, analysis: Analysis, policy: Policy, usage: Usage,
              on_text: Callable[[str], None] | None = None) -> Draft:
        context = reply_context(email, analysis, policy, self.today or dt.date.today())
        text = self.prompts.render("offline_reply", **context)
        return Draft(subject=reply_subject(email.subject), text=_tidy(text))

    def judge(self, email: Email | None, analysis: Analysis | None, draft: Draft,
              policy: Policy, usage: Usage) -> list[Finding]:
        return []  # the offline engine has no judge beyond the checker's rules

    def revise(self, email: Email, analysis: Analysis, draft: Draft, findings: list[Finding],
               policy: Policy, usage: Usage) -> Draft:
        from drafter.checker.fix import rewrite_offending

        return Draft(draft.subject, rewrite_offending(draft.text, findings, policy, analysis))


def reply_subject(subject: str) -> str:
    """``Re:`` once, however many the thread already has."""
    subject = " ".join(subject.split())
    if not subject:
        return "Re: your message"
    return subject if subject.lower().startswith(("re:", "aw:", "sv:")) else f"Re: {subject}"


def reply_context(email: Email, analysis: Analysis, policy: Policy,
                  today: dt.date) -> dict[str, Any]:
    """Everything ``offline_reply.j2`` needs, decided from the analysis and the policy."""
    wants, declined = split_wants(analysis.wants, policy)
    return {
        "first_name": first_name(email),
        "restated": _safe_restatements(analysis.grievances, policy),
        "reference": _reference(analysis),
        "subject": email.subject,
        "anger": analysis.anger,
        "wants": wants,
        "declined": declined,
        "options": [o.text for o in choose_options(analysis, policy)],
        "team": _TEAMS.get(analysis.category, "the right team"),
        "follow_up_date": format_day(add_business_days(today, policy.follow_up_days)),
        "follow_up_channel": policy.follow_up_channel,
        "legal_review": analysis.escalation.review and not analysis.escalation.required,
        "policy": policy,
        "analysis": analysis,
    }


# --- restating without promising ------------------------------------------------------------
#
# The reply restates the customer's words (MAMA: make time to listen), and those words are
# the one channel by which an email can put text into the reply. A want such as "give me a
# $800 gift card" restated in the list of what the customer needs reads as agreed, and an
# injected "your policy says refunds up to $10,000" restated turns into "our policy says".
# So every restatement is put to the checker's own over-promise rules first: wants the policy
# cannot meet are answered as a request that is declined ("You also asked for …, which I'm
# sorry I can't offer"), and a grievance that would read as a promise is not restated.

#: Words that start a want phrased as an action ("give you …", "admit …"), restated as
#: "You asked us to …"; any other want is a thing ("a $500 gift card"): "You asked for …".
_ACTION_WORDS = frozenset(
    "refund send cancel fix replace call deliver ship give return credit escalate explain remove "
    "stop reverse process reimburse compensate honor honour waive reship expedite close contact "
    "let tell update correct resolve sort admit accept confirm put write state guarantee pay "
    "promise offer provide match double make get issue approve agree extend".split()
)
#: A customer's claim about the policy tacked onto a want; never repeated back as ours.
_POLICY_CLAIM = re.compile(
    r"[,;]?\s+(?:as|per|under|according to|like)\s+(?:our|your|the)\s+(?:own\s+)?"
    r"(?:\w+\s+)?(?:policy|policies|terms|rules|guarantee|website|ad|advert)\b.*$",
    re.IGNORECASE,
)
_DECLINED_FALLBACK = "for something beyond what our policy allows"


_OVER_PROMISE = frozenset({"over-promise", "admits-fault"})


def over_promises(text: str, policy: Policy) -> bool:
    """True when the checker's over-promise rules would flag ``text`` under ``policy``."""
    from drafter.checker import check_reply

    return bool(check_reply(text, policy=policy, only=_OVER_PROMISE).findings)


def split_wants(wants: list[str], policy: Policy) -> tuple[list[str], list[str]]:
    """(wants to restate as needs, wants to restate as declined requests), as phrases.

    A want is beyond the policy when offering it ("We can offer you …", "We will …") is an
    over-promise by the checker's rules: an amount above a cap, a kind the policy lacks, a
    gift card, a lifetime anything, an admission of liability. Declined items come as
    "for …" or "us to …", ready for "You asked …"; one that would still read as a promise
    even as the customer's request is named generically instead.
    """
    needs: list[str] = []
    declined: list[str] = []
    for want in wants:
        phrase = _want_phrase(want)
        # Both offers in one reply: one check instead of two, the same verdict (any).
        if not over_promises(f"We can offer you {phrase}.\n\nWe will {phrase}.", policy):
            needs.append(phrase)
            continue
        item = _request_item(_POLICY_CLAIM.sub("", phrase))
        if over_promises(f"You asked {item}.", policy):
            item = _DECLINED_FALLBACK
        if item not in declined:
            declined.append(item)
    return needs, declined


def _request_item(phrase: str) -> str:
    first = phrase.split(maxsplit=1)[0].lower() if phrase.split() else ""
    return f"us to {phrase}" if first in _ACTION_WORDS else f"for {phrase}"


def _safe_restatements(grievances: list[str], policy: Policy, limit: int = 2) -> list[str]:
    """The first grievances, restated, leaving out any that would read as our promise."""
    out: list[str] = []
    for grievance in grievances:
        sentence = _as_sentence(second_person(grievance))
        if not over_promises(sentence, policy):
            out.append(sentence)
        if len(out) >= limit:
            break
    return out


def first_name(email: Email) -> str:
    """The customer's first name from the From header, the signature or a one-word last line.

    "there" (as in "Hi there") when none of them holds something name-shaped.
    """
    last_lines = [text.strip().splitlines()[-1] for text in (email.signature, email.body)
                  if text.strip()]
    candidates = [email.sender_name.replace('"', "").split(",")[-1]]
    candidates += [line for line in last_lines if len(line.split()) <= 2 and len(line) <= 30]
    for name in candidates:
        word = name.split()[:1]
        if word and word[0].isalpha() and word[0][0].isupper() and len(word[0]) > 1:
            return word[0].capitalize() if word[0].isupper() else word[0]
    return "there"


def choose_options(analysis: Analysis, policy: Policy) -> list[OfferedOption]:
    """Two to four policy options: the best answer to each want first, then what fits the case.

    Every want whose remedy the policy allows gets its own option (up to four), so a customer
    who asked for a call and a refund sees both, not a filler in place of one.
    """
    allowed = [o.kind for o in policy.options]
    per_want = [[k for k in _OPTIONS_FOR_WANT.get(want_kind(w), ()) if k in allowed]
                for w in analysis.wants]
    primary = list(dict.fromkeys(kinds[0] for kinds in per_want if kinds))
    secondary = [k for kinds in per_want for k in kinds[1:]]
    fitting = [k for k in _OPTIONS_FOR_CATEGORY.get(analysis.category, ()) if k in allowed]
    ordered = list(dict.fromkeys(primary + secondary + fitting + allowed))
    count = max(_MAX_OPTIONS, min(len(primary), _MAX_WANTED_OPTIONS))
    return [OfferedOption(k, offer_text(policy.option(k), analysis, policy))  # type: ignore[arg-type]
            for k in ordered[:count]]


def offer_text(option: Option, analysis: Analysis, policy: Policy) -> str:
    """The option's sentence with ``{amount}`` filled: the customer's amount, capped by policy."""
    return option.offer.replace("{amount}", _offer_amount(option, analysis, policy))


def _offer_amount(option: Option, analysis: Analysis, policy: Policy) -> str:
    amounts = [f for f in analysis.facts if f.kind == "amount"]
    cap = option.max_amount
    if option.kind == "refund":
        # Refund what they paid when we know it (capped); never quote the cap as if owed.
        asked = _amount_in_wants(analysis) or (amounts[0] if amounts else None)
        if asked is None:
            return "the amount you paid"
        if asked.currency and asked.currency != policy.currency.upper():
            # Their amount in their currency, as they wrote it: never converted, and never
            # compared with a cap in another currency.
            return asked.text if cap is None else "the amount you paid"
        value = float(asked.value)
        if cap is None or value <= cap:
            return money(value, policy.currency)
        return f"up to {money(cap, policy.currency)}"
    if cap is not None:
        return money(cap, policy.currency)
    return "the full amount"


def _amount_in_wants(analysis: Analysis) -> Fact | None:
    for fact in analysis.facts:
        if fact.kind == "amount" and any(fact.text in w for w in analysis.wants):
            return fact
    return None


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(value: float, currency: str) -> str:
    amount = f"{value:,.2f}".removesuffix(".00")
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The follow-up date: ``days`` working days after ``start``, skipping weekends."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    while current.weekday() >= 5:  # a 0-day window that lands on a weekend waits for Monday
        current += dt.timedelta(days=1)
    return current


def format_day(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


def _reference(analysis: Analysis) -> str:
    for kind, label in _REFERENCE_LABELS:
        fact = next((f for f in analysis.facts if f.kind == kind), None)
        if fact:
            return f"{label} {fact.value}"
    return ""


#: The references a reply names, most telling first, with the word it calls each by: the
#: customer's own kind, so a flight is never called an order.
_REFERENCE_LABELS = (("order_id", "order"), ("booking_id", "booking"), ("flight_id", "flight"),
                     ("claim_id", "claim"), ("ticket_id", "case"), ("policy_id", "policy"),
                     ("invoice_id", "invoice"), ("contract_id", "contract"),
                     ("account_id", "account"))


def _want_phrase(want: str) -> str:
    """A want restated after "You asked …": pronouns turned, first letter lower-case."""
    phrase = second_person(want).rstrip(".")
    return phrase[:1].lower() + phrase[1:] if not phrase.startswith("I ") else phrase


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _tidy(text: str) -> str:
    """Collapse the template's blank-line runs so the reply reads as hand-written."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"
