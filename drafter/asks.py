"""Finding what the customer asks for: every explicit ask, in their words, with its kind.

The first step of MAMA is listening, and everything downstream restates or answers the
asks. Two readers work side by side on each sentence (the one segmentation,
:mod:`drafter.understand.segment`):

* the **ask model** (``drafter/understand/models/ask.*``) decides whether a sentence asks
  for something at all, whatever its form: a question ("can I get a refund?"), an
  imperative in capitals, a list item, an ask addressed to a regulator ("we are requesting
  that they reverse the fee"), an ask inside a refusal ("they still refuse to fix it");
  the **ask-kind model** says which remedy it is for (refund, repair, callback, …);
* the **phrase rules** in :mod:`drafter.analyze` cut the ask down to a short phrase in the
  customer's terms where they recognise its shape ("I want a refund of the $12.99 fee" →
  "a refund of the $12.99 fee"); where they do not, the sentence itself is tidied into the
  phrase (pleasantries and "please" trimmed, capitals softened).

Trained on the team's corpus (``corpus/listening/``, ``bench/train_listening.py``);
measured blind in ``bench/listening_bench.py``.
"""

from __future__ import annotations

import re

#: The kinds of remedy a want can ask for; the reply and the policy answer each kind.
ASK_KINDS = (
    "refund", "replacement", "repair", "cancel", "stop-charges", "callback", "explanation",
    "delivery", "credit", "apology", "account", "escalate", "other",
)

#: Leading pleasantries and connectives that are not part of the ask.
_LEAD = re.compile(
    r"^(?:(?:so|and|but|also|then|now|ok(?:ay)?|well|honestly|frankly|again|finally|"
    r"first(?:ly)?|second(?:ly)?|lastly|hi|hello|dear \w+|please|kindly)[,:]?\s+)+",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^\s*(?:\(?\d+[.)]|[-*•])\s*")
_TAIL = re.compile(r"[\s,;:.!?]*(?:please|thanks?(?: you)?|thank you|asap|now)?[\s.!?]*$",
                   re.IGNORECASE)


def is_ask(sentence: str) -> tuple[bool, float]:
    """(an ask on the model's word alone, the probability).

    The threshold is set strictly (few false asks on held-out data): the model's phrase is
    the whole sentence, and a claim that merely mentions a remedy ("your policy says
    customers are entitled to refunds") restated as a want reads badly in a reply. A
    sentence a phrase rule recognises needs far less (``drafter.analyze``).
    """
    from drafter.understand.linear import load_model

    model = load_model("ask")
    p = model.proba(sentence)["ask"]
    return p >= model.thresholds["ask"], p


def ask_kind(phrase: str, sentence: str = "") -> str:
    """The remedy an ask is for: the ask-kind model over the phrase and its sentence."""
    return ask_kind_scored(phrase, sentence)[0]


def ask_kind_scored(phrase: str, sentence: str = "") -> tuple[str, float]:
    """:func:`ask_kind` and the model's probability for it."""
    from drafter.understand.linear import load_model

    model = load_model("ask-kind")
    p = model.proba(f"{phrase}. {sentence}" if sentence and sentence != phrase else phrase)
    return max(p.items(), key=lambda kv: kv[1])


def tidy_phrase(sentence: str, limit: int = 120) -> str:
    """A sentence the rules could not cut, tidied into a phrase: list marks, leading
    connectives and trailing pleasantries dropped, capitals softened, length capped."""
    from drafter.analyze import soften_caps
    from drafter.text import shorten

    text = _LIST_MARK.sub("", sentence.strip()).lstrip("¿¡ ")
    text = _LEAD.sub("", text)
    text = _TAIL.sub("", text).strip()
    if text.isupper() or sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha()
                                                                         for c in text)):
        text = soften_caps(text)
        text = text[:1].upper() + text[1:]
    return shorten(text, limit) if len(text) >= 3 else ""
