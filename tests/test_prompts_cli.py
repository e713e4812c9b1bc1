"""``drafter prompts list|show|render|lint``: what a prompt author sees, and what lint catches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli import app
from drafter.prompts import builtin_dir

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LATE = str(EXAMPLES / "late-delivery.eml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No drafter.toml from the developer's working directory, no model configured."""
    monkeypatch.chdir(tmp_path)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))


def override(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "my-prompts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def builtin(name: str) -> str:
    return (builtin_dir() / f"{name}.j2").read_text(encoding="utf-8")


# --- list and show ----------------------------------------------------------------------------


def test_list_shows_where_each_template_comes_from(runner: CliRunner, tmp_path: Path) -> None:
    folder = override(tmp_path, "draft.j2", builtin("draft"))
    result = runner.invoke(app, ["prompts", "list", "--prompts", str(folder)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert str(folder) in rows["draft"]
    assert "built-in" in rows["analyze"] and "built-in" in rows["offline_reply"]
    assert "customer_email" in rows["analyze"]  # the variables it reads


def test_list_json_has_origin_and_variables(runner: CliRunner, tmp_path: Path) -> None:
    folder = override(tmp_path, "offline_reply.j2", "Hi {{ first_name }}, {{ policy.signoff }}")
    result = runner.invoke(app, ["prompts", "list", "--prompts", str(folder), "--json"])
    data = {t["name"]: t for t in json.loads(result.stdout)}
    assert data["offline_reply"]["origin"] == str(folder)
    assert data["offline_reply"]["variables"] == ["first_name", "policy"]
    assert data["draft"]["builtin"] is True


def test_show_prints_the_source_and_says_where_from(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "offline_reply"])
    assert result.exit_code == 0
    assert result.stdout == builtin("offline_reply")
    assert "offline_reply.j2" in result.stderr


def test_show_unknown_template_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "show", "drafts"])
    assert result.exit_code == 2
    assert "not found" in result.stderr


# --- render -----------------------------------------------------------------------------------


def test_render_prints_the_exact_system_and_user_messages(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "render", "draft", "--email", LATE,
                                 "--policy", str(EXAMPLES / "policy.toml")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("===== system =====") < out.index("===== user =====")
    assert "Northwind Outfitters" in out  # the policy is filled in
    assert "refund the $12.99 shipping fee" in out  # and the offline analysis
    assert "<customer_email>" in out and "A-12345" in out
    assert "analysis: offline engine" in result.stderr


def test_render_json_is_the_request(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "render", "analyze", "--email", LATE, "--json"])
    data = json.loads(result.stdout)
    roles = [m["role"] for m in data["request"]["messages"]]
    assert roles == ["system", "user"]
    assert data["request"]["response_format"]["type"] == "json_schema"
    assert data["origin"] == "built-in"


def test_render_revise_uses_the_offline_draft(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "render", "revise", "--email", LATE])
    assert result.exit_code == 0, result.output
    assert "<draft>" in result.stdout and "Hi Dana" in result.stdout
    assert "offline draft with" in result.stderr


