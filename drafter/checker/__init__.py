"""The mistake checker: no draft reaches an agent with one of the seven classic mistakes in it.

``check_reply`` lints any reply text, drafted by a model or written by a person:

* the seven mistakes (``customer-is-wrong``, ``arguing``, ``calm-down``, ``no-apology``,
  ``raised-voice``, ``no-venting``, ``all-i-can-do``) and ``admits-fault`` (the company
  conceding legal liability), found by phrase rules from a TOML rule pack and by a learned
  sentence model beside them (:mod:`drafter.checker.model`), plus structural checks (no
  apology anywhere, no option anywhere, ALL-CAPS runs);
* MAMA completeness: ``no-acknowledgement``, ``no-next-step``, and with an analysis
  ``unaddressed-want``;
* grounding and policy: ``invented-fact`` (with the original email or its analysis) and
  ``over-promise`` (always, against the given policy or the built-in one);
* judge findings from an LLM, when given, merged without duplicates.

Rules know English only: a reply in another language gets a note saying which rules were
skipped, never a silent pass. Inline directives silence rules per reply (see
:mod:`drafter.checker.suppress`). Everything here is standard library, so importing the
checker costs a few milliseconds and the rule pack is compiled once per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drafter.checker import gate, grounding, phrases, structure
from drafter.checker.context import Context
from drafter.checker.judge import merge_findings
from drafter.checker.lang import is_english, language_name, reply_language
from drafter.checker.model import LABEL_RULES, MAX_MODEL_CHARS, model_findings, truncated
from drafter.checker.rules import Rule, RulePack, load_rules
from drafter.checker.suppress import find_directives
from drafter.checker.text import Sentences, blank, fold, layout, quoted_line_spans
from drafter.models import CheckResult, Finding

if TYPE_CHECKING:
    from drafter.models import Analysis, Email, Fact
    from drafter.policy import Policy

__all__ = ["Rule", "RulePack", "check_reply", "load_rules"]


def check_reply(
    text: str,
    *,
    email: Email | None = None,
    analysis: Analysis | None = None,
    policy: Policy | None = None,
    rules: RulePack | None = None,
    judge_findings: list[Finding] | None = None,
    only: frozenset[str] | None = None,
    drafted: bool = True,
) -> CheckResult:
    """Check one reply. Never raises on odd input: empty, huge or garbled text gets findings.

    ``analysis`` (wants and facts) enables ``unaddressed-want`` and grounds ``invented-fact``;
    with only ``email``, its facts are extracted here. Without a ``policy`` (not
    ``drafter.toml`` in the working directory either: a library call should not depend on
    where it runs), offers are not held to limits or option kinds, since nobody said what
    the business allows; only offers no business makes (a lifetime of free service, double
    refunds) are flagged. Drafts are checked against the policy they were written from.

    ``drafted=False`` checks a person's reply (``drafter check``): a reference or a date the
    email does not hold is then a warning to verify, not an error, since an agent writes
    from the company's systems (new refund references and dates were most of the errors on
    blind good replies); an amount stays an error (a misquoted "$19.99" for the customer's
    "$12.99" reads as not listening) unless it reports what the company did, and one the
    customer gave, restated in another currency or as another kind of reference, is an
    error either way. Drafts (the default) are held to the email and the
    policy: a model has nothing else to take a fact from.

    ``only`` runs just the rules reporting those ids: the offline reply builder asks "would
    this phrase over-promise?" several times a draft, and the whole check would be most of
    a batch's CPU.
    """
    text = _as_text(text)
    pack = rules if rules is not None else load_rules()
    policy_given = policy is not None
    policy = policy if policy is not None else _builtin_policy()
    notes: list[str] = []

    view = fold(text)
    directives = find_directives(view)
    view = blank(view, [*directives.spans, *quoted_line_spans(view)])
    notes.extend(_directive_notes(directives.names, pack))
    shape = layout(view)
    body = view[shape.body_start:shape.body_end]
    lang = reply_language(body) if body.strip() else "en"
    ctx = Context(
        text=text, view=view, sentences=Sentences(view), layout=shape, pack=pack,
        policy=policy, policy_given=policy_given, english=is_english(lang),
        disabled=directives.names, email=email,
        analysis=analysis, facts=_facts(email, analysis), drafted=drafted,
    )
    if only is not None:
        return CheckResult(findings=_only(ctx, only) if body.strip() else [], notes=notes)
    if not body.strip():
        return CheckResult(findings=structure.check_empty(ctx), notes=notes)

    findings = phrases.phrase_findings(ctx) + structure.check_caps(ctx)
    if ctx.english:
        findings += model_findings(ctx, findings)
        if truncated(ctx):
            notes.append(f"the reply is long: the model read its first {MAX_MODEL_CHARS:,} "
                         "characters (the rules read all of it)")
        for check in (structure.check_apology, structure.check_acknowledgement,
                      structure.check_options, structure.check_next_step,
                      structure.check_wants):
            findings += check(ctx)
    else:
        notes.append(f"rules know English only; the reply looks like {language_name(lang)}: "
                     "phrase rules skipped (raised-voice and grounding still checked)")
    findings += grounding.check_invented(ctx) + grounding.check_over_promise(ctx)
    findings += gate.check_gate(ctx)
    if not policy_given and ctx.rule("over-promise") is not None:
        notes.append("no policy given: offers were not checked against limits or option "
                     "kinds (--policy FILE)")
    if ctx.facts is None and ctx.rule("invented-fact") is not None:
        notes.append("invented-fact not checked: no original email to ground the reply in")
    if judge_findings:
        judged, dropped = _contradicted(ctx, findings, _unsilenced(ctx, judge_findings))
        findings = merge_findings(findings, judged)
        if dropped:
            notes.append("the rules contradict the judge's claim that the reply has no "
                         f"{', '.join(dropped)}: dropped")
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    checks = ["rules", *(["model"] if ctx.english else []), "gate",
              *(["judge"] if judge_findings is not None else [])]
    return CheckResult(findings=findings, notes=notes, checks=checks)


def _only(ctx: Context, only: frozenset[str]) -> list[Finding]:
    """The findings of the rules reporting ``only`` (phrase rules, over-promise's code and
    the model's findings for those ids)."""
    findings = phrases.phrase_findings(ctx, only)
    if "over-promise" in only:
        findings += grounding.check_over_promise(ctx)
    if ctx.english and only & set(LABEL_RULES.values()):
        findings += [f for f in model_findings(ctx, findings) if f.rule in only]
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))


