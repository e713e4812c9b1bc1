"""The escalation model beside the rules: loading, explanations, languages, the merge with an LLM.

The blind figures live in ``bench/escalation_bench.py``; these tests pin the behaviour an
agent relies on: a shipped model that loads (or fails loudly), findings that say why, one
email per language and label handled as it must be, uncovered languages sent to a person,
and crisis guidance for the agent.
"""

from __future__ import annotations

import pytest

from drafter.engines.openai_engine import with_safety_net
from drafter.escalation import GUIDANCE, assess_escalation
from drafter.models import Analysis, Email, Escalation, Trigger
from drafter.understand.linear import LinearModel, ModelError, load_model, save_model

PLAIN = {
    "en": ("Order 4471 was supposed to arrive on Monday.", "Nobody has replied to my emails."),
    "es": ("El pedido 4471 tenía que llegar el lunes.", "Nadie ha contestado a mis correos."),
    "de": ("Die Bestellung 4471 sollte am Montag kommen.",
           "Niemand hat auf meine Mails geantwortet."),
    "fr": ("La commande 4471 devait arriver lundi.", "Personne n'a répondu à mes courriels."),
    "pt": ("O pedido 4471 devia ter chegado na segunda.", "Ninguém respondeu aos meus e-mails."),
    "it": ("L'ordine 4471 doveva arrivare lunedì.", "Nessuno ha risposto alle mie email."),
    "nl": ("Bestelling 4471 zou maandag komen.", "Niemand heeft op mijn mails gereageerd."),
}
#: One signal sentence per language and label, none of them from the corpus or a blind set.
SIGNALS = {
    ("en", "violence"): "If your driver shows up at my door again I will break his jaw.",
    ("en", "crisis"): "I have nothing left to live for and I want it all to end.",
    ("en", "legal"): "My solicitor will be issuing a claim in the county court next week.",
    ("es", "violence"): "Como vuelva a ver a ese repartidor le voy a partir la cara.",
    ("es", "crisis"): "Ya no quiero seguir viviendo, no le encuentro sentido a nada.",
    ("es", "legal"): "Mi abogado ya está preparando la demanda contra ustedes.",
    ("de", "violence"): "Wenn ich den Fahrer erwische, schlage ich ihm die Zähne ein.",
    ("de", "crisis"): "Ich will nicht mehr leben, es hat alles keinen Sinn mehr.",
    ("de", "legal"): "Mein Anwalt wird Klage gegen Ihre Firma einreichen.",
    ("fr", "violence"): "Si je croise encore ce livreur, je lui casse la figure.",
    ("fr", "crisis"): "Je n'ai plus envie de vivre, je veux que tout s'arrête.",
    ("fr", "legal"): "Mon avocat va vous assigner devant le tribunal.",
    ("pt", "violence"): "Se eu encontrar esse entregador de novo, vou quebrar a cara dele.",
    ("pt", "crisis"): "Não quero mais viver, nada mais faz sentido para mim.",
    ("pt", "legal"): "Meu advogado vai entrar com um processo contra vocês.",
    ("it", "violence"): "Se rivedo quel corriere gli spacco la faccia.",
    ("it", "crisis"): "Non voglio più vivere, niente ha più senso.",
    ("it", "legal"): "Il mio avvocato vi farà causa davanti al giudice.",
    ("nl", "violence"): "Als ik die bezorger nog eens zie, sla ik zijn tanden uit zijn bek.",
    ("nl", "crisis"): "Ik wil niet meer leven, niets heeft nog zin.",
    ("nl", "legal"): "Mijn advocaat gaat jullie voor de rechter slepen.",
}


def email_with(lang: str, signal: str) -> str:
    first, second = PLAIN[lang]
    return f"{first} {signal} {second}"


# --- the shipped model -----------------------------------------------------------------------


def test_the_shipped_model_loads_with_its_labels_thresholds_and_languages() -> None:
    model = load_model("escalation")
    assert model.labels == ["none", "violence", "crisis", "legal"]
    assert set(model.meta["languages"]) >= {"en", "es", "de", "fr", "pt", "it", "nl"}
    for key in ("alarm", "alarm_possible", "legal"):
        assert 0 < model.thresholds[key] < 2
    assert model.thresholds["alarm_possible"] <= model.thresholds["alarm"]
    assert model.version.startswith("esc-")
    probabilities = model.proba("Where is my parcel?")
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-6)


