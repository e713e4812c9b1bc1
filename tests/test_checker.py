"""The mistake checker's library API: the seven mistakes, completeness, grounding, policy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drafter.checker import check_reply, load_rules
from drafter.errors import ConfigError
from drafter.models import Analysis, Email, Fact
from drafter.policy import BUILTIN_POLICY, parse_policy

#: A reply with every MAMA element and none of the mistakes; {} is where a sentence goes.
GOOD = (
    "Hi Dana,\n\n"
    "I'm so sorry your blender arrived cracked; I understand how frustrating that is. {}"
    "I can send a replacement today or refund it in full, whichever you prefer. "
    "I'll check in with you on Thursday.\n\nBest,\nAlex\nCustomer Care"
)


BUILTIN = parse_policy(BUILTIN_POLICY, source="built-in")


def reply(sentence: str = "") -> str:
    return GOOD.format(f"{sentence} " if sentence else "")


def mistakes(text: str, **kwargs) -> set[str]:
    return {f.mistake for f in check_reply(text, **kwargs).findings if f.mistake}


def rules_hit(text: str, **kwargs) -> set[str]:
    return {f.rule for f in check_reply(text, **kwargs).findings}


def assert_spans(text: str, result) -> None:
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.excerpt == text[f.start:f.end]


def test_the_good_template_is_clean():
    result = check_reply(reply())
    assert result.passed
    assert result.findings == []


@pytest.mark.parametrize(("sentence", "mistake"), [
    # customer-is-wrong, overt and subtle
    ("You are wrong about the fee.", "customer-is-wrong"),
    ("I think you may have misread our terms.", "customer-is-wrong"),
    ("That's simply not true.", "customer-is-wrong"),
    ("You must have entered the wrong address.", "customer-is-wrong"),
    ("It seems you've misunderstood the warranty.", "customer-is-wrong"),
    # arguing
    ("As I already explained, the lid ships separately.", "arguing"),
    ("To be fair, you agreed to the terms.", "arguing"),
    ("I have to push back on that.", "arguing"),
    ("With all due respect, the tracking shows delivery.", "arguing"),
    ("Like I said before, the plan was retired.", "arguing"),
    # calm-down
    ("Please calm down.", "calm-down"),
    ("Relax, these things turn up.", "calm-down"),
    ("There's no need to get worked up.", "calm-down"),
    ("Please keep your tone civil.", "calm-down"),
    # no-venting
    ("It's really just a small scratch.", "no-venting"),
    ("Let's not dwell on the delay.", "no-venting"),
    ("You're overreacting a little.", "no-venting"),
    ("It's not the end of the world.", "no-venting"),
    # all-i-can-do
    ("There is nothing more we can do.", "all-i-can-do"),
    ("My hands are tied.", "all-i-can-do"),
    ("That's the best I can do.", "all-i-can-do"),
    ("Take it or leave it.", "all-i-can-do"),
    # raised-voice
    ("The lid SHIPS SEPARATELY.", "raised-voice"),
    ("We never said that!!", "raised-voice"),
    ("Did you read the manual?!", "raised-voice"),
    ("We will NOT refund it.", "raised-voice"),
])
def test_each_mistake_overt_and_subtle(sentence, mistake):
    assert mistake in mistakes(reply(sentence))


@pytest.mark.parametrize("sentence", [
    "Your USB cable and the UPS label are in the box, with your ID and order A-12345.",
    "Thank you for your patience!",
    "I'm sorry our agent told you to calm down; that was wrong of us.",
    "You were right to be upset, and I won't make excuses.",
    "With respect to your refund, it is on its way.",
    "Don't worry, your data is safe.",
    "The fact that you had to call three times is unacceptable.",
    "There's nothing more frustrating than a late parcel.",
    "It's not a small thing when it's a gift.",
])
def test_good_sentences_raise_nothing(sentence):
    result = check_reply(reply(sentence))
    assert result.findings == [], [(f.rule, f.excerpt) for f in result.findings]


def test_curly_apostrophes_and_dashes_are_matched():
    text = reply("I\u2019m afraid there\u2019s nothing more we can do \u2014 sorry.")
    result = check_reply(text)
    assert "all-i-can-do" in {f.mistake for f in result.findings}
    assert_spans(text, result)


def test_no_apology_is_the_absence_of_any_apology():
    text = ("Hi Sam,\n\nI understand how annoying the delay is. I can refund the fee or send "
            "a credit. I'll confirm by Friday.\n\nBest,\nAlex")
    found = [f for f in check_reply(text).findings if f.mistake == "no-apology"]
    assert len(found) == 1 and found[0].start == found[0].end == text.index("I understand")


@pytest.mark.parametrize("apology", ["I'm so sorry.", "I apologize.",
                                     "Please accept our apologies.",
                                     "I regret the trouble this caused."])
def test_every_form_of_apology_counts(apology):
    text = ("Hi Sam,\n\nI understand how annoying the delay is. " + apology + " I can refund "
            "the fee or send a credit. I'll confirm by Friday.")
    assert "no-apology" not in mistakes(text)


def test_a_non_apology_is_no_apology():
    text = ("Hi Sam,\n\nI'm sorry you feel that way about the delay. I can refund the fee or "
            "send a credit. I'll confirm by Friday.")
    assert "no-apology" in mistakes(text)


def test_a_reply_with_no_option_gets_a_warning():
    text = ("Hi Sam,\n\nI'm sorry the bike arrived unassembled, I know that's disappointing. "
            "Bikes ship partially assembled, as the listing says.")
    result = check_reply(text)
    found = {f.rule: f for f in result.findings}
    assert found["no-options"].severity == "warning" and found["no-options"].mistake is None


@pytest.mark.parametrize("sentence", [
    "I'll call you Thursday to arrange a collection.",
    "I've removed the late fee from your account.",
    "A new charger is on its way to you.",
])
def test_a_reply_that_acts_is_not_closing_the_door(sentence):
    text = ("Hi Sam,\n\nI'm sorry the bike arrived unassembled, I know that's disappointing. "
            f"{sentence}")
    assert "no-options" not in rules_hit(text)


@pytest.mark.parametrize("sentence", [
    "Please reply with two dates that suit you and I'll book the engineer.",
    "Just tell me which you'd prefer.",
    "Your replacement SIM is on its way.",
])
def test_next_steps_without_a_clock_time_count(sentence):
    text = ("Hi Sam,\n\nI'm so sorry the engineer missed the visit; that was our error. "
            f"{sentence}\n\nBest,\nAl")
    assert "no-next-step" not in rules_hit(text)


def test_without_a_policy_ordinary_offers_are_not_over_promises():
    text = reply("I've added a £30 credit to your account and can refund the $150 fare.")
    result = check_reply(text)
    assert "over-promise" not in {f.rule for f in result.findings}
    assert any("no policy given" in note for note in result.notes)
    assert "over-promise" in rules_hit(text, policy=BUILTIN)
    assert "over-promise" in rules_hit(reply("We'll give you free service for life."))


def test_a_single_capitalised_acronym_or_name_is_not_shouting():
    assert "raised-voice" not in mistakes(reply("IKEA and LEGO orders ship via DHL."))
    assert "raised-voice" in mistakes(reply("This is UNACCEPTABLE BEHAVIOUR."))


def test_completeness_rules():
    bare = "Hi Sam,\n\nI'm sorry. I can refund the fee or send a credit.\n\nBest,\nAlex"
    assert {"no-acknowledgement", "no-next-step"} <= rules_hit(bare)
    dated = bare.replace("credit.", "credit, and I'll call you on Thursday.")
    assert "no-next-step" not in rules_hit(dated)
    for commitment in ("I'll email you by Friday.", "We will confirm within 2 business days.",
                       "I'll call you tomorrow."):
        assert "no-next-step" not in rules_hit(bare.replace("credit.", "credit. " + commitment))


def test_unaddressed_want_is_a_warning_with_an_analysis():
    analysis = Analysis(summary="", wants=["a refund of the shipping fee",
                                          "the jacket delivered by Tuesday"])
    text = ("Hi Dana,\n\nI'm so sorry about the delay; that's frustrating. I can refund the "
            "shipping fee or add a credit. I'll email you tomorrow.")
    found = [f for f in check_reply(text, analysis=analysis).findings
             if f.rule == "unaddressed-want"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "jacket" in found[0].message
    addressed = text.replace("I'll email", "The jacket will be delivered on Tuesday. I'll email")
    assert "unaddressed-want" not in rules_hit(addressed, analysis=analysis)


def test_empty_reply_is_a_finding_not_a_crash():
    for text in ("", "   \n\n  ", "<!-- drafter-disable calm-down -->\n"):
        result = check_reply(text)
        assert [f.rule for f in result.findings] == ["empty-reply"]
        assert not result.passed
        assert_spans(text, result)


def test_a_200_kb_reply_is_checked():
    text = (reply("Please CALM DOWN!!") + "\n\n") * 1000
    text = text[:200_000]
    result = check_reply(text)
    assert len(text) == 200_000
    assert {"calm-down", "raised-voice"} <= {f.mistake for f in result.findings}
    assert_spans(text, result)


@pytest.mark.parametrize("odd", [
    "caf\u00e9 \u00c3\u00a9 mojibake \ufffd",  # mixed encodings, decoded badly
    "\x00\x01\x1b[31m escape \x7f",
    "\ud800 lone surrogate",
    "\u202e right-to-left override \u200b zero width",
    "emoji \U0001f621\U0001f4a5 and CJK \u4e2d\u6587",
])
def test_odd_characters_never_crash(odd):
    text = reply(odd)
    assert_spans(text, check_reply(text))


def test_bytes_are_decoded_rather_than_crashing():
    assert check_reply(reply("Please calm down.").encode()).findings  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_valid_spans(text):
    result = check_reply(text)
    assert_spans(text, result)


def test_non_english_replies_say_the_rules_were_skipped():
    text = ("Hola Dana,\n\nLamentamos mucho que la licuadora llegara rota. Le podemos enviar "
            "una nueva o devolverle el dinero, como usted prefiera. ESTO ES INACEPTABLE!!\n\n"
            "Saludos,\nAlex")
    result = check_reply(text)
    assert any("rules know English only" in n and "es" in n for n in result.notes)
    rules = {f.rule for f in result.findings}
    assert "no-apology" not in rules and "no-next-step" not in rules
    assert {"all-caps", "raised-voice"} <= rules  # still checked in any language


def test_quoted_customer_lines_are_not_checked():
    text = reply("You wrote:\n> THIS IS UNACCEPTABLE!! Calm down? No!\n")
    assert mistakes(text) == set()


# --- silencing ------------------------------------------------------------------------------

@pytest.mark.parametrize("directive", [
    "<!-- drafter-disable calm-down -->",
    "drafter: disable=calm-down",
    "# drafter: disable=calm-down, no-next-step",
])
def test_inline_directives_silence_a_rule(directive):
    text = reply("Please calm down.") + "\n" + directive + "\n"
    result = check_reply(text)
    assert "calm-down" not in {f.mistake for f in result.findings}
    assert any("silenced" in n for n in result.notes)


def test_a_directive_can_name_a_mistake_and_its_text_is_not_checked():
    text = reply("The lid SHIPS SEPARATELY!!") + "\n<!-- drafter-disable RAISED-VOICE -->"
    assert "raised-voice" not in mistakes(text)
    assert rules_hit("<!-- drafter-disable CALM DOWN NOW -->\n" + reply()) == set()


def test_unknown_directive_names_are_reported():
    result = check_reply(reply() + "\ndrafter: disable=calmdown\n")
    assert any("unknown rule" in n and "calmdown" in n for n in result.notes)


# --- rule packs ------------------------------------------------------------------------------

def write(tmp_path, text: str):
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_custom_pack_adds_and_switches_off_rules(tmp_path):
    pack = load_rules(write(tmp_path, """
