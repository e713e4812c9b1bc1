"""The learned half of the checker: a sentence model beside the rule pack.

Rules are precise and give exact spans, but they only know the phrasings someone wrote
down; blind replies showed that agents blame, argue and minimise in ways no list foresaw
("our records show you arrived at 10:52", "that happens to thousands of bags a day"). The
``checker`` model (``drafter/understand/``, rebuilt by ``bench/train_checker.py`` from
``corpus/checker/``) reads each sentence of the reply's own words and says which mistake,
if any, it makes, with a probability and the n-grams that weighed most.

What the model reads is the view the rules read (quoted thread lines, directives and the
sign-off already blanked), with quotations inside a sentence blanked too: a colleague's
words quoted and condemned ("our driver said 'it's only a parcel', which was wrong") and
the customer's own words quoted back are not the agent's voice.

Raised voice is left to the rules: the model's features are lower-cased, and capitals and
``**emphasis**`` are shape, which code sees exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drafter.models import Finding

if TYPE_CHECKING:
    from drafter.checker.context import Context
    from drafter.understand.linear import LinearModel

MODEL_NAME = "checker"
#: The model's labels and the rule-pack entry whose message, suggestion, severity and
#: on/off switch a model finding uses.
LABEL_RULES: dict[str, str] = {
    "customer-is-wrong": "customer-is-wrong",
    "arguing": "arguing",
    "calm-down": "calm-down",
    "no-venting": "no-venting",
    "all-i-can-do": "all-i-can-do",
    "no-apology": "no-apology",
    "admits-fault": "admits-fault",
}
#: Reply text beyond this many characters of body is not read by the model (the rules still
#: read all of it): a 200 KB paste must not take seconds.
MAX_MODEL_CHARS = 40_000
#: Sentences shorter than this are left to the rules: greetings, sign-offs, list items
#: ("- A lamp that works"), where n-grams mislead and the short mistakes ("Calm down.",
#: "That's all we can do.") are in the rule pack anyway.
_MIN_WORDS = 5
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: A quotation inside a sentence, in double or single quotes (not an apostrophe).
QUOTED_RE = re.compile(
    r"\"[^\"\n]{2,400}\"|(?<![\w'])'(?=[^\s'])[^'\n]{2,400}(?<=[^\s'])'(?![\w'])")


@dataclass(frozen=True)
class Scored:
    """One sentence the model flagged: its span in the reply, label and probability."""

    start: int
    end: int
    label: str
    probability: float


def flagged(ctx: Context) -> list[Scored]:
    """Every (sentence, label) the model puts at or above the label's threshold."""
    model = _model()
    body_start = ctx.layout.body_start
    body_end = min(max(ctx.layout.body_end, body_start), body_start + MAX_MODEL_CHARS)
    from drafter.understand.segment import sentences

    theirs = _customer_words(ctx)
    cue = ctx.pack.vocab.get("non_apology_cue")
    denied = ctx.pack.vocab.get("negated_mistake")
    reported = ctx.pack.vocab.get("reported")
    out: list[Scored] = []
    for s0, s1, sentence in sentences(ctx.view[body_start:body_end]):
        if len(_WORDS.findall(sentence)) < _MIN_WORDS:
            continue
        proba = sentence_scores(model, QUOTED_RE.sub('""', sentence))
        for label, p in proba.items():
            threshold = model.thresholds.get(label)
            if label not in LABEL_RULES or threshold is None or p < threshold:
                continue
            if label == "no-apology" and cue is not None and not cue.search(sentence):
                continue  # "Sorry about that." is an apology, whatever the n-grams say
            if label == "all-i-can-do" and _offers_a_way(ctx, sentence, model, threshold):
                continue
            if label != "admits-fault" and theirs and _restates(sentence, theirs):
                continue  # the customer's own account, restated: not the agent's tone
            if label in _DENIABLE and denied is not None and denied.search(sentence):
                continue  # "it's not a small thing", "you haven't done anything wrong"
            if label in _REPORTABLE and reported is not None and reported.search(sentence):
                continue  # "I'm sorry our agent told you to calm down": someone else's words
            if label == "arguing" and _ACKNOWLEDGES.match(sentence) \
                    and not _CONTRAST.search(sentence):
                continue  # "I understand that … feels unfair": no "but", no rebuttal
            out.append(Scored(body_start + s0, body_start + s1, label, p))
    return out


def sentence_scores(model: LinearModel, sentence: str) -> dict[str, float]:
    """Each label's probability for the sentence, or for its strongest clause: a minimising
    or blaming clause inside a long, otherwise kind sentence ("I'm sure we can sort it, and
    a few insects are not unusual in summer") is diluted when only the whole is read."""
    best = model.proba(sentence)
    from drafter.understand.segment import clauses

    for _, _, clause in clauses(sentence):
        for label, p in model.proba(clause).items():
            if label in CLAUSE_LABELS and p > best[label]:
                best[label] = p
    return best


