"""``drafter eval``: exit codes, the table, JSON, JUnit, HTML, compare, repeat and the cache."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from drafter.cli import app
from drafter.prompts import builtin_dir

DATA = Path(__file__).resolve().parent / "data" / "eval"
SUITE = str(DATA / "suite.toml")
FAILING = str(DATA / "failing.toml")
APOLOGY = " I'm so sorry for the trouble this has caused you."


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "DRAFTER_TODAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))


def as_json(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def no_apology_prompts(tmp_path: Path) -> Path:
    """A copy of the offline reply template with its apology taken out."""
    source = (builtin_dir() / "offline_reply.j2").read_text(encoding="utf-8")
    assert APOLOGY in source, "the built-in offline reply changed: update this test's edit"
    folder = tmp_path / "no-apology"
    folder.mkdir()
    (folder / "offline_reply.j2").write_text(source.replace(APOLOGY, ""), encoding="utf-8")
    return folder


# --- one template set ---------------------------------------------------------------------------


def test_passing_suite_exits_0_with_a_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("late", "threat", "inline"):
        assert name in out
    assert "escalated: no draft" in out
    assert "all passed" in out and "0 failed" in out
    assert "skipped 1" in out  # the rubric, offline


def test_failing_suite_exits_1_and_says_why(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", FAILING, "--engine", "offline"])
    assert result.exit_code == 1
    assert "'banana bread' is not in the reply" in result.stdout
    assert "words (max 20)" in result.stdout


def test_json_shape(runner: CliRunner) -> None:
    data = as_json(runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--json"]))
    assert data["ok"] is True and data["engine"] == "offline" and data["compare"] is None
    (set_a,) = data["sets"]
    assert set_a["label"] == "A" and set_a["prompts"] == "built-in"
    summary = set_a["summary"]
    assert summary["cases"] == 3 and summary["failed"] == 0 and summary["skipped"] == 1
    assert summary["total_tokens"] == 0 and summary["cost_usd"] == 0
    late = next(c for c in set_a["cases"] if c["name"] == "late")
    kinds = Counter(a["kind"] for a in late["assertions"])
    assert kinds["contains"] == 2 and kinds["mentions-fact"] == 2
    assert kinds["max-words"] == 1 and kinds["checker-passes"] == 1  # from [defaults]
    sample = late["samples"][0]
    assert "A-12345" in sample["draft"]["text"] and sample["analysis"]["language"] == "en"
    threat = next(c for c in set_a["cases"] if c["name"] == "threat")
    assert [a["kind"] for a in threat["assertions"]] == ["escalates"]  # no draft defaults
    assert threat["samples"][0]["draft"] is None


def test_rubric_is_skipped_offline_not_passed(runner: CliRunner) -> None:
    data = as_json(runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--json"]))
    late = next(c for c in data["sets"][0]["cases"] if c["name"] == "late")
    rubric = next(a for a in late["assertions"] if a["kind"] == "rubric")
    assert rubric["status"] == "skip" and rubric["passed"] == 0 and rubric["pass_rate"] is None
    assert "LLM engine" in rubric["messages"][0]


def test_junit_is_valid_xml_with_a_testcase_per_assertion(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "eval.xml"
    result = runner.invoke(app, ["eval", FAILING, "--engine", "offline", "--junit", str(out)])
    assert result.exit_code == 1
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 3 and {c.get("classname") for c in cases} == {"late"}
    failures = root.findall("./testsuite/testcase/failure")
    assert {f.get("type") for f in failures} == {"contains", "max-words"}
    assert root.get("tests") == "3" and root.get("failures") == "2"


def test_junit_marks_skips(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "eval.xml"
    runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--junit", str(out)])
    root = ET.parse(out).getroot()
    skipped = root.findall(".//testcase/skipped")
    assert len(skipped) == 1 and root.find("testsuite").get("skipped") == "1"


def test_show_prints_a_cases_whole_reply(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--show", "late"])
    assert result.exit_code == 0
    assert "Hi Dana," in result.stdout and "Subject: Re: Order A-12345" in result.stdout
    missing = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--show", "nope"])
    assert missing.exit_code == 2 and "no case named 'nope'" in missing.stderr


def test_yaml_suite(runner: CliRunner) -> None:
    pytest.importorskip("yaml")
    result = runner.invoke(app, ["eval", str(DATA / "suite.yaml"), "--engine", "offline"])
    assert result.exit_code == 0, result.output


# --- bad suites: exit 2, one line naming the file and the case ----------------------------------


@pytest.mark.parametrize(("body", "message"), [
    ('[[cases]]\nname = "x"\nemail = "emails/late.txt"\ncontain = "a"\n',
     "case 'x': unknown assertion 'contain' (did you mean 'contains'?)"),
    ('[[cases]]\nname = "x"\nemail = "emails/nope.eml"\ncontains = "a"\n',
     "case 'x': email file not found"),
    ('[[cases]]\nname = "x"\nemail = "emails/late.txt"\nno-mistake = "arguement"\n',
     "no-mistake 'arguement' is not a mistake id (did you mean 'arguing'?)"),
    ('[[cases]]\nname = "x"\nemail = "emails/late.txt"\nregex = "(unclosed"\n',
     "does not compile"),
    ('[[cases]]\nname = "x"\nemail = "emails/late.txt"\nmax-words = "many"\n',
     "max-words = 'many': expected a whole number"),
    ('[[cases]]\nname = "x"\ncontains = "a"\n', "give exactly one of 'email'"),
    ('name = "empty"\n', "no cases"),
    ('[[cases]\nname = "x"\n', "not valid TOML"),
])
def test_bad_suite_exits_2_with_one_line(runner: CliRunner, tmp_path: Path, body: str,
                                         message: str) -> None:
    suite = tmp_path / "bad.toml"
    suite.write_text(body, encoding="utf-8")
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "late.txt").write_text("Where is my order?", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(suite), "--engine", "offline"])
    assert result.exit_code == 2
    assert message in result.stderr and str(suite) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_missing_suite_and_unreadable_email(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["eval", str(tmp_path / "none.toml")]).exit_code == 2
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    suite = tmp_path / "s.toml"
    suite.write_text('[[cases]]\nname = "blank"\nemail = "empty.txt"\ncontains = "a"\n')
    result = runner.invoke(app, ["eval", str(suite), "--engine", "offline"])
    assert result.exit_code == 2 and "case 'blank'" in result.stderr


# --- compare ----------------------------------------------------------------------------------


def test_compare_shows_the_better_set(runner: CliRunner, tmp_path: Path) -> None:
    """B keeps the apology, A (the edit) drops it: B wins checker-passes, no-apology, sorry."""
    folder = no_apology_prompts(tmp_path)
    html = tmp_path / "ab.html"
    args = ["eval", SUITE, "--engine", "offline", "--prompts", str(folder),
            "--compare", "builtin", "--max-revisions", "0"]
    result = runner.invoke(app, [*args, "--html", str(html)])
    assert result.exit_code == 1  # A regressed
    assert "B better on 4" in result.stdout
    assert "A breaks" in result.stdout and "checker-passes" in result.stdout
    data = as_json(runner.invoke(app, [*args, "--json"]))
    by_kind = data["compare"]["by_kind"]
    assert by_kind["checker-passes"] == {"A": 0, "B": 2, "tie": 0}
    assert by_kind["no-mistake"]["B"] == 1  # no-apology, in the case that asserts it
    assert by_kind["contains"] == {"A": 0, "B": 1, "tie": 2}  # contains: sorry
    assert data["compare"]["totals"]["A"] == 0
    assert set(data["compare"]["changed_replies"]) == {"late", "inline"}
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "B better" in page and "I&#39;m so sorry" in page  # B's reply, escaped


def test_compare_the_other_way_round_is_a_win_and_exits_0(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    folder = no_apology_prompts(tmp_path)
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--compare", str(folder),
                                 "--max-revisions", "0", "--json"])
    data = as_json(result)
    assert data["compare"]["totals"]["A"] == 4 and data["compare"]["totals"]["B"] == 0
    assert result.exit_code == 0


def test_compare_with_revisions_reports_the_extra_revisions(runner: CliRunner,
                                                            tmp_path: Path) -> None:
    folder = no_apology_prompts(tmp_path)
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--prompts", str(folder),
                                 "--compare", "builtin"])
    assert "revisions A 1, B 0" in result.stdout


def test_compare_identical_sets_is_all_ties(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--compare", "builtin",
                                 "--json"])
    data = as_json(result)
    assert data["compare"]["totals"]["A"] == data["compare"]["totals"]["B"] == 0
    assert any("identical templates" in n for n in data["notes"])


# --- repeat and cache -------------------------------------------------------------------------


def test_repeat_reports_pass_rates(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--repeat", "3", "--json"])
    data = as_json(result)
    late = next(c for c in data["sets"][0]["cases"] if c["name"] == "late")
    assert len(late["samples"]) == 3
    contains = next(a for a in late["assertions"] if a["kind"] == "contains")
    assert contains["runs"] == 3 and contains["pass_rate"] == 1.0
    table = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--repeat", "3"])
    assert "3/3" in table.stdout and "9 drafts" in table.stdout


class CountingEngine:
    """A model engine double: the offline engine's work, counted and charged like a model."""

    name = "openai"
    model = "gpt-4o-mini"
    calls: ClassVar[Counter[str]] = Counter()
    options: ClassVar[dict[str, Any]] = {}

    def __init__(self, prompts: Any = None, **_options: Any) -> None:
        import datetime as dt

        CountingEngine.options = dict(_options)
        from drafter.engines.offline import OfflineEngine

        self.offline = OfflineEngine(prompts=prompts, today=dt.date(2026, 11, 23))

    def analyze(self, email, policy, usage):  # type: ignore[no-untyped-def]
        CountingEngine.calls["analyze"] += 1
        usage.add("analysis", 100, 10)
        return self.offline.analyze(email, policy, usage)

    def draft(self, email, analysis, policy, usage, on_text=None):  # type: ignore[no-untyped-def]
        CountingEngine.calls["draft"] += 1
        usage.add("draft", 200, 50)
        return self.offline.draft(email, analysis, policy, usage)

    def judge(self, email, analysis, draft, policy, usage):  # type: ignore[no-untyped-def]
        CountingEngine.calls["judge"] += 1
        usage.add("judge", 150, 5)
        return []

    def revise(self, email, analysis, draft, findings, policy, usage):  # type: ignore[no-untyped-def]
        CountingEngine.calls["revise"] += 1
        return self.offline.revise(email, analysis, draft, findings, policy, usage)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingEngine]:
    import drafter.engines.factory as factory

    CountingEngine.calls = Counter()
    monkeypatch.setattr(factory, "create_engine",
                        lambda name, prompts=None, today=None, **kw: CountingEngine(prompts, **kw))
    return CountingEngine


