"""``rubric`` assertions: a model decides whether a reply meets a criterion written in words.

Some qualities ("offers a concrete next step without blaming the courier") are easier to say
than to match with a regex. A rubric is graded by the same model server the run uses, at
temperature 0 with strict JSON output, and cached like every other response, so re-running an
unchanged case grades it for free. The offline engine cannot grade, so there rubrics are
*skipped* (never passed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drafter.errors import EngineError
from drafter.models import DraftResult
from drafter.store import content_key
from drafter.workbench.cache import CountingCache

RUBRIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"passed": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["passed", "reason"],
    "additionalProperties": False,
}
MAX_TOKENS = 300


def templates_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"


def supports(engine: Any) -> bool:
    """Only the real openai engine grades: a double or another engine must never reach a
    server it was not configured for."""
    from drafter.engines.openai_engine import OpenAIEngine

    return isinstance(engine, OpenAIEngine)


class RubricGrader:
    """Grades one criterion on one result: ``(passed, reason)``; tokens go to the result."""

    def __init__(self, engine: Any, cache: Any = None) -> None:
        from drafter.prompts import Prompts

        self.engine = engine
        self.cache = cache
        self.prompts = Prompts([templates_dir()])

    def request(self, criterion: str, result: DraftResult) -> dict[str, Any]:
        from drafter.engines.openai_engine import fence
        from drafter.engines.schemas import response_format

        draft = result.draft.text if result.draft else ""
        messages = self.prompts.messages("rubric", criterion=criterion.strip(),
                                         draft=fence(draft),
                                         customer_email=fence(result.email.body.strip()))
        from drafter.engines import providers

        base_url = getattr(self.engine, "base_url", None)
        model = self.engine.model
        return {"model": model, "messages": messages.as_list(),
                **providers.sampling(model, 0),
                providers.limit_param(base_url): providers.completion_limit(MAX_TOKENS, model),
                "response_format": response_format("rubric", RUBRIC_SCHEMA)}

    def __call__(self, criterion: str, result: DraftResult) -> tuple[bool, str]:
        request = self.request(criterion, result)
        key = content_key("rubric", getattr(self.engine, "base_url", None), request)
        # A grade is greedy and keyed by the reply itself, so every sample shares it.
        shared = {"shared": True} if isinstance(self.cache, CountingCache) else {}
        text = self.cache.cache_get(key, **shared) if self.cache is not None else None
        if text is None:
            text = self._call(request, result)
        passed, reason = _parse(text, self.engine.model)
        if self.cache is not None:
            self.cache.cache_put(key, text, **shared)
        return passed, reason

    def _call(self, request: dict[str, Any], result: DraftResult) -> str:
        from drafter.engines.openai_engine import _api_errors, _complete, describe_error

        engine = self.engine
        try:
            done = _complete(self._client(), request)
        except _api_errors() as exc:
            raise EngineError(describe_error(
                exc, getattr(engine, "base_url", None) or "https://api.openai.com/v1",
                engine.model, getattr(engine, "timeout", 0) or 0,
                getattr(engine, "api_key", None))) from None
        result.usage.add("rubric", done.prompt_tokens, done.completion_tokens)
        return done.text

    def _client(self) -> Any:
        """The engine's own client (so Azure or test clients carry over), else a new one."""
        get = getattr(self.engine, "_get_client", None)
        if callable(get):
            return get()
        import openai

        return openai.OpenAI(api_key=getattr(self.engine, "api_key", None) or "not-needed",
                             base_url=getattr(self.engine, "base_url", None))


def _parse(text: str, model: str | None) -> tuple[bool, str]:
    raw = text.strip()
    if raw.startswith("```"):
        raw = raw.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(raw)
        passed, reason = data["passed"], data["reason"]
        if not isinstance(passed, bool) or not isinstance(reason, str):
            raise TypeError
    except (json.JSONDecodeError, KeyError, TypeError):
        raise EngineError(f"the model ({model}) gave an unusable rubric grade: "
                          f"{' '.join(raw.split())[:120]!r}") from None
    return passed, " ".join(reason.split())