#: Mistakes a sentence can deny ("you're not overreacting at all"): see ``negated_mistake``.
_DENIABLE = frozenset({"customer-is-wrong", "no-venting", "calm-down"})
#: Mistakes a sentence can report rather than make ("you were told to calm down").
_REPORTABLE = frozenset({"customer-is-wrong", "calm-down", "arguing", "no-venting"})
#: An acknowledgement opening ("I understand that …") argues only if it turns ("…, but").
_ACKNOWLEDGES = re.compile(r"(?i)\s*(?:I (?:completely |totally |fully |really |do )?"
                           r"(?:understand|can see|see|know|appreciate|hear)|you're right)\b")
_CONTRAST = re.compile(r"(?i)\b(?:but|however|though|although|yet|still|that said|"
                       r"nevertheless|nonetheless|whereas|while)\b")
#: Labels a single clause can carry on its own (minimising, tone policing, finality, a
#: liability admission); blame and argument need the whole sentence to be read right
#: (chosen on the dev set: clause scores cost them precision and gained no recall).
CLAUSE_LABELS = frozenset({"no-venting", "calm-down", "all-i-can-do", "admits-fault"})


#: Words a restatement changes ("my order" → "your order") or that carry no content.
_FLIPPED = frozenset("i me my mine we us our ours you your yours the a an and".split())
#: Share of a sentence's words found in the customer's email for it to be their account.
_RESTATED_SHARE = 0.85


def _customer_words(ctx: Context) -> frozenset[str]:
    if ctx.email is None or not ctx.email.body:
        return frozenset()
    return frozenset(w.lower() for w in _WORDS.findall(ctx.email.body))


def _restates(sentence: str, theirs: frozenset[str]) -> bool:
    """The sentence is the customer's own account given back ("It's been over a week and
    nothing has arrived"): nearly every word of it is in their email. Liability is still
    checked on it: "we leaked your card number" restated from "you leaked my card number"
    is exactly the admission the company must not make."""
    words = [w.lower() for w in _WORDS.findall(sentence) if w.lower() not in _FLIPPED]
    if len(words) < _MIN_WORDS - 1:
        return False
    return sum(w in theirs for w in words) / len(words) >= _RESTATED_SHARE


def _offers_a_way(ctx: Context, sentence: str, model: LinearModel, threshold: float) -> bool:
    """A closed door found in one clause of a sentence that goes on to offer something ("…
    can't be returned, but I can arrange a repair, or a partial refund") is an honest limit
    with an alternative, not finality."""
    whole = model.proba(QUOTED_RE.sub('""', sentence))["all-i-can-do"]
    offer = ctx.pack.vocab.get("offer")
    return whole < threshold and offer is not None and offer.search(sentence) is not None


def truncated(ctx: Context) -> bool:
    """True when the body is longer than the model reads (the check says so in a note)."""
    return ctx.layout.body_end - ctx.layout.body_start > MAX_MODEL_CHARS


def model_findings(ctx: Context, rule_findings: list[Finding]) -> list[Finding]:
    """Findings for flagged sentences that no rule finding of the same id already covers.

    ``no-apology`` is not reported here: a non-apology sentence only matters when the reply
    has no real apology, which :func:`drafter.checker.structure.check_apology` decides.
    """
    out: list[Finding] = []
    for hit in ctx.flagged:
        rule_id = LABEL_RULES[hit.label]
        if rule_id == "no-apology":
            continue
        rule = ctx.rule(rule_id)
        if rule is None or _covered(hit, rule_id, rule_findings):
            continue
        out.append(model_finding(ctx, rule_id, hit))
    return out


def model_finding(ctx: Context, rule_id: str, hit: Scored) -> Finding:
    """A finding for the flagged sentence, with the model's reasons."""
    rule = ctx.pack.get(rule_id)
    assert rule is not None
    found = ctx.finding(rule, hit.start, hit.end)
    found.source = "model"
    found.confidence = round(hit.probability, 3)
    found.features = [e.feature for e in _model().explain(ctx.view[hit.start:hit.end],
                                                          hit.label, 4)]
    return found


def _covered(hit: Scored, rule_id: str, findings: list[Finding]) -> bool:
    return any(f.rule == rule_id and f.start < hit.end and hit.start < max(f.end, f.start + 1)
               for f in findings)


def _model() -> LinearModel:
    from drafter.understand.linear import load_model

    return load_model(MODEL_NAME)
