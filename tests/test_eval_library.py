"""The workbench library under the CLI: suites, assertions, the cache, rubrics and pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fake_client import FakeClient, schema_name

from drafter.engines.offline import OfflineEngine
from drafter.errors import EngineError
from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email, Escalation, Fact
from drafter.policy import Policy
from drafter.store import Store
from drafter.workbench.assertions import evaluate
from drafter.workbench.cache import CountingCache, sample_salt
from drafter.workbench.suite import Assertion, SuiteError, load_suite

DATA = Path(__file__).resolve().parent / "data" / "eval"


def result(text: str | None, facts: list[Fact] | None = None, **analysis: Any) -> DraftResult:
    return DraftResult(
        email=Email(body="Where is order A-12345? I paid $12.99."),
        analysis=Analysis(summary="", facts=facts or [], **analysis),
        draft=Draft("Re: x", text) if text is not None else None,
        check=CheckResult(), engine="offline")


ORDER = Fact("order_id", "A-12345", "A-12345")
FEE = Fact("amount", "12.99", "$12.99")


# --- suites -----------------------------------------------------------------------------------


def test_defaults_add_to_list_kinds_and_yield_to_single_ones(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("Where is my order?", encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        '[defaults]\nmax-words = 300\nno-mistake = "arguing"\n'
        '[[cases]]\nemail = "e.txt"\nmax-words = 100\nno-mistake = "calm-down"\n'
        '[[cases]]\nname = "esc"\ntext = "I will hurt someone"\nescalates = true\n',
        encoding="utf-8")
    suite = load_suite(tmp_path / "s.toml")
    first, esc = suite.cases
    assert first.name == "e" and first.email_path == tmp_path / "e.txt"
    labels = [a.label for a in first.assertions]
    assert labels == ["no-mistake: arguing", "max-words: 100", "no-mistake: calm-down"]
    assert [a.label for a in esc.assertions] == ["escalates"]


def test_duplicate_case_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        '[[cases]]\nname = "a"\ntext = "x"\ncontains = "y"\n'
        '[[cases]]\nname = "a"\ntext = "x"\ncontains = "y"\n', encoding="utf-8")
    with pytest.raises(SuiteError, match="case 'a': the name is used twice"):
        load_suite(tmp_path / "s.toml")


def test_the_example_suite_loads_with_twenty_plus_cases() -> None:
    suite = load_suite(Path(__file__).resolve().parent.parent / "examples/eval/suite.toml")
    assert len(suite.cases) >= 20
    assert sum(1 for c in suite.cases for a in c.assertions
               if a.kind == "escalates" and a.value) == 2


# --- assertions -------------------------------------------------------------------------------


def test_contains_is_case_insensitive_and_not_contains_quotes_the_text() -> None:
    r = result("I'm so Sorry. Please calm down, it is fine.")
    assert evaluate(Assertion("contains", "sorry"), r).passed
    out = evaluate(Assertion("not-contains", "calm down"), r)
    assert out.status == "fail" and "Please calm down, it is fine" in out.message


def test_mentions_fact_by_kind_value_and_true() -> None:
    r = result("About order A-12345: your $12.99 fee is refunded.", [ORDER, FEE])
    assert evaluate(Assertion("mentions-fact", "order_id"), r).passed
    assert evaluate(Assertion("mentions-fact", "12.99"), r).passed
    assert evaluate(Assertion("mentions-fact", True), r).passed
    missing = evaluate(Assertion("mentions-fact", "amount"), result("Sorry.", [ORDER, FEE]))
    assert missing.status == "fail" and "$12.99" in missing.message
    unknown = evaluate(Assertion("mentions-fact", "B-999"), r)
    assert unknown.status == "fail" and "did not find 'B-999'" in unknown.message
    no_kind = evaluate(Assertion("mentions-fact", "ticket_id"), r)
    assert "found no ticket_id" in no_kind.message


def test_an_escalated_result_fails_draft_assertions_but_not_analysis_ones() -> None:
    r = result(None, escalation=Escalation(required=True, reasons=["violence"]))
    assert evaluate(Assertion("contains", "sorry"), r).message.startswith("no draft")
    assert evaluate(Assertion("escalates", True), r).passed
    assert evaluate(Assertion("language", "en"), r).passed
    assert evaluate(Assertion("rubric", "kind"), r).status == "skip"


def test_max_words_and_max_revisions() -> None:
    r = result("one two three four")
    assert evaluate(Assertion("max-words", 4), r).passed
    assert evaluate(Assertion("max-words", 3), r).message == "4 words (max 3)"
    r.revisions = 1
    assert not evaluate(Assertion("max-revisions", 0), r).passed


def test_rubric_uses_the_grader_and_reports_server_errors() -> None:
    r = result("Here are two options.")
    yes = evaluate(Assertion("rubric", "offers options"), r, lambda c, res: (True, "it does"))
    assert yes.status == "pass"
    no = evaluate(Assertion("rubric", "offers options"), r, lambda c, res: (False, "none"))
    assert no.status == "fail" and no.message == "none"

    def down(criterion: str, res: DraftResult) -> tuple[bool, str]:
        raise EngineError("cannot reach the model server")

    broken = evaluate(Assertion("rubric", "x"), r, down)
    assert broken.status == "error" and "cannot reach" in broken.message


# --- the cache --------------------------------------------------------------------------------


def test_sample_salt_keeps_sample_one_shared_and_greedy_runs_shared() -> None:
    assert sample_salt(0, 0.7) == "" and sample_salt(0, None) == ""
    assert sample_salt(1, 0.7) != sample_salt(2, 0.7) != ""
    assert sample_salt(3, 0) == ""


def fixed(content: str) -> FakeClient:
    """A client whose every answer is ``content``."""
    return FakeClient(lambda request: content, tokens=(120, 30))


def test_counting_cache_plugs_into_the_openai_engine(tmp_path: Path) -> None:
    """The engine keys by the exact request; the counting cache sees hits and misses."""
    from drafter.engines.openai_engine import OpenAIEngine
    from drafter.models import Usage

    client = fixed("Hi Dana,\n\nI'm so sorry. I will email you Wednesday.\n\nSam\n")
    with Store(tmp_path / "s.sqlite") as store:
        cache = CountingCache(store)
        engine = OpenAIEngine(client=client, model="m", cache=cache,
                              today=dt.date(2026, 11, 23))
        email = Email(body="Where is order A-12345?", sender_name="Dana")
        policy = Policy()
        analysis = OfflineEngine().analyze(email, policy, Usage())
        first, second = Usage(), Usage()
        engine.draft(email, analysis, policy, first)
        engine.draft(email, analysis, policy, second)
        assert len(client.requests) == 1
        assert (cache.hits, cache.misses) == (1, 1)
        assert first.calls == 1 and first.prompt_tokens == 120
        assert second.calls == 0  # a hit spends nothing
        cache.salt = sample_salt(1, 0.7)
        engine.draft(email, analysis, policy, Usage())
        assert len(client.requests) == 2  # a new sample is a new request


def test_rubric_grader_asks_once_and_caches(tmp_path: Path) -> None:
    from drafter.engines.openai_engine import OpenAIEngine
    from drafter.workbench.rubric import RubricGrader, supports

    client = fixed(json.dumps({"passed": False, "reason": "only one option"}))
    engine = OpenAIEngine(client=client, model="gpt-4o-mini")
    assert supports(engine) and not supports(OfflineEngine())
    with Store(tmp_path / "s.sqlite") as store:
        grader = RubricGrader(engine, CountingCache(store))
        r = result("Here is one option.")
        assert grader("offers two options", r) == (False, "only one option")
        assert grader("offers two options", r) == (False, "only one option")
    (request,) = client.requests
    assert request["temperature"] == 0 and request["response_format"]["type"] == "json_schema"
    assert "offers two options" in request["messages"][1]["content"]
    assert r.usage.steps[0].step == "rubric" and r.usage.prompt_tokens == 120


def test_rubric_grader_rejects_a_bad_grade() -> None:
    from drafter.engines.openai_engine import OpenAIEngine
    from drafter.workbench.rubric import RubricGrader

    grader = RubricGrader(OpenAIEngine(client=fixed("yes!"), model="m"))
    with pytest.raises(EngineError, match="unusable rubric grade"):
        grader("x", result("text"))


# --- pages ------------------------------------------------------------------------------------


def test_html_page_escapes_what_customers_write(tmp_path: Path) -> None:
    from drafter.workbench.evaluate import PromptSet, run_eval
    from drafter.workbench.report import to_html

    (tmp_path / "s.toml").write_text(
        '[[cases]]\nname = "<b>x</b>"\n'
        'text = "My order A-12345 <script>alert(1)</script> never came. I want a refund."\n'
        'contains = "sorry"\n', encoding="utf-8")
    run = run_eval(load_suite(tmp_path / "s.toml"), [PromptSet(), PromptSet()],
                   engine="offline", today=dt.date(2026, 11, 23))
    page = to_html(run)
    assert "<script" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert page.count("<pre>") == 2  # A and B, side by side


def model_answer(request: dict[str, Any]) -> str:
    """Each step answered the way a model would: JSON for analysis, judge and rubric."""
    return {
        "analysis": json.dumps({
            "summary": "late order", "wants": ["the order delivered"],
            "grievances": ["it is late"], "facts": [], "anger": 3, "urgency": "normal",
            "churn_risk": "medium", "language": "en", "category": "delivery",
            "escalation": {"required": False, "review": False, "reasons": [],
                           "triggers": []}}),
        "judge": json.dumps({"findings": []}),
        "rubric": json.dumps({"passed": True, "reason": "two options"}),
    }.get(schema_name(request) or "",
          "Hi Dana,\n\nI'm so sorry about order A-12345. I can offer a refund of "
          "$12.99 or free overnight shipping. If neither fits, tell me what "
          "would. I will email you by Wednesday.\n\nBest regards,\nSam\n")


def test_openai_engine_run_is_cached_and_rubrics_are_graded(tmp_path: Path) -> None:
    """The real openai engine (with a fake client): native cache, grader, usage, model."""
    from drafter.engines.openai_engine import OpenAIEngine
    from drafter.workbench.evaluate import PromptSet, run_eval

    client = FakeClient(model_answer, tokens=(120, 30))
    suite = load_suite(DATA / "suite.toml")

    def run() -> Any:
        with Store(tmp_path / "s.sqlite") as store:
            return run_eval(suite, [PromptSet()], store=store,
                            maker=lambda prompts: OpenAIEngine(prompts, client=client,
                                                               model="gpt-4o-mini"))

    first = run()
    asked = len(client.requests)
    summary = first.a.summary()
    assert asked > 0 and summary["calls"] == asked and summary["cache"]["misses"] == asked
    late = first.a.case("late")
    rubric = next(s for s in late.stats if s.assertion.kind == "rubric")
    assert rubric.status == "pass" and rubric.messages == []
    assert first.a.model == "gpt-4o-mini"
    second = run()
    assert len(client.requests) == asked
    lookups = summary["cache"]["hits"] + summary["cache"]["misses"]
    assert second.a.summary()["cache"] == {"enabled": True, "hits": lookups, "misses": 0}
    assert second.a.summary()["total_tokens"] == 0


def test_the_example_suite_runs_offline_and_escalates_what_it_must() -> None:
    from drafter.workbench.evaluate import PromptSet, run_eval

    suite = load_suite(Path(__file__).resolve().parent.parent / "examples/eval/suite.toml")
    run = run_eval(suite, [PromptSet()], engine="offline")
    assert run.a.summary()["errors"] == 0
    for name in ("10-violence", "11-crisis"):
        case = run.a.case(name)
        assert case is not None and case.status == "pass" and case.first.draft is None
    injection = run.a.case("09-prompt-injection")
    assert injection is not None and injection.status == "pass"
    rubrics = [s for c in run.a.cases for s in c.stats if s.assertion.kind == "rubric"]
    assert rubrics and all(s.status == "skip" for s in rubrics)
