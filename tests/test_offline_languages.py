"""Offline replies in the customer's language (issue 15): one template per language under
``prompts/`` with the same MAMA structure, dates and amounts written the local way, the
customer's reference called by its own kind, and English with a notice for the rest."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from drafter.engines.offline import OfflineEngine
from drafter.localize import REPLY_LANGUAGES, format_day, money
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import BUILTIN_POLICY, parse_policy

TODAY = dt.date(2026, 12, 3)  # a Thursday: two business days on is Monday 7 December
EMAILS = {
    "es": ("Hola, el pedido 55190 llegó roto y pagué 49,99 €. Quiero que me devuelvan el "
           "dinero y que me llamen, por favor. Estoy muy molesta.",
           "Hola", "Lamento", "lunes, 7 de diciembre", "el pedido 55190"),
    "de": ("Guten Tag, meine Bestellung 44-1234 kam beschädigt an, ich habe 49,99 € bezahlt. "
           "Ich möchte eine Rückerstattung und einen Rückruf. Das ist wirklich ärgerlich.",
           "Guten Tag", "tut mir sehr leid", "Montag, 7. Dezember", "Bestellung 44-1234"),
    "fr": ("Bonjour, ma commande 73025 est arrivée cassée et j'ai payé 49,99 €. Je veux un "
           "remboursement et un rappel, s'il vous plaît. C'est inadmissible.",
           "Bonjour", "excuses", "lundi 7 décembre", "la commande 73025"),
    "pt": ("Olá, a encomenda 558102 chegou partida e paguei 49,99 €. Quero o reembolso e que "
           "me liguem, por favor. Estou muito chateada.",
           "Olá", "Lamento", "segunda-feira, 7 de dezembro", "a encomenda 558102"),
    "it": ("Buongiorno, l'ordine 33-901274 è arrivato rotto e ho pagato 49,99 €. Voglio il "
           "rimborso e una telefonata, per favore. Sono molto arrabbiata.",
           "Buongiorno", "Mi dispiace", "lunedì 7 dicembre", "ordine 33-901274"),
}
#: English words of the English template that must never leak into another language's reply.
ENGLISH = re.compile(r"\b(?:refund|sorry|please|option|the amount|you paid|your|follow)\b",
                     re.IGNORECASE)
POLICY = parse_policy('currency = "EUR"\n[agent]\nname = "Alex"\nsignoff = "Alex"\n'
                      '[[options]]\nkind = "refund"\nmax_amount = 100\n'
                      'offer = "a refund of {amount} to your original payment method"\n'
                      '[[options]]\nkind = "callback"\noffer = "a call from our team lead"\n')


def reply(text: str, policy=POLICY):
    return draft_email(Email(sender_name="Ana", sender_address="ana@example.com", body=text),
                       policy, OfflineEngine(today=TODAY))


@pytest.mark.parametrize("lang", sorted(EMAILS))
def test_each_language_gets_its_own_mama_reply(lang: str) -> None:
    text, greeting, apology, day, reference = EMAILS[lang]
    result = reply(text)
    assert result.analysis.language == lang
    draft = result.draft.text
    assert draft.startswith(f"{greeting} Ana") or draft.startswith(f"{greeting}, Ana")
    assert apology in draft and day in draft and reference in draft
    assert "49,99 €" in draft  # the customer's amount, in the customer's format
    assert not ENGLISH.search(draft.replace("Alex", "")), draft
    assert "{" not in draft and "  " not in draft
    assert draft.split("\n")[1] == ""  # a blank line after the greeting
    assert not any("English" in n for n in result.notices)


def test_a_policy_can_word_an_option_in_each_language() -> None:
    policy = parse_policy('currency = "EUR"\n[[options]]\nkind = "refund"\n'
                          'offer = "a refund of {amount}"\n'
                          'offer_es = "la devolución de {amount} en 24 horas"\n')
    draft = reply(EMAILS["es"][0], policy).draft.text
    assert "La devolución de 49,99 € en 24 horas" in draft


@pytest.mark.parametrize(("lang", "written"), [
    ("en", "$1,240.50"), ("de", "1.240,50 €"), ("es", "1.240,50 €"), ("it", "1.240,50 €"),
    ("pt", "1.240,50 €"), ("fr", "1\u202f240,50 €"),
])
def test_amounts_are_written_the_local_way(lang: str, written: str) -> None:
    assert money(1240.5, "USD" if lang == "en" else "EUR", lang) == written


def test_dates_are_written_the_local_way() -> None:
    day = dt.date(2026, 12, 7)
    assert [format_day(day, x) for x in REPLY_LANGUAGES] == [
        "Monday, December 7", "lunes, 7 de diciembre", "Montag, 7. Dezember",
        "lundi 7 décembre", "segunda-feira, 7 de dezembro", "lunedì 7 dicembre",
        "maandag 7 december"]


def test_a_prompts_folder_that_overrides_english_keeps_the_built_in_languages(tmp_path) -> None:
    from drafter.prompts import Prompts, builtin_dir

    (tmp_path / "offline_reply.j2").write_text(
        (builtin_dir() / "offline_reply.j2").read_text(encoding="utf-8"), encoding="utf-8")
    engine = OfflineEngine(prompts=Prompts([tmp_path]), today=TODAY)
    result = draft_email(Email(body=EMAILS["es"][0]), POLICY, engine)
    assert result.draft.text.startswith("Hola")  # the built-in folder still has es


def test_dutch_gets_a_dutch_reply_with_the_sign_first() -> None:
    result = reply("Mijn bestelling 1002-88431 kwam kapot aan en ik heb € 49,99 betaald. Ik wil "
                   "een terugbetaling, graag. Ik ben echt boos.")
    assert result.analysis.language == "nl"
    text = result.draft.text
    assert text.startswith("Beste Ana") and "spijt me" in text and "€ 49,99" in text
    assert "maandag 7 december" in text and not ENGLISH.search(text.replace("Alex", ""))


def test_german_and_french_replies_greet_by_the_full_name() -> None:
    """Rubric round four: "Guten Tag Klaus," to a stranger's formal letter. German and French
    business mail greets by the full name; a name not known in full keeps the first name."""
    from drafter.engines.offline import full_name

    assert full_name(Email(sender_name="Berger, Klaus", body="x")) == "Klaus Berger"
    assert full_name(Email(sender_name="Claire MARTIN", body="x")) == "Claire Martin"
    assert full_name(Email(sender_name="claire", body="x\n\nClaire")) == "Claire"
    body = ("Meine Bestellung 4471 ist seit drei Wochen nicht angekommen. Ich möchte mein "
            "Geld zurück.")
    result = draft_email(Email(sender_name="Klaus Berger", body=body),
                         parse_policy(BUILTIN_POLICY, source="built-in"), OfflineEngine())
    assert result.draft.text.startswith("Guten Tag Klaus Berger,")


def test_a_reply_in_another_language_names_only_asks_the_customers_words_name() -> None:
    """Rubric round five: "Compreendo que nos pede uma alteração na sua conta" for an ask
    the kind model only guessed at states a request the customer never made."""
    from drafter.engines.offline import _want_nouns
    from drafter.models import Analysis

    guessed = Analysis(summary="", wants=["obriguem o banco a repor o valor na minha conta"],
                       language="pt")
    assert _want_nouns(guessed, "pt") == []
    named = Analysis(summary="", wants=["o reembolso dos 40 euros"], language="pt")
    assert _want_nouns(named, "pt") == ["um reembolso"]
