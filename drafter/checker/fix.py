"""The offline engine's revise step: rewrite the sentences the checker objected to.

No model is involved, so the rewrite is conservative: a sentence that makes one of the
mistakes is replaced by the rule pack's ``replacement`` (or removed), a rebuttal clause is
cut ("As I already explained, X" → "X"), shouting is turned down, and what is missing
(apology, acknowledgement, options from the policy, a dated follow-up) is added where it
belongs. The result is checked again and the loop repeats until nothing fixable remains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafter.checker.rules import RulePack
    from drafter.checker.text import Layout, Sentences
    from drafter.models import Analysis, Finding
    from drafter.policy import Option, Policy

#: Findings about something missing, fixed by inserting a sentence.
_ABSENT = frozenset({"no-apology", "no-acknowledgement", "no-options", "no-next-step",
                     "unaddressed-want"})
APOLOGY = "I'm so sorry for the trouble this has caused."
ACKNOWLEDGEMENT = "I understand how frustrating this has been."
MAX_PASSES = 4

_CLAUSE_TAIL = re.compile(
    r"(?:\s+(?:in|on|during|from)\s+(?:my|our|the)\s+(?:\w+\s+){0,2}?"
    r"(?:email|emails|message|messages|reply|replies|call|calls|note|letter|conversation)"
    r"|\s+(?:\w+\s+)?(?:now|before|already|earlier|previously|again|here|twice|though))?"
    r"\s*[,:;-]+\s*(?:that\s+)?|\s+that\s+",
    re.IGNORECASE,
)
_GAP = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.;:!?])")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_LONE_PUNCT = re.compile(r"(?m)^[ \t]*[,.;:]+[ \t]*")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def rewrite_offending(text: str, findings: list[Finding], policy: Policy,
                      analysis: Analysis | None) -> str:
    """Rewrite ``text`` so that a re-check no longer finds what ``findings`` point at.

    Starts from the findings it is given (rules and judge alike), then re-checks with the
    rules and keeps fixing, a few passes at most, because one fix can reveal another need
    (removing a rebuttal can remove the only apology).
    """
    from drafter.checker import check_reply, load_rules

    pack = load_rules()
    out = _apply(text, findings, policy, analysis, pack)
    for _ in range(MAX_PASSES):
        remaining = [f for f in check_reply(out, analysis=analysis, policy=policy).findings
                     if f.severity == "error" and f.rule != "empty-reply"]
        if not remaining:
            break
        revised = _apply(out, remaining, policy, analysis, pack)
        if revised == out:
            break
        out = revised
    return out


def _apply(text: str, findings: list[Finding], policy: Policy, analysis: Analysis | None,
           pack: RulePack) -> str:
    from drafter.checker.text import Sentences, fold

    view = fold(text)
    sentences = Sentences(view, clauses=False)
    edits: list[_Edit] = []
    wants = {f.rule for f in findings}
    options_used = False
    for f in sorted(findings, key=lambda x: x.start):
        edit, used = _edit_for(f, text, view, sentences, pack, policy, analysis,
                               options_used)
        options_used |= used
        if edit is not None:
            edits.append(edit)
    out = _tidy(_apply_edits(text, edits))
    return _insert_missing(out, wants, policy, analysis, options_used)


def _edit_for(f: Finding, text: str, view: str, sentences: Sentences, pack: RulePack,
              policy: Policy, analysis: Analysis | None,
              options_used: bool) -> tuple[_Edit | None, bool]:
    if f.start == f.end or f.rule in ("no-apology", "no-acknowledgement", "no-options",
                                      "no-next-step", "unaddressed-want", "empty-reply"):
        return None, False
    if f.rule == "all-caps":
        return _Edit(f.start, f.end, _sentence_case(text, f.start, f.end, pack)), False
    rule = pack.get(f.rule) or pack.get(f.mistake or "")
    mode = rule.fix if rule else "sentence"
    replacement = (rule.replacement if rule else None) or ""
    if mode == "punctuation":
        hit = text[f.start:f.end]
        if not any(c in hit for c in "!?"):  # **bold**, __underline__, <b>: keep the words
            return _Edit(f.start, f.end, _MARKUP.sub("", hit)), False
        return _Edit(f.start, f.end, "?" if "?" in hit else "."), False
    if mode == "phrase":
        return _Edit(f.start, f.end, replacement), False
    if mode == "clause":
        clause = _clause_edit(text, view, sentences, f)
        if clause is not None:
            return clause, False
    s0, s1 = sentences.around(f.start)
    used = "{options}" in replacement
    if used:
        replacement = "" if options_used else options_sentence(policy, analysis)
    return _Edit(s0, s1, replacement), used


_MARKUP = re.compile(r"\*\*|__|</?(?:b|strong|u)>")


def _clause_edit(text: str, view: str, sentences: Sentences, f: Finding) -> _Edit | None:
    """Cut a lead-in ("As I already explained, ...") when the rest still stands alone."""
    s0, s1 = sentences.around(f.start)
    tail = _CLAUSE_TAIL.match(view, f.end, s1)
    if text[f.end - 1:f.end] in ",:;":
        end = f.end
        while end < s1 and text[end] in " \t":
            end += 1
    elif tail is not None:
        end = tail.end()
    else:
        return None
    rest = view[end:s1]
    if len(rest.split()) < 3:
        return None
    at_start = not view[s0:f.start].strip()
    lead = view[s0:f.start].rstrip()
    if not at_start and not lead.endswith(","):
        return None
    if at_start:
        return _Edit(f.start, end + 1, text[end:end + 1].upper())
    return _Edit(f.start, end, "")


def _sentence_case(text: str, start: int, end: int, pack: RulePack) -> str:
    acronyms = pack.words.get("acronyms", frozenset())

    def lower(m: re.Match[str]) -> str:
        word = m.group()
        if word in acronyms:
            return word
        low = word.lower()
        return "I" + low[1:] if low == "i" or low.startswith("i'") else low

    out = re.sub(r"[^\W\d_]+(?:'[^\W\d_]+)?", lower, text[start:end])
    before = text[:start].rstrip(" \t")
    if (not before or before[-1] in ".!?\n") and out:
        out = out[0].upper() + out[1:]
    return out


def _apply_edits(text: str, edits: list[_Edit]) -> str:
    """Apply non-overlapping edits; when two overlap, the wider one (a sentence) wins."""
    chosen: list[_Edit] = []
    for e in sorted(edits, key=lambda e: (-(e.end - e.start), e.start)):
        if all(e.end <= c.start or c.end <= e.start for c in chosen):
            chosen.append(e)
    out = text
    for e in sorted(chosen, key=lambda e: e.start, reverse=True):
        end = e.end
        if not e.text:  # a deleted sentence takes the space after it along
            while end < len(out) and out[end] in " \t":
                end += 1
        out = out[:e.start] + e.text + out[end:]
    return out


def _tidy(text: str) -> str:
    text = _GAP.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _LONE_PUNCT.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", _drop_empty_intros(text))


_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def _drop_empty_intros(text: str) -> str:
    """A line that introduces a list ("Here is what I understand you need from us:") goes
    when the edits removed every item of its list: an empty list reads as a broken reply."""
    lines = text.split("\n")
    keep = []
    for i, line in enumerate(lines):
        if line.rstrip().endswith(":") and len(line.split()) >= 3:
            rest = next((x for x in lines[i + 1:] if x.strip()), "")
            if not _LIST_ITEM.match(rest):
                continue
        keep.append(line)
    return "\n".join(keep)


def _insert_missing(text: str, rules: set[str], policy: Policy, analysis: Analysis | None,
                    options_used: bool) -> str:
    """Add what is still missing after the edits: apology first, follow-up last."""
    from drafter.checker import check_reply, load_rules
    from drafter.checker.text import Sentences, fold, layout

    view = fold(text)
    vocab = load_rules().vocab
    shape = layout(view)
    # Edits may already have supplied what was missing (a calm-down sentence replaced by an
    # acknowledgement), so ask the checker again rather than trusting the old findings.
    still: set[str] = set()
    if rules & _ABSENT:
        still = {f.rule for f in check_reply(text, policy=policy).findings}

    def missing(rule: str) -> bool:
        return rule in rules and rule in still

    opening = [APOLOGY] if missing("no-apology") else []
    if missing("no-acknowledgement"):
        opening.append(ACKNOWLEDGEMENT)
    options = []
    if not options_used and missing("no-options"):
        options.append(options_sentence(policy, analysis))
    if "unaddressed-want" in rules and analysis is not None:
        options.extend(_want_sentences(text, analysis))
    follow = [follow_up_sentence(policy)] if missing("no-next-step") else []
    if shape.body_end <= shape.body_start:
        added = " ".join([*opening, *options, *follow])
        return f"{text.rstrip()}\n\n{added}\n" if text.strip() else added
    out = text
    closing_at = shape.body_end
    if options and not follow:
        closing_at = _last_follow_up(view, Sentences(view, clauses=False), shape, vocab)
    if options or follow:
        if closing_at < shape.body_end:
            out = out[:closing_at] + " ".join([*options, *follow]) + " " + out[closing_at:]
        else:
            out = out[:closing_at] + "\n\n" + " ".join([*options, *follow]) + out[closing_at:]
    if opening:
        at = shape.body_start
        out = out[:at] + " ".join(opening) + " " + out[at:]
    return out


def _last_follow_up(view: str, sentences: Sentences, shape: Layout,
                    vocab: dict[str, re.Pattern[str]]) -> int:
    """Options go before a closing "I'll call you Thursday", not after it."""
    time, commit = vocab.get("time"), vocab.get("commit")
    body = [s for s in sentences if shape.body_start <= s[0] < shape.body_end]
    if body and time and commit:
        s0, s1 = body[-1]
        if time.search(view, s0, s1) and commit.search(view, s0, s1):
            return s0
    return shape.body_end


def options_sentence(policy: Policy, analysis: Analysis | None) -> str:
    """Two concrete options from the policy, in its own words: the "meeting of minds"."""
    offers = [o for o in (_offer_text(opt, policy, analysis) for opt in policy.options) if o]
    if not offers:
        return ("I'd like to put this right, and I can look at every option we have "
                "for you.")
    if len(offers) == 1:
        return f"I can offer you {offers[0]}."
    return f"I can offer you {offers[0]}, or {offers[1]}, whichever you prefer."


def _offer_text(opt: Option, policy: Policy, analysis: Analysis | None) -> str | None:
    if "{amount}" not in opt.offer:
        return opt.offer
    amount = _amount_for(opt, analysis)
    if amount is None:
        if opt.kind == "refund":
            return opt.offer.replace("{amount}", "the full amount")
        return None
    return opt.offer.replace("{amount}", format_money(amount, policy.currency))


def _amount_for(opt: Option, analysis: Analysis | None) -> float | None:
    """The customer's own amount when the policy allows it; a credit's limit otherwise."""
    from drafter.checker.grounding import parse_amount

    limit = opt.max_amount
    if opt.kind == "refund" and analysis is not None:
        for fact in analysis.facts:
            if fact.kind == "amount":
                value = parse_amount(fact.value)
                if value is not None and (limit is None or value <= limit):
                    return value
        return None
    return limit if opt.kind in ("credit", "discount") else None


def format_money(amount: float, currency: str) -> str:
    from drafter.localize import money

    return money(amount, currency)


def follow_up_sentence(policy: Policy) -> str:
    days = policy.follow_up_days
    channel = policy.follow_up_channel or "email"
    when = "today" if days <= 0 else (
        "within 1 business day" if days == 1 else f"within {days} business days")
    return f"I'll follow up by {channel} {when} to make sure this is fully resolved."


def _want_sentences(text: str, analysis: Analysis) -> list[str]:
    from drafter.checker.structure import _addressed, key_terms

    reply_terms = key_terms(text)
    out = []
    for want in analysis.wants:
        terms = key_terms(want)
        if not terms or _addressed(terms, reply_terms) or len(want) > 80:
            continue
        phrase = re.sub(r"(?i)^(?:the customer |customer |they )?(?:wants?|would like|asks? for)"
                        r"\s+", "", want.strip()).rstrip(".")
        if phrase:
            phrase = phrase[0].lower() + phrase[1:]
            out.append(f"I've noted that you'd like {phrase}, and I'll come back to you on "
                       "that when I follow up.")
    return out
