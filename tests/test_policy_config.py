"""Policy, config and prompt loading: good files load, bad ones fail with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.config import load_config
from drafter.errors import ConfigError
from drafter.policy import load_policy, parse_policy
from drafter.prompts import Prompts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_policy_has_every_key():
    policy = load_policy(EXAMPLES / "policy.toml")
    assert policy.company == "Northwind Outfitters"
    assert policy.signoff.splitlines() == ["Sam Rivera", "Customer Care, Northwind Outfitters"]
    assert policy.follow_up_days == 2 and policy.follow_up_channel == "email"
    assert policy.max_amount("refund") == 150
    assert policy.contact and policy.forbidden
    assert {"refund", "replacement", "credit", "callback"} <= policy.kinds


def test_builtin_policy_when_no_file(tmp_path):
    policy = load_policy(cwd=tmp_path)
    assert policy.source == "built-in" and len(policy.options) >= 2


def test_drafter_toml_in_working_directory_wins_over_builtin(tmp_path):
    (tmp_path / "drafter.toml").write_text('company = "Acme"\n[[options]]\nkind = "refund"\n'
                                           'offer = "a refund"\n')
    assert load_policy(cwd=tmp_path).company == "Acme"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("company = ", "not valid TOML"),
        ('[[options]]\nkind = "gift"\noffer = "x"', "is not one of"),
        ('[[options]]\nkind = "refund"', "needs an 'offer'"),
        ("[follow_up]\nbusiness_days = -1", "0 or more"),
        ('[[options]]\nkind = "refund"\noffer = "x"\nmax_amount = "lots"', "lots"),
    ],
)
def test_bad_policy_is_a_config_error(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_policy(text, source="p.toml")


def test_missing_policy_file(tmp_path):
    with pytest.raises(ConfigError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_config_llm_table_and_prompt_dirs(tmp_path):
    (tmp_path / "drafter.toml").write_text(
        '[llm]\nmodel = "gpt-test"\ntemperature = 0.2\n[prompts]\ndirs = ["my-prompts"]\n'
    )
    config = load_config(tmp_path)
    assert config.llm.model == "gpt-test"
    assert config.llm.merged(model="other", temperature=None).engine_options() == {
        "model": "other", "temperature": 0.2,
    }
    assert config.prompt_dirs == [tmp_path / "my-prompts"]


def test_config_refuses_api_keys_and_unknown_keys(tmp_path):
    (tmp_path / "drafter.toml").write_text('[llm]\napi_key = "sk-secret"\n')
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        load_config(tmp_path)
    (tmp_path / "drafter.toml").write_text('[llm]\nmodle = "x"\n')
    with pytest.raises(ConfigError, match="unknown"):
        load_config(tmp_path)


def test_prompt_override_file_by_file(tmp_path):
    (tmp_path / "offline_reply.j2").write_text("Hello {{ first_name }}")
    prompts = Prompts([tmp_path])
    assert prompts.origin("offline_reply") == tmp_path / "offline_reply.j2"
    assert prompts.render("offline_reply", first_name="Ana") == "Hello Ana"
    assert "offline_reply" in prompts.names()


def test_prompts_render_with_strict_undefined(tmp_path):
    (tmp_path / "offline_reply.j2").write_text("Hello {{ frist_name }}")
    with pytest.raises(ConfigError, match="frist_name"):
        Prompts([tmp_path]).render("offline_reply", first_name="Ana")


def test_prompt_messages_need_system_and_user_blocks(tmp_path):
    (tmp_path / "x.j2").write_text("{% block system %}S {{ a }}{% endblock %}"
                                   "{% block user %}U{% endblock %}")
    messages = Prompts([tmp_path]).messages("x", a=1)
    assert messages.as_list() == [{"role": "system", "content": "S 1"},
                                  {"role": "user", "content": "U"}]
    (tmp_path / "y.j2").write_text("{% block system %}S{% endblock %}")
    with pytest.raises(ConfigError, match="user"):
        Prompts([tmp_path]).messages("y")


def test_missing_prompt_folder(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Prompts([tmp_path / "nope"])


def test_openai_model_env_beats_the_file_and_the_flag_beats_both(tmp_path, monkeypatch):
    (tmp_path / "drafter.toml").write_text('[llm]\nmodel = "from-file"\n')
    monkeypatch.setenv("OPENAI_MODEL", "from-env")
    config = load_config(tmp_path)
    assert config.llm.model == "from-env"
    assert config.llm.merged(model="from-flag").model == "from-flag"
    monkeypatch.delenv("OPENAI_MODEL")
    assert load_config(tmp_path).llm.model == "from-file"
