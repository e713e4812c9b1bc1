"""One stand-in for ``openai.OpenAI`` at the Engine's boundary, for tests that need a
model's answer of a particular shape without a server or a cassette.

The engine talks to the SDK through ``client.post("/chat/completions", body=...,
cast_to=object)`` (see :func:`drafter.engines.openai_engine._complete`); this fake answers
that call with the JSON a server would send and keeps every request body for inspection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def schema_name(request: dict[str, Any]) -> str | None:
    """The structured-output schema a request asks for (``analysis``, ``judge``...), if any."""
    return (request.get("response_format") or {}).get("json_schema", {}).get("name")


class FakeClient:
    """Answers each request with ``answer(request)``, counting ``tokens`` each way."""

    def __init__(self, answer: Callable[[dict[str, Any]], str], tokens: tuple[int, int] = (1, 1)
                 ) -> None:
        self.answer = answer
        self.tokens = tokens
        self.requests: list[dict[str, Any]] = []

    def post(self, path: str, *, body: dict[str, Any], cast_to: Any) -> dict[str, Any]:
        assert path == "/chat/completions" and cast_to is object
        self.requests.append(body)
        prompt, completion = self.tokens
        return {"choices": [{"message": {"content": self.answer(body)}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion}}
