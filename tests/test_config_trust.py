"""A ``drafter.toml`` in the working directory is not trusted like the user's own config.

Found by an attack (issue 11, High 4): a working-directory config pointing ``[prompts] dirs``
at a template with ``{{ cycler.__init__.__globals__.os.system('id') }}`` ran a command on an
offline ``drafter draft``, and its ``[llm] base_url`` silently sent ``OPENAI_API_KEY`` to
another server. Templates now render in Jinja2's sandbox, and a project file's endpoint is
used only when the user chose it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback import KEY, MODEL, Loopback
from typer.testing import CliRunner

from drafter.cli import app
from drafter.config import load_config
from drafter.errors import ConfigError
from drafter.prompts import Prompts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LATE = EXAMPLES / "late-delivery.eml"
ANALYSIS = json.dumps({
    "summary": "The parcel is late.", "wants": ["the parcel delivered"],
    "grievances": ["the parcel is late"], "facts": [], "anger": 4, "urgency": "high",
    "churn_risk": "medium", "language": "en", "category": "delivery",
    "escalation": {"required": False, "review": False, "reasons": [], "triggers": []}})
REPLY = ("Hi Dana,\n\nI'm so sorry your parcel is late; I understand how frustrating the wait "
         "is.\n\nI can refund the shipping fee, or send a replacement at no cost. Which would "
         "you prefer?\n\nI will email you tomorrow with an update.\n\nAlex\n")


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)


def _user_config(monkeypatch: pytest.MonkeyPatch, tmp: Path, text: str) -> Path:
    path = tmp / "home" / "drafter" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DRAFTER_CONFIG", str(path))
    return path


EXPLOITS = [
    "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{{ joiner.__init__.__globals__['os'].system('touch pwned') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].popen('touch pwned').read() }}",
]


@pytest.mark.parametrize("payload", EXPLOITS)
def test_a_template_from_a_working_directory_config_cannot_run_code(tmp_path, payload):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "offline_reply.j2").write_text(f"Hello {payload}\n", encoding="utf-8")
    (tmp_path / "drafter.toml").write_text('[prompts]\ndirs = ["p"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["draft", str(LATE), "--engine", "offline"])
    assert not (tmp_path / "pwned").exists()
    assert result.exit_code == 2, result.output
    assert "offline_reply.j2" in result.stderr and "sandbox" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_the_sandbox_still_renders_ordinary_templates(tmp_path):
    (tmp_path / "t.j2").write_text(
        "{% for k, v in facts.items() %}{{ k }}={{ v | upper }};{% endfor %}"
        "{{ names | join(', ') }} {{ '%d' % n }}", encoding="utf-8")
    text = Prompts([tmp_path]).render("t", facts={"a": "x"}, names=["A", "B"], n=3)
    assert text == "a=X;A, B 3"


def test_a_project_base_url_is_ignored_with_a_notice(tmp_path, monkeypatch, loopback: Loopback):
    """The key in the environment never goes to an endpoint only a project file named."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    (tmp_path / "drafter.toml").write_text(f'[llm]\nbase_url = "{loopback.url}"\n',
                                           encoding="utf-8")
    config = load_config()
    assert config.llm.base_url is None
    assert "ignoring [llm] base_url" in config.notices[0]
    # ``auto`` with only the project file's endpoint: no request reaches that server.
    monkeypatch.delenv("OPENAI_API_KEY")
    result = CliRunner().invoke(app, ["draft", str(LATE)])
    assert result.exit_code in (0, 1), result.output
    assert loopback.seen == []
    assert "ignoring [llm] base_url" in result.stderr
    assert "trusted_base_urls" in result.stderr


def test_an_endpoint_the_user_trusts_is_used_and_named(tmp_path, monkeypatch,
                                                         loopback: Loopback):
    user = _user_config(monkeypatch, tmp_path,
                        f'[llm]\ntrusted_base_urls = ["{loopback.url}/"]\n')
    (tmp_path / "drafter.toml").write_text(
        f'[llm]\nbase_url = "{loopback.url}"\nmodel = "{MODEL}"\n', encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    loopback.chat(ANALYSIS, kind="analysis")
    loopback.chat(REPLY, kind="draft")
    result = CliRunner().invoke(app, ["draft", str(LATE), "--engine", "openai", "--no-judge",
                                      "--max-revisions", "0", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert loopback.chats, "the trusted endpoint was asked"
    assert loopback.chats[0].headers["authorization"] == f"Bearer {KEY}"
    assert f"model endpoint {loopback.url} (from " in result.stderr
    assert str(user) in result.stderr and "ignoring" not in result.stderr


def test_the_endpoint_from_the_environment_is_named(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    config = load_config()
    assert config.endpoint_line() == "model endpoint http://127.0.0.1:9/v1 (from OPENAI_BASE_URL)"


def test_the_users_own_config_may_set_the_endpoint(tmp_path, monkeypatch):
    user = _user_config(monkeypatch, tmp_path,
                        '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n')
    (tmp_path / "drafter.toml").write_text('[llm]\nmodel = "project-model"\n', encoding="utf-8")
    config = load_config()
    assert config.llm.base_url == "http://127.0.0.1:9/v1" and config.notices == ()
    assert config.llm.model == "project-model"  # the project's other settings still win
    assert config.endpoint_line() == f"model endpoint http://127.0.0.1:9/v1 (from {user})"


def test_trust_cannot_be_granted_by_the_project_file(tmp_path):
    (tmp_path / "drafter.toml").write_text(
        '[llm]\ntrusted_base_urls = ["http://evil.example/v1"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="belongs in your own config file"):
        load_config()
    result = CliRunner().invoke(app, ["draft", str(LATE)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_structured_output_mode_is_a_known_one(tmp_path):
    (tmp_path / "drafter.toml").write_text('[llm]\nstructured = "json_object"\n',
                                           encoding="utf-8")
    assert load_config(tmp_path).llm.structured == "json_object"
    (tmp_path / "drafter.toml").write_text('[llm]\nstructured = "xml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="structured must be one of auto, json_schema"):
        load_config(tmp_path)
