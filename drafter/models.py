"""The data that flows through the pipeline: Email → Analysis → Draft → CheckResult.

These are plain dataclasses so that every engine, renderer and test speaks the same
vocabulary, and so that the JSON contract in the README is produced in exactly one place
(each ``to_dict``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

#: The seven classic mistakes (DESIGN.md). Stable ids: JSON and rule packs use them.
MISTAKES: tuple[str, ...] = (
    "customer-is-wrong",
    "arguing",
    "calm-down",
    "no-apology",
    "raised-voice",
    "no-venting",
    "all-i-can-do",
)


@dataclass
class Email:
    """One customer message, cleaned so that only the customer's newest words remain in ``body``.

    ``quoted`` keeps the earlier thread as context (never as the thing to answer), and the
    header fields are kept so a reply can thread correctly in a mail client.
    """

    body: str
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    sender_address: str = ""
    to: str = ""
    date: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    quoted: str = ""
    signature: str = ""
    content_type: str = "text/plain"
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fact:
    """A checkable detail the customer gave: an order id, an amount, a date.

    Drafts may only repeat facts that are here or in the policy (the ``invented-fact`` rule).
    """

    kind: str  # order_id | account_id | ticket_id | tracking | amount | date
    value: str  # normalised (e.g. "12.99" for "$12.99", "1240" for "1.240,00 €")
    text: str  # as written by the customer
    currency: str = ""  # an amount's ISO 4217 code when the text names one ("EUR", "GBP")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.currency:
            del data["currency"]
        return data


@dataclass
class Trigger:
    """A sentence that made the analysis flag the email for a person, and why.

    ``source`` says who found it: ``rule`` (the rule pack), ``model`` (the escalation
    model, with its ``probability`` and the n-grams that weighed most in ``features``),
    ``llm`` (the language model, quoting the email) or ``language`` (a language the
    detector does not cover). ``action`` is ``required`` (no draft) or ``review`` (a person
    reads the draft first). ``start``/``end`` are offsets of the sentence in the email body.
    """

    reason: str  # violence | crisis | legal
    sentence: str
    source: str = "rule"
    action: str = ""
    probability: float | None = None
    features: list[str] = field(default_factory=list)
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Escalation:
    """Whether a person must take over.

    ``required`` (violence, crisis) means no draft is written at all; ``review`` (legal
    threats, and anything ambiguous) lets a draft be written but marks it for a person to
    approve. ``guidance`` is a short, neutral note for the agent on what to do next;
    ``notes`` say what the detector could not judge (an uncovered language).
    """

    required: bool = False
    review: bool = False
    reasons: list[str] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    guidance: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            "review": self.review,
            "reasons": list(self.reasons),
            "triggers": [t.to_dict() for t in self.triggers],
            "guidance": self.guidance,
            "notes": list(self.notes),
        }


@dataclass
class Analysis:
    """The "make time to listen" step: what happened, what the customer wants, how they feel."""

    summary: str
    wants: list[str] = field(default_factory=list)
    grievances: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    anger: int = 0  # 0 calm … 5 furious
    urgency: str = "normal"  # low | normal | high
    churn_risk: str = "low"  # low | medium | high
    language: str = "en"  # ISO 639-1
    category: str = "other"
    #: The company's industry (drafter.industry.INDUSTRIES): the built-in policy fits it.
    industry: str = "other"
    escalation: Escalation = field(default_factory=Escalation)
    #: Where the model's reading and the rules' disagreed, and which was kept.
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "summary": self.summary,
            "wants": list(self.wants),
            "grievances": list(self.grievances),
            "facts": [f.to_dict() for f in self.facts],
            "anger": self.anger,
            "urgency": self.urgency,
            "churn_risk": self.churn_risk,
            "language": self.language,
            "category": self.category,
            "industry": self.industry,
            "escalation": self.escalation.to_dict(),
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        esc = data.get("escalation") or {}
        return cls(
            summary=str(data.get("summary", "")),
            wants=[str(w) for w in data.get("wants", [])],
            grievances=[str(g) for g in data.get("grievances", [])],
            facts=[Fact(**f) for f in data.get("facts", [])],
            anger=int(data.get("anger", 0)),
            urgency=str(data.get("urgency", "normal")),
            churn_risk=str(data.get("churn_risk", "low")),
            language=str(data.get("language", "en")),
            category=str(data.get("category", "other")),
            industry=str(data.get("industry", "other")),
            escalation=Escalation(
                required=bool(esc.get("required", False)),
                review=bool(esc.get("review", False)),
                reasons=[str(r) for r in esc.get("reasons", [])],
                triggers=[Trigger(**t) for t in esc.get("triggers", [])],
                guidance=str(esc.get("guidance", "")),
                notes=[str(n) for n in esc.get("notes", [])],
            ),
            notes=[str(n) for n in data.get("notes", [])],
        )


@dataclass
class Draft:
    """A reply ready for an agent to read: subject line and plain-text body."""

    subject: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    """One problem in a reply, located by character offsets so tools can underline it."""

    rule: str
    mistake: str | None
    severity: Severity
    start: int
    end: int
    excerpt: str
    message: str
    suggestion: str = ""
    source: str = "rules"  # rules | model | judge
    #: How sure the source is: 1.0 for a rule (a pattern matched), the model's probability
    #: for a model finding, None for the judge (an LLM gives no calibrated figure).
    confidence: float | None = 1.0
    #: For a model finding, the n-grams that weighed most (why it fired).
    features: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    """The checker's verdict. ``passed`` is false as soon as one error-severity finding remains."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Which checks ran: "rules", "model", "gate", "judge". "passed" is the verdict of all.
    checks: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
            "checks": list(self.checks),
        }


