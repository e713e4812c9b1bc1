"""Restating the customer's words back to them: "my order never came" → "your order never came".

Making time to listen means showing you heard: the offline reply repeats the customer's own
grievance with the pronouns turned around, which reads as attention rather than a form.
"""

from __future__ import annotations

import re

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
