"""What the business can really offer: the "meeting of minds" half that the customer cannot see.

Drafts may only offer what is here, which is also the guard against a customer's email
talking a model into promises (the checker's ``over-promise`` rule reads the same object).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError

#: The option kinds the offline template and the checker understand.
OPTION_KINDS = (
    "refund",
    "credit",
    "replacement",
    "expedited_shipping",
    "callback",
    "discount",
    "repair",
    "cancel",
    "exchange",
    # By industry: travel, banking, software, utilities and telecoms (examples/policies/).
    "rebooking",
    "expenses",
    "voucher",
    "fee_reversal",
    "dispute",
    "written_confirmation",
    "service_credit",
    "incident_report",
    "named_contact",
    "technician_visit",
    "bill_correction",
)

#: The kinds added for travel, banking, software, utilities and telecoms. A policy that lists
#: none of them was written for the classic retail remedies, so the checker does not treat
#: "we can rebook you" as an offer beyond it (it says nothing either way).
INDUSTRY_KINDS = frozenset(OPTION_KINDS[OPTION_KINDS.index("rebooking"):])

DEFAULT_POLICY_FILE = "drafter.toml"


@dataclass
class Option:
    """One remedy the business allows. ``offer`` is the sentence the offline reply uses."""

    kind: str
    offer: str
    max_amount: float | None = None
    when: str = ""  # free-text note on when it applies, shown to prompts
    #: The offer in other languages (``offer_es = "…"``), for offline replies in them.
    offers: dict[str, str] = field(default_factory=dict)

    def offer_in(self, language: str) -> str | None:
        """The offer as written for ``language``; None when the policy gives none in it
        (English is ``offer`` itself)."""
        return self.offer if language == "en" else self.offers.get(language)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "offer": self.offer, "max_amount": self.max_amount,
                "when": self.when, **{f"offer_{k}": v for k, v in self.offers.items()}}


@dataclass
class Policy:
    """A company's service-recovery policy, loaded from TOML."""

    company: str = "our company"
    agent_name: str = "the Customer Care team"
    signoff: str = "Customer Care"
    currency: str = "USD"
    follow_up_days: int = 2
    follow_up_channel: str = "email"
    contact: str = ""
    options: list[Option] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)  # phrases never to promise
    source: str = "built-in"

    @property
    def kinds(self) -> set[str]:
        return {o.kind for o in self.options}

    def option(self, kind: str) -> Option | None:
        return next((o for o in self.options if o.kind == kind), None)

    def max_amount(self, kind: str) -> float | None:
        opt = self.option(kind)
        return opt.max_amount if opt else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "agent_name": self.agent_name,
            "signoff": self.signoff,
            "currency": self.currency,
            "follow_up_days": self.follow_up_days,
            "follow_up_channel": self.follow_up_channel,
            "contact": self.contact,
            "options": [o.to_dict() for o in self.options],
            "forbidden": list(self.forbidden),
            "source": self.source,
        }


BUILTIN_POLICY = """
company = "our company"
currency = "USD"

[agent]
name = "Alex"
signoff = "Alex\\nCustomer Care"

[follow_up]
business_days = 2
channel = "email"

[[options]]
kind = "refund"
max_amount = 100
offer = "a refund of {amount} to your original payment method"

[[options]]
kind = "replacement"
offer = "a replacement sent at no cost to you"

[[options]]
kind = "expedited_shipping"
offer = "free expedited shipping on the replacement or your next order"

[[options]]
kind = "credit"
max_amount = 25
offer = "a {amount} credit on your account"

[[options]]
kind = "callback"
offer = "a phone call at a time that suits you, to sort this out together"
"""


