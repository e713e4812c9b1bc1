"""Facts by context, not by shape (issue 13): a reference takes its kind from the words
before it in seven languages, hashtags and model numbers are not references, and deadlines,
durations and counts are kept as the customer wrote them."""

from __future__ import annotations

import pytest

from drafter.facts import FACT_KINDS, extract_facts, reference_kind_before


def facts(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in extract_facts(text)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("My flight #1007 was cancelled.", "flight_id", "1007"),
    ("Booking ref XK7P2Q, please.", "booking_id", "XK7P2Q"),
    ("claim number CL-558201 is still open", "claim_id", "CL-558201"),
    ("Ma réservation n° 55-0981221 a disparu.", "booking_id", "55-0981221"),
    ("numéro de commande 73025", "order_id", "73025"),
    ("Kundennummer: 2200914-8", "account_id", "2200914-8"),
    ("meine Bestellnummer ist 44-1234", "order_id", "44-1234"),
    ("mijn polisnummer is AV-1190-338", "policy_id", "AV-1190-338"),
    ("il volo AZ1234 è partito", "flight_id", "AZ1234"),
    ("o pedido 558102 não chegou", "order_id", "558102"),
    ("la póliza 77-1200 no cubre nada", "policy_id", "77-1200"),
    ("PIR número MADAR11427", "ticket_id", "MADAR11427"),
    ("certificado número DPS-9921-4470", "reference_id", "DPS-9921-4470"),
    ("flight SV 218 from Lisbon", "flight_id", "SV218"),
    ("account number ending 6613", "account_id", "6613"),
    ("Kontonummer endet auf 3390", "account_id", "3390"),
    ("Mietvertrag MV-4410983", "contract_id", "MV-4410983"),
    ("Buchungscode: HX4M2P", "booking_id", "HX4M2P"),
    ("see #88412 again", "reference_id", "88412"),
    ("Rechnung 2024-0045 ist falsch", "invoice_id", "2024-0045"),
])
def test_a_reference_takes_its_kind_from_the_words_before_it(text, kind, value) -> None:
    assert (kind, value) in facts(text)


@pytest.mark.parametrize("text", [
    "this is #ios11update all over again",
    "I want the correct W-400 installed this week",
    "follow @airline123 for updates",
    "my order in 2025 was fine",
    "pay with card 4111 1111 1111 1111",
    "on XX/XX/XXXX they closed it",
])
def test_hashtags_model_numbers_handles_and_card_numbers_are_not_references(text) -> None:
    assert not [k for k, _ in facts(text) if k.endswith("_id") or k == "tracking"]


@pytest.mark.parametrize(("text", "value"), [
    ("Refund me by Thanksgiving.", "by Thanksgiving"),
    ("Please respond within 7 days.", "within 7 days"),
    ("Ich erwarte die Rückerstattung innerhalb einer Woche.", "innerhalb einer Woche"),
    ("Je veux une réponse d'ici vendredi.", "d'ici vendredi"),
    ("Quiero el reembolso antes del 15 de marzo.", "antes del 15 de marzo"),
    ("Voglio una risposta entro venerdì.", "entro venerdì"),
    ("Quero a resposta até sexta-feira.", "até sexta-feira"),
    ("Ik wil het geld binnen 7 dagen terug.", "binnen 7 dagen"),
    ("sort it by the end of the week", "by the end of the week"),
])
def test_deadlines_in_seven_languages(text: str, value: str) -> None:
    assert ("deadline", value) in facts(text)


def test_a_deadline_keeps_its_date_but_not_its_duration() -> None:
    found = facts("Pay it back before 12 March or within 14 days.")
    assert ("date", "12 March") in found and ("deadline", "before 12 March") in found
    assert ("deadline", "within 14 days") in found
    assert not [f for f in found if f[0] == "duration"]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("I spent 40 minutes on hold.", "duration", "40 minutes"),
    ("three weeks without internet", "duration", "3 weeks"),
    ("drei Wochen ohne Strom", "duration", "3 weeks"),
    ("I called five times.", "count", "5 times"),
    ("j'ai appelé cinq fois", "count", "5 times"),
    ("Ich habe fünfmal angerufen.", "count", "5 times"),
    ("after 3 emails and 2 calls", "count", "3 emails"),
    ("they charged me twice", "count", "2 times"),
    ("ho chiamato sei volte", "count", "6 times"),
])
def test_durations_and_counts(text: str, kind: str, value: str) -> None:
    assert (kind, value) in facts(text)