def test_the_shipped_model_was_trained_on_the_corpus_in_the_repository() -> None:
    """Editing corpus/escalation without rerunning bench/train_escalation.py fails here."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "corpus"
    meta = load_model("escalation").meta["trained_on"]
    # The corpus, then the blind sets studied and taught to the model (bench/corpus_sets.py).
    assert meta["trained_blind_sets"], meta
    paths = sorted((root / "escalation").glob("*.jsonl")) + [
        root / "blind" / f"{name}.jsonl" for name in meta["trained_blind_sets"]]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert meta["corpus_sha256_16"] == digest.hexdigest()[:16]


def test_a_saved_model_loads_as_saved_and_a_truncated_one_is_an_error(tmp_path) -> None:
    meta = {"labels": ["none", "legal"], "bias": [0.0, 0.0], "version": "t",
            "features": {"buckets": 1024, "word_ngrams": 2, "char_min": 3, "char_max": 5}}
    saved = save_model("tiny", meta, [1, 2, 3], [[0.1, -0.2], [0.3, 0.4], [0.5, 0.6]],
                       folder=tmp_path)
    assert (tmp_path / "tiny.bin").stat().st_size == 2 * 2 * 1024
    model = LinearModel.from_files(tmp_path / "tiny.json", tmp_path / "tiny.bin")
    assert model.labels == ["none", "legal"]
    assert model.proba("a legal matter") == saved.proba("a legal matter")
    raw = (tmp_path / "tiny.bin").read_bytes()
    (tmp_path / "tiny.bin").write_bytes(raw[:-4])
    with pytest.raises(ModelError, match="truncated"):
        LinearModel.from_files(tmp_path / "tiny.json", tmp_path / "tiny.bin")
    (tmp_path / "tiny.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot load"):
        LinearModel.from_files(tmp_path / "tiny.json", tmp_path / "tiny.bin")
    with pytest.raises(ModelError, match="cannot load"):
        LinearModel.from_files(tmp_path / "gone.json", tmp_path / "gone.bin")


def test_a_model_finding_says_why_with_its_probability_and_ngrams() -> None:
    # No rule knows this phrasing: the finding is the model's own.
    text = "Everything I had went into this deposit and I won't be around to see it returned."
    esc = assess_escalation(text)
    found = [t for t in esc.triggers if t.source == "model"]
    assert found, esc
    trigger = found[0]
    assert trigger.reason == "crisis"
    assert trigger.probability is not None and 0 < trigger.probability <= 1
    assert trigger.features and all(isinstance(f, str) and f for f in trigger.features)
    assert text[trigger.start:trigger.end] == trigger.sentence


def test_explanations_rank_the_ngrams_that_pull_towards_the_label() -> None:
    model = load_model("escalation")
    pulls = model.explain("My lawyer will take you to court.", "legal", 5)
    assert pulls and [p.weight for p in pulls] == sorted((p.weight for p in pulls), reverse=True)
    assert all(p.weight > 0 for p in pulls)


# --- the rules in the other languages ------------------------------------------------------


@pytest.mark.parametrize(("text", "reason"), [
    ("Te voy a matar como no me devuelvan el dinero.", "violence"),
    ("Vou tocar fogo na loja de vocês.", "violence"),
    ("Ich bringe Sie um, wenn das so weitergeht.", "violence"),
    ("Je vais vous buter, vous m'entendez ?", "violence"),
    ("Dò fuoco alla vostra filiale.", "violence"),
    ("Ik steek jullie winkel in de fik.", "violence"),
    ("Estoy pensando en quitarme la vida.", "crisis"),
    ("Não quero mais viver assim.", "crisis"),
    ("Ich will mir das Leben nehmen.", "crisis"),
    ("Je vais mettre fin à mes jours.", "crisis"),
    ("Non voglio più vivere.", "crisis"),
    ("Ik wil een einde aan mijn leven maken.", "crisis"),
])
def test_direct_threats_and_crisis_statements_in_each_language_are_ruled(text, reason) -> None:
    esc = assess_escalation(text)
    assert esc.required
    assert [(t.reason, t.source) for t in esc.triggers] == [(reason, "rule")]


@pytest.mark.parametrize("text", [
    "Me mato a trabajar y ustedes ni contestan.",
    "Mi ammazzo di lavoro tutto il giorno.",
    "Vi sparo due righe con gli screenshot.",
    "Ich mach Sie fertig, mit einer Bewertung auf allen Portalen.",
    "Me quiero morir de la vergüenza.",
    "Je veux mourir de rire en lisant votre réponse.",
])
def test_work_and_laughter_idioms_are_not_ruled(text) -> None:
    assert not any(t.source == "rule" for t in assess_escalation(text).triggers)


# --- each language ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "label"), sorted(SIGNALS))
def test_each_language_and_label_reaches_the_right_verdict(lang: str, label: str) -> None:
    esc = assess_escalation(email_with(lang, SIGNALS[(lang, label)]))
    if label == "legal":
        assert esc.review and not esc.required, esc
    else:
        assert esc.required, esc
        assert any(t.reason == label for t in esc.triggers)
    assert not esc.notes
    signal = SIGNALS[(lang, label)]
    assert any(t.sentence == signal for t in esc.triggers)


@pytest.mark.parametrize("lang", sorted(PLAIN))
def test_plain_complaints_in_each_language_are_left_alone(lang: str) -> None:
    esc = assess_escalation(" ".join(PLAIN[lang]) + " " + PLAIN[lang][0])
    assert not esc.review and not esc.required and not esc.triggers, esc


def test_a_language_the_detector_does_not_know_goes_to_review_with_a_note() -> None:
    polish = ("Zamówiłem nową pralkę trzy tygodnie temu i nadal nie dotarła. Dzwoniłem do was "
              "pięć razy, nikt nie odpowiada. Chcę zwrotu pieniędzy natychmiast.")
    esc = assess_escalation(polish)
    assert esc.review and not esc.required
    assert esc.notes and "recognise" in esc.notes[0]
    assert assess_escalation("Привет, мой заказ не пришёл уже три недели.").notes
    assert not assess_escalation(email_with("de", "Bitte melden Sie sich.")).notes


def test_crisis_and_violence_carry_guidance_for_the_agent() -> None:
    crisis = assess_escalation(email_with("en", SIGNALS[("en", "crisis")]))
    assert crisis.guidance == GUIDANCE["crisis"] and "crisis" in crisis.guidance
    violence = assess_escalation(email_with("en", SIGNALS[("en", "violence")]))
    assert violence.guidance == GUIDANCE["violence"]
    legal = assess_escalation(email_with("en", SIGNALS[("en", "legal")]))
    assert legal.guidance == GUIDANCE["review"]
    assert assess_escalation(" ".join(PLAIN["en"])).guidance == ""


def test_the_escalation_json_round_trips_with_its_new_fields() -> None:
    esc = assess_escalation(email_with("fr", SIGNALS[("fr", "crisis")]))
    data = Analysis(summary="s", escalation=esc).to_dict()
    back = Analysis.from_dict(data).escalation
    assert back.to_dict() == esc.to_dict()
    assert {"source", "action", "probability", "features", "start", "end"} <= set(
        data["escalation"]["triggers"][0])


# --- the safety net over the LLM engine ------------------------------------------------------


def test_the_model_and_rules_stand_whatever_the_llm_says() -> None:
    body = email_with("es", SIGNALS[("es", "crisis")])
    calm = Analysis(summary="fine", escalation=Escalation())
    esc = with_safety_net(calm, Email(body=body)).escalation
    assert esc.required and esc.guidance == GUIDANCE["crisis"]
    assert {t.source for t in esc.triggers} <= {"rule", "model"}


def test_the_llm_may_add_a_reason_quoted_from_the_email_but_never_remove_one() -> None:
    body = email_with("en", SIGNALS[("en", "legal")])
    quoted = "Nobody has replied to my emails."
    analysis = Analysis(summary="", escalation=Escalation(
        required=False, review=False,
        triggers=[Trigger("violence", quoted), Trigger("crisis", "I am going to end it")]))
    esc = with_safety_net(analysis, Email(body=body)).escalation
    assert esc.required and esc.review  # the quoted violence adds; the legal threat stays
    by_source = {(t.source, t.reason) for t in esc.triggers}
    assert ("llm", "violence") in by_source
    assert not any(t.sentence == "I am going to end it" for t in esc.triggers)  # not quoted
    assert any(t.reason == "legal" and t.source in ("rule", "model") for t in esc.triggers)
