"""The openai engine's error paths, against a real HTTP server that misbehaves on cue.

Every test here talks to ``tests/loopback.py`` over 127.0.0.1: the SDK's own retries,
backoff, Retry-After handling and timeouts run for real, nothing in the SDK is patched.
Timeouts, retry counts and Retry-After values are tiny so the whole file runs in seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from pathlib import Path

import pytest
from loopback import KEY, MODEL, Answer, Loopback
from typer.testing import CliRunner

from drafter.cli import app
from drafter.engines.offline import OfflineEngine
from drafter.engines.openai_engine import RESTART, OpenAIEngine
from drafter.errors import EngineError
from drafter.models import Email, Usage
from drafter.policy import Policy

ROOT = Path(__file__).resolve().parent.parent
LATE = ROOT / "examples" / "late-delivery.eml"
EMAIL = Email(body="Order A-12345 never arrived. I want a refund of $12.99.",
              subject="Where is my order", sender_name="Dana Whitfield")
POLICY = Policy()
GOOD_ANALYSIS = {
    "summary": "Dana's order is late.", "wants": ["a refund of $12.99"],
    "grievances": ["Order A-12345 never arrived."],
    "facts": [{"kind": "order_id", "value": "A-12345", "text": "Order A-12345"}],
    "anger": 3, "urgency": "normal", "churn_risk": "medium", "language": "en",
    "category": "delivery",
    "escalation": {"required": False, "review": False, "reasons": [], "triggers": []},
}
REPLY = "Hi Dana,\n\nI'm so sorry about order A-12345.\n\nBest regards,\nAlex\n"


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, server or model from the environment, and no drafter.toml in the way."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)


def engine(loop: Loopback, **options: object) -> OpenAIEngine:
    settings: dict[str, object] = {"base_url": loop.url, "api_key": KEY, "timeout": 2.0,
                                   "max_retries": 2, "today": dt.date(2026, 11, 23)}
    settings.update(options)
    return OpenAIEngine(**settings)  # type: ignore[arg-type]


def offline_analysis():
    return OfflineEngine().analyze(EMAIL, POLICY, Usage())


# --- retries the SDK does: 429 and 5xx ---------------------------------------------------------


def test_429_with_retry_after_is_retried_then_succeeds(loopback: Loopback) -> None:
    loopback.error(429, "Rate limit reached", headers={"retry-after": "0.6"})
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    usage = Usage()
    analysis = engine(loopback).analyze(EMAIL, POLICY, usage)
    assert analysis.summary == "Dana's order is late."
    first, second = loopback.chats
    # The SDK waited as told (its own backoff would have been 0.5 s at most).
    assert second.at - first.at >= 0.6
    assert usage.calls == 1  # one answered call; the SDK's retry is not a second one


def test_500_then_success(loopback: Loopback) -> None:
    loopback.error(500, "upstream hiccup", headers={"retry-after-ms": "10"})
    loopback.chat(REPLY)
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage())
    assert draft.text == REPLY
    assert len(loopback.chats) == 2


def test_persistent_500_is_one_clear_error(loopback: Loopback) -> None:
    for _ in range(3):
        loopback.error(500, "the GPU fell over", headers={"retry-after-ms": "10"})
    with pytest.raises(EngineError) as caught:
        engine(loopback, max_retries=2).draft(EMAIL, offline_analysis(), POLICY, Usage())
    message = str(caught.value)
    assert "failed (500) after retrying" in message and "the GPU fell over" in message
    assert "\n" not in message
    assert len(loopback.chats) == 3  # the first try and two retries


def test_timeout_is_one_clear_error(loopback: Loopback) -> None:
    loopback.push(Answer(body=b"{}", delay=2.0))
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not answer within 0.3 s \(timeout\)"):
        engine(loopback, timeout=0.3, max_retries=0).analyze(EMAIL, POLICY, Usage())
    assert time.monotonic() - started < 1.5


# --- output the model got wrong: one retry, then an error -------------------------------------


def test_malformed_json_once_then_valid(loopback: Loopback) -> None:
    loopback.chat('{"summary": "Dana\'s order is la')
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    usage = Usage()
    analysis = engine(loopback).analyze(EMAIL, POLICY, usage)
    assert analysis.wants == ["a refund of $12.99"]
    assert usage.calls == 2 and [s.step for s in usage.steps] == ["analysis", "analysis"]
    retry = loopback.chats[1].body["messages"]
    assert "not valid JSON" in retry[-1]["content"]  # the retry says what was wrong


def test_malformed_json_twice_is_an_error(loopback: Loopback) -> None:
    loopback.chat("I think the customer is angry.")
    loopback.chat("Still not JSON.")
    with pytest.raises(EngineError, match=r"unusable analysis twice \(not valid JSON"):
        engine(loopback).analyze(EMAIL, POLICY, Usage())


def test_missing_field_is_retried_never_half_filled(loopback: Loopback) -> None:
    partial = {k: v for k, v in GOOD_ANALYSIS.items() if k != "escalation"}
    loopback.chat(json.dumps(partial))
    loopback.chat(json.dumps(partial))
    with pytest.raises(EngineError, match="missing field 'escalation'"):
        engine(loopback).analyze(EMAIL, POLICY, Usage())
    assert len(loopback.chats) == 2


def test_a_draft_cut_off_by_the_token_limit_is_retried_then_an_error(loopback: Loopback) -> None:
    loopback.stream(["Hi Dana,\n\nI'm so sorry", " about"], finish_reason="length")
    loopback.stream(["Hi Dana,\n\nI'm so", " sorry"], finish_reason="length")
    pieces: list[str] = []
    with pytest.raises(EngineError, match=r"unusable draft twice \(cut off"):
        engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage(), on_text=pieces.append)
    assert RESTART in pieces  # the preview was told to start over before the retry
    first, retry = (seen.body for seen in loopback.chats)
    assert "shorter" in retry["messages"][-1]["content"]
    assert "frequency_penalty" not in first and retry["frequency_penalty"] == 0.5


def test_a_cut_off_draft_then_a_whole_one(loopback: Loopback) -> None:
    loopback.chat("Hi Dana, I'm so", finish_reason="length")
    loopback.chat(REPLY)
    usage = Usage()
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, usage)
    assert draft.text == REPLY and usage.calls == 2


def test_llama_cpps_unparsable_output_500_counts_as_a_bad_answer(loopback: Loopback) -> None:
    message = "The model produced output that does not match the expected peg-native format"
    loopback.error(500, message)
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    usage = Usage()
    analysis = engine(loopback, max_retries=0).analyze(EMAIL, POLICY, usage)
    assert analysis.summary == "Dana's order is late." and usage.calls == 2
    loopback.error(500, message)
    loopback.error(500, message)
    with pytest.raises(EngineError, match=r"unusable analysis twice \(the server could not parse"):
        engine(loopback, max_retries=0).analyze(EMAIL, POLICY, Usage())


def test_a_server_that_does_not_speak_the_protocol(loopback: Loopback) -> None:
    loopback.push(Answer(body=b"<html>Welcome to nginx</html>"))
    with pytest.raises(EngineError, match=r"did not answer in the OpenAI protocol .*ends in /v1"):
        engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage())


def test_json_that_is_not_a_completion_is_retried_then_an_error(loopback: Loopback) -> None:
    loopback.push(Answer(body=b'{"status": "ok"}'))
    loopback.push(Answer(body=b'{"choices": []}'))
    with pytest.raises(EngineError,
                       match=r"unusable draft twice \(the server answered with no choices"):
        engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage())


# --- errors a person must fix: key, model, server ---------------------------------------------


def test_wrong_key_is_a_clear_message(loopback: Loopback) -> None:
    with pytest.raises(EngineError) as caught:
        engine(loopback, api_key="wrong").analyze(EMAIL, POLICY, Usage())
    assert str(caught.value) == (f"the model server at {loopback.url} rejected the API key "
                                 "(401): check OPENAI_API_KEY")


def test_unknown_model_is_a_clear_message(loopback: Loopback) -> None:
    with pytest.raises(EngineError) as caught:
        engine(loopback, model="gpt-7").analyze(EMAIL, POLICY, Usage())
    message = str(caught.value)
    assert message.startswith(f"model 'gpt-7' not found at {loopback.url} (404)")
    assert "drafter models" in message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_is_a_clear_message() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EngineError) as caught:
        OpenAIEngine(base_url=url, max_retries=0).analyze(EMAIL, POLICY, Usage())
    assert str(caught.value) == f"cannot reach the model server at {url} — is it running?"


def run_cli(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_cli_wrong_port_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "drafter.toml").write_text("[llm]\nmax_retries = 0\n", encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = run_cli("draft", str(LATE), "--engine", "openai", "--base-url", url)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"drafter: error: cannot reach the model server at {url} — is it running?\n")


def test_cli_openai_without_key_or_server_says_what_to_set() -> None:
    result = run_cli("draft", str(LATE), "--engine", "openai")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert "OPENAI_API_KEY" in lines[0] and "OPENAI_BASE_URL" in lines[0]


def test_cli_wrong_key_exits_2(loopback: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    result = run_cli("draft", str(LATE), "--engine", "openai", "--base-url", loopback.url)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "rejected the API key (401)" in result.stderr  # type: ignore[attr-defined]


# --- streaming and usage ----------------------------------------------------------------------


def test_streamed_pieces_reach_on_text_and_usage_comes_from_the_last_chunk(
        loopback: Loopback) -> None:
    loopback.stream(["Hi Dana,\n\n", "I'm so sorry ", "about order A-12345.\n"],
                    usage=(321, 12))
    pieces: list[str] = []
    usage = Usage()
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, usage,
                                   on_text=pieces.append)
    assert "".join(pieces) == "Hi Dana,\n\nI'm so sorry about order A-12345.\n"
    assert draft.text == "Hi Dana,\n\nI'm so sorry about order A-12345.\n"
    assert (usage.steps[0].step, usage.prompt_tokens, usage.completion_tokens) == (
        "draft", 321, 12)
    request = loopback.chats[0].body
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}


def test_a_stream_that_ends_without_a_finish_reason_is_retried_not_taken(
        loopback: Loopback) -> None:
    loopback.stream(["Hi Dana,\n\n", "I'm so sorry. Pick whichever option y"], cut=True)
    loopback.stream(["Hi Dana,\n\nI'm so sorry about order A-12345.\n"])
    pieces: list[str] = []
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage(),
                                   on_text=pieces.append)
    assert draft.text == "Hi Dana,\n\nI'm so sorry about order A-12345.\n"
    assert len(loopback.chats) == 2
    retry = loopback.chats[1].body["messages"][-1]["content"]
    assert "the stream ended before the reply was finished" in retry


def test_a_stream_cut_off_twice_is_an_error_never_a_draft(loopback: Loopback) -> None:
    for _ in range(2):
        loopback.stream(["Hi Dana, I'm so sorry. Pick whichever option y"], cut=True)
    with pytest.raises(EngineError, match="stream ended before the reply was finished"):
        engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage(),
                               on_text=lambda _: None)


def test_an_absurdly_long_draft_is_retried_and_never_passed_on(loopback: Loopback) -> None:
    loopback.chat("Hi Dana, I'm sorry. " + "blah " * 1_000_000)
    loopback.chat("Hi Dana,\n\nI'm so sorry about order A-12345.\n")
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage())
    assert draft.text == "Hi Dana,\n\nI'm so sorry about order A-12345.\n"
    assert "far too long to send" in loopback.chats[1].body["messages"][-1]["content"]


def test_an_analysis_beyond_the_schemas_bounds_is_refused(loopback: Loopback) -> None:
    for _ in range(2):
        loopback.chat(json.dumps({**GOOD_ANALYSIS, "summary": "x" * 5_000_000}))
    with pytest.raises(EngineError, match=r"summary is 5,000,000 characters long \(at most"):
        engine(loopback).analyze(EMAIL, POLICY, Usage())


def test_the_angrier_reading_and_the_detected_language_win(loopback: Loopback) -> None:
    angry = Email(body="ORDER B-2291. NEVER ARRIVED. I am absolutely furious, this is the "
                       "third time you have let me down. Refund me. Now.", subject="Refund")
    loopback.chat(json.dumps({**GOOD_ANALYSIS, "anger": 0, "language": "dz"}))
    analysis = engine(loopback).analyze(angry, POLICY, Usage())
    assert analysis.anger >= 3 and analysis.language == "en"
    assert any(n.startswith("mood: the model read anger 0") for n in analysis.notes)
    assert any(n.startswith("language: the model said 'dz'") for n in analysis.notes)
    loopback.chat(json.dumps({**GOOD_ANALYSIS, "anger": 5, "language": "english"}))
    calm = engine(loopback).analyze(angry, POLICY, Usage())
    assert calm.anger == 5 and calm.language == "en" and not any(
        n.startswith("mood") for n in calm.notes)


def _raw(loopback: Loopback, body: dict) -> None:
    loopback.push(Answer(body=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"}))


def test_empty_choices_and_refusals_are_named_for_what_they_are(loopback: Loopback) -> None:
    for _ in range(2):
        _raw(loopback, {"id": "x", "object": "chat.completion", "created": 0, "model": MODEL,
                        "choices": []})
    with pytest.raises(EngineError, match="no choices") as empty:
        engine(loopback).analyze(EMAIL, POLICY, Usage())
    assert "max_tokens" not in str(empty.value)
    refusal = {"id": "x", "object": "chat.completion", "created": 0, "model": MODEL,
               "choices": [{"index": 0, "finish_reason": "stop", "message": {
                   "role": "assistant", "content": None,
                   "refusal": "I can't help with that request."}}]}
    for _ in range(2):
        _raw(loopback, refusal)
    with pytest.raises(EngineError, match="the model refused: \"I can't help") as refused:
        engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage())
    assert "by hand" in str(refused.value) and "base URL" not in str(refused.value)


def test_a_broken_stream_event_is_retried_once(loopback: Loopback) -> None:
    loopback.push(Answer(events=[json.dumps({
        "id": "c", "object": "chat.completion.chunk", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "delta": {"content": "Hi Da"}, "finish_reason": None}]}),
        "{broken json", "[DONE]"]))
    loopback.stream(["Hi Dana,\n\nI'm so sorry about order A-12345.\n"])
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage(),
                                   on_text=lambda _: None)
    assert draft.text == "Hi Dana,\n\nI'm so sorry about order A-12345.\n"
    assert "stream broke mid-answer" in loopback.chats[1].body["messages"][-1]["content"]


def test_structured_output_steps_down_when_the_server_refuses_it(loopback: Loopback) -> None:
    cache: dict[str, str] = {}
    loopback.error(400, "response_format json_schema is not supported by this server")
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    eng = engine(loopback, cache=cache)
    assert eng.analyze(EMAIL, POLICY, Usage()).summary == GOOD_ANALYSIS["summary"]
    first, second = (c.body for c in loopback.chats)
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}
    assert "follow this JSON schema exactly" in second["messages"][-1]["content"]
    # Learnt once: the next request (and a new engine sharing the store) asks json_object.
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    engine(loopback, cache=cache).analyze(Email(body="Another email."), POLICY, Usage())
    assert loopback.chats[2].body["response_format"] == {"type": "json_object"}


def test_a_server_with_no_json_modes_gets_the_schema_in_the_prompt(loopback: Loopback) -> None:
    loopback.error(400, "response_format json_schema is not supported")
    loopback.error(400, "response_format type json_object is not supported")
    loopback.chat("Here you go:\n" + json.dumps(GOOD_ANALYSIS))  # prose: refused, retried
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    analysis = engine(loopback).analyze(EMAIL, POLICY, Usage())
    assert analysis.wants == GOOD_ANALYSIS["wants"]
    bodies = [c.body for c in loopback.chats]
    assert "response_format" not in bodies[2] and "response_format" not in bodies[3]
    assert "follow this JSON schema exactly" in bodies[2]["messages"][-1]["content"]


def test_a_configured_json_mode_is_used_and_never_stepped_down(loopback: Loopback) -> None:
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    engine(loopback, structured="prompted").analyze(EMAIL, POLICY, Usage())
    assert "response_format" not in loopback.chats[0].body
    loopback.error(400, "response_format json_schema is not supported")
    with pytest.raises(EngineError):
        engine(loopback, structured="json_schema", max_retries=0).analyze(EMAIL, POLICY,
                                                                          Usage())


def test_stream_options_are_dropped_when_the_server_refuses_them(loopback: Loopback) -> None:
    loopback.error(400, "Unrecognized request argument supplied: stream_options")
    loopback.stream(["Hi Dana,\n\nI'm so sorry about order A-12345.\n"], usage=None)
    draft = engine(loopback).draft(EMAIL, offline_analysis(), POLICY, Usage(),
                                   on_text=lambda _: None)
    assert draft.text.startswith("Hi Dana")
    assert "stream_options" in loopback.chats[0].body
    assert "stream_options" not in loopback.chats[1].body


def test_a_key_echoed_in_a_server_error_is_never_repeated(loopback: Loopback,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-proj-Zq8T3kLmN0pQ4rSt"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    for _ in range(3):  # the SDK's retries see the same answer
        loopback.error(500, f"upstream rejected Authorization: Bearer {secret} for "
                            f"api_key={KEY} (deployment 0123456789abcdef0123456789abcdef)")
    with pytest.raises(EngineError) as caught:
        engine(loopback, max_retries=0).analyze(EMAIL, POLICY, Usage())
    message = str(caught.value)
    assert secret not in message and KEY not in message
    assert "0123456789abcdef0123456789abcdef" not in message
    assert "[redacted]" in message and "(500)" in message


def test_redaction_leaves_ordinary_text_alone() -> None:
    from drafter.text import redact_secrets

    text = "model 'gpt-4o' not found; order A-12345 costs $12.99 (ask support-team)"
    assert redact_secrets(text) == text
    assert redact_secrets("key sk-abcdefghijkl leaked", None) == "key [redacted] leaked"


def test_a_server_that_reports_no_usage_gets_an_estimate(loopback: Loopback) -> None:
    loopback.stream(["Hi Dana, ", "I'm so sorry."], usage=None)
    usage = Usage()
    engine(loopback).draft(EMAIL, offline_analysis(), POLICY, usage, on_text=lambda _: None)
    assert usage.calls == 1
    assert usage.completion_tokens == len("Hi Dana, I'm so sorry.") // 4
    assert usage.prompt_tokens > 100  # the prompt's characters / 4


# --- model discovery, context budget, drafter models ------------------------------------------


def test_the_only_model_a_server_offers_is_used(loopback: Loopback) -> None:
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    eng = engine(loopback)
    assert eng.model is None
    eng.analyze(EMAIL, POLICY, Usage())
    assert eng.model == MODEL and loopback.chats[0].body["model"] == MODEL


def test_several_models_and_none_chosen_asks_for_one(loopback: Loopback) -> None:
    loopback.models = [{"id": f"m{i}", "object": "model", "owned_by": "x"} for i in range(3)]
    with pytest.raises(EngineError, match=r"offers 3 models \(m0, m1, m2\); choose one"):
        engine(loopback).analyze(EMAIL, POLICY, Usage())


def test_a_long_email_is_cut_to_the_servers_context_not_refused(loopback: Loopback) -> None:
    loopback.models = [{"id": MODEL, "object": "model", "meta": {"n_ctx": 2048}}]
    loopback.chat(json.dumps(GOOD_ANALYSIS))
    long = Email(body="Order A-12345 is late. " + "I waited and waited. " * 2000
                 + "I want a refund.", quoted="> earlier message\n" * 500)
    eng = engine(loopback)
    eng.analyze(long, POLICY, Usage())
    request = loopback.chats[0].body
    sent = sum(len(m["content"]) for m in request["messages"])
    assert eng.context_tokens == 2048
    assert sent // 3 + request["max_tokens"] <= 2048  # fits, at 3 characters a token
    user = request["messages"][1]["content"]
    assert "characters left out to fit" in user and "I want a refund." in user
    assert "earlier message" not in user  # the body took the room; the old thread went


def test_drafter_models_lists_what_the_server_offers(loopback: Loopback,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    loopback.models = [{"id": "b-model", "object": "model", "owned_by": "lab"},
                       {"id": "a-model", "object": "model", "max_model_len": 8192}]
    result = run_cli("models", "--base-url", loopback.url, "--json")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(result.stdout) == [  # type: ignore[attr-defined]
        {"id": "b-model", "owned_by": "lab", "context": None},
        {"id": "a-model", "owned_by": "", "context": 8192}]
    text = run_cli("models", "--base-url", loopback.url).stdout  # type: ignore[attr-defined]
    assert text.splitlines()[0].split() == ["a-model", "8192", "tokens", "of", "context"]


def test_drafter_models_lists_an_azure_resources_deployments(
        loopback: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: on Azure, requests name a deployment, which /models does not list."""
    from drafter.engines import providers

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    root = loopback.url.removesuffix("/v1")
    monkeypatch.setattr(providers, "deployments_url", lambda base: (
        f"{root}/openai/deployments?api-version={providers.AZURE_DEPLOYMENTS_API}"
        if providers.is_azure(base) else None))
    loopback.deployments = [{"id": "care-gpt4o", "model": "gpt-4o", "status": "succeeded"},
                            {"id": "bulk-mini", "model": "gpt-4o-mini", "status": "succeeded"}]
    azure = "https://acme.openai.azure.com/openai/v1"
    result = run_cli("models", "--base-url", azure, "--json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert [d["id"] for d in json.loads(result.stdout)] == [  # type: ignore[attr-defined]
        "care-gpt4o", "bulk-mini"]
    assert "deployments" in result.stderr  # type: ignore[attr-defined]
    text = run_cli("models", "--base-url", azure).stdout  # type: ignore[attr-defined]
    assert text.splitlines()[0].split() == ["bulk-mini", "model", "gpt-4o-mini", "(succeeded)"]
    seen = next(s for s in loopback.seen if "deployments" in s.path)
    assert seen.headers["api-key"] == KEY and "api-version=2023-03-15-preview" in seen.path


