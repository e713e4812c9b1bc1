"""The offline revise step: rewrite what the checker found, add what is missing."""

from __future__ import annotations

from drafter.checker import check_reply
from drafter.checker.fix import follow_up_sentence, options_sentence, rewrite_offending
from drafter.models import Analysis, Fact
from drafter.policy import load_policy

POLICY = load_policy()  # the built-in policy (no drafter.toml in the test working directory)
SIGN = "\n\nBest,\nAlex"


def fix(text: str, analysis: Analysis | None = None) -> str:
    result = check_reply(text, analysis=analysis, policy=POLICY)
    return rewrite_offending(text, result.findings, POLICY, analysis)


def test_shouting_is_turned_down_but_acronyms_stay():
    text = ("Hi Jon,\n\nI'm sorry about the parcel!! A NEW ONE IS ON ITS WAY WITH UPS. I "
            "understand it's frustrating. I can send a replacement or refund it. I'll call you "
            "Friday." + SIGN)
    out = fix(text)
    assert "!!" not in out and "I'm sorry about the parcel." in out
    assert "A new one is on its way with UPS." in out
    assert check_reply(out, policy=POLICY).passed


def test_a_rebuttal_lead_in_is_cut_and_the_rest_kept():
    text = ("Hi Jon,\n\nI'm sorry about the lid. As I already explained, accessories ship "
            "separately. I can send it today or refund you. I'll call you Friday." + SIGN)
    out = fix(text)
    assert "As I already explained" not in out
    assert "Accessories ship separately." in out


def test_a_calm_down_sentence_becomes_an_acknowledgement():
    text = ("Hi Jon,\n\nI'm sorry about the lid. Please calm down, we will fix it. I can send "
            "it today or refund you. I'll call you Friday." + SIGN)
    out = fix(text)
    assert "calm down" not in out and "I understand how frustrating this is." in out


def test_missing_pieces_are_added_where_they_belong():
    text = "Hi Jon,\n\nThe lid ships separately." + SIGN
    out = fix(text)
    body = out.split("Best,")[0]
    assert body.index("I'm so sorry") < body.index("The lid ships")
    assert "I can offer you" in body
    assert follow_up_sentence(POLICY) in body
    assert out.rstrip().endswith("Best,\nAlex")
    assert check_reply(out, policy=POLICY).passed


def test_a_closed_door_is_replaced_by_the_policys_options():
    text = ("Hi Jon,\n\nI'm sorry about the lid; I understand it's annoying. My hands are "
            "tied. I'll call you Friday." + SIGN)
    facts = Analysis(summary="", facts=[Fact("amount", "49.99", "$49.99")])
    out = fix(text, facts)
    assert "My hands are tied" not in out
    assert "a refund of $49.99" in out
    assert out.index("I can offer you") < out.index("I'll call you Friday")
    assert check_reply(out, analysis=facts, policy=POLICY).passed


def test_over_promises_and_invented_facts_are_removed():
    facts = Analysis(summary="", facts=[Fact("order_id", "A-12345", "A-12345")])
    text = ("Hi Jon,\n\nI'm sorry about order A-12345; I understand it's annoying. We accept "
            "full liability. Your order A-99999 was also late. I can send a replacement or "
            "refund it. I'll call you Friday." + SIGN)
    out = fix(text, facts)
    assert "liability" not in out and "A-99999" not in out and "A-12345" in out
    assert check_reply(out, analysis=facts, policy=POLICY).passed


def test_options_and_follow_up_come_from_the_policy():
    assert options_sentence(POLICY, None).startswith("I can offer you a refund of the full amount")
    assert "$25 credit" not in options_sentence(POLICY, None)  # first two options only
    assert follow_up_sentence(POLICY) == ("I'll follow up by email within 2 business days to "
                                          "make sure this is fully resolved.")


def test_directives_survive_a_rewrite():
    text = ("Hi Jon,\n\nPlease calm down. I'm sorry. I can send it or refund it. I'll call you "
            "Friday.\n<!-- drafter-disable no-acknowledgement -->" + SIGN)
    assert "<!-- drafter-disable no-acknowledgement -->" in fix(text)


def test_a_list_intro_goes_when_its_last_item_is_removed():
    text = ("Hi Jon,\n\nI'm sorry about the lid, I understand how frustrating it is.\n\n"
            "Here is what I understand you need from us:\n- Please calm down\n\n"
            "I can send it today or refund you. I'll call you Friday." + SIGN)
    out = fix(text)
    assert "calm down" not in out.lower() and "you need from us:" not in out
    assert "I can send it today or refund you." in out
