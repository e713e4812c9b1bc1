"""The LLM judge's contract: what it must return, how its answer becomes findings, and merging.

The judge catches what phrase rules cannot (sarcasm, a polite brush-off), but a model can
also invent a quote. So a judge finding only survives when its quote is really in the
reply, and its offsets are computed here from where the quote is, never taken from the
model. The engine calls the model with ``prompts/judge.j2`` and :data:`JUDGE_SCHEMA`, then
hands the parsed JSON to :func:`parse_judge_output`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from drafter.checker.text import fold, layout
from drafter.models import MISTAKES, Finding

if TYPE_CHECKING:
    from drafter.models import Analysis, Email
    from drafter.policy import Policy

#: One line per mistake, shown to the judge (and usable in docs).
MISTAKE_DESCRIPTIONS: dict[str, str] = {
    "customer-is-wrong": "telling the customer they are wrong, mistaken, misread or "
                         "misunderstood, or that the problem is their fault",
    "arguing": "arguing, rebutting or trying to win the point (\"as I already explained\", "
               "\"to be fair, you agreed\", \"with all due respect\")",
    "calm-down": "telling the customer to calm down, relax, or watch their tone",
    "no-apology": "no apology or expression of regret anywhere in the reply",
    "raised-voice": "shouting: ALL-CAPS words, \"!!\", \"?!\"",
    "no-venting": "not letting them vent: minimizing the problem, dismissing the feeling, "
                  "hurrying them along (\"it's just a small scratch\", \"let's move on\")",
    "all-i-can-do": "closing the door: \"nothing more we can do\", \"my hands are tied\", "
                    "or offering no option at all",
}
#: Rules beyond the seven that the judge may also report.
OTHER_RULES: dict[str, str] = {
    "no-acknowledgement": "the problem and the customer's feeling are never named",
    "no-next-step": "no committed follow-up with a time",
    "unaddressed-want": "something the customer asked for is not answered",
    "invented-fact": "an order number, amount or date that is in neither the email nor "
                     "the policy",
    "over-promise": "an offer the policy does not allow, or an admission of legal liability",
}
JUDGE_RULES: tuple[str, ...] = (*MISTAKES, *OTHER_RULES)
#: Rules about something missing: their findings quote nothing ("" is allowed).
ABSENCE_RULES = frozenset({"no-apology", "all-i-can-do", "no-acknowledgement",
                           "no-next-step", "unaddressed-want"})

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "rule": {
                        "type": "string",
                        "enum": list(JUDGE_RULES),
                        "description": "the mistake id (one of the seven) or other rule id",
                    },
                    "quote": {
                        "type": "string",
                        "description": "the offending words copied exactly from the reply; "
                                       "empty only for something missing from the reply",
                    },
                    "message": {"type": "string", "description": "what is wrong, briefly"},
                    "suggestion": {"type": "string", "description": "how to fix it"},
                    "severity": {"type": "string", "enum": ["error", "warning", "info"]},
                },
                "required": ["rule", "quote", "message", "suggestion", "severity"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["findings"],
    "additionalProperties": False,
}


def judge_context(reply: str, email: Email | None, analysis: Analysis | None,
                  policy: Policy) -> dict[str, Any]:
    """The variables ``prompts/judge.j2`` renders with, built in one place for every engine."""
    return {
        "reply": reply,
        "email": email,
        "analysis": analysis,
        "policy": policy,
        "mistakes": [{"id": k, "description": v} for k, v in MISTAKE_DESCRIPTIONS.items()],
        "other_rules": [{"id": k, "description": v} for k, v in OTHER_RULES.items()],
    }


def parse_judge_output(data: dict[str, Any], reply: str) -> list[Finding]:
    """Turn the judge's JSON into findings, dropping every quote that is not in the reply.

    Matching forgives what models routinely change (curly vs straight quotes, runs of
    whitespace) but nothing else: a paraphrase is not a quote.
    """
    items = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    folded = fold(reply)
    shape = layout(folded)
    used: set[tuple[str, int, int]] = set()
    out = []
    for item in items:
        finding = _one(item, reply, folded, shape, used)
        if finding is not None:
            out.append(finding)
    return out


def _one(item: Any, reply: str, folded: str, shape: Any,
         used: set[tuple[str, int, int]]) -> Finding | None:
    if not isinstance(item, dict):
        return None
    rule = str(item.get("rule") or item.get("mistake") or "")
    if rule not in JUDGE_RULES:
        return None
    quote = str(item.get("quote") or "")
    if quote.strip():
        span = _locate(quote, reply, folded, rule, used)
    elif rule in ABSENCE_RULES:
        at = shape.body_start if rule in ("no-apology", "no-acknowledgement") else shape.body_end
        span = (at, at)
    else:
        span = None
    if span is None:
        return None
    used.add((rule, *span))
    severity = item.get("severity")
    return Finding(
        rule=rule, mistake=rule if rule in MISTAKES else None,
        severity=severity if severity in ("error", "warning", "info") else "error",
        start=span[0], end=span[1], excerpt=reply[span[0]:span[1]],
        message=str(item.get("message") or OTHER_RULES.get(rule)
                    or MISTAKE_DESCRIPTIONS.get(rule, "")),
        suggestion=str(item.get("suggestion") or ""), source="judge", confidence=None,
    )


def _locate(quote: str, reply: str, folded: str, rule: str,
            used: set[tuple[str, int, int]]) -> tuple[int, int] | None:
    """First occurrence of ``quote`` not already claimed by a finding for the same rule."""
    quote = quote.strip()
    candidates: list[tuple[int, int]] = []
    for haystack, needle in ((reply, quote), (folded, fold(quote))):
        start = haystack.find(needle)
        while start != -1:
            candidates.append((start, start + len(needle)))
            start = haystack.find(needle, start + 1)
        if candidates:
            break
    if not candidates:
        words = fold(quote).split()
        if words:
            flexible = r"\s+".join(re.escape(w) for w in words)
            candidates = [m.span() for m in re.finditer(flexible, folded)]
    for span in candidates:
        if (rule, *span) not in used:
            return span
    return candidates[0] if candidates else None


def merge_findings(rule_findings: list[Finding], judge_findings: list[Finding]) -> list[Finding]:
    """Rule findings plus the judge's, minus judge findings that repeat one already there.

    Two findings are the same when they report the same mistake (or the same rule, outside
    the seven) and their spans overlap; for a "something is missing" rule, the same rule is
    enough, wherever each one points.
    """
    merged = list(rule_findings)
    for jf in judge_findings:
        if not any(_same(jf, f) for f in merged):
            merged.append(jf)
    return sorted(merged, key=lambda f: (f.start, f.end, f.rule))


def _same(a: Finding, b: Finding) -> bool:
    if _key(a) != _key(b):
        return False
    if a.start == a.end or b.start == b.end:
        return _key(a) in ABSENCE_RULES or (a.start == b.start and a.end == b.end) or (
            b.start <= a.start <= b.end and a.start == a.end) or (
            a.start <= b.start <= a.end and b.start == b.end)
    return a.start < b.end and b.start < a.end


def _key(f: Finding) -> str:
    """Rules that report one of the seven ("no-options", "all-caps") merge by mistake."""
    return f.mistake or f.rule
