"""Restating the customer's words back to them: "my order never came" → "your order never came".

Making time to listen means showing you heard: the offline reply repeats the customer's own
grievance with the pronouns turned around, which reads as attention rather than a form.
"""

from __future__ import annotations

import re

from drafter.analyze import INSULT_RE

# Customer's first person → second person (the customer), with verb agreement.
_FIRST = {
    "i am": "you are", "i'm": "you're", "i was": "you were", "i've": "you've",
    "i have": "you have", "i'd": "you'd", "i'll": "you'll", "i": "you", "me": "you",
    "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
    "our": "your", "ours": "yours", "we're": "you're", "we've": "you've", "we were": "you were",
}
# Customer's second person (the company) → first person plural (us), same agreement.
_SECOND = {
    "you're": "we're", "you are": "we are", "you've": "we've", "you have": "we have",
    "you were": "we were", "you'll": "we'll", "you'd": "we'd", "your": "our", "yours": "ours",
    "yourself": "ourselves", "you guys": "we", "you people": "we",
}
_SUBJECT_CONTEXT = {"", "and", "but", "because", "that", "when", "if", "so", "then", "since",
                    "why", "how", "after", "before", "until", "though", "although", "or",
                    "yet", "where", "while", "once", "unless"}

_PHRASES = sorted({**_FIRST, **_SECOND}, key=len, reverse=True)
_PHRASE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _PHRASES) + r"|you)\b",
    re.IGNORECASE,
)


def second_person(sentence: str) -> str:
    """Turn a customer's sentence into the agent's restatement of it."""
    out: list[str] = []
    pos = 0
    for m in _PHRASE_RE.finditer(sentence):
        out.append(sentence[pos:m.start()])
        out.append(_swap(m.group(0), sentence[:m.start()]))
        pos = m.end()
    out.append(sentence[pos:])
    text = "".join(out)
    return text[:1].upper() + text[1:] if text else text


def _swap(word: str, before: str) -> str:
    """Lower-case replacement; ``second_person`` capitalises the sentence start afterwards."""
    key = " ".join(word.lower().split())
    if key == "you":
        previous = re.findall(r"[A-Za-z']+", before)[-1:] or [""]
        return "we" if previous[0].lower() in _SUBJECT_CONTEXT else "us"
    return _FIRST.get(key) or _SECOND[key]


# --- restating with attribution --------------------------------------------------------------
#
# A customer's sentence with the pronouns turned puts the customer's accusation in the
# company's mouth ("you leaked my card number" → "we leaked your card number"), repeats
# sarcasm as sincere ("you especially loved waiting 40 minutes") and re-aims insults. So the
# reply only ever restates a sentence as the customer's own account ("You told us that …"),
# and only a sentence that is about what happened to the customer, not about what the
# company did: no second or third person (the company), no sarcasm, no insult, no threat, no
# handle, redaction, card number or cut-off fragment.

#: The company as the customer names it: a sentence with any of these is an accusation, and
#: accusations are not restated (the reply's apology and options answer them).
_COMPANY_PERSON = re.compile(r"\b(?:you|your|yours|yourselves|u|ur|you're|you've|you'll|y'?all|"
                             r"they|them|their|theirs|they're|they've)\b", re.IGNORECASE)
_SARCASM = re.compile(
    r"\b(?:thanks? (?:a lot|so much|for nothing|a bunch)|great job|well done|bravo|wonderful|"
    r"brilliant|fantastic|lovely|loved|love how|love that|just great|just perfect|perfect|"
    r"awesome|amazing|congratulations|nice one|genius|so helpful|real(?:ly)? helpful|"
    r"what a surprise|shocker|of course|obviously|clearly|apparently|supposedly|so-called)\b",
    re.IGNORECASE)
#: Besides the insults listening already knows (:data:`drafter.analyze.INSULT_RE`): handles,
#: redactions, cut-off fragments, long numbers, quotes, and words of threat or lawsuit.
_NOT_RESTATED = re.compile(
    r"@\w|XX+|\.\.\.|…|\d[\d -]{10,}\d|[\"“”«»]|"
    r"\b(?:screw\w*|joke|disgrace\w*|"
    r"lawyer|solicitor|attorney|court|sue|suing|ombudsman|regulator|police|report(?:ed)? "
    r"(?:this|it)|kill\w*|hurt|die|dead|gun|knife)\b",
    re.IGNORECASE)
_CONNECTIVE = re.compile(r"^(?:and|but|so|also|plus|then|now|anyway|basically|honestly|"
                         r"frankly|well|oh|ok(?:ay)?)\b[,:]?\s*", re.IGNORECASE)
