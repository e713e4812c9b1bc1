"""The pipeline's promises, tested with an Engine double at the interface.

The double returns chosen content so the control flow is what is under test: no draft for
an escalation, the judge only on a draft the rules let through, revisions bounded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from drafter.engines.offline import OfflineEngine, add_business_days, choose_options
from drafter.errors import EngineError
from drafter.models import Analysis, Draft, Email, Escalation, Finding, Usage
from drafter.pipeline import DraftOptions, draft_email
from drafter.policy import load_policy

GOOD = (
    "Hi Dana,\n\nThank you for telling me what happened with order A-12345. I can see how "
    "frustrating the delay has been, and I'm so sorry for the trouble it caused.\n\n"
    "Here is what I can do:\n1. A refund of $12.99 to your original payment method\n"
    "2. Free expedited shipping on your next order\n\nIf neither fits, tell me what would. "
    "I will email you by Wednesday with an update.\n\nBest regards,\nAlex\n"
)
BAD = "Please calm down. As I already explained, there is nothing more we can do.\n"


class ScriptedEngine:
    """An Engine whose drafts, revisions and judge findings are chosen by the test."""

    name = "scripted"
    model = "double"

    def __init__(self, drafts: list[str], judge: list[list[Finding]] | None = None,
                 escalate: bool = False) -> None:
        self.drafts = list(drafts)
        self.judge_results = list(judge or [])
        self.escalate = escalate
        self.calls: list[str] = []

    def analyze(self, email, policy, usage):
        self.calls.append("analyze")
        usage.add("analyze", 10, 5)
        return Analysis(summary="s", wants=["refund the $12.99 shipping fee"],
                        escalation=Escalation(required=self.escalate, review=self.escalate,
                                              reasons=["threat of violence"] if self.escalate
                                              else []))

    def draft(self, email, analysis, policy, usage, on_text=None):
        self.calls.append("draft")
        usage.add("draft", 10, 5)
        text = self.drafts.pop(0)
        if on_text:
            on_text(text)
        return Draft("Re: x", text)

    def judge(self, email, analysis, draft, policy, usage):
        self.calls.append("judge")
        usage.add("judge", 10, 5)
        return self.judge_results.pop(0) if self.judge_results else []

    def revise(self, email, analysis, draft, findings, policy, usage):
        self.calls.append("revise")
        usage.add("revise", 10, 5)
        return Draft(draft.subject, self.drafts.pop(0))


def _policy():
    """The built-in policy, whatever drafter.toml the working directory may hold."""
    return load_policy(None, cwd=Path("/nonexistent"))


EMAIL = Email(body="Order A-12345 is late. I want a refund of the $12.99 shipping fee.")


def test_happy_path_is_two_model_calls_plus_judge():
    engine = ScriptedEngine([GOOD])
    result = draft_email(EMAIL, _policy(), engine)
    assert result.ok
    assert engine.calls == ["analyze", "draft", "judge"]
    assert result.usage.calls == 3 and result.usage.prompt_tokens == 30


def test_no_judge_keeps_it_to_two_calls():
    engine = ScriptedEngine([GOOD])
    draft_email(EMAIL, _policy(), engine, DraftOptions(judge=False))
    assert engine.calls == ["analyze", "draft"]


def test_escalation_writes_no_draft():
    engine = ScriptedEngine([GOOD], escalate=True)
    result = draft_email(EMAIL, _policy(), engine)
    assert result.draft is None and not result.ok and result.escalated
    assert engine.calls == ["analyze"]


def test_rule_errors_skip_the_judge_and_revise():
    engine = ScriptedEngine([BAD, GOOD])
    result = draft_email(EMAIL, _policy(), engine)
    assert engine.calls == ["analyze", "draft", "revise", "judge"]
    assert result.ok and result.revisions == 1
    assert any("revised 1 time" in n for n in result.notices)


def test_revisions_are_bounded_and_what_remains_is_reported():
    engine = ScriptedEngine([BAD, BAD, BAD])
    result = draft_email(EMAIL, _policy(), engine, DraftOptions(max_revisions=2))
    assert engine.calls.count("revise") == 2 and result.revisions == 2
    assert not result.ok and result.check.errors
    assert any("error(s) remain" in n for n in result.notices)


def test_judge_findings_are_merged_and_force_a_revision():
    finding = Finding("arguing", "arguing", "error", 0, 0, "I can see how frustrating",
                      "sounds sarcastic", source="judge")
    engine = ScriptedEngine([GOOD, GOOD], judge=[[finding], []])
    result = draft_email(EMAIL, _policy(), engine)
    assert engine.calls == ["analyze", "draft", "judge", "revise", "judge"]
    assert result.ok and result.revisions == 1


def test_streaming_callback_receives_the_draft():
    pieces: list[str] = []
    draft_email(EMAIL, _policy(), ScriptedEngine([GOOD]),
                DraftOptions(judge=False, on_text=pieces.append))
    assert "".join(pieces) == GOOD


def test_offline_engine_revises_a_bad_draft_with_the_checkers_fixer():
    engine = OfflineEngine(today=dt.date(2026, 11, 23))
    analysis = engine.analyze(EMAIL, _policy(), Usage())
    draft = Draft("Re: x", BAD)
    from drafter.checker import check_reply

    findings = check_reply(BAD, analysis=analysis, policy=_policy()).errors
    revised = engine.revise(EMAIL, analysis, draft, findings, _policy(), Usage())
    assert "calm down" not in revised.text.lower()


def test_follow_up_skips_weekends():
    friday = dt.date(2026, 11, 27)
    assert add_business_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_business_days(dt.date(2026, 11, 28), 0) == dt.date(2026, 11, 30)


def test_options_answer_the_wants_first_and_respect_the_refund_cap():
    policy = _policy()
    analysis = OfflineEngine().analyze(
        Email(body="I paid $500 for it. I want a refund of the $500 now."), policy, Usage())
    options = choose_options(analysis, policy)
    assert options[0].kind == "refund"
    # the built-in policy caps refunds at $100: that much now, the rest reviewed
    assert "$100 straight away" in options[0].text and "$500" not in options[0].text
    assert len(options) >= 2


def test_every_allowed_want_gets_its_own_option():
    policy = load_policy(Path(__file__).resolve().parent.parent / "examples" / "policy.toml")
    email = Email(body="I want a replacement kettle, and I want the $9.95 shipping charge "
                       "refunded. I also want someone to call me.")
    kinds = [o.kind for o in choose_options(OfflineEngine().analyze(email, policy, Usage()),
                                            policy)]
    assert {"replacement", "refund", "callback"} <= set(kinds)


def test_unknown_refund_amount_is_not_filled_with_the_cap():
    policy = _policy()
    analysis = OfflineEngine().analyze(Email(body="Two items are missing. I want a refund."),
                                       policy, Usage())
    refund = next(o for o in choose_options(analysis, policy) if o.kind == "refund")
    # Never "a refund of $100" as if the cap were owed; the cap only as a limit.
    assert refund.text.startswith("a refund of what you paid")
    cap = policy.option("refund").max_amount
    assert "$" not in refund.text or f"up to ${cap:,.0f}" in refund.text


def test_shouted_signature_name_is_greeted_normally():
    from drafter.engines.offline import first_name

    assert first_name(Email(body="WHERE IS MY JACKET\n\nPAUL")) == "Paul"


class FlakyEngine(ScriptedEngine):
    """A model whose revision or judge answer is unusable (the engine raises EngineError)."""

    def __init__(self, drafts, fail: str) -> None:
        super().__init__(drafts)
        self.fail = fail

    def revise(self, email, analysis, draft, findings, policy, usage):
        if self.fail == "revise":
            raise EngineError("the model's revision was cut off twice")
        return super().revise(email, analysis, draft, findings, policy, usage)

    def judge(self, email, analysis, draft, policy, usage):
        if self.fail == "judge":
            raise EngineError("the model's judge answer was not valid JSON twice")
        return super().judge(email, analysis, draft, policy, usage)


def test_an_unusable_revision_keeps_the_last_draft_and_its_findings():
    result = draft_email(EMAIL, _policy(), FlakyEngine([BAD], fail="revise"))
    assert result.draft is not None and result.draft.text == BAD
    assert not result.check.passed and result.revisions == 0
    assert any("revision stopped" in n for n in result.notices)


def test_an_unusable_judge_answer_keeps_the_rules_verdict():
    result = draft_email(EMAIL, _policy(), FlakyEngine([GOOD], fail="judge"))
    assert result.ok
    assert any("judge skipped" in n for n in result.check.notes)
    assert any("judge skipped" in n and "rules and the gate only" in n for n in result.notices)
    assert "judge" not in result.check.checks


def test_a_judge_that_keeps_objecting_costs_one_revision():
    finding = Finding("arguing", "arguing", "error", 0, 0, "I can see how frustrating",
                      "sounds sarcastic", source="judge")
    engine = ScriptedEngine([GOOD, GOOD, GOOD, GOOD], judge=[[finding]] * 4)
    result = draft_email(EMAIL, _policy(), engine)
    assert engine.calls == ["analyze", "draft", "judge", "revise", "judge"]
    assert any("judge still objects" in n for n in result.notices)


class StrangeModel(ScriptedEngine):
    """A model whose analysis invents wants and whose drafts keep over-promising."""

    def analyze(self, email, policy, usage):
        analysis = super().analyze(email, policy, usage)
        analysis.wants = ["you do not need a new job", "refund the $12.99 shipping fee"]
        analysis.grievances = ["your boss hates you"]
        return analysis


def test_the_safe_fallback_is_built_from_the_email_not_the_models_analysis():
    promise = GOOD.replace("A refund of $12.99", "A refund of $5,000")
    engine = StrangeModel([promise] * 4)
    result = draft_email(EMAIL, _policy(), engine, DraftOptions(judge=False))
    assert result.draft is not None and "$5,000" not in result.draft.text
    assert any("replaced by the offline template" in n for n in result.notices)
    assert "new job" not in result.draft.text and "boss" not in result.draft.text


def test_draft_output_says_what_the_calls_cost():
    from drafter.render import to_text

    engine = ScriptedEngine([GOOD])
    engine.model = "gpt-4o"
    result = draft_email(EMAIL, _policy(), engine)
    assert result.to_dict()["usage"]["cost_usd"] == round((30 * 2.5 + 15 * 10) / 1e6, 6)
    assert "usage: 3 calls, 45 tokens, est. $0.0002" in to_text(result)
    engine = ScriptedEngine([GOOD])
    result = draft_email(EMAIL, _policy(), engine)  # "double": no listed price
    assert result.to_dict()["usage"]["cost_usd"] is None and "est. n/a" in to_text(result)