#: The built-in policy for a company in one of these industries: the classic remedies that
#: make no sense there are dropped (nobody ships a bank customer anything), and the ones such
#: companies offer are added, in the wording of the sample policies (examples/policies/).
#: Money stays under the built-in limits. A team's own policy is never changed.
_BUILTIN_BY_INDUSTRY: dict[str, tuple[frozenset[str], str]] = {
    "travel": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "rebooking"
offer = "a free change to the next available departure, or a later date of your choice"
[[options]]
kind = "expenses"
max_amount = 150
offer = "reimbursement of your meal, hotel and transfer costs up to {amount}, with receipts"
"""),
    "hotel": (frozenset({"replacement", "expedited_shipping"}), ""),
    "bank": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "fee_reversal"
max_amount = 50
offer = "the reversal of the {amount} fee on your account"
[[options]]
kind = "dispute"
offer = "a formal dispute opened on the payment today, with the outcome in writing"
[[options]]
kind = "written_confirmation"
offer = "written confirmation of what we have changed on your account"
"""),
    "insurance": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "named_contact"
offer = "a named claim handler who will be your single point of contact"
[[options]]
kind = "written_confirmation"
offer = "a written explanation of the decision and what you can send us to have it reviewed"
"""),
    "telecom": (frozenset({"expedited_shipping"}), """
[[options]]
kind = "technician_visit"
offer = "an engineer visit at a time slot you choose"
[[options]]
kind = "fee_reversal"
max_amount = 50
offer = "the reversal of the {amount} charge on your bill"
[[options]]
kind = "bill_correction"
offer = "a check of your bill and a corrected one, the disputed amount on hold until then"
[[options]]
kind = "cancel"
offer = "to cancel your contract from the date you asked, confirmed in writing"
"""),
    "utility": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "technician_visit"
offer = "a technician visit at a time you choose, to check your supply and your meter"
[[options]]
kind = "fee_reversal"
max_amount = 50
offer = "the reversal of the {amount} charge on your bill"
[[options]]
kind = "written_confirmation"
offer = "a corrected bill and written confirmation of the new reading"
[[options]]
kind = "bill_correction"
offer = "a check of your meter reading and a corrected bill, the disputed amount on hold meanwhile"
"""),
    "saas": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "incident_report"
offer = "a written incident report with the cause and what we are changing"
[[options]]
kind = "named_contact"
offer = "a named engineer as your direct contact until this is resolved"
[[options]]
kind = "cancel"
offer = "to cancel your subscription from the date you asked, confirmed in writing"
"""),
    "car-rental": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "fee_reversal"
max_amount = 100
offer = "the reversal of the {amount} charge on your rental"
[[options]]
kind = "written_confirmation"
offer = "written confirmation of the final charges for your rental"
"""),
    "letting": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "repair"
offer = "a repair booked at a time that suits you"
[[options]]
kind = "written_confirmation"
offer = "written confirmation of what we will do and by when"
"""),
    "subscriptions": (frozenset({"replacement", "expedited_shipping"}), """
[[options]]
kind = "cancel"
offer = "to cancel your membership from the date you asked, confirmed in writing"
"""),
    "food-delivery": (frozenset({"expedited_shipping"}), ""),
}


#: The industries the built-in policy is fitted to.
INDUSTRY_POLICIES = frozenset(_BUILTIN_BY_INDUSTRY)


def policy_for(policy: Policy, analysis: Any) -> Policy:
    """The policy a draft to this customer is held to: :func:`fitted_policy` with the
    industry and the currency the analysis read."""
    return fitted_policy(policy, analysis.industry, customer_currency(analysis))


def customer_currency(analysis: Any) -> str | None:
    """The one currency every amount in the customer's email is in; with no amounts at all,
    the euro for an email in German, French, Italian or Dutch (rubric round seven: "a 25 USD
    credit" to a German gym's member); else None (a currency not named, several, or a
    language whose customers pay in several: Spanish, Portuguese, English)."""
    amounts = [f for f in analysis.facts if f.kind == "amount"]
    if not amounts:
        return _EURO_LANGUAGES.get(getattr(analysis, "language", ""))
    codes = {f.currency for f in amounts}
    return next(iter(codes)) if len(codes) == 1 and "" not in codes else None


#: Languages whose customers, when they name no amount, most likely pay in euros (the
#: built-in limits are nominal, so the guess only sets the currency they are written in).
_EURO_LANGUAGES = {"de": "EUR", "fr": "EUR", "it": "EUR", "nl": "EUR"}


def builtin_policy(industry: str = "other") -> Policy:
    """The built-in policy, fitted to the customer's industry (see ``_BUILTIN_BY_INDUSTRY``).

    ``source`` stays ``built-in``: the policy is still drafter's, not the team's, and the
    checker treats it as such.
    """
    policy = parse_policy(BUILTIN_POLICY, source="built-in")
    drop, extra = _BUILTIN_BY_INDUSTRY.get(industry, (frozenset(), ""))
    if drop or extra:
        added = parse_policy(extra, source="built-in").options if extra else []
        policy.options = [o for o in policy.options if o.kind not in drop] + added
    return policy


def fitted_policy(policy: Policy, industry: str, currency: str | None = None) -> Policy:
    """``policy`` itself, unless it is the built-in one: then the built-in for ``industry``,
    its limits in ``currency`` (the one currency the customer wrote every amount in), so a
    customer who wrote in euros is never offered "a refund of up to 100 USD". The built-in
    limits are nominal (a demo's, not a business's), which is what makes this honest; a
    team's own policy keeps its currency and never has its amounts converted."""
    recurrency = bool(currency) and currency != policy.currency
    if policy.source != "built-in" or not (industry in _BUILTIN_BY_INDUSTRY or recurrency):
        return policy
    fitted = builtin_policy(industry)
    if recurrency and currency:
        fitted.currency = currency
    return fitted


