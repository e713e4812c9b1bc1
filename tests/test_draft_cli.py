"""The ``drafter draft`` contract: formats, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import email
import json
import re
from email import policy as email_policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ANGRY = sorted([*EXAMPLES.glob("*.eml"), *EXAMPLES.glob("*.txt")])
ESCALATIONS = sorted((EXAMPLES / "escalation").glob("*"))


@pytest.fixture(autouse=True)
def offline_env(monkeypatch, tmp_path):
    """No model configured, a fixed date, and a working directory without a drafter.toml."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, list(args), input=input)


@pytest.mark.parametrize("path", ANGRY, ids=lambda p: p.name)
def test_every_bundled_example_drafts_and_passes(path):
    result = run("draft", str(path), "--policy", str(EXAMPLES / "policy.toml"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["draft"]["text"]
    assert data["check"]["passed"] is True
    assert not [f for f in data["check"]["findings"] if f["severity"] == "error"]


@pytest.mark.parametrize("path", ESCALATIONS, ids=lambda p: p.name)
def test_escalations_get_no_draft_and_exit_1(path):
    result = run("draft", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["draft"] is None
    assert data["analysis"]["escalation"]["required"] is True
    assert data["analysis"]["escalation"]["triggers"]
    assert data["escalated"] is True


def test_escalation_text_output_says_escalate():
    result = run("draft", str(EXAMPLES / "escalation" / "violence.txt"))
    assert result.exit_code == 1
    assert "ESCALATE TO A PERSON" in result.stdout


def test_json_contract_keys():
    result = run("draft", str(EXAMPLES / "late-delivery.eml"), "--json")
    data = json.loads(result.stdout)
    assert {"email", "analysis", "draft", "check", "engine", "usage"} <= set(data)
    assert {"summary", "wants", "grievances", "facts", "anger", "urgency", "churn_risk",
            "language", "escalation"} <= set(data["analysis"])
    assert set(data["analysis"]["escalation"]) >= {"required", "reasons"}
    assert set(data["draft"]) == {"subject", "text"}
    assert set(data["check"]) >= {"passed", "findings"}
    assert data["engine"] == "offline"
    assert data["usage"]["calls"] == 0
    assert data["email"]["message_id"] == "<CAF7x9kR2m@mail.example.com>"


def test_draft_uses_the_customers_facts():
    data = json.loads(run("draft", str(EXAMPLES / "late-delivery.eml"), "--json").stdout)
    text = data["draft"]["text"]
    assert "A-12345" in text and "$12.99" in text
    assert text.startswith("Hi Dana,")
    assert "Wednesday, November 25" in text  # two business days after Monday 23rd


def test_text_output_for_a_person():
    result = run("draft", str(EXAMPLES / "late-delivery.eml"))
    assert result.exit_code == 0
    out = result.stdout
    assert "Wants" in out and "refund the $12.99 shipping fee" in out
    assert "Check: passed" in out
    assert out.count("Best regards") == 1


def test_offline_default_is_said_on_stderr():
    result = run("draft", str(EXAMPLES / "late-delivery.eml"))
    assert "offline engine" in result.stderr


def test_model_options_the_offline_engine_cannot_use_are_said_to_be_ignored():
    result = run("draft", str(EXAMPLES / "late-delivery.eml"), "--engine", "offline",
                 "--judge", "--model", "gpt-4o", "--temperature", "0.2")
    assert result.exit_code == 0
    assert "--judge, --model, --temperature ignored: the offline engine has no model" \
        in result.stderr


def test_markdown_format():
    result = run("draft", str(EXAMPLES / "late-delivery.eml"), "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Reply draft:")
    assert "## Draft" in result.stdout and "## Check" in result.stdout


def test_markdown_keeps_email_and_model_text_inert():
    from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email
    from drafter.render import to_markdown

    subject = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) # title"
    draft = "Hi,\n```\n# injected heading\n<script>alert(1)</script>\n```\nBest"
    result = DraftResult(email=Email(body="b", subject=subject, sender="Eve <eve@x.example>"),
                         analysis=Analysis(summary="[click](javascript:x)", wants=["<b>x</b>"]),
                         draft=Draft(subject="Re: " + subject, text=draft),
                         check=CheckResult(), engine="offline")
    out = to_markdown(result)
    outside = out.split("````text")[0]  # everything but the fenced draft
    for raw in ("<img", "](javascript", "<b>", "[click]"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), outside), raw
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in out
    # The draft sits in a fence longer than any backtick run inside it: it cannot break out.
    lines = out.splitlines()
    start = lines.index("````text")
    assert lines[start + 1] == "Hi," and "````" in lines[start + 2:]
    assert lines.index("````", start + 1) > lines.index("<script>alert(1)</script>")


def test_eml_reply_threads_under_the_original(tmp_path):
    out = tmp_path / "reply.eml"
    result = run("draft", str(EXAMPLES / "rude-agent-thread.eml"), "--format", "eml",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(out.read_bytes(), policy=email_policy.default)
    assert msg["Subject"] == "Re: Your case 77310 has been updated"
    assert msg["To"] == "Tom Becker <tbecker@example.net>"
    assert msg["In-Reply-To"] == "<b3c1e2f0-77310-reply@example.net>"
    assert msg["References"].split() == [
        "<case-77310-open@northwind.example>", "<case-77310-update@northwind.example>",
        "<b3c1e2f0-77310-reply@example.net>",
    ]
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Hi Tom,") and "> " in body


def test_eml_for_an_escalation_writes_nothing(tmp_path):
    out = tmp_path / "reply.eml"
    result = run("draft", str(EXAMPLES / "escalation" / "crisis.txt"), "--format", "eml",
                 "--out", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "escalated" in result.stderr


def test_stdin():
    data = (EXAMPLES / "double-charge.txt").read_bytes()
    result = run("draft", "-", "--json", input=data)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["email"]["subject"] == "Charged twice for my subscription"


def test_policy_from_drafter_toml_in_working_directory(tmp_path):
    (tmp_path / "drafter.toml").write_text(
        'company = "Acme"\n[agent]\nname = "Jo"\nsignoff = "Jo at Acme"\n'
        '[[options]]\nkind = "callback"\noffer = "a call back today"\n'
        '[[options]]\nkind = "credit"\nmax_amount = 5\noffer = "a {amount} credit"\n'
    )
    text = json.loads(run("draft", str(EXAMPLES / "late-delivery.eml"), "--json").stdout)
    assert text["draft"]["text"].rstrip().endswith("Jo at Acme")
    assert "a $5 credit" in text["draft"]["text"].lower()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.eml", "no such file"),
        (lambda d: d, "directory"),
        (lambda d: _write(d / "empty.eml", b""), "empty"),
        (lambda d: _write(d / "pic.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
         "binary"),
    ],
    ids=["missing", "directory", "empty", "binary"],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    result = run("draft", str(make(tmp_path)))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drafter: error:")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_unknown_format_and_engine_are_usage_errors():
    assert run("draft", str(EXAMPLES / "late-delivery.eml"), "--format", "pdf").exit_code == 2
    result = run("draft", str(EXAMPLES / "late-delivery.eml"), "--engine", "magic")
    assert result.exit_code == 2 and "unknown engine" in result.stderr


def test_bad_policy_is_exit_2(tmp_path):
    bad = _write(tmp_path / "p.toml", b"company = ")
    result = run("draft", str(EXAMPLES / "late-delivery.eml"), "--policy", str(bad))
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_a_spanish_email_gets_a_spanish_reply():
    data = json.loads(run("draft", str(EXAMPLES / "spanish.txt"), "--json").stdout)
    assert data["analysis"]["language"] == "es"
    assert data["draft"]["text"].startswith("Hola") and "Lamento" in data["draft"]["text"]
    assert not any("English" in n for n in data["notices"])


def test_an_email_in_a_language_without_a_template_says_the_reply_is_english(tmp_path):
    mail = tmp_path / "russian.txt"
    mail.write_text("Мой заказ 5521 до сих пор не доставлен, и никто не перезванивает. "
                    "Я хочу вернуть деньги.\n", encoding="utf-8")
    data = json.loads(run("draft", str(mail), "--json").stdout)
    assert data["analysis"]["language"] == "ru"
    assert any("Russian" in n and "English" in n for n in data["notices"])
    assert data["draft"]["text"].startswith("Hi")


def test_legal_threat_drafts_but_asks_for_review():
    result = run("draft", str(EXAMPLES / "legal-threat.txt"), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["draft"]
    assert data["analysis"]["escalation"]["review"] is True
    assert any("review" in n for n in data["notices"])


def test_help_teaches():
    result = run("draft", "--help")
    assert result.exit_code == 0
    for word in ("--format", "--engine", "--policy", "Exit codes", "Examples"):
        assert word in result.stdout


def test_version():
    assert run("--version").stdout.startswith("drafter ")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [
    ["draft", str(EXAMPLES / "late-delivery.eml")],
    ["draft", str(EXAMPLES / "late-delivery.eml"), "--json"],
    ["check", "-"],
    ["prompts", "list"],
])
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(args):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "drafter", *args], stdout=full,
                              stderr=subprocess.PIPE, input="Hi,\n\nSorry. I'll call you "
                              "Friday.\n\nBest,\nAl\n", text=True, timeout=120,
                              env={**__import__("os").environ, "DRAFTER_TODAY": "2026-11-23"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == \
        "drafter: error: cannot write the output: No space left on device"



@pytest.mark.parametrize("command", [["draft"], ["check"], ["triage"], ["eval"], ["models"],
                                     ["prompts", "render"], ["prompts", "lint"]])
def test_help_never_shows_python_types(command):
    """Issue 11, the new user's trial: `<str>`, `<int range>`, `<list[Path]>` teach nothing."""
    text = run(*command, "--help").stdout
    assert not re.search(r"<(?:str|int|float|list|path|bool)\b[^>]*>", text, re.IGNORECASE), text


def test_an_eml_from_a_text_email_warns_that_it_has_no_recipient(tmp_path):
    """Issue 11, the new user's trial: a text input has no From, so the draft has no To."""
    result = run("draft", str(EXAMPLES / "double-charge.txt"), "--format", "eml")
    assert result.exit_code in (0, 1)
    assert "no From address" in result.stderr and "To:" not in result.stdout.split("\n\n")[0]
    with_sender = run("draft", str(EXAMPLES / "late-delivery.eml"), "--format", "eml")
    assert "no From address" not in with_sender.stderr
