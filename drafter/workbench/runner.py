"""Running a suite: every case through the real pipeline, once or N times, then the assertions.

Cases go through :func:`drafter.pipeline.draft_email`, exactly as ``drafter draft`` runs them
(analysis, draft, checker, revisions), so an eval measures what an agent would get. The
emails and policies are all read before the first model call: a suite with a broken email
fails in a second, not after twenty paid drafts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.engines import Engine
from drafter.errors import DrafterError, EngineError
from drafter.models import DraftResult, Email
from drafter.policy import Policy
from drafter.prompts import Prompts
from drafter.workbench.assertions import Outcome, RubricGrader, evaluate
from drafter.workbench.cache import CountingCache, sample_salt
from drafter.workbench.suite import Assertion, Case, Suite, SuiteError

#: Builds the engine for one template set; the cache is None when caching does not apply.
EngineFactory = Callable[[Prompts, CountingCache | None], Engine]
#: ``(done, total, case name)`` after each sample, for a progress line.
Progress = Callable[[int, int, str], None]


@dataclass
class EvalSettings:
    """How a suite is run; the defaults are an offline run with ``drafter draft``'s options."""

    repeat: int = 1
    max_revisions: int = 2
    judge: bool | None = None
    rules_path: str | None = None
    temperature: float | None = None
    min_pass_rate: float = 1.0


@dataclass
class Prepared:
    """A case with its email parsed and its policy loaded, ready to draft."""

    case: Case
    email: Email
    policy: Policy


@dataclass
class Sample:
    """One drafting of one case (``--repeat`` makes several)."""

    index: int
    result: DraftResult | None
    outcomes: list[Outcome]
    seconds: float
    error: str = ""

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "seconds": round(self.seconds, 4),
                               "error": self.error or None,
                               "outcomes": [o.to_dict() for o in self.outcomes]}
        if with_result and self.result is not None:
            r = self.result
            out.update(draft=r.draft.to_dict() if r.draft else None,
                       analysis=r.analysis.to_dict(), check=r.check.to_dict(),
                       usage=r.usage.to_dict(), revisions=r.revisions,
                       escalated=r.escalated, notices=list(r.notices))
        return out


@dataclass
class AssertionStat:
    """One assertion over all samples of a case: the pass rate is what ``--repeat`` is for."""

    assertion: Assertion
    outcomes: list[Outcome]
    min_pass_rate: float = 1.0

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def passed(self) -> int:
        return self._count("pass")

    @property
    def failed(self) -> int:
        return self._count("fail") + self._count("error")

    @property
    def skipped(self) -> int:
        return self._count("skip")

    @property
    def runs(self) -> int:
        """Samples that were judged; skips do not dilute the pass rate."""
        return len(self.outcomes) - self.skipped

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.runs if self.runs else None

    @property
    def status(self) -> str:
        if self.pass_rate is None:
            return "skip"
        return "pass" if self.pass_rate >= self.min_pass_rate - 1e-9 else "fail"

    @property
    def messages(self) -> list[str]:
        return list(dict.fromkeys(o.message for o in self.outcomes
                                  if o.status in ("fail", "error", "skip") and o.message))

    def to_dict(self) -> dict[str, Any]:
        return {**self.assertion.to_dict(), "status": self.status, "passed": self.passed,
                "failed": self.failed, "skipped": self.skipped, "runs": self.runs,
                "pass_rate": self.pass_rate, "messages": self.messages}


@dataclass
class CaseRun:
    case: Case
    samples: list[Sample]
    min_pass_rate: float = 1.0

    @property
    def stats(self) -> list[AssertionStat]:
        return [AssertionStat(a, [s.outcomes[i] for s in self.samples], self.min_pass_rate)
                for i, a in enumerate(self.case.assertions)]

    @property
    def status(self) -> str:
        states = {s.status for s in self.stats}
        return "fail" if "fail" in states else ("pass" if "pass" in states else "skip")

    @property
    def first(self) -> DraftResult | None:
        """The result shown to people (the table's excerpt, ``--show``, the HTML page)."""
        return next((s.result for s in self.samples if s.result is not None), None)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.case.name, "source": self.case.source, "status": self.status,
                "assertions": [s.to_dict() for s in self.stats],
                "samples": [s.to_dict() for s in self.samples]}


