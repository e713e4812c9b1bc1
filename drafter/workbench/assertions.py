"""What each eval assertion checks, on one drafted result.

Every check returns an :class:`Outcome` with a message a prompt author can act on ("'sorry'
not in the reply", "found arguing: 'as I already explained'"), because a red cell without a
reason sends people digging through JSON. ``rubric`` is the one check that needs a model; with
no grader (the offline engine) it is *skipped*, never counted as passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from drafter.facts import FACT_KINDS, REFERENCE_FACT_KINDS
from drafter.models import DraftResult, Fact
from drafter.workbench.suite import ANALYSIS_ASSERTIONS, Assertion

Status = Literal["pass", "fail", "skip", "error"]
#: ``(criterion, result) -> (passed, reason)``; raises :class:`drafter.errors.DrafterError`.
RubricGrader = Callable[[str, DraftResult], tuple[bool, str]]
#: The facts a reply should repeat when ``mentions-fact = true``: the customer's references.
_ID_KINDS = tuple(REFERENCE_FACT_KINDS.values())


@dataclass
class Outcome:
    assertion: Assertion
    status: Status
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {**self.assertion.to_dict(), "status": self.status, "message": self.message}


def evaluate(assertion: Assertion, result: DraftResult,
             grader: RubricGrader | None = None) -> Outcome:
    """Check one assertion; a draft-less (escalated) result fails every draft assertion."""
    kind = assertion.kind
    if kind not in ANALYSIS_ASSERTIONS and result.draft is None:
        if kind == "rubric" and grader is None:
            return Outcome(assertion, "skip", "needs an LLM engine")
        return Outcome(assertion, "fail", "no draft: the email was escalated to a person")
    check = _CHECKS[kind]
    try:
        return check(assertion, result, grader)
    except Exception as exc:  # a grader's server error must not sink the other cases
        from drafter.errors import DrafterError

        if not isinstance(exc, DrafterError):
            raise
        return Outcome(assertion, "error", str(exc))


def _text(result: DraftResult) -> str:
    return result.draft.text if result.draft else ""


def _verdict(assertion: Assertion, ok: bool, fail_message: str, pass_message: str = "") -> Outcome:
    return Outcome(assertion, "pass" if ok else "fail", pass_message if ok else fail_message)


def _contains(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    """Case-insensitive: "Sorry" at the start of a sentence still counts as "sorry"."""
    found = a.value.casefold() in _text(r).casefold()
    return _verdict(a, found, f"{a.value!r} is not in the reply")


def _not_contains(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    text = _text(r)
    at = text.casefold().find(a.value.casefold())
    return _verdict(a, at < 0, f"the reply says {_around(text, at, len(a.value))!r}")


def _regex(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    found = re.search(a.value, _text(r), re.MULTILINE)
    return _verdict(a, found is not None, "no match in the reply")


def _not_regex(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    text = _text(r)
    found = re.search(a.value, text, re.MULTILINE)
    return _verdict(a, found is None,
                    f"matches {found.group()!r} in "
                    f"{_around(text, found.start(), len(found.group()))!r}"
                    if found else "")


def _checker_passes(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    errors = r.check.errors
    summary = "; ".join(f"{f.rule}: {f.excerpt!r}" if f.excerpt else f.rule for f in errors[:3])
    if a.value:
        return _verdict(a, not errors, f"{len(errors)} checker error(s): {summary}")
    return _verdict(a, bool(errors), "the checker passed a reply it was expected to flag")


def _no_mistake(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    """Any severity counts: a warning about arguing is still arguing."""
    hits = [f for f in r.check.findings if a.value in (f.mistake, f.rule)]
    detail = ", ".join(repr(f.excerpt) if f.excerpt else f.message for f in hits[:3])
    return _verdict(a, not hits, f"found {a.value}: {detail}")


def _mentions_fact(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    """The listening step found the fact, and the reply uses it (the customer's own details)."""
    facts = r.analysis.facts
    text = _text(r)
    if a.value is True:
        wanted = [f for f in facts if f.kind in _ID_KINDS]
        if not wanted:
            return Outcome(a, "fail", "the analysis found no reference (order, booking, "
                                      "ticket, account …)")
    elif a.value in FACT_KINDS:
        wanted = [f for f in facts if f.kind == a.value]
        if not wanted:
            return Outcome(a, "fail", f"the analysis found no {a.value}")
    else:
        wanted = [f for f in facts if _same_fact(f, a.value)]
        if not wanted:
            if a.value.casefold() in text.casefold():
                return Outcome(a, "fail", f"{a.value!r} is in the reply, but the analysis "
                                          "did not list it as a fact")
            return Outcome(a, "fail", f"the analysis did not find {a.value!r}, nor does the "
                                      "reply mention it")
    missing = _dedupe(f.text or f.value for f in wanted if not _fact_in(f, text))
    return _verdict(a, not missing, f"the reply does not mention {', '.join(missing)}")


def _same_fact(fact: Fact, value: str) -> bool:
    v = value.casefold().strip()
    return v in (fact.value.casefold(), fact.text.casefold()) or (
        bool(fact.value) and fact.value.casefold() in v)


def _fact_in(fact: Fact, text: str) -> bool:
    low = text.casefold()
    return any(s and s.casefold() in low for s in (fact.value, fact.text))


def _max_words(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    words = len(_text(r).split())
    return _verdict(a, words <= a.value, f"{words} words (max {a.value})", f"{words} words")


def _max_revisions(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    """How good the *first* draft was: a revise step can hide a worse draft template."""
    return _verdict(a, r.revisions <= a.value,
                    f"revised {r.revisions} time(s) before the checker passed it"
                    if r.check.passed else f"revised {r.revisions} time(s), still failing")


def _language(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    got = r.analysis.language
    return _verdict(a, got.casefold() == a.value.casefold(), f"the analysis says {got!r}")


def _escalates(a: Assertion, r: DraftResult, _g: RubricGrader | None) -> Outcome:
    esc = r.analysis.escalation
    if a.value:
        return _verdict(a, esc.required, "not escalated: a draft was written"
                        + (" (flagged for review only)" if esc.review else ""))
    return _verdict(a, not esc.required,
                    f"escalated to a person ({', '.join(esc.reasons) or 'no reason given'})")


def _rubric(a: Assertion, r: DraftResult, grader: RubricGrader | None) -> Outcome:
    if grader is None:
        return Outcome(a, "skip", "needs an LLM engine (the offline engine cannot judge a rubric)")
    ok, reason = grader(a.value, r)
    return Outcome(a, "pass" if ok else "fail", reason)


def _around(text: str, at: int, length: int, pad: int = 25) -> str:
    if at < 0:
        return ""
    start, end = max(0, at - pad), min(len(text), at + length + pad)
    while start > 0 and not text[start - 1].isspace() and at - start < pad * 2:
        start -= 1
    while end < len(text) and not text[end].isspace() and end - at < length + pad * 2:
        end += 1
    return " ".join(text[start:end].split())


def _dedupe(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


_CHECKS: dict[str, Callable[[Assertion, DraftResult, RubricGrader | None], Outcome]] = {
    "contains": _contains,
    "not-contains": _not_contains,
    "regex": _regex,
    "not-regex": _not_regex,
    "checker-passes": _checker_passes,
    "no-mistake": _no_mistake,
    "mentions-fact": _mentions_fact,
    "max-words": _max_words,
    "max-revisions": _max_revisions,
    "language": _language,
    "escalates": _escalates,
    "rubric": _rubric,
}