@dataclass
class StepUsage:
    """Tokens spent by one model call, so cost can be attributed to a pipeline step."""

    step: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, served from the provider's prompt cache

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Usage:
    """Model calls and tokens for one email. The offline engine leaves it at zero."""

    steps: list[StepUsage] = field(default_factory=list)

    def add(self, step: str, prompt_tokens: int = 0, completion_tokens: int = 0,
            cached_tokens: int = 0) -> None:
        self.steps.append(StepUsage(step, prompt_tokens, completion_tokens, cached_tokens))

    @property
    def calls(self) -> int:
        return len(self.steps)

    @property
    def prompt_tokens(self) -> int:
        return sum(s.prompt_tokens for s in self.steps)

    @property
    def completion_tokens(self) -> int:
        return sum(s.completion_tokens for s in self.steps)

    @property
    def cached_tokens(self) -> int:
        return sum(s.cached_tokens for s in self.steps)

    def cost(self, model: str | None) -> float | None:
        """Estimated US dollars at list prices (``drafter.pricing``); None when unknown."""
        from drafter.pricing import estimate_cost

        if not self.steps:
            return 0.0
        return estimate_cost(model, self.prompt_tokens, self.completion_tokens,
                             cached_tokens=self.cached_tokens)

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass
class DraftResult:
    """Everything ``drafter draft`` knows about one email; ``to_dict`` is the JSON contract."""

    email: Email
    analysis: Analysis
    draft: Draft | None
    check: CheckResult
    engine: str
    model: str | None = None
    usage: Usage = field(default_factory=Usage)
    revisions: int = 0
    notices: list[str] = field(default_factory=list)

    @property
    def escalated(self) -> bool:
        return self.analysis.escalation.required

    @property
    def ok(self) -> bool:
        """True when an agent can send the draft as is (exit code 0)."""
        return self.draft is not None and self.check.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "email": self.email.to_dict(),
            "analysis": self.analysis.to_dict(),
            "draft": self.draft.to_dict() if self.draft else None,
            "check": self.check.to_dict(),
            "engine": self.engine,
            "model": self.model,
            "usage": {**self.usage.to_dict(), "cost_usd": _rounded(self.usage.cost(self.model))},
            "revisions": self.revisions,
            "escalated": self.escalated,
            "notices": list(self.notices),
        }


def _rounded(cost: float | None) -> float | None:
    return None if cost is None else round(cost, 6)