#: Sentence-start words written in lower case inside "You told us that …"; any other first
#: word (a name, a brand, an acronym) keeps its capital.
_COMMON_STARTS = frozenset(
    "the a an my your it its this that these those there when after before since on in at "
    "last yesterday today tonight this morning for order nobody no nothing none every each "
    "all both one two three four five six seven instead then now still again even twice "
    "what which while during because although though despite however unfortunately sadly "
    "i you we our his her he she delivery payment shipping parcel package item product "
    "battery screen app website account bill invoice engineer installer driver technician "
    "flight train room booking service internet phone line order refund charge".split())
_MAX_RESTATED_WORDS = 30
_IMPERATIVE = re.compile(
    r"(?:please\s+)?(?:refund|send|cancel|fix|replace|call|deliver|ship|give|return|credit|"
    r"escalate|explain|remove|stop|reverse|process|reimburse|compensate|waive|reship|expedite|"
    r"close|contact|let|tell|update|correct|resolve|sort|turn|put|switch|restore|reinstate|"
    r"unlock|reconnect|bring|take|get|pay|confirm|check|answer|reply|respond)\b",
    re.IGNORECASE)
_OPENING = re.compile(r"(?:hello|hi|hey|dear|good (?:morning|afternoon|evening)|greetings|"
                      r"just a (?:note|quick)|quick note|fyi|p\.?s\.?|re:|to whom|thanks|"
                      r"thank you|sir|madam)\b", re.IGNORECASE)
_JUDGED = re.compile(r"\byou(?:'re| are| were|'ve been| have been)\s+(?:such\s+|so\s+|a\s+|an\s+|"
                     r"the\s+)*(?:complete\s+|total\s+|absolute\s+)?(?:fool|idiot|mug|sucker|naive|"
                     r"stupid|dumb|gullible|loser)", re.IGNORECASE)


def attributed(sentence: str) -> str | None:
    """The customer's sentence as their own account ("You told us that your parcel arrived
    damaged"), grammatical and in the company's careful voice; None when the sentence must
    not be restated (see the comment above)."""
    text = _CONNECTIVE.sub("", sentence.strip()).strip()
    if not text or "?" in text or len(text.split()) > _MAX_RESTATED_WORDS:
        return None
    if _OPENING.match(text) or _IMPERATIVE.match(text):
        return None  # a letter's opening ("Hello, …") or an ask ("Waive the fee"): not an account
    if (_COMPANY_PERSON.search(text) or _SARCASM.search(text) or _NOT_RESTATED.search(text)
            or INSULT_RE.search(text)):
        return None
    if sum(c.isupper() for c in text) > 0.5 * max(1, sum(c.isalpha() for c in text)):
        return None  # shouted: restating it calmly would misquote it
    turned = second_person(text).rstrip(" .!;:,")
    if _JUDGED.search(turned):
        return None  # "I am such a fool" restated is "you are such a fool"
    first, _, rest = turned.partition(" ")
    if first.lower() in _COMMON_STARTS or first.lower().rstrip("'s") in _COMMON_STARTS:
        first = first[:1].lower() + first[1:]
    clause = f"{first} {rest}".strip()
    return clause if len(clause.split()) >= 3 and is_clause(clause) else None


#: Words a clause can open with: its subject's first word.
_SUBJECT_STARTS = frozenset(
    "you your we our it its they their them he she his her there the a an this that these "
    "those nobody no nothing none every each all both one someone somebody everyone "
    "everything something two three four five six seven eight nine ten several many some "
    "neither either my".split())
#: Words that show a clause has a finite verb ("arrived", "is", "hasn't", "came").
_FINITE = re.compile(
    r"\b(?:\w+ed|\w+n't|is|are|was|were|has|have|had|do|does|did|can|could|will|would|"
    r"shall|should|may|might|must|came|went|got|took|made|said|told|left|sent|kept|paid|"
    r"broke|gave|put|ran|saw|stood|sat|fell|found|lost|brought|bought|thought|felt|heard|"
    r"began|showed|shown|gone|done|seen|given|taken|known|still (?:\w+s))\b", re.IGNORECASE)


def is_clause(text: str) -> bool:
    """Whether ``text`` can follow "You told us that": it opens with a subject (or a name
    and its verb) and has a finite verb. A fragment ("Waited two hours for a pizza", "£64.00
    on my statement twice", "three years as a customer, and…") cannot, and is not restated."""
    if ":" in text or text.count("(") != text.count(")"):
        return False
    words = text.split()
    first = words[0].strip("\"'“‘")
    named = first[:1].isupper() and len(words) > 1 and bool(_FINITE.match(words[1]))
    verb = _FINITE.search(text.split(",", 1)[0])  # the subject's verb comes before any comma
    return (first.lower() in _SUBJECT_STARTS or named) and verb is not None
