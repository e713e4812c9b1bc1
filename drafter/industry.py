"""Which industry the company is in, read from the customer's email.

The policy's options should fit the business: a traveller whose flight was cancelled wants a
rebooking, not "free expedited shipping"; a bank customer a fee reversal. drafter is used by
teams in many industries, and the built-in policy is what a new user sees first, so the
offline analysis names the industry (``Analysis.industry``) and the built-in policy adds the
remedies that fit it (:func:`drafter.policy.builtin_policy`).

A learned model over the whole email (``industry``, hashed word and character n-grams, see
:mod:`drafter.understand.linear`, trained by ``bench/train_listening.py`` on
``corpus/listening/category-*`` and the asks files' industry tags) decides; it reads the
clues a person reads ("the gate agent", "my excess", "the meter", "my tenancy") in seven
languages. Below the model's threshold the answer is ``other``: a wrong industry would
offer the wrong remedies, and ``other`` only keeps the classic ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drafter.understand.linear import Explanation

#: The industries drafter's users are in; ``other`` for anything else or unsure.
INDUSTRIES = ("retail", "travel", "telecom", "saas", "bank", "insurance", "utility", "hotel",
              "food-delivery", "car-rental", "subscriptions", "letting", "other")

#: Names a policy or a corpus may use for one of the industries.
ALIASES = {
    "airline": "travel", "rail": "travel", "public-transport": "travel", "airline-travel":
    "travel", "gym": "subscriptions", "subscription": "subscriptions", "gym-subscriptions":
    "subscriptions", "finance": "bank", "banking": "bank", "bank-finance": "bank",
    "debt-collection": "bank", "software": "saas", "energy": "utility", "water": "utility",
    "telco": "telecom", "isp": "telecom", "food": "food-delivery", "rental": "car-rental",
    "property": "letting", "landlord": "letting", "landlord-property": "letting",
    "housing": "letting", "ecommerce": "retail", "appliances": "retail", "diy": "retail",
    "furniture": "retail", "sports-retail": "retail", "pet-supplies": "retail",
    "optician": "retail", "pharmacy": "retail", "car-dealer": "retail",
    "healthcare": "other", "healthcare-billing": "other", "public-services": "other",
    "moving": "other",
}

#: The model reads the start of a long email: the clues come early, and a whole narrative
#: costs scoring time for nothing.
_MAX_CHARS = 4000


@dataclass(frozen=True)
class IndustryReading:
    """The industry, how sure the model is, and the n-grams that said so."""

    name: str
    confidence: float
    features: list[Explanation] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "confidence": round(self.confidence, 3),
                "features": [f.to_dict() for f in self.features]}


def canonical(name: str, strict: bool = False) -> str | None:
    """``airline`` → ``travel``, ``Car rental`` → ``car-rental``; a name it does not know →
    ``other`` (or None when ``strict``: the trainer leaves such an item out)."""
    name = "-".join(name.strip().lower().replace("/", " ").split())
    name = ALIASES.get(name, name)
    if name in INDUSTRIES:
        return name
    return None if strict else "other"


def read_industry(text: str, explain: bool = False) -> IndustryReading:
    """The industry of the company an email is written to (``other`` when unsure)."""
    from drafter.understand.linear import load_model

    model = load_model("industry")
    sample = text[:_MAX_CHARS]
    proba = model.proba(sample)
    best, p = max(proba.items(), key=lambda kv: kv[1])
    if best != "other" and p < model.thresholds.get("industry", 0.0):
        return IndustryReading("other", p)
    features = model.explain(sample, best, k=4) if explain and best != "other" else []
    return IndustryReading(best, p, features)


def detect_industry(text: str) -> str:
    """Just the industry's name: what the analysis keeps."""
    return read_industry(text).name
