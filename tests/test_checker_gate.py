"""The sendability gate and the grounding of amounts and references (issues 14 and 16)."""

from __future__ import annotations

import pytest

from drafter.checker import check_reply, load_rules
from drafter.checker.grounding import mentions, words_value
from drafter.errors import ConfigError
from drafter.models import Email
from drafter.policy import BUILTIN_POLICY, parse_policy

BUILTIN = parse_policy(BUILTIN_POLICY, source="built-in")
EMAIL = Email(body="My parcel never arrived and I paid £100 for it. Flight #1007 too. "
                   "Where is it? I want a refund.",
              sender_name="Priya Shah", sender_address="priya@example.com")
BODY = ("I'm so sorry your parcel hasn't arrived. I've refunded it in full; you'll see it "
        "within 3 days.")
GATE = {"prompt-leak", "placeholder", "length", "incomplete", "wrong-name",
        "signed-as-customer", "wrong-language"}


def gate(text: str, email: Email | None = EMAIL) -> dict[str, str]:
    return {f.rule: f.excerpt for f in check_reply(text, email=email).findings
            if f.rule in GATE}


def letter(greeting: str = "Hi Priya,", body: str = BODY, signature: str = "Best,\nAlex") -> str:
    return f"{greeting}\n\n{body}\n\n{signature}"


def test_a_sendable_reply_passes_the_gate():
    result = check_reply(letter(), email=EMAIL)
    assert not {f.rule for f in result.findings} & GATE
    assert result.checks == ["rules", "model", "gate"]


@pytest.mark.parametrize(("text", "rule", "excerpt"), [
    (letter("Hi Rebekah,"), "wrong-name", "Rebekah"),
    (letter(signature="Best,\nPriya Shah"), "signed-as-customer", "Priya Shah"),
    (letter("Hi [Customer Name],"), "placeholder", "[Customer Name]"),
    (letter(body=BODY + " Your order {{order_id}} is noted."), "placeholder", "{{order_id}}"),
    (letter(body=BODY + "\n</draft> <findings>"), "prompt-leak", "</draft>"),
    (letter(body=BODY + "\n<|im_end|>"), "prompt-leak", "<|im_end|>"),
    ("Hi Priya,\n\nI'm so sorry. I've refunded it; whichever option y", "incomplete",
     "I'm so sorry. I've refunded it; whichever option y"),
    ("Sorry. Refunded.", "length", ""),
])
def test_unsendable_replies_fail_the_gate(text, rule, excerpt):
    result = check_reply(text, email=EMAIL)
    found = [f for f in result.findings if f.rule == rule]
    assert found and found[0].excerpt == excerpt
    assert found[0].severity == "error" and not result.passed


def test_a_huge_reply_is_out_of_proportion():
    text = letter(body=BODY + " More detail." * 400)
    assert "length" in gate(text)


def test_generic_greetings_and_bare_signatures_are_fine():
    assert not gate(letter("Hi there,"))
    assert not gate(letter("Dear Ms Shah,"))
    assert not gate("Hi Priya,\n\n" + BODY + "\n\nAlex Kim")
    assert not gate(letter("Hi Rebekah,"), email=None)  # no email: nobody to compare with


def test_a_reply_in_another_language_than_the_customer_is_a_warning():
    email = Email(body="Mein Paket ist nie angekommen. Ich möchte mein Geld zurück, und zwar "
                       "sofort, weil ich schon zwei Wochen warte.", sender_name="Jan Vogel")
    result = check_reply(letter("Hi Jan,"), email=email)
    found = {f.rule: f for f in result.findings}
    assert found["wrong-language"].severity == "warning"
    assert "German" in found["wrong-language"].message