def load_policy(path: str | Path | None = None, cwd: Path | None = None) -> Policy:
    """Load ``path``, else ``drafter.toml`` in the working directory, else the built-in policy."""
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"policy file not found: {p}") from None
        except IsADirectoryError:
            raise ConfigError(f"policy path is a directory, not a TOML file: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read policy file {p}: {exc}") from None
        return parse_policy(text, source=str(p))
    local = (cwd or Path.cwd()) / DEFAULT_POLICY_FILE
    if local.is_file():
        return load_policy(local)
    return parse_policy(BUILTIN_POLICY, source="built-in")


def parse_policy(text: str, source: str = "<string>") -> Policy:
    """Parse policy TOML; every mistake is reported with the file name, never as a traceback."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return _policy_from_dict(data, source)
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _policy_from_dict(data: dict[str, Any], source: str) -> Policy:
    agent = data.get("agent", {})
    follow = data.get("follow_up", {})
    if not isinstance(agent, dict) or not isinstance(follow, dict):
        raise ValueError("[agent] and [follow_up] must be tables")
    options = [_option(o, i) for i, o in enumerate(data.get("options", []))]
    days = int(follow.get("business_days", 2))
    if days < 0:
        raise ValueError("follow_up.business_days must be 0 or more")
    name = str(agent.get("name", "the Customer Care team"))
    return Policy(
        company=str(data.get("company", "our company")),
        agent_name=name,
        signoff=str(agent.get("signoff", name)),
        currency=str(data.get("currency", "USD")),
        follow_up_days=days,
        follow_up_channel=str(follow.get("channel", "email")),
        contact=str(data.get("contact", "")),
        options=options,
        forbidden=[str(f) for f in data.get("forbidden", [])],
        source=source,
    )


def _option(raw: Any, index: int) -> Option:
    if not isinstance(raw, dict):
        raise ValueError(f"options[{index}] must be a table")
    kind = str(raw.get("kind", ""))
    if kind not in OPTION_KINDS:
        raise ValueError(
            f"options[{index}].kind {kind!r} is not one of: {', '.join(OPTION_KINDS)}"
        )
    if "offer" not in raw:
        raise ValueError(f"options[{index}] ({kind}) needs an 'offer' sentence")
    max_amount = raw.get("max_amount")
    offers = {key.removeprefix("offer_"): str(value) for key, value in raw.items()
              if key.startswith("offer_") and len(key) == len("offer_xx")}
    return Option(
        kind=kind,
        offer=str(raw["offer"]),
        max_amount=float(max_amount) if max_amount is not None else None,
        when=str(raw.get("when", "")),
        offers=offers,
    )
