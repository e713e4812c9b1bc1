"""What each template is given, and the exact messages it turns into.

Rather than keep a second copy of the engines' context-building code (which would drift), the
workbench asks the engines themselves. Two small doubles make that possible without a model:

* :class:`RecordingPrompts` is a template set that records the variables an engine passes to
  ``render``/``messages`` and stops right there: that is the *provided* variable set lint
  compares a template against, with real sample values for attribute checks;
* :class:`CaptureClient` stands in for the ``openai`` client and stops at the first request:
  that is the *exact* request (messages, model, parameters) ``prompts render`` prints.

Both run the engines' public step methods, so whatever the engines change, the workbench sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from drafter.models import Analysis, Draft, Email, Finding, Usage
from drafter.policy import Option, Policy
from drafter.prompts import Messages, Prompts
from drafter.workbench.catalog import MODEL_TEMPLATES

#: A fixed date so that rendered prompts (and their cache keys) are reproducible.
SAMPLE_TODAY = dt.date(2026, 11, 23)
#: Used when nothing names a model: rendering needs one, and no call is made.
PLACEHOLDER_MODEL = "gpt-4o-mini"


class Captured(Exception):
    """Raised by the doubles to stop an engine at the point of interest."""

    def __init__(self, payload: Any) -> None:
        super().__init__("captured")
        self.payload = payload


class RecordingPrompts(Prompts):
    """A template set that records each render's variables and, with ``stop``, renders nothing."""

    def __init__(self, base: Prompts, *, stop: bool = True) -> None:
        super().__init__(base.dirs[:-1])
        self.stop = stop
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def render(self, name: str, **context: Any) -> str:
        self.calls.append((name, context))
        if self.stop:
            raise Captured((name, context))
        return super().render(name, **context)

    def messages(self, name: str, **context: Any) -> Messages:
        self.calls.append((name, context))
        if self.stop:
            raise Captured((name, context))
        return super().messages(name, **context)


class CaptureClient:
    """Looks enough like ``openai.OpenAI`` for the engine; the first request stops it."""

    def __init__(self) -> None:
        self.chat = self
        self.completions = self

    def post(self, path: str, *, body: dict[str, Any], cast_to: Any) -> Any:
        raise Captured(body)

    def create(self, **request: Any) -> Any:  # a streamed request
        raise Captured(request)


@dataclass
class StepInputs:
    """Everything a pipeline step can be given: the analysis, the draft and the findings."""

    email: Email
    policy: Policy
    analysis: Analysis
    draft: Draft
    findings: list[Finding] = field(default_factory=list)


def model_engine(prompts: Prompts, *, model: str | None = None, base_url: str | None = None,
                 context_tokens: int | None = None, today: dt.date | None = None,
                 **options: Any) -> Any:
    """An openai engine wired to :class:`CaptureClient`: it renders, it never sends."""
    from drafter.engines.openai_engine import OpenAIEngine

    allowed = {"temperature", "max_tokens", "max_input_chars"}
    engine = OpenAIEngine(prompts=prompts, model=model or PLACEHOLDER_MODEL, base_url=base_url,
                          client=CaptureClient(), today=today or SAMPLE_TODAY,
                          **{k: v for k, v in options.items() if k in allowed and v is not None})
    engine.context_tokens = context_tokens
    return engine


def run_step(engine: Any, name: str, inputs: StepInputs) -> Any:
    """Call the engine step that renders template ``name``; returns what a double captured."""
    usage = Usage()
    try:
        if name == "analyze":
            engine.analyze(inputs.email, inputs.policy, usage)
        elif name in ("draft", "offline_reply"):
            engine.draft(inputs.email, inputs.analysis, inputs.policy, usage)
        elif name == "judge":
            engine.judge(inputs.email, inputs.analysis, inputs.draft, inputs.policy, usage)
        elif name == "revise":
            engine.revise(inputs.email, inputs.analysis, inputs.draft, inputs.findings,
                          inputs.policy, usage)
        else:
            raise ValueError(f"no pipeline step renders {name!r}")
    except Captured as got:
        return got.payload
    raise RuntimeError(f"the engine did not render {name!r}")  # pragma: no cover


def provided_context(prompts: Prompts, name: str, inputs: StepInputs) -> dict[str, Any]:
    """The variables (with values) the engine gives template ``name`` for these inputs."""
    recorder = RecordingPrompts(prompts)
    if name == "offline_reply":
        from drafter.engines.offline import OfflineEngine

        engine: Any = OfflineEngine(prompts=recorder, today=SAMPLE_TODAY)
    else:
        engine = model_engine(recorder)
    rendered, context = run_step(engine, name, inputs)
    if rendered != name:  # pragma: no cover - an engine that renders a helper first
        raise RuntimeError(f"expected {name!r} to be rendered, got {rendered!r}")
    return context


