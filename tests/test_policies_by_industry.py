"""Policies by industry (issue 15): ``examples/policies/*.toml`` offer what each kind of
business really does, the offline reply offers only those, answering what was asked, and the
checker holds a reply to them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from drafter.checker import check_reply
from drafter.engines.offline import OfflineEngine
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import OPTION_KINDS, load_policy, parse_policy

POLICIES = Path(__file__).resolve().parent.parent / "examples" / "policies"
TODAY = dt.date(2026, 12, 3)
#: An email per industry and the option kind its ask must be answered with.
CASES = {
    "airline": ("My flight SK 221 was cancelled on 12 March and I paid 189,00 EUR for a hotel. "
                "I want the hotel refunded and to be rebooked on the next flight.",
                {"expenses", "rebooking"}),
    "bank": ("You charged me a £35 overdraft fee twice this month even though my salary was in "
             "on time. Reverse the fees and confirm it in writing.",
             {"fee_reversal", "written_confirmation"}),
    "saas": ("Your platform was down for six hours on Monday and we lost a day of invoicing. We "
             "want a service credit and an incident report explaining what happened.",
             {"service_credit", "incident_report"}),
    "telecom": ("My broadband has been down for eleven days and your engineer missed two "
                "appointments. Send an engineer this week and credit my bill.",
                {"technician_visit", "credit"}),
    "utility": ("My bill says I used 4,200 kWh in a month, which is impossible. Please send "
                "someone to check the meter.", {"technician_visit"}),
    "insurance": ("My claim MR-2024-00981 has been open for three months. I want one person "
                  "handling it and a written decision.", {"written_confirmation"}),
    "hotel": ("The room had mould in the bathroom for all three nights. I want a partial "
              "refund.", {"refund"}),
    "retail": ("Order 5521 arrived broken. I want a replacement sent quickly.", {"replacement"}),
}


def offered_lines(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if re.match(r"\d\. ", line)]


def test_every_example_policy_loads_and_uses_known_kinds() -> None:
    files = sorted(POLICIES.glob("*.toml"))
    assert {f.stem for f in files} >= set(CASES)
    for path in files:
        policy = load_policy(str(path))
        assert policy.options and policy.kinds <= set(OPTION_KINDS)


@pytest.mark.parametrize("industry", sorted(CASES))
def test_the_reply_answers_the_ask_with_the_industrys_own_options(industry: str) -> None:
    body, expected = CASES[industry]
    policy = load_policy(str(POLICIES / f"{industry}.toml"))
    result = draft_email(Email(sender_name="Dana Reyes", body=body), policy,
                         OfflineEngine(today=TODAY))
    assert result.check.passed, [f.message for f in result.check.errors]
    lines = offered_lines(result.draft.text)
    offers = {o.kind: o.offer.split("{amount}")[0][:20].lower() for o in policy.options}
    kinds = {k for k, start in offers.items() if any(start in line.lower() for line in lines)}
    assert kinds and expected <= kinds, (lines, kinds)
    assert "shipping" not in result.draft.text or industry == "retail"


def test_the_built_in_policy_offers_no_shipping_to_a_banks_customer() -> None:
    body = CASES["bank"][0]
    text = draft_email(Email(body=body), parse_policy(""), OfflineEngine(today=TODAY)).draft.text
    assert "shipping" not in text and "replacement" not in text


def test_a_remedy_the_industry_policy_lacks_is_an_over_promise() -> None:
    policy = load_policy(str(POLICIES / "bank.toml"))
    reply = ("Hi Dana,\n\nI'm so sorry about the fees. We can rebook you onto a later payment "
             "date and we will reverse the £35 fee today.\n\nBest,\nTom")
    result = check_reply(reply, policy=policy)
    assert any(f.rule == "over-promise" and "rebook" in f.excerpt.lower()
               for f in result.findings)


def test_a_retail_policy_says_nothing_about_travel_remedies() -> None:
    policy = load_policy(str(POLICIES / "retail.toml"))
    reply = ("Hi Dana,\n\nI'm so sorry. We can rebook your delivery slot for Friday.\n\n"
             "Best,\nSam")
    assert not [f for f in check_reply(reply, policy=policy).findings
                if f.rule == "over-promise"]
