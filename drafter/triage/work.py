"""One email's work in a triage run: parse it, listen, and (when angry enough) draft and check.

This is what runs in the worker threads or processes. It never raises: every failure becomes
an error row with a reason, marked ``retry`` when it came from the model (the next run tries
again) rather than from the input (which would fail the same way again).

The draft comes from :func:`drafter.pipeline.draft_email`, the same pipeline as ``drafter
draft``. So that an email is analysed once (one model call with ``--no-draft``, and no
second analysis before a draft), the analysis done here is handed to the pipeline through
:class:`_Analysed`, an engine wrapper whose ``analyze`` returns it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drafter.engines import Engine
from drafter.errors import DrafterError, InputError
from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email, Finding, Usage
from drafter.pipeline import DraftOptions, draft_email
from drafter.policy import Policy
from drafter.triage.sources import Entry


@dataclass(frozen=True)
class EngineSpec:
    """How to build the run's engine: picklable, so worker processes can build their own."""

    name: str = "offline"
    prompt_dirs: tuple[str, ...] = ()
    today: dt.date | None = None
    llm_options: tuple[tuple[str, Any], ...] = ()


def build_engine(spec: EngineSpec) -> Engine:
    from drafter.engines.factory import create_engine
    from drafter.prompts import Prompts

    return create_engine(spec.name, prompts=Prompts(list(spec.prompt_dirs)), today=spec.today,
                         **dict(spec.llm_options))


def engine_factory(spec: EngineSpec) -> Callable[[], Engine]:
    return functools.partial(build_engine, spec)


def worker_engine(factory: Callable[[], Engine], gate: Any = None,
                  settings: WorkSettings | None = None) -> Engine:
    """The engine the worker threads of a process share (the SDK client is thread-safe),
    prepared before the first email: SDK imported, client built, model learnt. Its requests
    pass through ``gate``, a semaphore that makes ``--concurrency`` the bound on requests
    in flight rather than on emails; its answers go to the response cache in the
    settings' store, when they name one."""
    engine = factory()
    if gate is not None and hasattr(engine, "request_gate"):
        engine.request_gate = gate  # type: ignore[attr-defined]
    if settings is not None and settings.cache_store and hasattr(engine, "cache"):
        from drafter.store import Store
        from drafter.workbench.cache import CountingCache

        # The same request gets the same answer: a run with other flags (--no-draft first,
        # then the drafts) pays nothing for the analyses again. Disabled, it only writes.
        engine.cache = CountingCache(Store(settings.cache_store),  # type: ignore[attr-defined]
                                     enabled=settings.cache_read)
    prepare = getattr(engine, "prepare", None)
    if callable(prepare):
        prepare()
    return engine


@dataclass
class WorkSettings:
    """What every worker needs to know; picklable (a process pool sends it to each worker)."""

    policy: Policy
    draft_options: DraftOptions = field(default_factory=DraftOptions)
    min_anger: int = 2
    no_draft: bool = False
    want_eml: bool = False
    redact: bool = False
    #: The store file whose response cache a model engine reads and writes (None: none).
    cache_store: str | None = None
    cache_read: bool = True  # False with --fresh: ask again, keep the new answers


@dataclass
class Outcome:
    """A finished email: its row, its ``.eml`` reply (when asked for), and whether to retry."""

    row: dict[str, Any]
    eml: str | None = None
    retry: bool = False


class _Analysed:
    """An engine whose ``analyze`` returns an analysis already made (and already paid for)."""

    def __init__(self, inner: Engine, analysis: Analysis) -> None:
        self._inner = inner
        self._analysis = analysis
        self.name = inner.name
        self.model = inner.model

    def analyze(self, email: Email, policy: Policy, usage: Usage) -> Analysis:
        return self._analysis

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def email_from_row(fields: dict[str, str], source: str) -> Email:
    """An Email from a helpdesk row: its text cleaned like mail (quotes, signature, HTML)."""
    from drafter.mail import parse_bytes
    from drafter.mail.headers import safe_parseaddr

    email = parse_bytes(fields.get("body", "").encode("utf-8"), source)
    sender = fields.get("sender", "")
    name, address = safe_parseaddr(sender)  # a row's sender is as hostile as a header
    email.subject = fields.get("subject", "") or email.subject
    email.sender = sender
    email.sender_address = address if "@" in address else ""
    email.sender_name = fields.get("name", "") or name
    email.date = fields.get("date", "")
    ident = fields.get("id", "")
    email.message_id = ident if ident.startswith("<") and ident.endswith(">") else ""
    return email