def test_render_offline_reply_honours_the_override(runner: CliRunner, tmp_path: Path) -> None:
    folder = override(tmp_path, "offline_reply.j2", "Dear {{ first_name }}, sorry.\n")
    result = runner.invoke(app, ["prompts", "render", "offline_reply", "--email", LATE,
                                 "--prompts", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Dear Dana, sorry.\n"


def test_render_refuses_a_template_no_step_renders(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts", "render", "summary", "--email", LATE])
    assert result.exit_code == 2
    assert "choose one of" in result.stderr


# --- lint -------------------------------------------------------------------------------------


def test_lint_catches_a_misspelt_variable_with_file_line_and_hint(
        runner: CliRunner, tmp_path: Path) -> None:
    text = builtin("offline_reply").replace("Hi {{ first_name }},", "Hi {{ frist_name }},")
    folder = override(tmp_path, "offline_reply.j2", text)
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "{{ frist_name }}" in x)
    result = runner.invoke(app, ["prompts", "lint", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'offline_reply.j2'}:{line}: error: 'frist_name'" in result.stdout
    assert "did you mean 'first_name'?" in result.stdout


def test_lint_catches_a_misspelt_attribute(runner: CliRunner, tmp_path: Path) -> None:
    text = builtin("draft").replace("policy.company", "policy.compnay", 1)
    folder = override(tmp_path, "draft.j2", text)
    result = runner.invoke(app, ["prompts", "lint", str(folder)])
    assert result.exit_code == 1
    assert "'policy' has no attribute 'compnay'; did you mean 'policy.company'?" in result.stdout


def test_lint_reports_a_syntax_error_with_its_line(runner: CliRunner, tmp_path: Path) -> None:
    folder = override(tmp_path, "draft.j2",
                      "{% block system %}\nhello\n{% if analysis %}\n{% endblock %}\n")
    result = runner.invoke(app, ["prompts", "lint", str(folder), "--json"])
    assert result.exit_code == 1
    issue = next(i for i in json.loads(result.stdout)["issues"] if i["code"] == "syntax")
    assert issue["line"] == 4 and issue["path"].endswith("draft.j2")


def test_lint_finds_runtime_errors_in_loops_by_rendering(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    text = builtin("draft").replace("{{ o.kind }}", "{{ o.knid }}")
    assert text != builtin("draft")
    folder = override(tmp_path, "draft.j2", text)
    result = runner.invoke(app, ["prompts", "lint", str(folder)])
    assert result.exit_code == 1
    assert "[render-error]" in result.stdout and "knid" in result.stdout


def test_lint_of_the_builtins_is_clean(runner: CliRunner) -> None:
    """The shipped templates and the engines agree on every variable."""
    result = runner.invoke(app, ["prompts", "lint", "--json"])
    data = json.loads(result.stdout)
    errors = [i for i in data["issues"] if i["severity"] == "error"]
    assert errors == [] and result.exit_code == 0
    assert data["full_set"] is True


def test_lint_override_missing_templates_are_info_unless_full(runner: CliRunner,
                                                             tmp_path: Path) -> None:
    folder = override(tmp_path, "offline_reply.j2", builtin("offline_reply"))
    result = runner.invoke(app, ["prompts", "lint", str(folder), "--json"])
    assert result.exit_code == 0
    fallbacks = [i for i in json.loads(result.stdout)["issues"] if i["code"] == "builtin-fallback"]
    assert {i["severity"] for i in fallbacks} == {"info"} and len(fallbacks) == 4
    full = runner.invoke(app, ["prompts", "lint", str(folder), "--full"])
    assert full.exit_code == 1
    assert "required template draft.j2 is missing" in full.stdout


def test_lint_flags_a_dropped_variable_and_a_stray_file(runner: CliRunner, tmp_path: Path) -> None:
    text = builtin("offline_reply").replace("Hi {{ first_name }},", "Hi,")
    folder = override(tmp_path, "offline_reply.j2", text)
    (folder / "drafts.j2").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["prompts", "lint", str(folder)])
    assert result.exit_code == 0  # warnings only
    assert "'first_name' is provided but not used" in result.stdout
    assert "did you mean draft.j2?" in result.stdout


def test_lint_rejects_a_broken_json_schema(runner: CliRunner, tmp_path: Path) -> None:
    folder = override(tmp_path, "judge.schema.json", '{\n  "type": "object",\n}\n')
    result = runner.invoke(app, ["prompts", "lint", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'judge.schema.json'}:3: error: not valid JSON" in result.stdout


def test_lint_missing_folder_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["prompts", "lint", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not found" in result.stderr


@pytest.mark.parametrize("name", ["draft", "judge", "revise", "analyze"])
def test_render_with_the_offline_engine_never_imports_the_sdk(name: str, tmp_path: Path) -> None:
    """Issue 11, the new user's trial: `prompts render` sends nothing, so it must not pay a
    second to import the openai SDK (it imported it to name the SDK's errors)."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom drafter.cli import main\nsys.argv = ['drafter', 'prompts', "
            f"'render', {name!r}, '--email', {str(EXAMPLES / 'late-delivery.eml')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('SDK' if 'openai' in sys.modules else 'no SDK', file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "no SDK", done.stderr[-400:]
    assert "System" in done.stdout or "system" in done.stdout.lower()
