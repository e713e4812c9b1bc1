"""``drafter check`` over many replies: folders, CSV/JSONL exports, --map, the formats, SARIF."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import drafter.cli.check  # noqa: F401  (registers the command on the app)
from drafter.checker.batch import Summary, check_items, parse_map, read_items, resolve_columns
from drafter.checker.rules import load_rules
from drafter.cli import app
from drafter.errors import InputError
from drafter.policy import BUILTIN_POLICY, parse_policy

GOOD = ("Hi Dana,\n\nI'm so sorry your jacket is late; I understand how frustrating that is. "
        "I can refund the $12.99 shipping fee or send a $25 credit, whichever you prefer. "
        "I'll email you by Friday.\n\nBest,\nAlex\n")
BAD = ("Hi Dana,\n\nI'm sorry. Please calm down. I can send a replacement or a refund. "
       "I'll email you by Friday.\n\nBest,\nAlex\n")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def run(*args: str):
    return CliRunner().invoke(app, ["check", *args])


def macros(tmp_path: Path) -> Path:
    folder = tmp_path / "macros"
    (folder / "billing").mkdir(parents=True)
    (folder / "late.txt").write_text(GOOD, encoding="utf-8")
    (folder / "billing" / "calm.md").write_text(BAD, encoding="utf-8")
    (folder / ".hidden.txt").write_text(BAD, encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return folder


def export(tmp_path: Path, rows: list[dict[str, str]], name: str = "macros.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_folder_is_checked_reply_by_reply_with_a_summary_per_rule(tmp_path):
    result = run(str(macros(tmp_path)))
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "calm.md:3:" in out and "[calm-down]" in out
    assert "late.txt" not in out  # a passing reply prints nothing but its share of the count
    assert ".hidden" not in out and "logo.png" not in out
    assert "checked 2 replies: 1 passed, 1 with errors" in out
    assert any(line.split()[:2] == ["calm-down", "1"] for line in out.splitlines())
    # Notes every reply shares are said once, under the summary, not per reply.
    assert out.count("invented-fact not checked") == 1 and out.count("no policy given") == 1


def test_a_folder_of_good_replies_exits_0(tmp_path):
    folder = tmp_path / "ok"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(GOOD, encoding="utf-8")
    result = run(str(folder))
    assert result.exit_code == 0, result.output
    assert "checked 3 replies: 3 passed, 0 with errors" in result.stdout


def test_csv_export_with_map_and_jsonl_output(tmp_path):
    path = export(tmp_path, [{"Title": "Late parcel", "Body": GOOD},
                             {"Title": "Calm", "Body": BAD}])
    result = run(str(path), "--map", "text=Body,id=Title", "--format", "jsonl")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["passed"] for r in records] == [True, False]
    assert records[1]["reply"].endswith("(Calm)") and records[1]["line"] > records[0]["line"]
    assert "calm-down" in {f["rule"] for f in records[1]["findings"]}
    assert "checked 2 replies" in result.stderr


def test_recognised_columns_need_no_map(tmp_path):
    path = export(tmp_path, [{"id": "1", "content": GOOD}])
    result = run(str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True and data["checked"] == 1
    assert data["replies"][0]["reply"].endswith("(1)")


def test_jsonl_export_with_email_column_grounds_each_reply(tmp_path):
    path = tmp_path / "replies.jsonl"
    rows = [{"name": "a", "text": GOOD.replace("$12.99", "$99.99"),
             "original": "My jacket is late. I paid $12.99 shipping."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run(str(path), "--map", "email=original", "--format", "json")
    data = json.loads(result.stdout)
    assert "invented-fact" in {f["rule"] for f in data["replies"][0]["findings"]}


def test_unreadable_records_are_reported_and_the_batch_goes_on(tmp_path):
    path = tmp_path / "replies.jsonl"
    path.write_text(json.dumps({"text": GOOD}) + "\n{not json\n" + json.dumps({"text": ""})
                    + "\n", encoding="utf-8")
    result = run(str(path), "--format", "jsonl")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["passed"] is True
    assert "not valid JSON" in records[1]["error"] and "empty" in records[2]["error"]
    assert "2 replies could not be read" in result.stderr


def test_sarif_output_is_valid_sarif_2_1_0(tmp_path):
    result = run(str(macros(tmp_path)), "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run0 = log["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert run0["results"], "the calm-down reply must produce results"
    for res in run0["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("calm.md")
        assert loc["region"]["startLine"] >= 1
    calm = next(r for r in run0["results"] if r["ruleId"] == "calm-down")
    region = calm["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 19)
    assert region["snippet"]["text"].lower() == "calm down"


def test_sarif_for_a_csv_export_points_at_the_record_line(tmp_path):
    path = export(tmp_path, [{"text": GOOD}, {"text": BAD}])
    log = json.loads(run(str(path), "--format", "sarif").stdout)
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in log["runs"][0]["results"] if r["ruleId"] == "calm-down"}
    # the header, GOOD's lines (its newlines plus one), then line 3 of BAD
    assert lines == {1 + GOOD.count("\n") + 1 + 3}


def test_a_1000_macro_csv_in_sarif(tmp_path):
    rows = [{"Title": f"macro {i}", "Body": GOOD if i % 10 else BAD} for i in range(1000)]
    path = export(tmp_path, rows)
    result = run(str(path), "--map", "text=Body,id=Title", "--format", "sarif")
    assert result.exit_code == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert len({r["properties"]["reply"] for r in results if r["ruleId"] == "calm-down"}) == 100
    assert "checked 1,000 replies: 900 passed, 100 with errors" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "text=Nope"], "no such column"),
    (["--map", "colour=Body"], "unknown field"),
    (["--format", "xml"], "--format must be one of"),
    (["--json", "--format", "sarif"], "disagree"),
    (["--judge"], "one reply at a time"),
    (["--email", "x.eml"], "--map email=COLUMN"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    path = export(tmp_path, [{"Body": GOOD}])
    result = run(str(path), *args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


def test_no_text_column_and_empty_folder_are_usage_errors(tmp_path):
    path = export(tmp_path, [{"Colour": "red"}])
    result = run(str(path))
    assert result.exit_code == 2 and "--map text=COLUMN" in result.stderr
    (tmp_path / "empty").mkdir()
    result = run(str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no replies found" in result.stderr


def test_map_on_a_single_reply_is_a_usage_error(tmp_path):
    path = tmp_path / "reply.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = run(str(path), "--map", "text=Body")
    assert result.exit_code == 2 and "single reply" in result.stderr


def test_single_reply_formats(tmp_path):
    path = tmp_path / "reply.txt"
    path.write_text(BAD, encoding="utf-8")
    line = json.loads(run(str(path), "--format", "jsonl").stdout)
    assert line["reply"] == str(path) and line["passed"] is False
    log = json.loads(run(str(path), "--format", "sarif").stdout)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"calm-down"}


def test_library_reading_and_summary(tmp_path):
    folder = macros(tmp_path)
    items = list(read_items(folder))
    assert [Path(i.name).name for i in items] == ["calm.md", "late.txt"]
    summary = Summary()
    policy = parse_policy(BUILTIN_POLICY, source="built-in")
    for outcome in check_items(items, policy=policy, rules=load_rules()):
        summary.add(outcome)
    assert (summary.checked, summary.failed, summary.passed) == (2, 1, False)
    assert summary.to_dict()["rules"]["calm-down"] == {"replies": 1, "severity": "error"}
    assert parse_map(["text=Body, id=Title"]) == {"text": "Body", "id": "Title"}
    assert resolve_columns(["Macro ID", "Comment Value"], {}) == {"text": "Comment Value",
                                                                 "id": "Macro ID"}
    with pytest.raises(InputError):
        resolve_columns(["a", "b"], {})