def test_an_azure_resource_that_does_not_list_deployments_falls_back_to_models(
        loopback: Loopback) -> None:
    from drafter.engines import providers

    root = loopback.url.removesuffix("/v1")
    url = f"{root}/openai/deployments?api-version={providers.AZURE_DEPLOYMENTS_API}"
    assert engine(loopback).list_deployments(url) is None  # the loopback answers 404
    loopback.deployments = []
    assert engine(loopback).list_deployments(url) == []
    assert providers.deployments_url("http://127.0.0.1:8080/v1") is None
    assert providers.deployments_url("https://acme.cognitiveservices.azure.com/openai/v1") == (
        "https://acme.cognitiveservices.azure.com/openai/deployments"
        "?api-version=2023-03-15-preview")


def test_drafter_models_unreachable_exits_2(tmp_path: Path) -> None:
    (tmp_path / "drafter.toml").write_text("[llm]\nmax_retries = 0\n", encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = run_cli("models", "--base-url", url)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "cannot reach the model server" in result.stderr  # type: ignore[attr-defined]


# --- the safety net against a manipulated model ----------------------------------------------


def test_a_model_cannot_un_escalate_a_threat(loopback: Loopback) -> None:
    threat = Email(body="My order is late again. I will hurt the driver if he comes back.")
    loopback.chat(json.dumps(GOOD_ANALYSIS))  # the model says: nothing to escalate
    analysis = engine(loopback).analyze(threat, POLICY, Usage())
    assert analysis.escalation.required and "threat of violence" in analysis.escalation.reasons


def test_drafter_models_with_nothing_configured_says_so_in_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 11, the new user's trial: no endpoint named that was never chosen, and no
    sentence about offline drafting, which `models` does not do."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = run_cli("models")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and "no models to list" in lines[0]
    assert "api.openai.com" not in lines[0] and "offline" not in lines[0]
