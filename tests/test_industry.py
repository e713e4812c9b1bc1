"""The industry reader (issue 13, "Category") and the built-in policy fitted to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.analyze import analyze_email
from drafter.engines.offline import OfflineEngine
from drafter.industry import INDUSTRIES, canonical, read_industry
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import (
    BUILTIN_POLICY,
    builtin_policy,
    fitted_policy,
    load_policy,
    parse_policy,
    policy_for,
)
from drafter.understand.linear import load_model

ROOT = Path(__file__).resolve().parent.parent


def test_the_industry_model_loads_with_every_industry_and_its_threshold() -> None:
    model = load_model("industry")
    assert model.labels == list(INDUSTRIES)
    assert 0.0 <= model.thresholds["industry"] < 1.0
    assert set(model.meta["languages"]) >= {"en", "es", "de", "fr", "pt", "it", "nl"}


def test_the_industry_model_was_trained_on_the_corpus_in_the_repository() -> None:
    """Editing the corpus without rerunning bench/train_listening.py fails here."""
    import hashlib

    corpus = ROOT / "corpus"
    paths = sorted((corpus / "listening").glob("category-*.jsonl"))
    paths += sorted((corpus / "listening").glob("asks-*.jsonl"))
    paths += [p for p in sorted((corpus / "escalation").glob("*.jsonl"))
              if '"industry"' in p.read_text(encoding="utf-8").split("\n", 1)[0]]
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    assert load_model("industry").meta["trained_on"]["corpus_sha256_16"] == h.hexdigest()[:16]


@pytest.mark.parametrize(("text", "industry"), [
    ("My flight to Lisbon was cancelled at the gate and nobody rebooked me.", "travel"),
    ("The broadband has dropped every evening since the router was swapped.", "telecom"),
    ("You charged an overdraft fee on my current account although I had funds.", "bank"),
    ("My claim for the storm damage was rejected and the excess is still taken.", "insurance"),
    ("Die Stromrechnung beruht auf einer geschätzten Zählerablesung.", "utility"),
    ("La chambre n'était pas prête à l'arrivée et la réception nous a fait attendre.", "hotel"),
    ("O senhorio não devolve a caução do apartamento desde que saí.", "letting"),
    ("Il corriere ha consegnato la pizza fredda con un'ora di ritardo.", "food-delivery"),
    ("De huurauto had al een deuk toen ik hem ophaalde en nu rekenen jullie schade.",
     "car-rental"),
])
def test_the_industry_is_read_from_its_clues_in_several_languages(text: str,
                                                                   industry: str) -> None:
    assert read_industry(text).name == industry


def test_an_industry_reading_explains_itself() -> None:
    reading = read_industry("The airline lost my suitcase on the flight from Rome and the "
                            "baggage desk at the airport gave me no reference.", explain=True)
    assert reading.name == "travel" and reading.confidence > 0.3
    assert reading.features and all(f.weight > 0 for f in reading.features)
    assert reading.to_dict()["name"] == "travel"


def test_industry_names_are_canonical() -> None:
    assert canonical("airline") == canonical("Rail") == "travel"
    assert canonical("gym") == "subscriptions"
    assert canonical("spaceflight") == "other"


def test_the_analysis_names_the_industry_in_its_json() -> None:
    analysis = analyze_email(Email(body="My train was cancelled and the station staff "
                                        "could not tell me when the next one runs. I want "
                                        "my ticket refunded."))
    assert analysis.industry == "travel"
    assert analysis.to_dict()["industry"] == "travel"


def test_the_built_in_policy_fits_the_industry_and_a_teams_policy_is_never_changed() -> None:
    travel = [o.kind for o in builtin_policy("travel").options]
    assert "rebooking" in travel and "expedited_shipping" not in travel
    assert "fee_reversal" in [o.kind for o in builtin_policy("bank").options]
    assert builtin_policy("other").to_dict() == parse_policy(BUILTIN_POLICY,
                                                              source="built-in").to_dict()
    team = load_policy(ROOT / "examples" / "policies" / "retail.toml")
    assert fitted_policy(team, "travel") is team
    # every fitted policy keeps money under the built-in limits and parses cleanly
    for industry in INDUSTRIES:
        for option in builtin_policy(industry).options:
            assert option.max_amount is None or option.max_amount <= 150


def test_a_travellers_offline_draft_offers_a_rebooking_not_shipping() -> None:
    email = Email(body="Our flight VY 8812 to Bilbao was cancelled two hours before "
                       "boarding and we were left at the airport all night. I want to be "
                       "put on the next flight and my hotel costs paid back.",
                  sender_name="Irene Soto", sender_address="irene@example.com")
    result = draft_email(email, parse_policy(BUILTIN_POLICY, source="built-in"),
                         OfflineEngine())
    text = result.draft.text
    assert "next available departure" in text
    assert "expedited shipping" not in text
    assert any("built-in one offers what a travel company would" in n for n in result.notices)
    assert result.check.passed, result.check.findings


def test_the_built_in_policy_sets_its_limits_in_the_customers_currency() -> None:
    """Rubric round four: "a refund of up to 100 USD" to a customer who wrote in euros."""
    email = Email(body="Ordine #58812: mancano le due pizze, è arrivata solo la birra. "
                       "Rimborsatemi 17,00 € subito.")
    result = draft_email(email, parse_policy(BUILTIN_POLICY, source="built-in"),
                         OfflineEngine())
    assert "USD" not in result.draft.text and "17 €" in result.draft.text
    assert any("sets its limits in EUR" in n for n in result.notices)
    team = load_policy(ROOT / "examples" / "policies" / "retail.toml")
    analysis = analyze_email(email)
    assert policy_for(team, analysis) is team  # a team's currency is never changed
    mixed = analyze_email(Email(body="I paid £20 and then $30 more."))
    assert policy_for(parse_policy(BUILTIN_POLICY, source="built-in"), mixed).currency == "USD"