def parse_entry(entry: Entry, raw: bytes | dict[str, str]) -> Email:
    """The full parse of a scanned message or row (raises InputError for bad input).

    Messages from a mailbox are always MIME, so they skip :func:`drafter.mail.parse_bytes`'s
    text-or-MIME sniffing and its ``policy.default`` header objects: the compat32 parser
    plus :func:`drafter.mail.email_from_message` gives the same Email four times faster,
    which is most of the parse time of a 10,000-message mbox.
    """
    if isinstance(raw, dict):
        return email_from_row(raw, entry.source)
    from drafter.mail import email_from_message, parse_bytes

    if entry.locator and entry.locator[0] in ("mbox", "maildir"):
        from email.parser import BytesParser
        from email.policy import compat32

        if not raw.strip():
            raise InputError(f"empty message: {entry.source}")
        try:
            message = BytesParser(policy=compat32).parsebytes(raw)
        except Exception as exc:  # the parser is lenient; this is a last line of defence
            raise InputError(f"{entry.source}: cannot parse as an email ({exc})") from None
        return email_from_message(message, entry.source)
    return parse_bytes(raw, entry.source)


def process(entry: Entry, raw: bytes | dict[str, str], engine: Engine,
            settings: WorkSettings) -> Outcome:
    """Parse, analyse, and draft when due; every failure an error row (see module doc)."""
    try:
        email = parse_entry(entry, raw)
    except InputError as exc:
        return Outcome(error_row(entry, str(exc), engine))
    except Exception as exc:  # a parser bug must not stop the batch either
        return Outcome(error_row(entry, f"cannot parse: {type(exc).__name__}: {exc}", engine))
    usage = Usage()
    try:
        analysis = engine.analyze(email, settings.policy, usage)
        result = DraftResult(email=email, analysis=analysis, draft=None, engine=engine.name,
                             model=engine.model, usage=usage, check=CheckResult())
        wants_draft = not settings.no_draft and analysis.anger >= settings.min_anger
        if analysis.escalation.required:
            status = "escalated"
        elif wants_draft:
            result = draft_email(email, settings.policy, _Analysed(engine, analysis),
                                 settings.draft_options)
            result.usage.steps[:0] = usage.steps
            status = draft_status(result)
        else:
            status = "triaged"
    except DrafterError as exc:
        row = error_row(entry, str(exc), engine, usage)
        return Outcome(row, retry=True)
    except Exception as exc:  # an engine or checker bug: an error row, tried again next run
        row = error_row(entry, f"internal error: {type(exc).__name__}: {exc}", engine, usage)
        return Outcome(row, retry=True)
    row = result_row(entry, result, status)
    eml = reply_eml(result, settings.redact) if settings.want_eml and result.draft else None
    return Outcome(row, eml)


def base_row(entry: Entry) -> dict[str, Any]:
    """The fields every row has, whatever happened to the email."""
    return {
        "id": entry.ident, "source": entry.source, "thread": "", "sender": entry.sender,
        "subject": entry.subject, "received": entry.date, "priority": 0, "status": "",
        "summary": "", "wants": [], "grievances": [], "anger": None, "urgency": "",
        "churn_risk": "", "category": "", "industry": "", "language": "",
        "escalation_required": False, "escalation_review": False, "escalation_reasons": [],
        "escalation_triggers": [],
        "draft_subject": "", "draft_text": "", "check_passed": None, "findings_count": 0,
        "findings": [], "revisions": 0, "engine": "", "model": None, "calls": 0,
        "prompt_tokens": 0, "completion_tokens": 0, "tokens": 0, "notes": [], "error": "",
    }


