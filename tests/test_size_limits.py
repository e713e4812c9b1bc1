"""Long emails and long threads fit the model's context by the documented budget.

:mod:`drafter.budget` cuts the email to a character budget before any request: the newest
customer text (``Email.body``) first, its start and end kept when it alone is too long; the
quoted history gets what is left, newest part first. The engine shrinks that budget to what a
server's context leaves after the instructions and the reply (``context_tokens``). These
tests render the real prompts (through a recording fake client, no network) and check they
fit; the offline path gets a generous speed guard (``bench/size_bench.py`` measures it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

import pytest
from fake_client import FakeClient, schema_name
from hypothesis import given, settings
from hypothesis import strategies as st

from drafter.budget import CHARS_PER_TOKEN, DEFAULT_MAX_CHARS, MIN_MAX_CHARS, fit_email
from drafter.engines.offline import OfflineEngine
from drafter.mail import MAX_BODY_CHARS, MAX_HEADER_CHARS, parse_bytes
from drafter.models import Email
from drafter.pipeline import DraftOptions, draft_email
from drafter.policy import BUILTIN_POLICY, Policy, parse_policy

TODAY = dt.date(2026, 11, 23)
FIRST = "My order A-12345 never arrived and I have waited three weeks."
FILLER = "Nobody has answered any of my emails about it, which is frankly unbelievable. "
LAST = "I want a refund of the $12.99 shipping fee."


def _policy() -> Policy:
    return parse_policy(BUILTIN_POLICY, source="built-in")


def _one_megabyte() -> bytes:
    middle = FILLER * (2**20 // len(FILLER))
    return f"Subject: late order\n\n{FIRST}\n{middle}\n{LAST}\n".encode()


def _thread(replies: int = 100) -> bytes:
    """A message quoting ``replies`` earlier replies, each nested one ``>`` deeper."""
    message = "Hello, my order A-12345 has not arrived. (message 1, the oldest)"
    for k in range(2, replies + 1):
        quoted = "\n".join(f"> {line}" if line else ">" for line in message.splitlines())
        message = (f"Still nothing, this is message {k}.\n\n"
                   f"On Mon, Mar 3, 2025 at 9:{k % 60:02d} AM Dana <dana@example.org> wrote:\n"
                   f"{quoted}")
    quoted = "\n".join(f"> {line}" if line else ">" for line in message.splitlines())
    return (f"From: Dana <dana@example.org>\nSubject: Re: order A-12345\n\n"
            f"NEWEST: I want a refund today.\n\n"
            f"On Tue, Mar 4, 2025 at 8:00 AM Support <support@example.com> wrote:\n"
            f"{quoted}\n").encode()


def _answer(request: dict[str, Any]) -> str:
    """A model's answer in shape for each step."""
    fmt = schema_name(request)
    if fmt == "analysis":
        return json.dumps({
            "summary": "Dana's order never arrived.", "wants": ["a refund"],
            "grievances": ["The order never arrived."], "facts": [], "anger": 3,
            "urgency": "normal", "churn_risk": "low", "language": "en",
            "category": "delivery",
            "escalation": {"required": False, "review": False, "reasons": [],
                           "triggers": []}})
    if fmt:
        return json.dumps({"findings": []})
    return ("Hi Dana,\n\nI'm so sorry your order A-12345 never arrived; I can see how "
            "frustrating three weeks of waiting is.\n\nI can refund the $12.99 shipping "
            "fee, or send a replacement at no cost. Which would you prefer?\n\n"
            "I will email you by Wednesday with an update.\n\nBest regards,\nAlex\n")


def _run_openai(email: Email, context_tokens: int | None = None) -> list[dict[str, Any]]:
    from drafter.engines.openai_engine import OpenAIEngine

    client = FakeClient(_answer)
    engine = OpenAIEngine(client=client, model="fake", today=TODAY)
    engine.context_tokens = context_tokens  # what a server reports through /models
    draft_email(email, _policy(), engine, DraftOptions(judge=True))
    assert client.requests
    return client.requests


def _fenced(request: dict[str, Any], tag: str) -> str:
    match = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", request["messages"][1]["content"], re.S)
    return match.group(1) if match else ""


