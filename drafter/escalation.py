"""Spotting the emails that must go to a person: violence, crisis, legal threats.

MAMA is a method for service recovery, not for a threat or a person in crisis, so these
stop the automatic draft. The patterns aim at the threat, not the vocabulary: "this is
killing me" or "I'd kill for a working printer" are ordinary anger and must not escalate.
"""

from __future__ import annotations

import re

from drafter.models import Escalation, Trigger
from drafter.text import sentences, squash

_VIOLENCE = [
    r"\b(?:i|we)(?:'ll| will| am going to|'m going to| gonna| am gonna|'m gonna)\s+"
    r"(?:\w+\s+){0,6}(?:kill|shoot|stab|hurt|beat|strangle|murder|attack|punch)\s+"
    r"(?:you|him|her|them|your|every\w*|some\w*|whoever|people|staff|anyone|"
    r"(?:the|that) (?:manager|staff|driver|owner|clerk|employee|person|guy|rep|agent|ceo))\b",
    r"\b(?:burn|blow)\s+(?:down|up)\s+(?:your|the|that)\s+(?:\w+\s+)?"
    r"(?:store|office|shop|building|warehouse|place|headquarters|hq)\b",
    r"\b(?:bomb|shoot up)\s+(?:your|the)\s+(?:\w+\s+)?(?:store|office|building|place)\b",
    r"\bi know where (?:you|your \w+) (?:live|lives|work|works)\b",
    r"\b(?:bring|bringing|got) (?:a|my) (?:gun|knife|weapon|rifle|bat)\b",
    r"\byou(?:'d| had) better watch your back\b",
    r"\b(?:you|someone|somebody) (?:is|are|will be) going to get hurt\b",
    r"\byou(?:'re| are) (?:a )?dead (?:man|woman|people)\b",
]
_CRISIS = [
    r"\b(?:kill|hurt|harm|cut) myself\b",
    r"\bend(?:ing)? (?:my life|it all)\b",
    r"\bsuicid(?:e|al)\b",
    r"\b(?:i )?(?:want|wanna) to die\b",
    r"\bdon'?t want to (?:live|be alive|be here) any ?more\b",
    r"\b(?:no|nothing) (?:reason|point) (?:in |to )?(?:living|live|going on)\b",
    r"\bbetter off dead\b",
    r"\bself[- ]harm\b",
    r"\bcan'?t go on (?:like this|anymore|any more)\b",
    r"\bnot (?:be|being) (?:around|here) (?:much longer|anymore|any more)\b",
]
_LEGAL = [
    r"\b(?:my|a|our) (?:lawyer|attorney|solicitor|legal team|legal counsel)\b",
    r"\b(?:sue|suing)\s+(?:you|your|them|the company|this company)\b",
    r"\b(?:i|we)(?:'ll| will| am going to|'m going to) sue\b",
    r"\b(?:lawsuit|class action|small claims|legal action|legal proceedings)\b",
    r"\btake (?:you|this|them|it) to court\b",
    r"\b(?:attorney general|consumer protection|trading standards|ftc|cfpb)\b",
]

_PATTERNS = {
    "violence": re.compile("|".join(_VIOLENCE), re.IGNORECASE),
    "crisis": re.compile("|".join(_CRISIS), re.IGNORECASE),
    "legal": re.compile("|".join(_LEGAL), re.IGNORECASE),
}

REASON_TEXT = {
    "violence": "threat of violence",
    "crisis": "crisis or self-harm signal",
    "legal": "legal threat",
}


def assess_escalation(text: str) -> Escalation:
    """Flag violence and crisis (no draft) and legal threats (draft, but a person reviews)."""
    triggers: list[Trigger] = []
    for _, _, raw in sentences(text):
        sentence = squash(raw)
        for reason, rx in _PATTERNS.items():
            if rx.search(sentence):
                triggers.append(Trigger(reason=reason, sentence=sentence))
    kinds = {t.reason for t in triggers}
    return Escalation(
        required=bool(kinds & {"violence", "crisis"}),
        review=bool(kinds),
        reasons=[REASON_TEXT[k] for k in REASON_TEXT if k in kinds],
        triggers=triggers,
    )
