"""Phrase rules: the rule pack's patterns, matched on the reply with their sentence context."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from drafter.models import Finding

if TYPE_CHECKING:
    from drafter.checker.context import Context
    from drafter.checker.rules import Rule

#: How close after "told you to" a hit must be to count as quoting someone else.
REPORTED_REACH = 25
_CLAUSE_BREAK = re.compile(r"[,;:]|\s(?:and|but|so)\s", re.IGNORECASE)


def phrase_findings(ctx: Context, only: frozenset[str] | None = None) -> list[Finding]:
    """Every hit of every active phrase rule (English-only ones only on English replies),
    or of those reporting the ids in ``only``."""
    rules = [r for r in ctx.pack.phrase_rules() if ctx.active(r)]
    forbidden = ctx.pack.forbidden_rule(tuple(ctx.policy.forbidden))
    if forbidden is not None and ctx.active(forbidden):
        rules.append(forbidden)
    if only is not None:
        rules = [r for r in rules if r.rule_id in only]
    out: list[Finding] = []
    for rule in rules:
        if not ctx.english and not rule.any_language:
            continue
        out.extend(_rule_findings(ctx, rule))
    return out


def _rule_findings(ctx: Context, rule: Rule) -> list[Finding]:
    assert rule.regex is not None
    found: list[Finding] = []
    last_end = -1
    for m in _matches(ctx, rule.regex):
        start, end = m.span()
        if end == start or start < last_end or not ctx.in_body(start):
            continue
        sent = ctx.sentence(start)
        if not _keeps(ctx, rule, sent, start):
            continue
        found.append(ctx.finding(rule, start, end))
        last_end = end
    return found


def _matches(ctx: Context, regex: re.Pattern[str]):  # -> Iterator[re.Match[str]]
    """The regex's matches in the body, skipping long runs of whitespace.

    A phrase never spans 32 blank characters, and every position of a 200 KB run of spaces
    would otherwise be tried by every rule (seconds on a pasted reply full of padding).
    """
    for s0, s1 in ctx.segments:
        yield from regex.finditer(ctx.view, s0, s1)


def _keeps(ctx: Context, rule: Rule, sent: tuple[int, int], start: int) -> bool:
    """Sentence context: ``require``/``unless`` patterns, and reported speech for the seven."""
    s0, s1 = sent
    if any(not p.search(ctx.view, s0, s1) for p in rule.require):
        return False
    if any(p.search(ctx.view, s0, s1) for p in rule.unless):
        return False
    if rule.mistake in _DENIABLE and _denied(ctx, s0, s1, start):
        return False
    if rule.mistake and not rule.any_language:
        return not (_reported(ctx, s0, start) or _quoted(ctx, s0, s1, start))
    return True


#: Mistakes a phrase can deny around the hit ("none of this was your fault", "you're not
#: overreacting"): the pack's ``negated_mistake`` vocabulary, which cancels model findings
#: sentence-wide, cancels a phrase hit only when the denial contains it (blind good
#: replies, checker-e: both were errors).
_DENIABLE = frozenset({"customer-is-wrong", "no-venting", "calm-down"})


def _denied(ctx: Context, s0: int, s1: int, start: int) -> bool:
    denied = ctx.pack.vocab.get("negated_mistake")
    return denied is not None and any(m.start() <= start < m.end()
                                      for m in denied.finditer(ctx.view, s0, s1))


def _quoted(ctx: Context, s0: int, s1: int, start: int) -> bool:
    """True when the hit is inside quotation marks: a colleague's words quoted and condemned
    ('our driver said "calm down", which was wrong'), or the customer's own words."""
    from drafter.checker.model import QUOTED_RE

    return any(m.start() < start - s0 < m.end() for m in QUOTED_RE.finditer(ctx.view[s0:s1]))


def _reported(ctx: Context, sent_start: int, start: int) -> bool:
    """True when the hit sits right after "told you to" / "you were told": not our words."""
    reported = ctx.pack.vocab.get("reported")
    if reported is None:
        return False
    last = None
    for m in reported.finditer(ctx.view, sent_start, start):
        last = m
    if last is None or start - last.end() > REPORTED_REACH:
        return False
    return not _CLAUSE_BREAK.search(ctx.view, last.end(), start)