def _tokens(request: dict[str, Any]) -> int:
    """The request's size as the engine's budget counts it, plus the reply it allows."""
    chars = sum(len(m["content"]) for m in request["messages"])
    limit = request.get("max_tokens") or request.get("max_completion_tokens") or 0
    return chars // CHARS_PER_TOKEN + limit


# --- long emails -----------------------------------------------------------------------------


def test_a_1mb_email_is_cut_to_the_default_budget():
    email = parse_bytes(_one_megabyte(), "big.txt")
    assert len(email.body) <= MAX_BODY_CHARS and email.warnings
    for request in _run_openai(email):
        text = _fenced(request, "customer_email")
        assert len(text) <= DEFAULT_MAX_CHARS
        assert text.startswith(FIRST)
        assert "characters left out to fit the model's context" in text


@pytest.mark.parametrize("context_tokens", [2048, 8192, 128_000])
def test_every_prompt_fits_the_servers_context(context_tokens: int):
    """2048 is what the local llama-server reports for SmolLM2; 8192 and 128k are common."""
    email = parse_bytes(_one_megabyte(), "big.txt")
    for request in _run_openai(email, context_tokens):
        assert _tokens(request) <= context_tokens


def test_a_short_email_is_sent_whole():
    email = Email(body=f"{FIRST} {LAST}", subject="late")
    for request in _run_openai(email, 2048):
        assert _fenced(request, "customer_email") == email.body


def test_a_huge_subject_is_capped_by_the_parser():
    data = b"From: a@example.org\nSubject: " + b"late " * 40_000 + b"\n\nMy order is late."
    email = parse_bytes(data)
    assert len(email.subject) <= MAX_HEADER_CHARS
    assert any("subject header truncated" in w for w in email.warnings)
    for request in _run_openai(email, 2048):
        assert _tokens(request) <= 2048


# --- long threads ----------------------------------------------------------------------------


def test_a_100_reply_thread_keeps_the_newest_text_and_trims_old_history():
    email = parse_bytes(_thread(100), "thread.eml")
    assert email.body == "NEWEST: I want a refund today."
    assert "message 99" in email.quoted and "message 1, the oldest" in email.quoted
    for context in (None, 2048):
        requests = _run_openai(email, context)
        assert any(_fenced(r, "earlier_thread") for r in requests)
        for request in requests:
            assert _fenced(request, "customer_email") == email.body
            history = _fenced(request, "earlier_thread")
            if history:  # the revise step sends no history
                assert "message 100" in history  # the newest earlier message comes first
                assert "message 1, the oldest" not in history
                assert history.endswith("[… older messages left out …]")
            if context:
                assert _tokens(request) <= context


def test_history_is_dropped_before_the_newest_text_is_touched():
    email = Email(body="x" * 5_000, quoted="> old\n" * 10_000)
    fitted = fit_email(email, 5_100)
    assert fitted.body == email.body and fitted.quoted == ""


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(body=st.integers(1, 50_000), quoted=st.integers(0, 50_000),
       budget=st.integers(0, 40_000))
def test_fit_email_never_exceeds_the_budget(body: int, quoted: int, budget: int):
    email = Email(body="b" * body, quoted="q" * quoted)
    fitted = fit_email(email, budget)
    assert len(fitted.body) + len(fitted.quoted) <= max(budget, MIN_MAX_CHARS)
    assert fitted.body  # the newest text is never dropped
    if body + quoted <= max(budget, MIN_MAX_CHARS):
        assert fitted == email


# --- the offline path stays fast -------------------------------------------------------------


def test_the_offline_engine_drafts_a_1mb_email_quickly():
    """A generous guard (the measured figure is about 1 s: see bench/size_bench.py)."""
    start = time.perf_counter()
    email = parse_bytes(_one_megabyte(), "big.txt")
    result = draft_email(email, _policy(), OfflineEngine(today=TODAY))
    elapsed = time.perf_counter() - start
    assert result.draft is not None
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_the_offline_engine_drafts_a_100_reply_thread_quickly():
    start = time.perf_counter()
    result = draft_email(parse_bytes(_thread(100)), _policy(), OfflineEngine(today=TODAY))
    assert result.draft is not None
    assert time.perf_counter() - start < 10