def exact_request(prompts: Prompts, name: str, inputs: StepInputs,
                  **engine_options: Any) -> dict[str, Any]:
    """The request the openai engine would send for template ``name``: messages and parameters."""
    if name not in MODEL_TEMPLATES:
        raise ValueError(f"{name!r} is not a model prompt")
    return run_step(model_engine(prompts, **engine_options), name, inputs)


def offline_reply_text(prompts: Prompts, inputs: StepInputs, today: dt.date | None = None) -> str:
    """The offline engine's reply: its template is the whole reply, not chat messages."""
    from drafter.engines.offline import OfflineEngine

    engine = OfflineEngine(prompts=prompts, today=today or SAMPLE_TODAY)
    return engine.draft(inputs.email, inputs.analysis, inputs.policy, Usage()).text


def step_inputs(email: Email, policy: Policy, analysis: Analysis | None = None, *,
                today: dt.date | None = None, with_findings: bool = True) -> StepInputs:
    """The offline engine's analysis, draft and checker findings for ``email``.

    ``prompts render judge|revise`` shows the model what it would see after the offline
    draft: that draft and the checker's findings on it.
    """
    from drafter.engines.offline import OfflineEngine

    offline = OfflineEngine(today=today or SAMPLE_TODAY)
    analysis = analysis or offline.analyze(email, policy, Usage())
    draft = offline.draft(email, analysis, policy, Usage())
    findings: list[Finding] = []
    if with_findings:
        from drafter.checker import check_reply

        result = check_reply(draft.text, email=email, analysis=analysis, policy=policy)
        findings = list(result.findings)
    return StepInputs(email, policy, analysis, draft, findings)


# --- samples for lint -------------------------------------------------------------------------

#: Emails chosen so templates' branches are taken both ways: a thread, a sender name, facts,
#: several wants and a legal threat (review) in one; nothing at all in the other.
_SAMPLE_EMAILS = (
    Email(
        subject="Order A-12345 still not here",
        sender="Dana Whitfield <dana@example.com>", sender_name="Dana Whitfield",
        sender_address="dana@example.com",
        body=("I ordered a rain jacket on November 12 (order A-12345) and paid $12.99 for express "
              "shipping. It's been over a week and nothing has arrived.\n\nI want you to refund "
              "the $12.99 shipping fee. I need the jacket delivered by Tuesday. If this is not "
              "fixed my lawyer will be in touch. This is UNACCEPTABLE!!"),
        quoted="> Thanks for your order A-12345. It ships in 2 days.",
        signature="Dana Whitfield",
    ),
    Email(body="Hello, the app is slow today."),
)


def sample_policies() -> tuple[Policy, Policy]:
    """A policy with every field set, and an empty one (no options, no contact)."""
    full = Policy(
        company="Northwind Outfitters", agent_name="Sam Rivera",
        signoff="Sam Rivera\nCustomer Care", currency="USD", follow_up_days=2,
        follow_up_channel="email", contact="+1 800 555 0199", forbidden=["gift card"],
        options=[
            Option("refund", "a refund of {amount}", 150.0, "for fees and damaged items"),
            Option("replacement", "a replacement at no cost", None, "damaged or wrong items"),
            Option("credit", "a {amount} store credit", 20.0, ""),
        ],
        source="lint sample",
    )
    return full, Policy(source="lint sample (empty)")


def sample_inputs() -> list[StepInputs]:
    """Two sets of step inputs for rendering every template without a model or a checker."""
    from drafter.engines.offline import OfflineEngine

    offline = OfflineEngine(today=SAMPLE_TODAY)
    findings = [
        Finding(rule="no-apology", mistake="no-apology", severity="error", start=0, end=0,
                excerpt="", message="the reply never apologizes",
                suggestion="add an apology that does not admit fault"),
        Finding(rule="calm-down", mistake="calm-down", severity="error", start=0, end=12,
                excerpt="please relax", message="telling the customer to calm down",
                suggestion="acknowledge the feeling instead"),
    ]
    out = []
    for email, policy, found in zip(_SAMPLE_EMAILS, sample_policies(), (findings, []),
                                    strict=True):
        analysis = offline.analyze(email, policy, Usage())
        draft = offline.draft(email, analysis, policy, Usage())
        out.append(StepInputs(email, policy, analysis, draft, list(found)))
    return out