@dataclass
class SetRun:
    """A whole suite under one template set."""

    label: str  # "A" or "B"
    prompts: str  # where the templates come from, for people
    fingerprint: str
    engine: str
    model: str | None
    cases: list[CaseRun] = field(default_factory=list)
    seconds: float = 0.0
    cache: CountingCache | None = None

    def case(self, name: str) -> CaseRun | None:
        return next((c for c in self.cases if c.case.name == name), None)

    def summary(self) -> dict[str, Any]:
        stats = [s for c in self.cases for s in c.stats]
        results = [s.result for c in self.cases for s in c.samples if s.result is not None]
        prompt_tokens = sum(r.usage.prompt_tokens for r in results)
        completion_tokens = sum(r.usage.completion_tokens for r in results)
        return {
            "cases": len(self.cases),
            "samples": sum(len(c.samples) for c in self.cases),
            "assertions": len(stats),
            "passed": sum(1 for s in stats if s.status == "pass"),
            "failed": sum(1 for s in stats if s.status == "fail"),
            "skipped": sum(1 for s in stats if s.status == "skip"),
            "errors": sum(1 for c in self.cases for s in c.samples if s.error),
            "revisions": sum(r.revisions for r in results),
            "calls": sum(r.usage.calls for r in results),
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "cache": self.cache.to_dict() if self.cache else None,
            "seconds": round(self.seconds, 3),
        }

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "prompts": self.prompts, "fingerprint": self.fingerprint,
                "engine": self.engine, "model": self.model, "ok": self.ok,
                "summary": self.summary(), "cases": [c.to_dict() for c in self.cases]}


def prepare(suite: Suite, default_policy: Path | None = None) -> list[Prepared]:
    """Read every email and policy up front; a bad one is a :class:`SuiteError` naming the case."""
    from drafter.mail import parse_bytes, read_email
    from drafter.policy import load_policy

    policies: dict[Path | None, Policy] = {}
    out: list[Prepared] = []
    for case in suite.cases:
        where = f"{suite.path}: case {case.name!r}"
        policy_path = case.policy_path or suite.policy_path or default_policy
        try:
            if policy_path not in policies:
                policies[policy_path] = load_policy(policy_path)
            if case.email_path is not None:
                email = read_email(case.email_path)
            else:
                email = parse_bytes((case.text or "").encode("utf-8"), source=where)
        except DrafterError as exc:
            raise SuiteError(f"{where}: {exc}") from None
        out.append(Prepared(case, email, policies[policy_path]))
    return out


def run_set(prepared: list[Prepared], engine: Engine, *, label: str, prompts: str,
            fingerprint: str, settings: EvalSettings, cache: CountingCache | None = None,
            grader: RubricGrader | None = None, progress: Progress | None = None,
            total: int | None = None, done: int = 0) -> SetRun:
    """Draft every case ``settings.repeat`` times with ``engine`` and check its assertions."""
    from drafter.pipeline import DraftOptions

    options = DraftOptions(max_revisions=settings.max_revisions, judge=settings.judge,
                           rules_path=settings.rules_path)
    run = SetRun(label=label, prompts=prompts, fingerprint=fingerprint, engine=engine.name,
                 model=engine.model, cache=cache)
    total = total or len(prepared) * settings.repeat
    started = time.perf_counter()
    first_error: EngineError | None = None
    for item in prepared:
        samples: list[Sample] = []
        for index in range(settings.repeat):
            if cache is not None:
                cache.salt = sample_salt(index, settings.temperature)
            sample, error = _sample(item, index, engine, options, grader)
            first_error = first_error or error
            samples.append(sample)
            done += 1
            if progress:
                progress(done, total, item.case.name)
        run.cases.append(CaseRun(item.case, samples, settings.min_pass_rate))
    run.seconds = time.perf_counter() - started
    run.model = engine.model  # a server's only model is discovered on the first call
    if first_error is not None and all(s.error for c in run.cases for s in c.samples):
        raise first_error  # nothing worked: a configuration problem, not a result
    return run


def _sample(item: Prepared, index: int, engine: Engine, options: Any,
            grader: RubricGrader | None) -> tuple[Sample, EngineError | None]:
    from drafter.pipeline import draft_email

    started = time.perf_counter()
    try:
        result = draft_email(item.email, item.policy, engine, options)
    except EngineError as exc:
        outcomes = [Outcome(a, "error", str(exc)) for a in item.case.assertions]
        return Sample(index, None, outcomes, time.perf_counter() - started, str(exc)), exc
    outcomes = [evaluate(a, result, grader) for a in item.case.assertions]
    return Sample(index, result, outcomes, time.perf_counter() - started), None


def parse_today(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
