"""Spotting the emails that must go to a person: violence, crisis, legal threats.

MAMA is a method for service recovery, not for a threat or a person in crisis, so these
stop the automatic draft. The patterns aim at the threat, not the vocabulary: "this is
killing me", "I'd kill for a working printer", "my battery died" or "I'll shoot you an
email" are ordinary anger and must not escalate, while "I'll break his legs", "I have a
gun" or "I don't see the point in living anymore" must, whatever words carry them.

So a violent verb only counts with a person as its object (you, him, the driver, your
staff), a weapon only with someone having or bringing it, a death word only about the
writer's own life. Some crisis signals are too common alone ("I won't be here tomorrow"
is usually about a delivery): those count only when the email holds two of them.
Measured on a labelled corpus: ``bench/escalation_bench.py``, ``tests/test_escalation_corpus.py``.
"""

from __future__ import annotations

import re

from drafter.models import Escalation, Trigger
from drafter.text import sentences, squash

# --- building blocks -------------------------------------------------------------------------

#: "I will", "I'm going to", "we're gonna", "I swear I'll" … (never "I won't", "I'm not going to").
_I_WILL = (r"\b(?:i|we)(?:'ll| will| shall| am going to|'m going to| are going to|'re going to|"
           r"'m gonna| am gonna| gonna|'d| would)\s+")
#: Up to six words between the intent and the verb ("I will come to your store and hurt
#: someone"), none of them a negation ("I would never hurt anyone").
_FILLER = r"(?:(?!never\b|not\b|n't\b)[\w']+\s+){0,6}"
#: People the business is made of: a violent verb with one of these as its object is a threat.
_PERSON = (r"(?:you|u|him|her|them|y'?all|you all|you people|you guys|every\w*|some(?:one|body)|"
           r"any(?:one|body)|whoever|people|staff|"
           r"(?:the|that|this|your|their|his|her|every|the next|one of your) (?:\w+ )?"
           r"(?:manager|managers|staff|driver|drivers|owner|clerk|employee|employees|person|"
           r"guy|rep|reps|agent|agents|ceo|boss|representative|worker|workers|courier|"
           r"technician|team|people|cashier|supervisor|idiot|idiots|family|kids|children))\b")
_HARM_VERBS = (r"(?:kill|shoot|stab|hurt|beat|strangle|choke|murder|attack|punch|slap|kick|"
               r"smash|bash|batter|assault|maim|torture|run over)")
_BODY = (r"(?:legs?|arms?|neck|necks|face|faces|head|heads|skull|teeth|jaw|nose|bones|"
         r"fingers|kneecaps|throat)")
_PLACE = (r"(?:store|stores|office|offices|shop|building|warehouse|place|headquarters|hq|"
          r"branch|factory|depot|house|home|car|van|truck|premises)")
_GUNS = r"gun|guns|rifle|pistol|shotgun|firearm|handgun"
_GUN = rf"(?:{_GUNS})"
_WEAPON = rf"(?:{_GUNS}|knife|knives|weapon|machete|axe|bat|bomb)"
#: What follows a weapon word when it is a product: "a knife set", "the gun safe", "it back".
_PRODUCT = (r"(?!\s*(?:set|sets|block|sharpener|safe|case|cabinet|holster|rack|lock|cleaning|"
            r"back|in\b|to (?:the|your) (?:store|shop)|for (?:a )?(?:refund|return|exchange|"
            r"repair)))")

