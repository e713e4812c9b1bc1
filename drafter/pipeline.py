"""One email, end to end: listen, draft, check, revise. The library's main entry point.

The pipeline owns the order of the steps and the promises between them (no draft for an
escalation; the judge only when the rules found nothing that forces a revision; at most
``max_revisions`` rounds), so every engine and every front end (CLI, triage, eval) gets
the same behaviour.

It also owns the promise to the business: **no draft it hands back offers what the policy
does not allow or states a fact nobody gave** (no ``over-promise`` or ``invented-fact``
error left), whatever the customer's email said to the model. A model can be talked into a
"$500 gift card" by the email it answers, and revising may not talk it out again. So when
such errors survive the revise rounds, the draft is replaced by the offline engine's
template reply, built from the same analysis and policy (it offers only policy options and
restates requests it cannot meet as declined), and ``result.notices`` says so. If even that
reply does not pass those rules (a user's template, say), it is revised by the rule-based
fixer once, and failing that **no draft is returned**: ``result.draft`` is ``None``, the
check keeps the findings that explain why, and a notice says the draft was withheld.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass

from drafter.engines import Engine
from drafter.errors import EngineError
from drafter.language import language_name
from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email, Usage
from drafter.policy import INDUSTRY_POLICIES, Policy, policy_for

DEFAULT_MAX_REVISIONS = 2
#: Errors no returned draft may carry: promises beyond the policy and facts nobody gave.
UNSAFE_RULES = frozenset({"over-promise", "invented-fact", "admits-fault", "prompt-leak",
                          "placeholder", "wrong-name", "signed-as-customer", "incomplete",
                          "length"})


@dataclass
class DraftOptions:
    """Per-run choices that callers tune; the defaults are what ``drafter draft`` does."""

    max_revisions: int = DEFAULT_MAX_REVISIONS
    judge: bool | None = None  # None: judge when the engine is an LLM
    rules_path: str | None = None
    on_text: Callable[[str], None] | None = None  # receives the draft as it streams


def draft_email(email: Email, policy: Policy, engine: Engine,
                options: DraftOptions | None = None) -> DraftResult:
    """Analyze, draft, check and (when needed) revise one email."""
    opts = options or DraftOptions()
    usage = Usage()
    analysis = engine.analyze(email, policy, usage)
    result = DraftResult(email=email, analysis=analysis, draft=None, check=CheckResult(),
                         engine=engine.name, model=engine.model, usage=usage)
    result.notices.extend(_notices(email, analysis, engine))
    fitted = policy_for(policy, analysis)
    if fitted is not policy:
        what = (f"offers what a {analysis.industry} company would"
                if analysis.industry in INDUSTRY_POLICIES else "")
        if fitted.currency != policy.currency:
            what += (" and " if what else "") + f"sets its limits in {fitted.currency}"
        result.notices.append(f"no policy given: the built-in one {what} (give yours with "
                              "--policy)")
        policy = fitted
    if analysis.escalation.required:
        result.check.notes.append("escalated to a person: no draft was written")
        return result
    if opts.on_text is not None:
        draft = engine.draft(email, analysis, policy, usage, on_text=opts.on_text)
    else:
        draft = engine.draft(email, analysis, policy, usage)
    use_judge = opts.judge if opts.judge is not None else engine.name != "offline"
    check = _check(draft, email, analysis, policy, engine, usage, opts, use_judge)
    rounds = judge_rounds = 0
    while not check.passed and rounds < opts.max_revisions:
        if _judge_only(check):
            # The rules and the gate passed this draft; only the judge objects. One revision
            # for that, not one per round: a judge that keeps quoting an innocent sentence
            # must not spend three more calls.
            if judge_rounds:
                result.notices.append("the judge still objects after one revision; "
                                      "read its findings before sending")
                break
            judge_rounds += 1
        try:
            revised = engine.revise(email, analysis, draft, check.errors, policy, usage)
        except EngineError as exc:
            # The draft in hand, with its findings, is worth more to the agent than nothing.
            result.notices.append(f"revision stopped: {exc}; showing the last draft")
            break
        draft, rounds = revised, rounds + 1
        check = _check(draft, email, analysis, policy, engine, usage, opts, use_judge)
    result.draft, result.check, result.revisions = draft, check, rounds
    skipped = next((n for n in check.notes if n.startswith("LLM judge skipped")), None)
    if skipped:
        result.notices.append(f"{skipped.removeprefix('LLM ')}; the draft was checked by the "
                              "rules and the gate only")
    if rounds:
        state = "passed" if check.passed else f"{len(check.errors)} error(s) remain"
        result.notices.append(f"revised {rounds} time(s); {state}")
    if unsafe_rules(check):
        _fall_back(result, policy, engine, opts)
    return result


def _judge_only(check: CheckResult) -> bool:
    return bool(check.errors) and all(f.source == "judge" for f in check.errors)


def unsafe_rules(check: CheckResult) -> list[str]:
    """The over-promise / invented-fact errors left in a check, by rule id (sorted, unique)."""
    return sorted({f.rule for f in check.errors if f.rule in UNSAFE_RULES})


def _fall_back(result: DraftResult, policy: Policy, engine: Engine, opts: DraftOptions) -> None:
    """Replace an unsafe draft with the offline template reply, or withhold it (see module).

    The replacement is checked by the rules only: it is a template, and a judge call on it
    would spend tokens on text no model wrote.
    """
    from drafter.engines.offline import OfflineEngine

    bad = ", ".join(unsafe_rules(result.check))
    email, usage = result.email, result.usage
    offline = OfflineEngine(prompts=getattr(engine, "prompts", None), today=_today(engine))
    analysis = _fallback_analysis(email, result.analysis, offline, policy)
    draft = offline.draft(email, analysis, policy, usage)
    check = _check(draft, email, analysis, policy, offline, usage, opts, False)
    if unsafe_rules(check):
        draft = offline.revise(email, analysis, draft, check.errors, policy, usage)
        check = _check(draft, email, analysis, policy, offline, usage, opts, False)
    if unsafe_rules(check):
        result.draft, result.check = None, check
        result.notices.append(
            f"draft withheld: it kept failing {bad} (offers beyond the policy or facts not "
            "in the email) and no safe reply could be built; write this one by hand")
        return
    result.draft, result.check = draft, check
    from drafter.localize import REPLY_LANGUAGES

    english = "" if analysis.language in REPLY_LANGUAGES else " (in English)"
    result.notices.append(
        f"the {engine.name} draft still had {bad} error(s) after {result.revisions} "
        f"revision(s), so it was replaced by the offline template reply{english}, which "
        "offers only what the policy allows")


def _fallback_analysis(email: Email, model: Analysis, offline: Engine,
                       policy: Policy) -> Analysis:
    """What the fallback template is filled from: the offline analysis of the email, plus
    only those of the model's wants whose words are in the email.

    The model's own analysis produced the unsafe draft; its grievances and wants ("you do
    not need a new job") must not reach the customer through the safe reply.
    """
    from drafter.checker.structure import key_terms

    analysis = offline.analyze(email, policy, Usage())
    said = key_terms(f"{email.subject}\n{email.body}")
    for want in model.wants:
        terms = key_terms(want)
        if terms and terms <= said and want not in analysis.wants:
            analysis.wants.append(want)
    analysis.escalation = model.escalation if model.escalation.review else analysis.escalation
    return analysis


def _today(engine: Engine) -> dt.date | None:
    """The engine's pinned date (or ``DRAFTER_TODAY``), so the fallback's follow-up matches."""
    today = getattr(engine, "today", None)
    if isinstance(today, dt.date):
        return today
    try:
        return dt.date.fromisoformat(os.environ.get("DRAFTER_TODAY", ""))
    except ValueError:
        return None


def _check(draft: Draft, email: Email, analysis: Analysis, policy: Policy, engine: Engine,
           usage: Usage, opts: DraftOptions, use_judge: bool) -> CheckResult:
    """Rules first; the judge is a paid call, spent only on a draft the rules let through."""
    from drafter.checker import check_reply, load_rules

    rules = load_rules(opts.rules_path)
    check = check_reply(draft.text, email=email, analysis=analysis, policy=policy, rules=rules)
    if use_judge and check.passed:
        try:
            judged = engine.judge(email, analysis, draft, policy, usage)
        except EngineError as exc:
            # The rules still ran; an unusable judge answer must not cost the email its draft.
            check.notes.append(f"LLM judge skipped: {exc}")
            return check
        check = check_reply(draft.text, email=email, analysis=analysis, policy=policy,
                            rules=rules, judge_findings=judged)
    return check


def _notices(email: Email, analysis: Analysis, engine: Engine) -> list[str]:
    """What the agent must know before sending, said once in every output format."""
    notes: list[str] = []
    esc = analysis.escalation
    if esc.required:
        notes.append(f"escalate to a person ({', '.join(esc.reasons)}): no draft written")
    elif esc.review:
        notes.append(f"needs review by a person before sending ({', '.join(esc.reasons)})")
    if esc.guidance:
        notes.append(f"next step: {esc.guidance}")
    notes.extend(esc.notes)
    notes.extend(analysis.notes)
    from drafter.localize import REPLY_LANGUAGES

    if analysis.language not in REPLY_LANGUAGES and engine.name == "offline":
        notes.append(
            f"the email looks {language_name(analysis.language)}; the offline engine replies "
            f"in {', '.join(language_name(x) for x in REPLY_LANGUAGES)}, so this reply is in "
            "English (use --engine openai for a reply in the customer's language)"
        )
    notes.extend(email.warnings)
    return notes
