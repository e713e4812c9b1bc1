"""Provider differences (Azure hosts, reasoning models) and the price table (issue 16)."""

from __future__ import annotations

import pytest

from drafter.engines import providers
from drafter.engines.openai_engine import OpenAIEngine, completion_from_json
from drafter.models import Usage
from drafter.pricing import estimate_cost, price_for
from drafter.triage.progress import Counters

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("url", [
    None, "https://api.openai.com/v1", "https://acme.openai.azure.com/openai/v1",
    "https://acme.cognitiveservices.azure.com/openai/v1",
    "https://acme.services.ai.azure.com/openai/v1",
])
def test_openai_and_every_azure_host_family_take_max_completion_tokens(url):
    engine = OpenAIEngine(base_url=url, api_key="k", model="gpt-4o-mini", temperature=0.2)
    request = engine._request("draft", MESSAGES, None)
    assert "max_completion_tokens" in request and "max_tokens" not in request
    assert request["temperature"] == 0.2


def test_other_servers_take_max_tokens():
    engine = OpenAIEngine(base_url="http://127.0.0.1:8080/v1", model="smollm2")
    request = engine._request("draft", MESSAGES, None)
    assert request["max_tokens"] == 900 and "max_completion_tokens" not in request


@pytest.mark.parametrize("model", ["o3", "o4-mini", "o1-pro", "gpt-5", "gpt-5.1", "gpt-5-mini",
                                   "azure/gpt-5-nano"])
def test_reasoning_models_get_no_temperature_and_room_to_reason(model):
    engine = OpenAIEngine(api_key="k", model=model, temperature=0)
    request = engine._request("draft", MESSAGES, None)
    assert "temperature" not in request
    assert request["max_completion_tokens"] >= providers.REASONING_MIN_TOKENS


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4.1-mini", "gpt-5-chat-latest", "smollm2"])
def test_chat_models_keep_their_temperature(model):
    assert not providers.is_reasoning(model)
    assert providers.sampling(model, 0) == {"temperature": 0}


@pytest.mark.parametrize(("model", "price"), [
    ("gpt-5-pro", (15.0, 120.0)), ("gpt-5-pro-2026-10-06", (15.0, 120.0)),
    ("gpt-5.1", (1.25, 10.0)), ("gpt-5", (1.25, 10.0)), ("o3", (2.0, 8.0)),
    ("o3-pro", (20.0, 80.0)), ("o3-mini", (1.10, 4.40)), ("gpt-4o-mini-2024-07-18", (0.15, 0.6)),
])
def test_each_family_has_its_own_price(model, price):
    assert price_for(model) == price


def test_cached_input_is_billed_at_the_cached_price():
    full = estimate_cost("gpt-5", 1_000_000, 0)
    cached = estimate_cost("gpt-5", 1_000_000, 0, cached_tokens=800_000)
    assert full == pytest.approx(1.25) and cached == pytest.approx(0.2 * 1.25 + 0.8 * 0.125)
    assert estimate_cost("gpt-5", 1_000_000, 0, cached_tokens=800_000,
                         price_in=2.0) == pytest.approx(2.0)  # an override is the price
    assert estimate_cost("smollm2", 1000, 1000) is None


def test_cached_tokens_are_read_from_the_answer_and_counted():
    done = completion_from_json({"choices": [{"message": {"content": "hi"},
                                              "finish_reason": "stop"}],
                                 "usage": {"prompt_tokens": 1000, "completion_tokens": 10,
                                           "prompt_tokens_details": {"cached_tokens": 640}}})
    assert done.cached_tokens == 640
    usage = Usage()
    usage.add("draft", 1000, 10, 640)
    assert usage.to_dict()["cached_tokens"] == 640
    assert usage.cost("gpt-5") == pytest.approx((360 * 1.25 + 640 * 0.125 + 10 * 10) / 1e6)


def test_a_run_whose_model_calls_all_failed_costs_n_a_not_zero():
    counters = Counters(model="gpt-5")
    counters.add({"status": "error", "calls": 0})
    assert counters.cost() is None
    assert Counters().cost() == 0.0


def test_drafter_models_says_azure_lists_base_models_not_deployments(capsys):
    from drafter.cli.models import _azure_note

    _azure_note("https://acme.openai.azure.com/openai/v1")
    note = capsys.readouterr().err
    assert "use your deployment's name as --model" in note
    assert "az cognitiveservices account deployment list" in note
    _azure_note("http://127.0.0.1:8080/v1")
    assert capsys.readouterr().err == ""
