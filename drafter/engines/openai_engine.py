"""The ``openai`` engine: analysis, drafting, judging and revising through a language model.

One code path serves OpenAI, Azure OpenAI (its ``/openai/v1/`` endpoint) and every
OpenAI-compatible server (llama.cpp's ``llama-server``, vLLM, Ollama, LM Studio): the
``openai`` SDK's Chat Completions API, with strict JSON-schema structured output for the
analysis and the judge, and plain text (streamed when asked) for the reply itself.

What the model says is never trusted further than it must be:

* the rule-based escalation check runs on top of the model's analysis, so a small or
  manipulated model cannot un-escalate a threat, and a model's own flag only counts when it
  quotes the sentence from the email;
* facts come from the rule-based extractor first; a model's fact is kept only when its text
  really is in the email, so grounding never depends on the model;
* an answer that does not fit (bad JSON, a missing field, a reply cut off by the token limit)
  is asked for once more, then reported as an :class:`EngineError`, never passed on half-filled.

Importing this module does not import ``openai``; the client is built on the first call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, MutableMapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from drafter.budget import CHARS_PER_TOKEN, DEFAULT_MAX_CHARS, chars_for_tokens, fit_email
from drafter.engines import providers
from drafter.engines.schemas import (
    ANALYSIS_SCHEMA,
    BadOutput,
    check_bounds,
    parse_analysis,
    response_format,
    text_pattern,
)
from drafter.errors import EngineError
from drafter.models import Analysis, Draft, Email, Fact, Finding, Usage
from drafter.policy import Option, Policy
from drafter.prompts import Prompts

T = TypeVar("T")

DEFAULT_MODEL = "gpt-4o-mini"
#: Seconds to wait for one answer: long enough for a CPU-only local server writing a whole
#: reply, shorter than the SDK's own ten minutes.
DEFAULT_TIMEOUT = 300.0
#: Output token limits per step; ``max_tokens`` in the config replaces them all.
STEP_MAX_TOKENS = {"analysis": 1000, "draft": 900, "judge": 900, "revise": 900}
#: Sent to ``on_text`` when a streamed draft was cut off and is being written again:
#: whatever came before it is to be discarded.
RESTART = "\f"
#: The frequency penalty on the retry of a reply that looped into the token limit.
UNLOOP_PENALTY = 0.5
#: The finish reason the engine gives an answer the server itself could not parse.
UNPARSED = "unparsed"
#: A draft longer than this is not a reply (the gate's word bound is far below it).
MAX_REPLY_CHARS = 20_000
#: The finish reason of a stream that ended without one: cut off, whatever the text says.
INCOMPLETE = "incomplete-stream"
#: Finish reasons of answers that carry no reply: no choices at all, a broken stream event.
NO_CHOICES, BROKEN_STREAM = "no-choices", "broken-stream"
#: The tags that fence the customer's words in the prompts; the same names written inside
#: the email are neutralised so the email cannot close its own fence.
FENCE_TAGS = ("customer_email", "earlier_thread", "subject", "sender_name", "draft", "findings",
              "analysis")
_FENCE_RE = re.compile(r"<(\s*/?\s*)(" + "|".join(FENCE_TAGS) + r")\b", re.IGNORECASE)
_WHAT = {"analysis": "analysis", "draft": "draft", "judge": "review of the draft",
         "revise": "revised draft"}


@dataclass
class Completion:
    """One model answer, reduced to what the engine needs."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0