def _as_text(text: object) -> str:
    """Bytes from a careless caller are decoded rather than crashing the checker."""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return "" if text is None else str(text)


def _builtin_policy() -> Policy:
    from drafter.policy import BUILTIN_POLICY, parse_policy

    return parse_policy(BUILTIN_POLICY, source="built-in")


def _facts(email: Email | None, analysis: Analysis | None) -> list[Fact] | None:
    if analysis is not None:
        return list(analysis.facts)
    if email is not None:
        from drafter.checker.grounding import email_facts

        return email_facts(email.body)
    return None


def _directive_notes(names: set[str], pack: RulePack) -> list[str]:
    if not names:
        return []
    notes = [f"silenced by the reply: {', '.join(sorted(names))}"]
    unknown = names - pack.known_names()
    if unknown:
        notes.append(f"unknown rule id(s) in a drafter-disable directive: "
                     f"{', '.join(sorted(unknown))}")
    return notes


#: "Something is missing" claims the rules decide themselves; a judge that says the reply has
#: no apology when the rules found one is wrong, not subtle.
_CHECKED_ABSENCES = {"no-apology": "apology", "no-acknowledgement": "acknowledgement",
                     "no-next-step": "next step"}


def _contradicted(ctx: Context, rule_findings: list[Finding],
                  judged: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Judge findings minus absence claims (an empty quote) the rules' own check refutes."""
    if not ctx.english:
        return judged, []
    found = {f.rule for f in rule_findings}
    keep, dropped = [], []
    for f in judged:
        what = _CHECKED_ABSENCES.get(f.rule)
        if what and f.start == f.end and f.rule not in found and ctx.rule(f.rule) is not None:
            dropped.append(what)
            continue
        keep.append(f)
    return keep, sorted(set(dropped))


def _unsilenced(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Judge findings obey the same directives and pack switches as rule findings."""
    off = set(ctx.disabled) | {r.id for r in ctx.pack.rules.values() if not r.enabled}
    return [f for f in findings if f.rule not in off and (f.mistake or "") not in off]