def test_second_run_is_all_cache_hits(runner: CliRunner, tmp_path: Path,
                                      counting: type[CountingEngine]) -> None:
    store = str(tmp_path / "cache.sqlite")
    args = ["eval", SUITE, "--engine", "openai", "--store", store, "--json"]
    first = as_json(runner.invoke(app, args))["sets"][0]["summary"]
    spent = sum(counting.calls.values())
    assert first["cache"]["hits"] == 0 and first["cache"]["misses"] == spent > 0
    assert first["total_tokens"] > 0 and first["cost_usd"] > 0  # a known model's list price
    second = as_json(runner.invoke(app, args))["sets"][0]["summary"]
    assert sum(counting.calls.values()) == spent  # nothing was asked again
    assert second["cache"] == {"enabled": True, "hits": spent, "misses": 0}
    assert second["total_tokens"] == 0 and second["cost_usd"] == 0  # hits cost nothing
    third = as_json(runner.invoke(app, [*args, "--no-cache"]))["sets"][0]["summary"]
    assert sum(counting.calls.values()) == 2 * spent and third["cache"]["hits"] == 0
    table = runner.invoke(app, args[:-1])
    assert f"cache: {spent} hits, 0 misses" in table.stdout


def test_repeats_are_sampled_not_served_from_cache(runner: CliRunner, tmp_path: Path,
                                                   counting: type[CountingEngine]) -> None:
    store = str(tmp_path / "cache.sqlite")
    base = ["eval", SUITE, "--engine", "openai", "--store", store, "--json"]
    runner.invoke(app, base)
    once = sum(counting.calls.values())
    runner.invoke(app, [*base, "--repeat", "3"])  # sample 1 is cached; 2 and 3 are new
    assert sum(counting.calls.values()) == 3 * once
    runner.invoke(app, [*base, "--repeat", "3"])  # and now all three are
    assert sum(counting.calls.values()) == 3 * once