@pytest.mark.parametrize(("text", "value"), [
    ("le 5 mai", "5 mai"), ("am 3. Juni", "3. Juni"),
    ("el 12 de marzo de 2024", "12 de marzo de 2024"),
    ("il 3 giugno", "3 giugno"), ("op 12 maart", "12 maart"), ("no dia 5 de maio", "5 de maio"),
    ("on 12/03/2024", "12/03/2024"), ("am 03.04.2024", "03.04.2024"),
])
def test_dates_in_seven_languages(text: str, value: str) -> None:
    assert ("date", value) in facts(text)


def test_an_amount_is_never_also_a_reference() -> None:
    found = facts("invoice 40 EUR was wrong")
    assert ("amount", "40") in found and not [k for k, _ in found if k == "invoice_id"]


def test_every_kind_found_is_a_declared_kind() -> None:
    text = ("Flight #1007, booking XK7P2Q, order 5521, 19,99 EUR, 12 March, by Friday, "
            "3 hours, called 4 times, ticket 40012, Kundennummer 1234-5, room 214, train 9012")
    assert {f.kind for f in extract_facts(text)} <= set(FACT_KINDS)


def test_the_checker_reads_kinds_from_the_same_table() -> None:
    text = "my flight #1007"
    assert reference_kind_before(text, text.index("#")) == "flight"
    assert reference_kind_before("hello 1007", 6) is None


@pytest.mark.parametrize(("text", "language", "currency"), [
    ("Pagué $286.50 y nada.", "es", ""),          # pesos in most of Latin America: as written
    ("pagué por adelantado $12,400 MXN", "es", "MXN"),
    ("des frais de 28,00 $ par nuit", "fr", "CAD"),
    ("I paid $45 for it", "en", "USD"),
    ("costó como 420.000 pesos o $420.000", "es", ""),
])
def test_a_bare_dollar_sign_is_read_by_the_emails_language(text, language, currency) -> None:
    amounts = [f for f in extract_facts(text, language) if f.kind == "amount"]
    assert amounts and all(a.currency == currency for a in amounts if "$" in a.text)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Your update on Tuesday wiped everything.", "date", "Tuesday"),
    ("charged every month since January", "date", "January"),
    ("seit oktober schimmelt es", "date", "oktober"),
    ("i reported it on the 28th", "date", "the 28th"),
    ("zuletzt am 4.12. gemeldet", "date", "4.12."),
    ("JUST TURN IT BACK ON. TODAY.", "deadline", "TODAY"),
    ("Desbloqueen la cuenta hoy mismo, por favor, y llámenme.", "deadline", "hoy mismo"),
    ("Si en diez días no tengo respuesta, cancelo.", "deadline", "en diez días"),
    ("I'm writing for the third time about it.", "count", "3 times"),
    ("ich schreibe Ihnen nun zum dritten Mal", "count", "3 times"),
    ("billed us for 12 seats", "count", "12 seats"),
    ("j'ai appelé à deux reprises", "count", "2 times"),
    ("it turned up a week later", "duration", "1 week"),
    ("Quarante minutes sur le quai", "duration", "40 minutes"),
])
def test_dates_deadlines_and_counts_written_without_numbers_or_leads(text, kind, value) -> None:
    assert (kind, value) in facts(text)


@pytest.mark.parametrize("text", [
    "I called today about it and they said to wait until the engineer had looked at the line.",
    "I take these tablets twice a day and that has nothing to do with it.",
])
def test_today_in_a_story_and_a_rate_are_not_deadlines_or_durations(text) -> None:
    assert not [k for k, _ in facts(text) if k in ("deadline", "duration")]