disable = ["no-next-step"]

[rules.calm-down]
enabled = false

[rules.arguing]
add_patterns = ['''per our terms and conditions''']

[rules.no-legalese]
severity = "warning"
message = "Legalese reads as a brush-off."
patterns = ['''pursuant to''']
"""))
    text = reply("Please calm down. Per our terms and conditions, pursuant to clause 4, no.")
    text = text.replace(" I'll check in with you on Thursday.", "")
    result = check_reply(text, rules=pack)
    rules = {f.rule: f for f in result.findings}
    assert "calm-down" not in rules and "no-next-step" not in rules
    assert "arguing" in rules
    assert rules["no-legalese"].severity == "warning" and rules["no-legalese"].mistake is None
    assert check_reply(text).findings  # the built-in pack is untouched


def test_a_custom_pack_extends_vocabulary(tmp_path):
    pack = load_rules(write(tmp_path, "[vocab]\napology = ['''we feel terrible''']\n"))
    text = ("Hi Sam,\n\nWe feel terrible about the delay, I understand it's frustrating. "
            "I can refund the fee. I'll confirm by Friday.")
    assert "no-apology" in mistakes(text)
    assert "no-apology" not in mistakes(text, rules=pack)


@pytest.mark.parametrize(("body", "message"), [
    ("[rules.x]\nmessage = 'm'\npatterns = ['(unclosed']\n", "bad pattern"),
    ("[rules.x]\nmessage = 'm'\npattern = ['a']\n", "unknown field"),
    ("[rules.x]\nmessage = 'm'\nmistake = 'rude'\npatterns = ['a']\n", "mistake"),
    ("[rules.x]\nmessage = 'm'\n", "needs patterns"),
    ("disable = ['no-such-rule']\n", "unknown rule"),
    ("not toml = = =\n", "not valid TOML"),
    ("[[rules]]\nid = 'x'\nmessage = 'm'\npatterns = ['a']\n",
     r"rules must be a table: one \[rules.ID\] table per rule.*\(not \[\[rules\]\]\)"),
    ("limits = 5\n", r"limits must be a table: a \[limits\] table, e.g. max_words = 500"),
])
def test_bad_packs_are_config_errors(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message):
        load_rules(write(tmp_path, body))


def test_missing_pack_and_directory_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="directory"):
        load_rules(tmp_path)


def test_the_built_in_pack_is_compiled_once():
    assert load_rules() is load_rules()


# --- grounding and policy --------------------------------------------------------------------

FACTS = Analysis(summary="", facts=[Fact("order_id", "A-12345", "order A-12345"),
                                    Fact("amount", "12.99", "$12.99"),
                                    Fact("date", "November 12", "November 12")])


def test_grounded_facts_pass_and_invented_ones_are_flagged():
    ok = reply("Your order A-12345 from November 12 and the $12.99 fee are noted.")
    assert "invented-fact" not in rules_hit(ok, analysis=FACTS)
    bad = reply("Your order A-99999 from October 3 and the $45.00 fee are noted.")
    found = [f for f in check_reply(bad, analysis=FACTS).findings if f.rule == "invented-fact"]
    assert sorted(f.excerpt for f in found) == ["$45.00", "A-99999", "October 3"]


def test_follow_up_dates_are_promises_not_facts():
    text = reply("I'll email you by Wednesday, November 25, and call on Friday.")
    assert "invented-fact" not in rules_hit(text, analysis=FACTS)


def test_policy_amounts_are_grounded():
    text = reply("I can add a $25 credit to your account.")
    assert "invented-fact" not in rules_hit(text, analysis=FACTS)


def test_without_an_email_invented_fact_says_it_did_not_run():
    result = check_reply(reply("Your order A-99999 is noted."))
    assert "invented-fact" not in {f.rule for f in result.findings}
    assert any("invented-fact not checked" in n for n in result.notes)


def test_an_email_alone_grounds_facts():
    email = Email(body="My order A-12345 cost $12.99 and arrived broken.")
    assert "invented-fact" not in rules_hit(reply("Order A-12345 ($12.99) is noted."),
                                            email=email)
    assert "invented-fact" in rules_hit(reply("Order B-77777 is noted."), email=email)


@pytest.mark.parametrize("sentence", [
    "I can refund $150 to your card.",  # built-in refund limit: 100
    "I've added a $40 credit to your account.",  # built-in credit limit: 25
    "I can send you a $50 gift card.",
    "I'll give you free shipping for life.",
    "We'd like to offer a lifetime subscription.",
    "We can offer compensation of $500.",
    "I can arrange a repair at no cost.",  # repair is not in the built-in policy
])
def test_over_promises(sentence):
    assert "over-promise" in rules_hit(reply(sentence), policy=BUILTIN)


@pytest.mark.parametrize("sentence", [
    "We accept full liability for the damage.",
    "We are liable for any losses.",
    "This is our fault and we will pay for everything.",
    "Our technician was negligent when he installed the boiler.",
    "We leaked your credit card number in the breach.",
    "Our food poisoned your whole family.",
])
def test_liability_in_the_company_voice_is_admits_fault(sentence):
    assert "admits-fault" in rules_hit(reply(sentence))


@pytest.mark.parametrize("sentence", [
    "We made a mistake on your bill, and I've corrected it.",
    "I'm sorry, we sent the wrong size; that's our error.",
    "The delay was down to us, and I apologise.",
    "Our system charged you twice in error; the second charge is refunded.",
])
def test_owning_a_service_slip_is_not_admits_fault(sentence):
    assert "admits-fault" not in rules_hit(reply(sentence))


def test_offers_within_policy_and_refusals_are_not_over_promises():
    assert "over-promise" not in rules_hit(reply("I can refund the $49.99 to your card."))
    assert "over-promise" not in rules_hit(reply("We can't offer a discount, sorry."))


def test_policy_forbidden_phrases_are_over_promises():
    policy = parse_policy('forbidden = ["free upgrade to business class"]\n'
                          '[[options]]\nkind = "refund"\noffer = "a refund"\n'
                          '[[options]]\nkind = "replacement"\noffer = "a replacement"\n')
    text = reply("I can give you a free upgrade to business class.")
    assert "over-promise" in rules_hit(text, policy=policy)
    assert "over-promise" not in rules_hit(reply(), policy=policy)


def test_offers_of_kinds_the_policy_lacks_are_over_promises():
    refunds_only = parse_policy('[[options]]\nkind = "refund"\noffer = "a refund"\n')
    found = [f for f in check_reply(reply(), policy=refunds_only).findings
             if f.rule == "over-promise"]
    assert [f.excerpt for f in found] == ["replacement"]


def test_the_readmes_example_pack_loads(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index('  ```toml\n  disable = ["no-next-step"]') + len("  ```toml\n")
    block = readme[start:readme.index("  ```\n", start)]
    pack = load_rules(write(tmp_path, "\n".join(line[2:] for line in block.splitlines())))
    assert "no-legalese" in pack.rules and pack.limits["max_words"] == 500
    assert not pack.is_on("no-next-step")


# --- blind checker-e, 2026-12-05 ----------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "I think you'll agree the fee was applied correctly under the account terms.",
    "Passport validity rules are ultimately the passenger's responsibility.",
    "The policy you accepted at each renewal requires an approved lock for outbuildings.",
    "Heavy traffic is something drivers are expected to plan for.",
    "We tested your meter remotely and it is working within the permitted range.",
    "The engineer says the fault is inside your property, in the internal wiring.",
    "Staff felt your behaviour was intimidating to other members.",
])
def test_blame_by_the_book_is_customer_is_wrong(sentence: str) -> None:
    assert "customer-is-wrong" in mistakes(reply(sentence)), sentence


@pytest.mark.parametrize("sentence", [
    "I'm sorry for the wait, and none of this was your fault.",
    "You're not overreacting, and I'm truly sorry about the night you had.",
    "You stayed calm at reception when you had every reason to be upset.",
    "You've been calm and patient through three phone calls.",
    "Under the terms you agreed, you are entitled to a full refund.",
])
def test_denials_praise_and_supportive_facts_are_no_mistake(sentence: str) -> None:
    assert not mistakes(reply(sentence)) - {"no-apology"}, sentence


def test_a_denial_cancels_only_the_hit_it_contains() -> None:
    assert "no-venting" in mistakes(reply("You're overreacting a little."))
    assert "customer-is-wrong" in mistakes(reply("It was your fault."))


def test_a_new_reference_in_a_persons_reply_is_a_warning_in_a_draft_an_error() -> None:
    """An agent writes from the company's systems (a refund reference, a date); a model has
    nothing but the email and the policy to take a fact from."""
    email = Email(body="My blender arrived cracked. Order A-100. I want a refund.")
    text = reply("Your refund reference is RFD-2291-LHR.")
    person = [f for f in check_reply(text, email=email, drafted=False).findings
              if f.rule == "invented-fact"]
    draft = [f for f in check_reply(text, email=email).findings if f.rule == "invented-fact"]
    assert [f.severity for f in person] == ["warning"]
    assert [f.severity for f in draft] == ["error"]
    misquoted = Email(body="You charged me $12.99 for shipping that never came.")
    wrong = check_reply(reply("I can refund the $19.99 shipping charge."), email=misquoted,
                        drafted=False)
    assert any(f.rule == "invented-fact" and f.severity == "error" for f in wrong.findings)


@pytest.mark.parametrize(("sentence", "shouted"), [
    ("Your claim IS covered.", True),
    ("The payment WAS processed on Monday.", True),
    ("Your service is back on NOW.", True),
    ("I can see two payments to reference RENT-MAR and I have refunded one.", False),
    ("Your Reference: FLEXI-SAVE plan stays as it is.", False),
])
def test_one_verb_in_capitals_is_a_raised_voice_a_named_code_is_not(sentence: str,
                                                                    shouted: bool) -> None:
    assert ("raised-voice" in mistakes(reply(sentence))) is shouted, sentence


@pytest.mark.parametrize(("sentence", "mistake"), [
    ("I'd ask you to please look at it from our side.", "arguing"),
    ("I think we'll have to agree to disagree on this one.", "arguing"),
    ("Threatening to go to the press won't speed things up.", "arguing"),
    ("You will appreciate that we cannot refund a used ticket.", "arguing"),
    ("To keep things moving, can you send me your ticket number?", "no-venting"),
    ("I'll keep this brief so we can move forward.", "no-venting"),
    ("I'm sorry about the little wait for your room.", "no-venting"),
])
def test_the_issues_arguing_and_hurrying_phrasings_are_caught(sentence: str,
                                                             mistake: str) -> None:
    assert mistake in mistakes(reply(sentence)), sentence
