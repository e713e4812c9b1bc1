"""The offline "listen" step: wants, grievances, facts, mood and escalation."""

from __future__ import annotations

import pytest

from drafter.analyze import analyze_email, extract_wants, score_anger, want_kind
from drafter.escalation import assess_escalation
from drafter.facts import extract_facts, normalize_amount
from drafter.language import detect_language
from drafter.models import Email
from drafter.voice import second_person

LATE = (
    "I ordered a rain jacket on November 12 (order A-12345) and\npaid $12.99 for express "
    "shipping. It's been over a week and the tracking page hasn't changed since Monday.\n"
    "I want you to refund the $12.99 shipping fee. And I need the jacket delivered by "
    "Tuesday, otherwise I will cancel the order. This is UNACCEPTABLE!!"
)


def test_wants_keep_the_customers_words_and_cut_threats():
    analysis = analyze_email(Email(body=LATE))
    assert analysis.wants == ["refund the $12.99 shipping fee", "the jacket delivered by Tuesday"]


def test_grievances_are_sentences_that_say_what_went_wrong():
    analysis = analyze_email(Email(body=LATE))
    assert analysis.grievances[0].startswith("It's been over a week")
    assert all("!" not in g for g in analysis.grievances)


def test_facts_ids_amounts_dates_in_order():
    facts = extract_facts(LATE)
    assert [(f.kind, f.value) for f in facts] == [
        ("date", "November 12"), ("order_id", "A-12345"), ("amount", "12.99"),
        ("duration", "1 week"), ("date", "Monday"), ("deadline", "by Tuesday"),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Order #88412 arrived broken", "order_id", "88412"),
        ("my account number is ACC-55821", "account_id", "ACC-55821"),
        ("case 77310 was closed", "ticket_id", "77310"),
        ("I paid $1,240 for it", "amount", "1240"),
        ("charged 89.99 EUR", "amount", "89.99"),
        ("delivered on 2026-11-14", "date", "2026-11-14"),
        ("since the 3rd of March", "date", "3rd of March"),
    ],
)
def test_fact_kinds(text, kind, value):
    assert (kind, value) in [(f.kind, f.value) for f in extract_facts(text)]


def test_a_year_is_not_an_order_number():
    assert not [f for f in extract_facts("my order in 2025 was fine") if f.kind == "order_id"]


def test_normalize_amount():
    assert normalize_amount("1,299.00") == "1299"
    assert normalize_amount("12.50") == "12.5"


def test_anger_scale_orders_calm_below_furious():
    calm = score_anger("Hi, my parcel is a day late. Could you check the tracking? Thanks.")
    furious = score_anger(
        "This is the THIRD TIME. ABSOLUTELY UNACCEPTABLE!!! You are useless and I am "
        "cancelling my account. Worst company ever, I am furious!"
    )
    assert calm <= 1 and furious == 5


def test_urgency_churn_and_category():
    analysis = analyze_email(Email(body=LATE, subject="late delivery"))
    assert analysis.urgency == "high"
    assert analysis.category == "delivery"
    churn = analyze_email(Email(body="Charged twice. I am cancelling my subscription."))
    assert churn.churn_risk == "high" and churn.category == "billing"


@pytest.mark.parametrize(
    ("want", "kind"),
    [
        ("refund the $12.99 shipping fee", "refund"),
        ("my money back", "refund"),
        ("the right size sent this week", "replacement"),
        ("to speak to a supervisor", "escalate"),
        ("a written explanation of why the flight was cancelled", "explanation"),
        ("the jacket delivered by Tuesday", "delivery"),
        ("cancel my subscription", "cancel"),
    ],
)
def test_want_kind(want, kind):
    assert want_kind(want) == kind


def test_questions_and_please_are_wants():
    wants = extract_wants(["Can you please send a replacement jar before the weekend?",
                           "Please reverse the duplicate charge of $89.99."])
    assert wants == ["send a replacement jar before the weekend",
                     "reverse the duplicate charge of $89.99"]


def test_i_want_to_say_is_not_a_want():
    assert extract_wants(["I want to say how disappointed I am."]) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I will come to your store and hurt someone.", "violence"),
        ("I know where you live.", "violence"),
        ("I am going to burn down your warehouse.", "violence"),
        ("Honestly I just want to die.", "crisis"),
        ("I'm thinking of ending it all.", "crisis"),
        ("I might hurt myself if this goes on.", "crisis"),
        ("My lawyer will be in touch.", "legal"),
        ("I'll take you to small claims court.", "legal"),
    ],
)
def test_escalation_flags(text, reason):
    esc = assess_escalation(text)
    assert [t.reason for t in esc.triggers] == [reason]
    assert esc.required is (reason != "legal")
    assert esc.review


@pytest.mark.parametrize(
    "text",
    [
        "This delay is killing me.",
        "I'd kill for a working printer right now.",
        "I'm going to kill the subscription if this goes on.",
        "My phone died while I was on hold.",
        "Sue from your billing team was lovely, the app is not.",
        "I could scream.",
    ],
)
def test_ordinary_anger_is_not_escalated(text):
    assert not assess_escalation(text).review


def test_escalation_keeps_the_triggering_sentence():
    esc = assess_escalation("The box was crushed. I know where\nyou live. Fix it.")
    assert esc.triggers[0].sentence == "I know where you live."


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hola, hice un pedido y todavía no ha llegado. Quiero que me devuelvan el dinero.", "es"),
        ("Bonjour, ma commande n'est pas arrivée et je suis très déçue.", "fr"),
        ("Ich habe die Bestellung nicht bekommen und das ist nicht in Ordnung.", "de"),
        ("My order never arrived and I want a refund.", "en"),
        ("注文した商品がまだ届いていません。", "ja"),
        ("ok", "en"),
    ],
)
def test_language(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("customer", "restated"),
    [
        ("I called twice and nobody could tell me anything.",
         "You called twice and nobody could tell you anything."),
        ("You charged my card twice.", "We charged your card twice."),
        ("I told you my address but you shipped it anyway.",
         "You told us your address but we shipped it anyway."),
        ("I'm a customer of six years.", "You're a customer of six years."),
    ],
)
def test_second_person_restatement(customer, restated):
    assert second_person(customer) == restated


def test_summary_names_the_customer_and_the_wants():
    analysis = analyze_email(Email(body=LATE, sender_name="Dana Whitfield"))
    assert analysis.summary.startswith("Dana Whitfield is ")
    assert "refund the $12.99 shipping fee" in analysis.summary


def test_soften_caps_keeps_acronyms_and_ids():
    from drafter.analyze import soften_caps

    assert soften_caps("You returned THE jacket AGAIN via UPS, order A-12345!!") == (
        "You returned the jacket again via UPS, order A-12345."
    )


def test_membership_is_not_a_shipping_want():
    assert want_kind("cancel the membership today") == "cancel"


def test_several_wants_in_one_sentence_are_split():
    wants = extract_wants(["I want a replacement kettle, I need the missing mugs sent, and I "
                           "want the $9.95 shipping charge refunded."])
    assert wants == ["a replacement kettle", "the missing mugs sent",
                     "the $9.95 shipping charge refunded"]


def test_sarcastic_tail_is_not_part_of_the_want():
    assert extract_wants(["Please send me the headlamp again before Saturday, or is that too "
                          "much to ask?"]) == ["send me the headlamp again before Saturday"]


def test_order_words_in_other_languages():
    assert ("order_id", "55190") in [(f.kind, f.value) for f in extract_facts("pedido 55190")]
    assert ("order_id", "73025") in [(f.kind, f.value)
                                     for f in extract_facts("ma commande 73025")]
