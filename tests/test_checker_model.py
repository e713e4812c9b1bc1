"""The checker's sentence model beside the rule pack (issue 14): what its findings carry, and
where it must stay quiet (quotations, denials, other languages, silenced rules)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from drafter.checker import check_reply, load_rules
from drafter.checker.model import LABEL_RULES, MAX_MODEL_CHARS
from drafter.understand.linear import load_model

ROOT = Path(__file__).resolve().parent.parent


def letter(*sentences: str) -> str:
    body = " ".join(sentences)
    return (f"Hi Sam,\n\nI'm so sorry the parcel is late; I understand how frustrating that "
            f"is. {body} I can refund the shipping or send a new one, whichever you prefer. "
            "I'll email you by Friday.\n\nBest,\nAlex")


def model_findings(text: str, **kwargs) -> list:
    return [f for f in check_reply(text, **kwargs).findings if f.source == "model"]


def test_the_shipped_model_was_trained_on_the_corpus_in_the_repository() -> None:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "corpus" / "checker").glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    model = load_model("checker")
    assert model.meta["trained_on"]["corpus_sha256_16"] == digest.hexdigest()[:16]
    assert set(model.labels) == {"none", *LABEL_RULES}
    assert set(model.thresholds) == set(LABEL_RULES)


@pytest.mark.parametrize(("sentence", "mistake"), [
    ("Our records show the driver knocked twice and left a card at 10:52.",
     "customer-is-wrong"),
    ("On the bright side, you still made it to the wedding on the same day.", "no-venting"),
    ("Let's try to keep emotions out of this and focus on the paperwork.", "calm-down"),
    ("Our technician was careless and damaged your floor, so we are liable for it.",
     "admits-fault"),
])
def test_phrasings_no_rule_lists_are_found_by_the_model(sentence, mistake):
    found = [f for f in check_reply(letter(sentence)).findings
             if (f.mistake or f.rule) == mistake]
    assert found, mistake
    f = found[0]
    assert f.excerpt in sentence and f.source in ("model", "rules")
    if f.source == "model":
        assert 0 < f.confidence <= 1 and f.features


def test_a_model_finding_keeps_the_contract():
    text = letter("Our records show the driver knocked twice and left a card at 10:52.")
    for f in model_findings(text):
        assert text[f.start:f.end] == f.excerpt
        assert f.rule in LABEL_RULES.values() and f.message and f.suggestion
        data = f.to_dict()
        assert {"source", "confidence", "features"} <= set(data)


@pytest.mark.parametrize("sentence", [
    "You're not overreacting at all, and it's not a small thing when it's a gift.",
    "You haven't done anything wrong here.",
    'Our driver told you "calm down, it\'s only a parcel", and that was unacceptable.',
    'You wrote "never again", and I understand why.',
    "Please keep your receipts for any meals, as these can be refunded separately.",
])
def test_denials_and_quotations_are_not_the_agents_mistake(sentence):
    text = letter(sentence)
    start = text.index(sentence)
    end = start + len(sentence)
    inside = [(f.rule, f.excerpt) for f in check_reply(text).findings
              if f.mistake and f.start < end and start < f.end]
    assert inside == []


def test_silencing_a_mistake_silences_the_model_too():
    text = letter("On the bright side, you still made it to the wedding on the same day.")
    assert any(f.mistake == "no-venting" for f in check_reply(text).findings)
    silenced = text + "\n<!-- drafter-disable no-venting -->"
    assert not any(f.mistake == "no-venting" for f in check_reply(silenced).findings)
    pack = ROOT / "off.toml"
    try:
        pack.write_text('disable = ["no-venting"]\n', encoding="utf-8")
        assert not any(f.mistake == "no-venting"
                       for f in check_reply(text, rules=load_rules(pack)).findings)
    finally:
        pack.unlink()


def test_the_model_reads_english_only_and_says_what_ran():
    german = ("Hallo Sam,\n\nes tut mir leid, dass Ihr Paket zu spät ist. Wir haben den Betrag "
              "erstattet und melden uns bis Freitag bei Ihnen.\n\nViele Grüße\nAlex")
    result = check_reply(german)
    assert not [f for f in result.findings if f.source == "model"]
    assert "model" not in result.checks and "gate" in result.checks


def test_a_huge_reply_is_read_by_the_model_only_up_to_its_limit():
    text = letter("Thanks for your patience. " * (MAX_MODEL_CHARS // 20))
    result = check_reply(text)
    assert any("the model read its first" in n for n in result.notes)


def test_the_customers_own_account_restated_is_not_the_agents_tone():
    from drafter.models import Email

    email = Email(body="It's been over a week and nothing has arrived. You leaked my card "
                       "number too. I want a refund.")
    restated = "It's been over a week and nothing has arrived."
    text = letter(restated)
    assert not [f for f in check_reply(text, email=email).findings if f.source == "model"]
    # Liability is still checked on a restatement: the company must not repeat it as fact.
    leaked = letter("We leaked your card number too.")
    assert "admits-fault" in {f.rule for f in check_reply(leaked, email=email).findings}
