"""Restating the customer's account as theirs, never as the company's admission (issue 15).

Over a large generated set of complaint sentences (accusations, sarcasm, insults, handles,
redactions, card numbers, cut-off fragments, plain accounts of what happened), every
restatement the offline reply would make is checked: attributed to the customer, no "we" or
"our" (the company confessing), nothing that must not be repeated, and grammatical."""

from __future__ import annotations

import itertools
import re

import pytest

from drafter.engines.offline import OfflineEngine, _safe_restatements
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import parse_policy
from drafter.voice import attributed

SUBJECTS = ["I", "My husband", "The driver", "The installer", "Your agent", "You", "They",
            "Your company", "We", "My order", "The parcel", "Nobody"]
VERBS = ["waited three hours for", "paid $300 for", "never received", "was charged twice for",
         "leaked", "especially loved waiting 40 minutes for", "cancelled", "broke",
         "was promised", "lost"]
OBJECTS = ["the delivery", "my card number", "a refund", "the flight", "my deposit",
           "order 5521", "the router", "@acme_help's reply", "XXXX", "card 4111 1111 1111 1111",
           "the booking…"]
SENTENCES = [f"{s} {v} {o}." for s, v, o in itertools.product(SUBJECTS, VERBS, OBJECTS)]
SENTENCES += ["You are a complete fool for trusting us.", "I am such a fool for trusting you.",
              "Thanks a lot for nothing, brilliant service.", "You idiots leaked my data!",
              "The delivery date you confirmed was wrong.", "I'll see you in court."]

FORBIDDEN = re.compile(r"\b(?:we|our|us|ours|ourselves)\b|@\w|XXXX|\d{4} \d{4}|…|\.\.\.|"
                       r"\b(?:fool|idiot|loved|brilliant|thanks|court)\b", re.IGNORECASE)


def test_the_generated_set_is_large() -> None:
    assert len(SENTENCES) > 1_300


@pytest.mark.parametrize("chunk", range(8))
def test_no_restatement_admits_fault_or_repeats_what_must_not_be_repeated(chunk: int) -> None:
    policy = parse_policy("")
    for sentence in SENTENCES[chunk::8]:
        clause = attributed(sentence)
        if clause is None:
            continue
        assert not FORBIDDEN.search(clause), (sentence, clause)
        assert not re.search(r"\byou you\b|\byou us\b|\bus (?:confirmed|said)\b", clause)
        assert clause[0].islower() or clause.split()[0] in ("Nobody",) or clause[0].isupper()
        for restated in _safe_restatements([sentence], policy):
            assert restated.startswith(("You told us that ", "You also mentioned that "))
            assert restated.endswith(".") and not restated.endswith("..")


@pytest.mark.parametrize(("sentence", "expected"), [
    ("I waited three hours for the delivery.", "you waited three hours for the delivery"),
    ("The installer arrived four hours late, without a call.",
     "the installer arrived four hours late, without a call"),
    ("My order never arrived.", "your order never arrived"),
])
def test_plain_accounts_are_restated_as_the_customers(sentence: str, expected: str) -> None:
    assert attributed(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "You leaked my credit card number.", "Your food poisoned my whole family.",
    "You are breaking the law by keeping my $300 deposit.",
    "I especially loved waiting 40 minutes on hold.",
    "You are a complete fool for trusting us.", "@acme_help never answered.",
    "They charged XXXX to my account.",
])
def test_accusations_sarcasm_insults_and_handles_are_not_restated(sentence: str) -> None:
    assert attributed(sentence) is None


def test_an_offline_draft_never_confesses_the_customers_accusation() -> None:
    email = Email(sender_name="Priya", body=(
        "You cancelled my flight #1007 on 12 March and I paid 189,00 EUR for a hotel. You "
        "leaked my card number too, you idiots. I want the hotel refunded and a callback."))
    text = draft_email(email, parse_policy(""), OfflineEngine()).draft.text
    assert "We cancelled" not in text and "leaked" not in text and "idiot" not in text
    assert "You told us that you paid 189,00 EUR for a hotel." in text
    assert "flight 1007" in text and "order 1007" not in text


@pytest.mark.parametrize("fragment", [
    "Waited two and a quarter hours for a large pizza and garlic bread.",
    "Three years as a customer, and the reward is a price rise of £6 a month.",
    "For the third time: I cancelled my membership (no. 44102).",
    "£64.00 on my card statement on 11/04 and again on 12/04.",
])
def test_a_fragment_is_never_restated_as_a_clause(fragment: str) -> None:
    """Rubric round four: "You told us that Waited two hours…" is not English. Only a
    clause with a subject and its verb follows "You told us that"."""
    assert attributed(fragment) is None


@pytest.mark.parametrize(("sentence", "clause"), [
    ("My parcel arrived damaged.", "your parcel arrived damaged"),
    ("Two items are missing from my order.", "two items are missing from your order"),
    ("I was charged twice for order A-1.", "you were charged twice for order A-1"),
])
def test_a_whole_clause_is_still_restated(sentence: str, clause: str) -> None:
    assert attributed(sentence) == clause