def test_greedy_repeats_share_one_cache_entry(runner: CliRunner, tmp_path: Path,
                                              counting: type[CountingEngine]) -> None:
    store = str(tmp_path / "cache.sqlite")
    result = runner.invoke(app, ["eval", SUITE, "--engine", "openai", "--store", store,
                                 "--temperature", "0", "--repeat", "3", "--json"])
    summary = as_json(result)["sets"][0]["summary"]
    assert summary["samples"] == 9
    assert summary["cache"]["hits"] == 2 * summary["cache"]["misses"]


def test_offline_run_opens_no_store(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "cache.sqlite"
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--store", str(store)])
    assert result.exit_code == 0 and not store.exists()
    assert "cache: not used" in result.stdout


def test_a_misspelt_template_stops_eval_before_any_draft(runner: CliRunner, tmp_path: Path,
                                                         counting: type[CountingEngine]) -> None:
    folder = tmp_path / "typo"
    folder.mkdir()
    source = (builtin_dir() / "draft.j2").read_text(encoding="utf-8")
    (folder / "draft.j2").write_text(source.replace("{{ follow_up_date }}", "{{ folow_up_date }}"),
                                     encoding="utf-8")
    result = runner.invoke(app, ["eval", SUITE, "--engine", "openai", "--prompts", str(folder),
                                 "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 2
    assert "'folow_up_date' is not provided" in result.stderr
    assert "did you mean 'follow_up_date'?" in result.stderr
    assert sum(counting.calls.values()) == 0  # nothing was drafted, nothing was paid for


def test_case_and_filter_run_a_subset(runner: CliRunner) -> None:
    def names(*args: str) -> list[str]:
        result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--json", *args])
        return [c["name"] for c in as_json(result)["sets"][0]["cases"]]

    assert names("--case", "late") == ["late"]
    assert names("--case", "late", "--case", "inline") == ["late", "inline"]
    assert names("--filter", "THR") == ["threat"]
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--case", "nope"])
    assert result.exit_code == 2 and "no case named 'nope'" in result.stderr
    assert "late" in result.stderr  # the cases it does have
    result = runner.invoke(app, ["eval", SUITE, "--engine", "offline", "--filter", "zzz"])
    assert result.exit_code == 2 and "matches --filter" in result.stderr


def test_eval_runs_at_a_fixed_temperature_unless_told(runner: CliRunner, tmp_path: Path,
                                                      counting: type[CountingEngine]) -> None:
    from drafter.cli.eval import EVAL_TEMPERATURE

    runner.invoke(app, ["eval", SUITE, "--engine", "openai", "--store",
                        str(tmp_path / "c.sqlite"), "--json"])
    assert counting.options["temperature"] == EVAL_TEMPERATURE
    runner.invoke(app, ["eval", SUITE, "--engine", "openai", "--store",
                        str(tmp_path / "c.sqlite"), "--json", "--temperature", "0.2"])
    assert counting.options["temperature"] == 0.2
