"""``drafter check``: exit codes, text and JSON output, --email, --rules, the judge wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import drafter.cli.check  # noqa: F401  (registers the command on the app)
from drafter.cli import app
from drafter.models import Finding

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("Hi Dana,\n\nI'm so sorry your jacket is late; I understand how frustrating that is. "
        "I can refund the $12.99 shipping fee or send a $25 credit, whichever you prefer. "
        "I'll email you by Friday.\n\nBest,\nAlex\n")
BAD = ("Hi Dana,\n\nI'm sorry. Please calm down!! As I already explained, the order "
       "A-99999 shipped.\nI can send a replacement. I'll email you by Friday.\n\nBest,\nAlex\n")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No drafter.toml, no API key: every test starts offline in an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["check", *args], input=stdin)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_reply_exits_0(tmp_path):
    result = run(write(tmp_path, "reply.txt", GOOD))
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_a_bad_reply_exits_1_and_shows_each_finding_in_context(tmp_path):
    path = write(tmp_path, "reply.txt", BAD)
    result = run(path)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{path}:3:19: error [calm-down] Tells the customer to calm down." in out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "[calm-down]" in line)
    assert lines[at + 1].startswith("    3 | I'm sorry. Please calm down!!")
    caret = lines[at + 2]
    assert caret.endswith("^" + "~" * 8) and caret.index("^") == lines[at + 1].index("calm")
    assert "suggestion:" in lines[at + 3]
    assert "failed" in lines[-1] and "error" in lines[-1]


def test_json_output(tmp_path):
    result = run(write(tmp_path, "reply.txt", BAD), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"passed", "findings", "notes", "checks"} and data["passed"] is False
    assert data["checks"] == ["rules", "model", "gate"]
    first = data["findings"][0]
    assert set(first) >= {"rule", "mistake", "severity", "start", "end", "excerpt", "message",
                          "suggestion"}
    assert {"calm-down", "raised-voice", "arguing"} <= {f["mistake"] for f in data["findings"]}
    for f in data["findings"]:
        assert BAD[f["start"]:f["end"]] == f["excerpt"]


def test_stdin():
    result = run("-", "--json", stdin=GOOD)
    assert result.exit_code == 0 and json.loads(result.stdout)["passed"] is True


@pytest.mark.parametrize("make", [
    lambda p: str(p / "missing.txt"),
    lambda p: str(p),
    lambda p: (p / "bin.dat").write_bytes(b"\x00\x01\x02binary") and str(p / "bin.dat"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, make):
    result = run(make(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("drafter: error: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_an_empty_reply_is_a_finding(tmp_path):
    result = run(write(tmp_path, "empty.txt", ""), "--json")
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["empty-reply"]


def test_a_latin1_file_is_read_not_rejected(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(GOOD.replace("Dana", "Ren\xe9e").encode("latin-1"))
    assert run(str(path)).exit_code == 0


def test_email_grounds_the_reply(tmp_path):
    email = str(ROOT / "examples" / "late-delivery.eml")
    ok = run(write(tmp_path, "ok.txt", GOOD.replace("by Friday", "about order A-12345 by "
                                                    "Friday")), "--email", email, "--json")
    assert ok.exit_code == 0, ok.output
    bad = run(write(tmp_path, "bad.txt", GOOD.replace("$12.99", "$19.99")), "--email", email,
              "--json")
    findings = json.loads(bad.stdout)["findings"]
    assert bad.exit_code == 1
    assert [f["excerpt"] for f in findings if f["rule"] == "invented-fact"] == ["$19.99"]


def test_a_missing_email_file_exits_2(tmp_path):
    result = run(write(tmp_path, "reply.txt", GOOD), "--email", str(tmp_path / "nope.eml"))
    assert result.exit_code == 2 and result.stderr.startswith("drafter: error:")


def test_rules_and_policy_files(tmp_path):
    reply = write(tmp_path, "reply.txt", GOOD.replace("I can", "Per clause 4, I can"))
    pack = write(tmp_path, "pack.toml", "[rules.clauses]\nmessage = 'No clauses.'\n"
                                        "patterns = ['''per clause \\d+''']\n")
    result = run(reply, "--rules", pack, "--json")
    assert result.exit_code == 1
    assert "clauses" in {f["rule"] for f in json.loads(result.stdout)["findings"]}
    tight = write(tmp_path, "policy.toml", '[[options]]\nkind = "refund"\nmax_amount = 5\n'
                                           'offer = "a refund"\n')
    result = run(reply, "--policy", tight, "--no-judge", "--json")
    assert "over-promise" in {f["rule"] for f in json.loads(result.stdout)["findings"]}


def test_a_broken_rule_pack_exits_2(tmp_path):
    reply = write(tmp_path, "reply.txt", GOOD)
    result = run(reply, "--rules", write(tmp_path, "pack.toml", "[rules.x]\nmessage='m'\n"
                                                                "patterns=['(']\n"))
    assert result.exit_code == 2 and "bad pattern" in result.stderr


def test_judge_with_the_offline_engine_says_so(tmp_path):
    result = run(write(tmp_path, "reply.txt", GOOD), "--judge", "--json")
    assert result.exit_code == 0
    assert any("judge needs an LLM engine" in n for n in json.loads(result.stdout)["notes"])


class FakeEngine:
    """Stands in for the openai engine: its judge quotes one real and one invented phrase."""

    name = "openai"
    model = "fake-model"
    calls = 0

    def judge(self, email, analysis, draft, policy, usage):
        from drafter.checker.judge import parse_judge_output

        FakeEngine.calls += 1
        usage.add("judge", 10, 5)
        return parse_judge_output({"findings": [
            {"rule": "no-venting", "quote": "whichever you prefer", "message": "m",
             "suggestion": "s", "severity": "warning"},
            {"rule": "arguing", "quote": "not in the reply", "message": "m", "suggestion": "s",
             "severity": "error"},
        ]}, draft.text)


def test_the_judge_runs_through_the_engine_with_openai(tmp_path, monkeypatch):
    import drafter.engines.factory as factory

    monkeypatch.setattr(factory, "create_engine", lambda name, **kw: FakeEngine())
    FakeEngine.calls = 0
    reply = write(tmp_path, "reply.txt", GOOD)
    result = run(reply, "--engine", "openai", "--json")
    data = json.loads(result.stdout)
    judged = [f for f in data["findings"] if f["source"] == "judge"]
    assert [(f["rule"], f["excerpt"]) for f in judged] == [("no-venting", "whichever you prefer")]
    assert result.exit_code == 0  # a judge warning is not an error
    assert any("fake-model" in n for n in data["notes"])
    run(reply, "--engine", "openai", "--no-judge")
    run(reply, "--engine", "offline", "--json")
    assert FakeEngine.calls == 1


def test_finding_model_round_trips_through_json(tmp_path):
    result = run(write(tmp_path, "reply.txt", BAD), "--json")
    for raw in json.loads(result.stdout)["findings"]:
        assert Finding(**raw).to_dict() == raw


def test_help_lists_the_options():
    result = CliRunner().invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("--email", "--policy", "--rules", "--json", "--judge", "--engine"):
        assert option in result.output