_VIOLENCE = [
    # "I'll hurt somebody", "I'm going to find the manager and beat him senseless"
    _I_WILL + _FILLER + _HARM_VERBS + r"\s+" + _PERSON + r"(?!\s+(?:an?|the|my|your|our)\s+"
    r"(?:e-?mail|message|text|note|line|dm|call|reply|quick))(?!\s+(?:to it|to the punch)\b)",
    # "I'll break his legs", "smash your staff's faces in"
    r"\b(?:break|smash|bash|kick|punch|cave|snap|rip|tear)\s+(?:in\s+)?(?:his|her|your|their|"
    r"that \w+'s|your \w+'s|\w+'s)\s+(?:\w+\s+)?" + _BODY + r"\b",
    # "burn down your store", "burn your store to the ground", "blow up the office"
    r"\b(?:burn|blow|torch)(?:ing)?\s+(?:down\s+|up\s+)?(?:your|the|that|this)\s+(?:\w+\s+){0,2}"
    + _PLACE + r"\b(?:\s+(?:down|to the ground))?",
    r"\b(?:torch|firebomb|bomb|shoot up|set fire to|burn down|blow up)\s+(?:your|the|that)\s+"
    r"(?:\w+\s+)?" + _PLACE + r"\b",
    r"\bi know where (?:you|your \w+|he|she|they|the \w+) (?:live|lives|work|works|sleep|sleeps)\b",
    # "I have a gun", "next time I'm bringing a knife" (not "I bought a knife set")
    r"\b(?:i|we)(?:'ve| have)?\s*(?:got|have|own|keep)\s+(?:a|my|some)\s+(?:\w+\s+)?"
    + _GUN + r"\b" + _PRODUCT,
    r"\b(?:i|we)(?:'m| am|'ll| will|'re| are)?\s*(?:bring|bringing|carry|carrying|load|"
    r"loading|loaded|pack|packing)\s+(?:a|my|some)\s+(?:\w+\s+)?" + _WEAPON + r"\b" + _PRODUCT,
    r"\b(?:watch|mind) your back\b",
    r"\b(?:you|someone|somebody|people|one of you) (?:is|are|will|'s|'re)\s*(?:going to |gonna )?"
    r"(?:get|be) (?:hurt|killed|shot|stabbed)\b",
    # "your driver is a dead man", "you're dead meat"
    r"\b(?:is|are|you're|he's|she's|they're)\s+(?:a\s+)?dead\s+(?:man|woman|men|people|meat)\b",
    r"\bdeserves?\s+to\s+(?:die|get (?:shot|hurt|killed|stabbed|beaten)|be (?:shot|killed|hurt|"
    r"stabbed|beaten))\b",
    r"\bhunt\s+(?:you|him|her|them|y'?all|every \w+|your \w+)\s+down\b",
    r"\bmake\s+(?:you|him|her|them)\s+(?:all\s+)?(?:suffer|bleed)\b",
    r"\bhope\s+(?:you|your \w+|they|he|she)\b[^.!?]{0,40}\b(?:die|dies|burns?(?: down)?|gets? "
    r"(?:shot|killed|hurt))\b[^.!?]{0,30}\b(?:in it|inside)\b",
]

