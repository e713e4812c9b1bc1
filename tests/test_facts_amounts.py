"""Amounts as customers write them, in seven languages: value normalised, currency kept.

The issue's measurements: "19,99 EUR" became "$99" and "£100" became "$100" in drafts. An
amount's value is read whatever the separators, its currency is kept, and the offline reply
never restates it in the policy's currency.
"""

from __future__ import annotations

import pytest

from drafter.engines.offline import OfflineEngine
from drafter.facts import extract_facts, normalize_amount
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import parse_policy


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("It cost 19,99 EUR in the end.", "19.99", "EUR"),
    ("The invoice says 1.240,00 € for the repair.", "1240", "EUR"),
    ("I paid £1,298.00 for the sofa.", "1298", "GBP"),
    ("They took {$1500.00} from my account.", "1500", "USD"),
    ("Foram transferidos R$ 8.700 da minha conta.", "8700", "BRL"),
    ("Die Gebühr von CHF 40 ist nicht gerechtfertigt.", "40", "CHF"),
    ("The excess was £100, not the £50 you quoted.", "100", "GBP"),
    ("it was 50 bucks", "50", "USD"),
    ("Il biglietto costava 89,50 euro.", "89.5", "EUR"),
])
def test_amounts_keep_their_value_and_currency(text: str, value: str, currency: str) -> None:
    amounts = [f for f in extract_facts(text) if f.kind == "amount"]
    assert amounts and (amounts[0].value, amounts[0].currency) == (value, currency)
    assert amounts[0].text in text


@pytest.mark.parametrize("text", ["version 2.5 of the app", "order 1234 and 3 items",
                                  "flight #1007 was late"])
def test_numbers_that_are_not_money_are_not_amounts(text: str) -> None:
    assert not [f for f in extract_facts(text) if f.kind == "amount"]


@pytest.mark.parametrize(("written", "value"), [
    ("1,299.00", "1299"), ("1.299,00", "1299"), ("12,99", "12.99"), ("12.99", "12.99"),
    ("8.700", "8700"), ("1 299,50", "1299.5"), ("40", "40"), ("0,5", "0.5"),
])
def test_normalize_amount_reads_either_separator_style(written: str, value: str) -> None:
    assert normalize_amount(written) == value


def test_an_amount_in_another_currency_is_never_restated_in_the_policys() -> None:
    email = Email(subject="Broken kettle", body="The kettle from order 5521 cost 19,99 EUR "
                  "and it broke in a week. I want a refund of the 19,99 EUR.")
    policy = parse_policy('currency = "USD"\n[[options]]\nkind = "refund"\n'
                          'offer = "A refund of {amount}"\n')
    text = draft_email(email, policy, OfflineEngine()).draft.text
    assert "$19.99" not in text and "$99" not in text and "$" not in text
    uncapped = draft_email(email, policy, OfflineEngine()).analysis.facts
    assert any(f.currency == "EUR" for f in uncapped)


def test_the_currency_appears_in_the_json_only_for_amounts() -> None:
    facts = extract_facts("Order A-12345 cost £40.")
    by_kind = {f.kind: f.to_dict() for f in facts}
    assert by_kind["amount"]["currency"] == "GBP"
    assert "currency" not in by_kind["order_id"]