def test_limits_come_from_the_pack_and_are_validated(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text("[limits]\nmin_words = 0\nmax_words = 10\n", encoding="utf-8")
    rules = load_rules(pack)
    assert rules.limits == {"min_words": 0, "max_words": 10}
    assert "length" in {f.rule for f in check_reply(letter(), rules=rules).findings}
    bad = tmp_path / "bad.toml"
    bad.write_text("[limits]\nmax_lines = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limits: unknown key"):
        load_rules(bad)


@pytest.mark.parametrize(("words", "value"), [
    ("five hundred", 500), ("twenty-five", 25), ("a thousand", 1000),
    ("two thousand five hundred", 2500), ("one hundred and fifty", 150),
])
def test_amounts_in_words(words, value):
    assert words_value(words) == value
    found = mentions(f"We will give you {words} dollars.")
    assert [m.value for m in found] == [value]


def test_over_promises_in_words_are_caught():
    for sentence in ("We will give you five hundred dollars in store vouchers.",
                     "We'll give you free service for a whole year."):
        text = letter(body=f"I'm so sorry about this. {sentence} I'll email you by Friday.")
        assert "over-promise" in {f.rule for f in check_reply(text, policy=BUILTIN).findings}


def test_an_amount_restated_in_another_currency_is_invented():
    text = letter(body="I'm so sorry. I can refund the $100 you paid. I'll email you by Friday.")
    found = [f for f in check_reply(text, email=EMAIL).findings if f.rule == "invented-fact"]
    assert [f.excerpt for f in found] == ["$100"] and "£100" in found[0].message
    same = letter(body="I'm so sorry. I can refund the £100 you paid. I'll email you by Friday.")
    assert "invented-fact" not in {f.rule for f in check_reply(same, email=EMAIL).findings}


def test_a_reference_of_another_kind_is_invented():
    text = letter(body="I'm so sorry about order 1007. I'll email you by Friday.")
    found = [f for f in check_reply(text, email=EMAIL).findings if f.rule == "invented-fact"]
    assert [f.excerpt for f in found] == ["1007"] and "flight" in found[0].message
    right = letter(body="I'm so sorry about flight 1007. I'll email you by Friday.")
    assert "invented-fact" not in {f.rule for f in check_reply(right, email=EMAIL).findings}


def test_a_figure_the_company_reports_doing_is_a_warning_not_an_error():
    text = letter(body="I'm so sorry. I've refunded CHF 180, the difference for three nights. "
                       "I'll email you by Friday.")
    found = [f for f in check_reply(text, email=EMAIL).findings if f.rule == "invented-fact"]
    assert [(f.excerpt, f.severity) for f in found] == [("CHF 180", "warning")]


def test_invented_content_fails_the_gate() -> None:
    """Issue 16: "your visit to my blog… I'll send you a gift" passed every check."""
    email = Email(body="My order A-12345 arrived broken. I want a refund.",
                  sender_name="Dana Whitfield")
    reply = ("Hi Dana,\n\nThank you for your visit to my blog last week. I'm so sorry your "
             "order A-12345 arrived broken. I'll send you a gift to make up for it, and I can "
             "refund the order.\n\nI will email you by Friday with an update.\n\n"
             "Best regards,\nAlex\nCustomer Care\n")
    result = check_reply(reply, email=email, policy=BUILTIN)
    found = [f.excerpt for f in result.findings if f.rule == "invented-content"]
    assert found == ["your visit to", "my blog", "send you a gift"] and not result.passed


def test_what_the_customer_did_may_be_named_and_a_team_is_no_family() -> None:
    email = Email(body="During my stay at your Lisbon hotel the room was never cleaned. "
                       "I posted a review on Sunday.", sender_name="Ana Ruiz")
    reply = ("Hi Ana,\n\nI'm so sorry your stay at our Lisbon hotel fell short, and thank you "
             "for your review on Sunday. My team will refund the cleaning fee.\n\nI will "
             "email you by Friday with an update.\n\nBest regards,\nAlex\n")
    findings = check_reply(reply, email=email, policy=BUILTIN).findings
    assert not [f for f in findings if f.rule == "invented-content"]


@pytest.mark.parametrize("signature", [
    "Thanks, Laura, Greyfield Bank",
    "With apologies again,\nDaniel Frost\nCustomer Relations, Skyvale Air",
    "Sorry again, Kemi from Dishdash",
])
def test_a_chat_sign_off_or_a_teams_name_is_not_a_cut_off_reply(signature: str) -> None:
    assert "incomplete" not in gate(letter(signature=signature))


def test_a_reply_cut_off_mid_sentence_is_still_incomplete() -> None:
    assert "incomplete" in gate(letter(body=BODY + " We will also send you a", signature=""))