_CRISIS = [
    # "kill myself", not "killing myself trying to get through to you"
    r"\b(?:kill|killing|end|ending)\s+myself\b(?!\s+(?:trying|to\b|working|laughing|over))",
    # intent or habit, not "I cut myself on the broken glass"
    r"\b(?:want|wanna|going|gonna|might|may|could|will|'ll|thinking (?:of|about)|urge|"
    r"feel like|tempted)\s+(?:to\s+)?(?:hurt|harm|cut|injure)(?:ing)?\s+myself\b",
    r"\b(?:started|start|been|keep|kept|back to|stop)\s+(?:\w+\s+)?(?:cutting|harming|"
    r"hurting|burning)\s+myself\b",
    r"\bend(?:ing)?\s+(?:my life|it all)\b",
    r"\bself[- ]?harm(?:ing|ed)?\b",
    r"\b(?:i'm|i am|i feel|feeling|i've been|i have been|been|i was)\s+(?:\w+\s+){0,2}suicidal\b",
    r"\bsuicidal\s+(?:thoughts|feelings|ideation)\b",
    r"\b(?:commit|committing|attempt|attempted|thinking about|thought about|considering|"
    r"contemplating)\s+suicide\b",
    r"\bsuicide\s+(?:note|attempt|plan)\b",
    r"\b(?:want|wanna|wish i could)\s+to\s+die\b(?!\s+(?:of|laughing|from))",
    r"\bwish i (?:was|were) dead\b|\bwish i(?:'d| had) never been born\b",
    r"\bdon'?t want to (?:live|be alive|be here|wake up) any ?more\b",
    r"\b(?:no|nothing|don'?t see (?:the|any)|do not see (?:the|any)|can'?t see (?:the|any)|"
    r"not see (?:the|any)|what'?s the)\s+(?:reason|point)\s+(?:in\s+|to\s+)?(?:living|live|"
    r"going on|go on|carrying on|carry on|being alive|staying alive)\b",
    r"\bbetter off dead\b|\b(?:better off|be better) without me\b",
    r"\bcan'?t go on (?:like this|anymore|any more|living)\b",
    r"\bwant (?:everything|it all|my life) to (?:end|stop)\b",
    r"\bnobody would (?:even )?(?:notice|care|miss me) if i (?:was|were) gone\b",
    r"\b(?:pills|tablets) (?:saved|stockpiled|hoarded)|(?:saved|stockpiled|hoarding|hoarded) "
    r"(?:up\s+)?(?:\w+\s+)?(?:pills|tablets)\b|\boverdose\b",
    r"\bnot (?:be|being) (?:alive|around|here) (?:much longer|anymore|any more)\b",
]
#: Crisis cues that mean nothing alone ("I won't be here tomorrow" is usually a delivery
#: problem) and escalate only in pairs.
_CRISIS_WEAK = [
    r"\b(?:this is|it's) my (?:last|final) (?:email|message|letter|note)\b",
    r"\bwon'?t be (?:here|around|alive) (?:tomorrow|next week|much longer|anymore|any more|"
    r"to read)\b",
    r"\bgoodbye (?:forever|everyone|world)\b",
    r"\b(?:giving|given|give) away (?:all )?(?:of )?my (?:things|stuff|belongings)\b",
    r"\b(?:putting|put|get|getting) my affairs in order\b",
    r"\bnobody will miss me\b",
]
_LEGAL = [
    r"\b(?:my|a|our) (?:lawyer|lawyers|attorney|attorneys|solicitor|solicitors|legal team|"
    r"legal counsel|barrister)\b",
    r"\b(?:sue|suing)\s+(?:you|your|them|the company|this company|for)\b",
    r"\b(?:i|we)(?:'ll| will| am going to|'m going to|'re going to| are going to) sue\b",
    r"\b(?:lawsuit|class action|small claims|legal action|legal proceedings|breach of contract|"
    r"legal remedies|legal recourse|legal steps)\b",
    r"\btake (?:you|this|them|it|your \w+) to court\b|\bsee you in court\b",
    r"\b(?:attorney general|consumer protection|trading standards|ftc|cfpb|better business "
    r"bureau|bbb|ombudsman|small claims court)\b",
]

_I = re.IGNORECASE
_PATTERNS = {
    "violence": re.compile("|".join(f"(?:{p})" for p in _VIOLENCE), _I),
    "crisis": re.compile("|".join(f"(?:{p})" for p in _CRISIS), _I),
    "legal": re.compile("|".join(f"(?:{p})" for p in _LEGAL), _I),
}
_WEAK_CRISIS = re.compile("|".join(f"(?:{p})" for p in _CRISIS_WEAK), _I)
#: Curly apostrophes (phones type them) read as straight ones.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})

REASON_TEXT = {
    "violence": "threat of violence",
    "crisis": "crisis or self-harm signal",
    "legal": "legal threat",
}


def assess_escalation(text: str) -> Escalation:
    """Flag violence and crisis (no draft) and legal threats (draft, but a person reviews).

    Each trigger keeps the sentence that set it off, so the person taking over sees why.
    """
    triggers: list[Trigger] = []
    weak: list[str] = []
    for _, _, raw in sentences(text):
        sentence = squash(raw)
        probe = sentence.translate(_APOSTROPHES)
        for reason, rx in _PATTERNS.items():
            if rx.search(probe):
                triggers.append(Trigger(reason=reason, sentence=sentence))
        if _WEAK_CRISIS.search(probe):
            weak.append(sentence)
    if len(weak) >= 2 and not any(t.reason == "crisis" for t in triggers):
        triggers.extend(Trigger(reason="crisis", sentence=s) for s in weak)
    kinds = {t.reason for t in triggers}
    return Escalation(
        required=bool(kinds & {"violence", "crisis"}),
        review=bool(kinds),
        reasons=[REASON_TEXT[k] for k in REASON_TEXT if k in kinds],
        triggers=triggers,
    )
