"""Escalation on a labelled corpus: every threat and crisis stops the draft, no idiom does.

``tests/data/escalation/heldout.jsonl`` was written before ``drafter/escalation.py`` was
improved and never tuned on; ``labelled.jsonl`` is what the patterns were improved on.
Both must hold: an ordinary angry email wrongly refused a draft costs an agent minutes,
a missed threat or crisis costs far more. ``bench/escalation_bench.py`` prints the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafter.escalation import REASON_TEXT, assess_escalation
from drafter.text import squash

DATA = Path(__file__).parent / "data" / "escalation"


def _load(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(d["label"], d["text"]) for d in map(json.loads, filter(str.strip, lines))]


ITEMS = _load("heldout.jsonl") + _load("labelled.jsonl")


def _of(*labels: str) -> list[str]:
    return [text for label, text in ITEMS if label in labels]


def test_the_corpus_covers_every_class():
    labels = [label for label, _ in ITEMS]
    assert len(ITEMS) >= 40
    assert set(labels) == {"violence", "crisis", "legal", "ordinary"}
    assert min(labels.count(c) for c in ("violence", "crisis", "legal")) >= 5
    assert labels.count("ordinary") >= 20


@pytest.mark.parametrize("text", _of("ordinary"))
def test_ordinary_anger_and_idioms_never_stop_the_draft(text: str):
    esc = assess_escalation(text)
    assert not esc.required, esc.triggers
    assert not esc.review, esc.triggers


@pytest.mark.parametrize("label", ["violence", "crisis"])
def test_every_threat_and_crisis_stops_the_draft(label: str):
    missed = [t for t in _of(label) if not (esc := assess_escalation(t)).required
              or REASON_TEXT[label] not in esc.reasons]
    assert not missed


@pytest.mark.parametrize("text", _of("legal"))
def test_legal_threats_are_reviewed_but_still_drafted(text: str):
    esc = assess_escalation(text)
    assert esc.review and not esc.required
    assert esc.reasons == [REASON_TEXT["legal"]]


@pytest.mark.parametrize("text", _of("violence", "crisis", "legal"))
def test_triggers_quote_the_sentence_that_set_them_off(text: str):
    esc = assess_escalation(text)
    assert esc.triggers
    for trigger in esc.triggers:
        assert trigger.sentence and trigger.sentence in squash(text)


def test_weak_crisis_cues_count_only_in_pairs():
    """"I won't be here tomorrow" is usually about a delivery; with a farewell it is not.

    The short form never stops the draft; the model may send it to a person to read (its
    review band is for exactly this doubt).
    """
    assert not assess_escalation("I won't be here tomorrow, so deliver on Friday.").required
    assert not assess_escalation(
        "I won't be here tomorrow, so please deliver on Friday instead.").review
    esc = assess_escalation("This is my last email. I won't be here tomorrow to read it.")
    assert esc.required and {t.reason for t in esc.triggers} == {"crisis"}
    # The rules' pairing alone, with the model's verdict set aside:
    from drafter import escalation

    found = [t for t in escalation.assess_escalation(
        "This is my last email. Goodbye forever.").triggers if t.source == "rule"]
    assert len(found) == 2


def test_negated_intent_is_not_a_threat():
    assert not assess_escalation("I would never hurt anyone, but I am livid.").required


def test_curly_apostrophes_do_not_hide_a_threat():
    assert assess_escalation("I’m going to hurt someone at your store.").required


@pytest.mark.parametrize("text", [
    "I hope Karen ends up under a baggage trolley one day.",
    "I hope you get hit by a bus on the way home.",
    "Ik hoop oprecht dat die Sandra van de trap valt en haar nek breekt.",
    "Espero sinceramente que esse senhor caia à linha um dia destes.",
    "Spero che il tecnico cada dalle scale.",
    "Ojalá al gerente lo atropelle un camión.",
])
def test_bodily_harm_wished_on_someone_stops_the_draft(text: str) -> None:
    esc = assess_escalation(text)
    assert esc.required and any(t.reason == "violence" and t.source == "rule"
                                for t in esc.triggers), esc.triggers


@pytest.mark.parametrize("text", [
    "I hope nobody was hurt when the van crashed.",
    "I hope the courier didn't fall down the stairs with my parcel.",
    "Espero que no se rompa otra vez la lavadora.",
    "Ich hoffe, das Paket fällt nicht wieder vom Wagen.",
    "I hope the new driver breaks his record for late deliveries.",
])
def test_hope_with_concern_or_no_harm_is_no_wish_of_harm(text: str) -> None:
    assert not any(t.source == "rule" for t in assess_escalation(text).triggers)


@pytest.mark.parametrize(("text", "crisis"), [
    ("Could you confirm whether the policy still pays out if the death is self-inflicted?",
     True),
    ("Necesito saber si el seguro cubre el entierro cuando la muerte es por decisión propia.",
     True),
    ("Zahlt die Versicherung auch bei Suizid?", True),
    ("My car insurance covers self-inflicted damage, the agent said.", False),
    ("Does the policy cover accidental death abroad?", False),
])
def test_asking_whether_a_policy_pays_on_suicide_is_a_crisis(text: str, crisis: bool) -> None:
    esc = assess_escalation(text)
    assert any(t.reason == "crisis" and t.source == "rule" for t in esc.triggers) is crisis


def test_a_letter_to_a_mediation_service_goes_to_a_person() -> None:
    """Rubric round eight: a letter to the insurance mediator was answered as the insurer."""
    esc = assess_escalation("À l'attention de la Médiation de l'Assurance\n\nMadame, "
                            "Monsieur,\n\nJe souhaite vous saisir d'un litige qui m'oppose "
                            "à la compagnie Assurances Helvie.")
    assert esc.required
    assert not assess_escalation("La médiation de la dette avec votre conseiller a bien "
                                 "fonctionné, merci.").required