def error_row(entry: Entry, reason: str, engine: Engine | None = None,
              usage: Usage | None = None) -> dict[str, Any]:
    row = base_row(entry)
    row.update(status="error", error=reason)
    if engine is not None:
        row.update(engine=engine.name, model=engine.model)
    if usage is not None:
        row.update(_usage_fields(usage))
    return row


def superseded_row(entry: Entry, reason: str) -> dict[str, Any]:
    row = base_row(entry)
    row.update(status="superseded", notes=[reason])
    return row


def draft_status(result: DraftResult) -> str:
    """``drafted``, or ``escalated`` when a person must write the reply: a threat or crisis,
    or a draft the pipeline withheld because no safe one could be made (its notice says so)."""
    return "drafted" if result.draft is not None and not result.escalated else "escalated"


def _usage_fields(usage: Usage) -> dict[str, int]:
    return {"calls": usage.calls, "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "tokens": usage.prompt_tokens + usage.completion_tokens}


def _finding_ids(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def result_row(entry: Entry, result: DraftResult, status: str) -> dict[str, Any]:
    """The row for an analysed (and maybe drafted) email; the JSONL/CSV/report all read it."""
    email, a = result.email, result.analysis
    row = base_row(entry)
    row.update(
        sender=email.sender or entry.sender, subject=email.subject or entry.subject,
        received=email.date or entry.date, status=status, summary=a.summary,
        wants=list(a.wants), grievances=list(a.grievances), anger=a.anger, urgency=a.urgency,
        churn_risk=a.churn_risk, category=a.category, industry=a.industry,
        language=a.language, escalation_required=a.escalation.required,
        escalation_review=a.escalation.review,
        escalation_reasons=list(a.escalation.reasons),
        escalation_triggers=[t.to_dict() for t in a.escalation.triggers],
        engine=result.engine, model=result.model, revisions=result.revisions,
        notes=list(result.notices), **_usage_fields(result.usage),
    )
    if result.draft is not None:
        row.update(draft_subject=result.draft.subject, draft_text=result.draft.text,
                   check_passed=result.check.passed,
                   findings_count=len(result.check.findings),
                   findings=_finding_ids(result.check.findings))
    return row


def reply_eml(result: DraftResult, redact: bool = False) -> str:
    """The ``.eml`` reply draft (In-Reply-To/References set by :func:`drafter.render.to_eml`).

    With ``--redact`` the text (the draft, its subject, the quoted original and its subject,
    and a display name that is itself an address) is masked; the To header keeps the real
    address, since a reply nobody can send would help no one.
    """
    from drafter.render import to_eml

    if redact and result.draft is not None:
        from dataclasses import replace

        from drafter.triage.redact import redact_text

        email = result.email
        result = replace(result, draft=Draft(redact_text(result.draft.subject),
                                             redact_text(result.draft.text)),
                         email=replace(email, body=redact_text(email.body),
                                       subject=redact_text(email.subject),
                                       sender_name=redact_text(email.sender_name)))
    return to_eml(result)


def eml_from_row(entry: Entry, raw: bytes | dict[str, str], row: dict[str, Any],
                 redact: bool = False) -> str | None:
    """The ``.eml`` reply for a row finished in an earlier run (its draft is in the ledger)."""
    if not row.get("draft_text"):
        return None
    email = parse_entry(entry, raw)
    check = CheckResult()
    if row.get("check_passed") is False:
        check.findings.append(Finding("check", None, "error", 0, 0, "", "failed"))
    result = DraftResult(email=email, analysis=Analysis(summary=""), check=check,
                         draft=Draft(str(row.get("draft_subject", "")), str(row["draft_text"])),
                         engine=str(row.get("engine", "")))
    return reply_eml(result, redact)