class OpenAIEngine:
    """The Engine protocol over the Chat Completions API of any OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        prompts: Prompts | None = None,
        *,
        model: str | None = None,
        base_url: str | None = None,
        temperature: float | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_tokens: int | None = None,
        api_key: str | None = None,
        client: Any = None,
        cache: MutableMapping[str, str] | None = None,
        max_input_chars: int | None = None,
        today: dt.date | None = None,
        structured: str | None = None,
    ) -> None:
        """Check the configuration now (so a missing key fails before any work); connect later.

        ``client`` is an ``openai.OpenAI`` to use as is (tests, Azure clients). ``cache`` maps
        a request's fingerprint to the model's accepted answer: a hit skips the call and
        spends nothing (and is not counted as a call).
        """
        self.prompts = prompts or Prompts()
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "").strip() or None
        self.api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
        if client is None and not self.api_key and not self.base_url:
            raise EngineError(
                "no model server configured: set OPENAI_API_KEY (for OpenAI) or "
                "OPENAI_BASE_URL / --base-url (for an OpenAI-compatible server such as "
                "llama-server); --engine offline drafts without a model"
            )
        self.model: str | None = model or os.environ.get("OPENAI_MODEL") or (
            None if self.base_url else DEFAULT_MODEL)
        self.temperature = temperature
        self.timeout = float(timeout) if timeout is not None else DEFAULT_TIMEOUT
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self.max_input_chars = max_input_chars or DEFAULT_MAX_CHARS
        self.today = today
        self.cache = cache
        #: How JSON is asked for; "auto" starts strict and steps down when the server refuses.
        self.structured = structured or "auto"
        self._format_mode: str | None = None if self.structured == "auto" else self.structured
        self._stream_options = True
        self.context_tokens: int | None = None
        #: Held around every request: a batch run shares one semaphore between the engines
        #: of its threads, so at most ``--concurrency`` requests are in flight while other
        #: emails are parsed and checked (see :mod:`drafter.triage.runner`).
        self.request_gate: AbstractContextManager[Any] = contextlib.nullcontext()
        self._client = client
        self._discovered = client is not None and self.model is not None

    # --- the Engine protocol ---------------------------------------------------------------

    def analyze(self, email: Email, policy: Policy, usage: Usage) -> Analysis:
        """The model's listening, with the rules' escalation and facts as a safety net."""
        messages = self._messages("analyze", email, "analysis")
        analysis = self._structured("analysis", messages, ANALYSIS_SCHEMA, parse_analysis, usage)
        return with_safety_net(analysis, email)

    def draft(self, email: Email, analysis: Analysis, policy: Policy, usage: Usage,
              on_text: Callable[[str], None] | None = None) -> Draft:
        """The reply, as plain text; streamed piece by piece to ``on_text`` when given."""
        messages = self._messages("draft", email, "draft",
                                  **self._reply_context(email, analysis, policy))
        text = self._text("draft", messages, usage, on_text)
        return Draft(subject=_reply_subject(email.subject), text=text)

    def judge(self, email: Email | None, analysis: Analysis | None, draft: Draft,
              policy: Policy, usage: Usage) -> list[Finding]:
        """The model's review of a draft the rules let through; quotes not in it are dropped."""
        from drafter.checker.judge import JUDGE_SCHEMA, judge_context, parse_judge_output

        context = judge_context(fence(draft.text), email, analysis, policy)
        context.pop("email", None)  # the fitted, fenced email comes from _messages
        messages = self._messages("judge", email or Email(body=""), "judge",
                                  draft=fence(draft.text), **context)

        def parse(data: Any) -> list[Finding]:
            if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
                raise BadOutput("no list of findings")
            return parse_judge_output(data, draft.text)

        return self._structured("judge", messages, bounded(JUDGE_SCHEMA), parse, usage)

    def revise(self, email: Email, analysis: Analysis, draft: Draft, findings: list[Finding],
               policy: Policy, usage: Usage) -> Draft:
        """The draft rewritten so the findings go away, and nothing else changes."""
        context = self._reply_context(email, analysis, policy)
        messages = self._messages("revise", email, "revise", draft=fence(draft.text),
                                  findings=[_finding_context(f) for f in findings], **context)
        return Draft(subject=draft.subject, text=self._text("revise", messages, usage, None))

    # --- other services --------------------------------------------------------------------

    def list_models(self) -> list[dict[str, Any]]:
        """What the server offers: ``id``, ``owned_by`` and, when the server says, ``context``."""
        try:
            return self._models()
        except _api_errors() as exc:
            raise self._error(exc) from None

    def list_deployments(self, url: str) -> list[dict[str, str]] | None:
        """An Azure resource's deployments (``id``: the name requests use, ``model``,
        ``status``), or None when the resource does not list them with a key (newer ones
        answer 404: :data:`drafter.engines.providers.AZURE_DEPLOYMENTS_API`)."""
        import urllib.error
        import urllib.request

        key = self.api_key or ""
        request = urllib.request.Request(url, headers={"api-key": key,
                                                       "Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = json.loads(answer.read(4 << 20)).get("data")
        except (OSError, ValueError, AttributeError):  # HTTP errors, timeouts, bad JSON
            return None
        if not isinstance(data, list):
            return None
        return [{"id": str(d.get("id", "")), "model": str(d.get("model", "")),
                 "status": str(d.get("status", ""))}
                for d in data if isinstance(d, dict) and d.get("id")]

    def _models(self) -> list[dict[str, Any]]:
        with self.request_gate:  # iterating the page may fetch the next one
            return [{"id": m.id, "owned_by": getattr(m, "owned_by", None) or "",
                     "context": _context_size(m)} for m in self._get_client().models.list()]

    # --- prompts ---------------------------------------------------------------------------

    def _messages(self, template: str, email: Email, step: str,
                  **context: Any) -> list[dict[str, str]]:
        """The step's chat messages, with the email fitted to the context budget."""
        self._ready()
        budget = self._email_budget(template, step, context)
        fitted = fit_email(email, budget)
        return self.prompts.messages(template, **_email_context(fitted), **context).as_list()

    def _email_budget(self, template: str, step: str, context: dict[str, Any]) -> int:
        """``max_input_chars``, shrunk to what the server's context leaves after the rest."""
        if not self.context_tokens:
            return self.max_input_chars
        empty = self.prompts.messages(template, **_email_context(Email(body="")), **context)
        overhead = (len(empty.system) + len(empty.user)) // CHARS_PER_TOKEN + 64
        room = chars_for_tokens(self.context_tokens, overhead + self._max_tokens(step))
        return min(self.max_input_chars, room)

    def _reply_context(self, email: Email, analysis: Analysis | None,
                       policy: Policy) -> dict[str, Any]:
        """What the draft, judge and revise prompts know besides the email."""
        from drafter.engines.offline import add_business_days, first_name, format_day
        from drafter.language import language_name

        today = self._today()
        language = analysis.language if analysis else "en"
        return {
            "analysis": fenced_analysis(analysis),
            "policy": policy,
            "options": [_option_context(o, analysis, policy) for o in policy.options],
            "today": format_day(today) + f", {today.year}",
            "follow_up_date": format_day(add_business_days(today, policy.follow_up_days)),
            "language": language,
            "language_name": language_name(language),
            "first_name": first_name(email),
        }

    def _today(self) -> dt.date:
        if self.today is not None:
            return self.today
        pinned = os.environ.get("DRAFTER_TODAY")
        try:
            return dt.date.fromisoformat(pinned) if pinned else dt.date.today()
        except ValueError:
            return dt.date.today()

    # --- calls -----------------------------------------------------------------------------

    def _structured(self, step: str, messages: list[dict[str, str]], schema: dict[str, Any],
                    parse: Callable[[Any], T], usage: Usage) -> T:
        """A JSON answer parsed by ``parse``: one more try when it does not fit, then an error.

        The answer is validated here whatever the server promised (:func:`check_bounds`,
        then ``parse``), so a server that steps down to plain JSON is held to the schema too.
        """
        problem = ""
        for attempt in range(2):
            done, key = self._json_call(step, messages, schema, usage,
                                        problem if attempt else "")
            try:
                data = _load_json(done)
                check_bounds(data, schema)
                result = parse(data)
            except BadOutput as exc:
                problem = str(exc)
                continue
            self._cache_put(key, done)
            return result
        raise self._bad_output(step, problem)

    def _json_call(self, step: str, messages: list[dict[str, str]], schema: dict[str, Any],
                   usage: Usage, problem: str) -> tuple[Completion, str | None]:
        """One JSON request in the strictest form the server takes.

        ``json_schema`` first; a server that answers 400 "response_format not supported" is
        asked again with ``json_object``, then with the schema in the prompt and no
        ``response_format``. What worked is remembered per server (in the engine's cache,
        so a triage store keeps it across runs) and asked first from then on.
        """
        while True:
            mode = self._json_mode()
            fmt, asked = _json_request(mode, step, schema, messages)
            if problem:
                asked = _with_repair(asked, problem, _JSON_HINT)
            key = self._cache_key(step, asked, fmt)
            cached = self._cache_get(key)
            if cached is not None:
                return cached, key
            try:
                return self._call(step, asked, usage, fmt=fmt), key
            except _FormatRefused as refused:
                if not self._step_down(mode):
                    raise self._error(refused.cause) from None

    def _json_mode(self) -> str:
        if self._format_mode is None:
            key = self._mode_key()
            remembered = self.cache[key] if self.cache is not None and key in self.cache \
                else None
            self._format_mode = remembered if remembered in _JSON_MODES else "json_schema"
        return self._format_mode

    def _step_down(self, mode: str) -> bool:
        """Ask less of the server from now on; False when there is nothing less to ask
        (or the configuration named the mode: ``[llm] structured``)."""
        lower = _STEP_DOWN.get(mode)
        if lower is None or self.structured != "auto":
            return False
        self._format_mode = lower
        if self.cache is not None:
            self.cache[self._mode_key()] = lower
        return True

    def _mode_key(self) -> str:
        return f"drafter:json-mode:{self.base_url or 'api.openai.com'}:{self.model or ''}"

    def _text(self, step: str, messages: list[dict[str, str]], usage: Usage,
              on_text: Callable[[str], None] | None) -> str:
        """A plain-text reply, streamed when ``on_text`` is given; one more try if unusable."""
        problem = ""
        for attempt in range(2):
            if attempt and on_text is not None:
                on_text(RESTART)
            asked = _with_repair(messages, problem, _TEXT_HINT) if attempt else messages
            # A reply cut off by the limit is usually a small model repeating itself.
            unloop = attempt > 0 and "cut off" in problem
            key = self._cache_key(step, asked, None, unloop)
            cached = self._cache_get(key)
            if cached is not None:
                done = cached
                if on_text is not None:
                    on_text(cached.text)
            else:
                done = self._call(step, asked, usage, on_text=on_text, unloop=unloop)
            try:
                text = _reply_text(done)
            except BadOutput as exc:
                problem = str(exc)
                continue
            self._cache_put(key, done)
            return text
        raise self._bad_output(step, problem)

    def _call(self, step: str, messages: list[dict[str, str]], usage: Usage, *,
              fmt: dict[str, Any] | None = None,
              on_text: Callable[[str], None] | None = None, unloop: bool = False) -> Completion:
        """One request; its tokens go to ``usage`` under ``step``, whatever its outcome.

        A server that reports no usage (some do not, when streaming) gets an *estimate* of
        about four characters a token rather than a zero, so cost is never silently
        under-counted. The SDK's own retries (429, 5xx, timeouts) are not separate calls.
        """
        client = self._get_client()
        request = self._request(step, messages, fmt, unloop)
        try:
            with self.request_gate:
                if on_text is None:
                    done = _complete(client, request)
                else:
                    done = _stream(client, request, on_text, self._stream_options)
        except _api_errors() as exc:
            if fmt is not None and _refuses(exc, ("response_format", "json_schema",
                                                  "json_object", "structured output")):
                raise _FormatRefused(exc) from None
            if on_text is not None and self._stream_options and _refuses(exc,
                                                                          ("stream_options",)):
                self._stream_options = False  # learnt once: this server has no usage chunk
                return self._call(step, messages, usage, fmt=fmt, on_text=on_text,
                                  unloop=unloop)
            if not _unparsed_output(exc):
                raise self._error(exc) from None
            done = Completion("", UNPARSED, 0, 0)
        except json.JSONDecodeError:
            raise EngineError(f"the server at {self.base_url or 'api.openai.com'} did not answer "
                              "in the OpenAI protocol (not JSON): is the base URL right? "
                              "It usually ends in /v1") from None
        if not done.prompt_tokens and not done.completion_tokens:
            done.prompt_tokens = _estimate_tokens(json.dumps(messages, ensure_ascii=False))
            done.completion_tokens = _estimate_tokens(done.text)
        usage.add(step, done.prompt_tokens, done.completion_tokens, done.cached_tokens)
        return done

    def _request(self, step: str, messages: list[dict[str, str]], fmt: dict[str, Any] | None,
                 unloop: bool = False) -> dict[str, Any]:
        """The Chat Completions parameters. ``unloop`` (the retry of a reply that ran into the
        token limit) adds a frequency penalty on self-hosted servers, where small models loop;
        OpenAI's reasoning models refuse the parameter, so it is never sent there."""
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        request[providers.limit_param(self.base_url)] = providers.completion_limit(
            self._max_tokens(step), self.model)
        request.update(providers.sampling(self.model, self.temperature))
        if fmt is not None:
            request["response_format"] = fmt
        if unloop and not self._is_openai():
            request["frequency_penalty"] = UNLOOP_PENALTY
        return request

    def _max_tokens(self, step: str) -> int:
        """The step's own limit, or ``max_tokens`` for every step when configured."""
        limit = self.max_tokens or STEP_MAX_TOKENS[step]
        if self.context_tokens:
            limit = min(limit, self.context_tokens // 2)
        return limit

    def _is_openai(self) -> bool:
        """OpenAI and Azure take ``max_completion_tokens``; other servers know ``max_tokens``."""
        return providers.speaks_openai(self.base_url)

    # --- client, model and server discovery ------------------------------------------------

    def _get_client(self) -> Any:
        if self._client is None:
            import openai

            options: dict[str, Any] = {
                # A local server takes any key; the SDK insists on one.
                "api_key": self.api_key or "not-needed",
                "base_url": self.base_url,
                "timeout": self.timeout,
            }
            if self.max_retries is not None:
                options["max_retries"] = self.max_retries
            self._client = openai.OpenAI(**options)
        return self._client

    def prepare(self) -> None:
        """Import the SDK, build the client and learn the model now, before the first email:
        a batch's worker processes do it while the inputs are read. A server that cannot be
        reached is reported by the first real call instead, with its email."""
        with contextlib.suppress(EngineError):
            self._get_client()
            self._ready()

    def _ready(self) -> None:
        """Pick the model and learn the context size, once, from a server that lists them.
        A server that could not be reached is asked again by the next call."""
        if self._discovered:
            return
        if not self.base_url:
            self._discovered = True
            return
        import openai

        try:
            offered = self._models()
        except (openai.APIConnectionError, openai.AuthenticationError) as exc:
            raise self._error(exc) from None  # the chat call would fail the same way
        except _api_errors():
            # Some servers have no /models; the chat call will say what is wrong, if anything.
            self.model = self.model or DEFAULT_MODEL
            self._discovered = True
            return
        self.model = self.model or _pick_model(offered, self.base_url)
        entry = next((m for m in offered if m["id"] == self.model), None)
        if entry and entry["context"]:
            self.context_tokens = int(entry["context"])
        self._discovered = True

    # --- cache -----------------------------------------------------------------------------

    def _cache_key(self, step: str, messages: list[dict[str, str]],
                   fmt: dict[str, Any] | None, unloop: bool = False) -> str | None:
        if self.cache is None:
            return None
        request = self._request(step, messages, fmt, unloop)
        blob = json.dumps([self.base_url, request], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _cache_get(self, key: str | None) -> Completion | None:
        if key is None or self.cache is None or key not in self.cache:
            return None
        return Completion(self.cache[key], "stop", 0, 0)

    def _cache_put(self, key: str | None, done: Completion) -> None:
        if key is not None and self.cache is not None:
            self.cache[key] = done.text

    # --- errors ----------------------------------------------------------------------------

    def _bad_output(self, step: str, problem: str) -> EngineError:
        what = _WHAT.get(step, step)
        if "refused" in problem:
            hint = "the email may touch the provider's content rules: write this reply by hand"
        elif "cut off" in problem or "JSON" in problem:
            hint = "try again, raise [llm] max_tokens, or use a larger model"
        elif "stream" in problem or "no choices" in problem:
            hint = "the server or a proxy in between dropped the answer: try again"
        else:
            hint = "try again, or use a larger model"
        return EngineError(f"the model ({self.model}) gave an unusable {what} twice ({problem}); "
                           f"{hint}")

    def _error(self, exc: Exception) -> EngineError:
        return EngineError(describe_error(exc, self.base_url or "https://api.openai.com/v1",
                                          self.model, self.timeout, self.api_key))


# --- requests and answers --------------------------------------------------------------------


def _complete(client: Any, request: dict[str, Any]) -> Completion:
    """One answer, through the SDK's documented low-level ``client.post``.

    ``chat.completions.create`` walks the whole request (messages and the JSON schema)
    through its TypedDict transform and builds pydantic models of the answer: 2.6 ms of CPU
    a call against 1.2 ms this way, which is what limits a 32-wide triage on two cores. The
    wire request is the same, and so are the SDK's retries, Retry-After, timeouts and
    errors; the answer is read as the plain JSON it is.
    """
    data = client.post("/chat/completions", body=request, cast_to=object)
    if not isinstance(data, dict):  # not JSON at all: the SDK hands back the text
        raise json.JSONDecodeError("not a JSON object", str(data)[:80], 0)
    return completion_from_json(data)


def completion_from_json(data: dict[str, Any]) -> Completion:
    """A Chat Completions answer (as JSON) reduced to a Completion; missing parts are empty."""
    choices = data.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    choice = first if isinstance(first, dict) else {}
    message = choice.get("message")
    text = message.get("content") if isinstance(message, dict) else None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    finish = choice.get("finish_reason")
    refusal = message.get("refusal") if isinstance(message, dict) else None
    if isinstance(refusal, str) and refusal.strip() and not text:
        text, finish = refusal, "refusal"  # what the model said instead, for the message
    elif first is None:
        finish = NO_CHOICES
    details = usage.get("prompt_tokens_details")
    cached = _count(details.get("cached_tokens")) if isinstance(details, dict) else 0
    return Completion(text if isinstance(text, str) else "",
                      finish if isinstance(finish, str) else None,
                      _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")),
                      cached)


def _count(value: Any) -> int:
    """A token count as the server reported it; anything but a whole number counts as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _stream(client: Any, request: dict[str, Any], on_text: Callable[[str], None],
            usage_chunk: bool = True) -> Completion:
    """A streamed answer, each new piece passed to ``on_text`` as it arrives.

    Token counts come from the final chunk (``stream_options.include_usage``); a server that
    leaves them out, or refuses ``stream_options`` (``usage_chunk`` False), gets an
    estimate instead (see ``_estimate_tokens``).
    """
    extra = {"stream_options": {"include_usage": True}} if usage_chunk else {}
    stream = client.chat.completions.create(**request, stream=True, **extra)
    parts: list[str] = []
    finish: str | None = None
    prompt_tokens = completion_tokens = 0
    refusal: list[str] = []
    cached = 0
    try:
        for chunk in stream:
            if getattr(chunk, "usage", None):
                prompt_tokens = chunk.usage.prompt_tokens or 0
                completion_tokens = chunk.usage.completion_tokens or 0
                details = getattr(chunk.usage, "prompt_tokens_details", None)
                cached = (getattr(details, "cached_tokens", 0) or 0) if details else 0
            for choice in chunk.choices or ():
                piece = choice.delta.content if choice.delta else None
                if piece:
                    parts.append(piece)
                    on_text(piece)
                said = getattr(choice.delta, "refusal", None) if choice.delta else None
                if said:
                    refusal.append(said)
                finish = choice.finish_reason or finish
    except json.JSONDecodeError:
        # One malformed event mid-stream: the answer is lost, the server is probably fine.
        return Completion("".join(parts), BROKEN_STREAM, prompt_tokens, completion_tokens,
                          cached)
    if refusal and not parts:
        return Completion("".join(refusal), "refusal", prompt_tokens, completion_tokens, cached)
    # A stream that stops without a finish reason (the connection closed, a proxy gave up)
    # ended early: "...whichever option y" must never pass as a complete draft.
    return Completion("".join(parts), finish or INCOMPLETE, prompt_tokens, completion_tokens,
                      cached)


_JSON_HINT = "with one complete JSON object that follows the schema exactly"
_TEXT_HINT = "with the whole reply, complete and shorter (under 250 words)"


def _with_repair(messages: list[dict[str, str]], problem: str,
                 hint: str) -> list[dict[str, str]]:
    """The retry's messages: the same request plus what was wrong with the first answer.

    Asking the same thing again would, at temperature 0, get the same answer again.
    """
    note = f"Your previous answer could not be used ({problem}). Answer again, {hint}."
    return [*messages, {"role": "user", "content": note}]


def _estimate_tokens(text: str) -> int:
    """About four characters a token: used only when a server reports no usage at all."""
    return max(1, len(text) // 4) if text else 0


def _load_json(done: Completion) -> Any:
    _check_finish(done)
    text = done.text.strip()
    if text.startswith("```"):  # a model that wraps JSON in a code fence anyway
        text = text.strip("`").removeprefix("json").strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadOutput(f"not valid JSON: {exc.msg} at character {exc.pos}") from None


def _reply_text(done: Completion) -> str:
    _check_finish(done)
    text = done.text.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text.strip("`").strip()
    lines = text.splitlines()
    if lines and lines[0].lower().startswith("subject:"):
        text = "\n".join(lines[1:]).strip()
    if not text:
        raise BadOutput("an empty reply")
    if len(text) > MAX_REPLY_CHARS:
        # Never passed on (nor sent back whole to a judge): nobody sends a customer this.
        raise BadOutput(f"a reply of {len(text):,} characters, far too long to send")
    return text + "\n"


class _FormatRefused(Exception):
    """The server refused the request's ``response_format``: ask again with less."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


_STEP_DOWN = {"json_schema": "json_object", "json_object": "prompted"}
_JSON_MODES = ("json_schema", "json_object", "prompted")


def _refuses(exc: Exception, words: tuple[str, ...]) -> bool:
    """A 400/422 that names a request parameter the server does not support."""
    if getattr(exc, "status_code", None) not in (400, 422):
        return False
    text = str(exc).lower()
    return any(w in text for w in words)


def _json_request(mode: str, step: str, schema: dict[str, Any],
                  messages: list[dict[str, str]]) -> tuple[dict[str, Any] | None,
                                                         list[dict[str, str]]]:
    """The ``response_format`` and messages for asking ``mode``'s way."""
    if mode == "json_schema":
        return response_format(step, schema), messages
    hint = ("Answer with one JSON object and nothing else: no prose, no code fence. It must "
            "follow this JSON schema exactly: "
            + json.dumps(schema, ensure_ascii=False, separators=(",", ":")))
    asked = [*messages, {"role": "user", "content": hint}]
    return ({"type": "json_object"} if mode == "json_object" else None), asked


def _unparsed_output(exc: Exception) -> bool:
    """llama.cpp's 500 for a model answer its own output parser rejects: the model's fault,
    so it is retried like any unusable answer rather than reported as a broken server."""
    return getattr(exc, "status_code", None) == 500 and "model produced output" in str(exc)


def _check_finish(done: Completion) -> None:
    if done.finish_reason == UNPARSED:
        raise BadOutput("the server could not parse the model's output")
    if done.finish_reason == "length":
        raise BadOutput("cut off by the token limit")
    if done.finish_reason == "content_filter":
        raise BadOutput("stopped by the server's content filter")
    if done.finish_reason == INCOMPLETE:
        raise BadOutput("the stream ended before the reply was finished (no finish reason)")
    if done.finish_reason == BROKEN_STREAM:
        raise BadOutput("the stream broke mid-answer (a malformed event)")
    if done.finish_reason == NO_CHOICES:
        raise BadOutput("the server answered with no choices (no reply at all)")
    if done.finish_reason == "refusal":
        said = " ".join(done.text.split())[:120]
        raise BadOutput(f"the model refused{': ' + repr(said) if said else ''}")


# --- what the model is trusted with ----------------------------------------------------------


def with_safety_net(analysis: Analysis, email: Email) -> Analysis:
    """The model's analysis with the rules' escalation and facts merged in.

    Escalation is OR-ed: the rules' flags always stand, and the model adds its own only for
    sentences it quotes from the email (a model's unquoted "escalate" is too easy to get
    wrong, and a customer's email must not be able to switch the rules off). Facts: the
    extractor's first, then the model's whose text is really in the email.
    """
    from drafter.escalation import action_for, assess_escalation, summarize
    from drafter.facts import extract_facts
    from drafter.industry import detect_industry
    from drafter.language import detect_language

    source = f"{email.subject}\n{email.body}"
    rules = assess_escalation(email.body)
    quoted = [t for t in analysis.escalation.triggers if _in_text(t.sentence, source)]
    for t in quoted:
        t.source = "llm"
        t.action = action_for(t.reason)
    triggers = rules.triggers + [t for t in quoted
                                 if not any(_same(t.sentence, r.sentence) and t.reason == r.reason
                                            for r in rules.triggers)]
    analysis.escalation = summarize(triggers, rules.notes)
    analysis.facts = _merge_facts(extract_facts(source), analysis.facts, source)
    analysis.industry = detect_industry(source)  # the schema has no industry: the model's own
    _stronger_mood(analysis, email)
    _checked_language(analysis, email, detect_language)
    return analysis


def _stronger_mood(analysis: Analysis, email: Email) -> None:
    """The angrier of the model's and the offline reading: a model that scores five angry
    emails 0 must not stop triage drafting them (``--min-anger``)."""
    from drafter.analyze import score_anger

    rules = score_anger(f"{email.subject}\n{email.body}")
    if rules > analysis.anger:
        analysis.notes.append(f"mood: the model read anger {analysis.anger}, the offline "
                              f"analysis {rules}; kept {rules}")
        analysis.anger = rules


#: ISO 639-1 codes: a model's "dz" for an English email is caught by detection, and a code
#: outside this list ("xx", "english") is never passed on.
ISO_639_1 = frozenset("""aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca
ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu
gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko
kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn
so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo
xh yi yo za zh zu""".split())


def _checked_language(analysis: Analysis, email: Email, detect: Callable[..., str]) -> None:
    """The language detection is sure of wins over the model's; an unknown code never
    stands."""
    detected = detect(email.body, unknown="und")
    claimed = analysis.language
    if detected != "und" and detected != claimed:
        if claimed in ISO_639_1:
            analysis.notes.append(f"language: the model said {claimed!r}, detection "
                                  f"{detected!r}; kept {detected!r}")
        analysis.language = detected
    elif claimed not in ISO_639_1:
        analysis.language = detect(email.body)


def _merge_facts(rule_facts: list[Fact], model_facts: Iterable[Fact], source: str) -> list[Fact]:
    from drafter.facts import normalize_amount

    merged = list(rule_facts)
    seen = {(f.kind, f.value.lower()) for f in merged} | {(f.kind, f.text.lower()) for f in merged}
    for fact in model_facts:
        value = fact.value
        if fact.kind == "amount":
            try:
                value = normalize_amount(re.sub(r"[^\d.,]", "", value)) or value
            except ValueError:
                continue
        if not fact.text or not _in_text(fact.text, source):
            continue
        if (fact.kind, value.lower()) in seen or (fact.kind, fact.text.lower()) in seen:
            continue
        seen.add((fact.kind, value.lower()))
        merged.append(Fact(fact.kind, value, fact.text))
    return merged


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).strip(" \"'“”‘’.!?")


def _in_text(snippet: str, text: str) -> bool:
    needle = _norm(snippet)
    return len(needle) >= 3 and needle in " ".join(text.lower().split())


def _same(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


# --- prompt context --------------------------------------------------------------------------


def fence(text: str) -> str:
    """``text`` safe to put between our tags: any of our tag names inside it is defused.

    ``</customer_email>`` in an email becomes ``‹/customer_email>``, so the email cannot end
    its own fence and smuggle instructions after it.
    """
    return _FENCE_RE.sub(lambda m: "‹" + m.group(1) + m.group(2), text)


def fenced_analysis(analysis: Analysis | None) -> Analysis | None:
    """The analysis with its free text defused: a model copies it from the email, so the
    email's attempts to close a fence can arrive through the summary or the wants too."""
    if analysis is None:
        return None
    import dataclasses

    return dataclasses.replace(
        analysis,
        summary=fence(analysis.summary),
        wants=[fence(w) for w in analysis.wants],
        grievances=[fence(g) for g in analysis.grievances],
        facts=[dataclasses.replace(f, text=fence(f.text)) for f in analysis.facts],
    )


def _email_context(email: Email) -> dict[str, Any]:
    return {
        "email": email,
        "customer_email": fence(email.body.strip()),
        "earlier_thread": fence(email.quoted.strip()),
        "subject": fence(" ".join(email.subject.split())),
        # Fenced like the rest and inside its own tag: a display name is the customer's
        # text too (issue 11, item 12).
        "sender_name": fence(" ".join(email.sender_name.split())),
    }


def _option_context(option: Option, analysis: Analysis | None,
                    policy: Policy) -> dict[str, str]:
    """One allowed option for a prompt: its offer with the amount filled as the offline
    reply would (the customer's amount, capped by policy), its limit and when it applies."""
    from drafter.engines.offline import money, offer_text

    cap = money(option.max_amount, policy.currency) if option.max_amount is not None else ""
    offer = offer_text(option, analysis or Analysis(summary=""), policy)
    return {"kind": option.kind, "offer": offer, "max_amount": cap, "when": option.when}


def _finding_context(finding: Finding) -> dict[str, str]:
    return {"rule": finding.rule, "excerpt": fence(finding.excerpt),
            "message": finding.message, "suggestion": finding.suggestion}


def bounded(schema: dict[str, Any], max_items: int = 5, max_chars: int = 120) -> dict[str, Any]:
    """A copy of ``schema`` with a bound on every unbounded array and free-text string.

    Grammar-constrained small models otherwise fill a list, or repeat a sentence, until the
    token limit (see ``schemas._text`` for why a ``pattern``), and llama.cpp answers a JSON
    answer cut off that way with a 500. The defaults keep the judge's worst case (five
    findings of three 120-character strings) well inside its token limit. Enums and patterns are
    kept.
    """
    out = {k: bounded(v, max_items, max_chars) if isinstance(v, dict) else v
           for k, v in schema.items()}
    if out.get("type") == "array" and "maxItems" not in out:
        out["maxItems"] = max_items
    if out.get("type") == "string" and not {"enum", "pattern", "const", "format"} & set(out):
        out["pattern"] = text_pattern(max_chars)
    return out


def _reply_subject(subject: str) -> str:
    from drafter.engines.offline import reply_subject

    return reply_subject(subject)


# --- models and errors -----------------------------------------------------------------------


def _context_size(model: Any) -> int | None:
    """The context window a server reports, under whichever name it uses."""
    extra = getattr(model, "model_extra", None) or {}
    meta = extra.get("meta") or {}
    for value in (meta.get("n_ctx"), extra.get("max_model_len"), extra.get("context_length"),
                  extra.get("context_window")):
        if isinstance(value, int) and value > 0:
            return value
    return None


def _pick_model(offered: list[dict[str, Any]], base_url: str) -> str:
    """The only model a server offers, or the default if it offers it; else ask the user."""
    ids = [m["id"] for m in offered]
    if len(ids) == 1:
        return ids[0]
    if not ids or DEFAULT_MODEL in ids:
        return DEFAULT_MODEL
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    raise EngineError(f"the server at {base_url} offers {len(ids)} models ({shown}); "
                      "choose one with --model, OPENAI_MODEL or [llm] model")


def _api_errors() -> tuple[type[Exception], ...]:
    """What talking to a server can raise: the SDK's errors and, mid-stream, the transport's.

    Nothing, when the SDK was never imported: the client is a double (``drafter prompts
    render`` captures the request), and importing the SDK only to name its errors would
    cost a second of a command that sends nothing."""
    import sys

    if "openai" not in sys.modules:
        return ()
    import openai

    errors: list[type[Exception]] = [openai.APIError]
    for name in ("httpx2", "httpx"):
        try:
            errors.append(__import__(name).HTTPError)
            break
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def describe_error(exc: Exception, base_url: str, model: str | None, timeout: float,
                   api_key: str | None = None) -> str:
    """One line a person can act on, for anything the SDK or the network raised; nothing
    key-shaped (nor the configured key) survives into it, whatever the server echoed."""
    from drafter.text import redact_secrets

    return redact_secrets(_describe(exc, base_url, model, timeout), api_key,
                          os.environ.get("OPENAI_API_KEY"))


def _describe(exc: Exception, base_url: str, model: str | None, timeout: float) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return (f"the model server at {base_url} did not answer within {timeout:g} s "
                "(timeout); try again or raise [llm] timeout")
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the model server at {base_url} — is it running?"
    if isinstance(exc, openai.AuthenticationError):
        return (f"the model server at {base_url} rejected the API key (401): "
                "check OPENAI_API_KEY")
    if isinstance(exc, openai.PermissionDeniedError):
        return f"the API key may not use model {model!r} at {base_url} (403): {_detail(exc)}"
    if isinstance(exc, openai.NotFoundError):
        return (f"model {model!r} not found at {base_url} (404): `drafter models` lists what "
                "the server offers, and the base URL usually ends in /v1")
    if isinstance(exc, openai.RateLimitError):
        return f"rate limited by the model server (429) after retrying: {_detail(exc)}"
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        kind = "failed" if code >= 500 else "refused the request"
        retried = " after retrying" if code >= 500 else ""
        return f"the model server {kind} ({code}){retried}: {_detail(exc)}"
    if isinstance(exc, openai.APIError):
        return f"the model server sent something unexpected: {_detail(exc)}"
    return f"talking to the model server at {base_url} failed: {type(exc).__name__}: {exc}"


def _detail(exc: Exception) -> str:
    """The server's own message, on one line and not too long."""
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message", "") if isinstance(inner, dict) else str(inner)
    message = " ".join(str(message or getattr(exc, "message", "") or exc).split())
    return message[:200] + ("…" if len(message) > 200 else "")
