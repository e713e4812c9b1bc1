"""``drafter check``: lint any reply, drafted by drafter or written by a person."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from drafter.cli import EXIT_FINDINGS, EXIT_OK, announce_config, app, read_text_arg, user_errors

if TYPE_CHECKING:
    from drafter.models import Analysis, Email, Finding
    from drafter.policy import Policy

@app.command(no_args_is_help=True)
def check(
    reply: str = typer.Argument(..., metavar="REPLY|-",
                                help="The reply to check: a text file, or - for stdin."),
    email_path: str | None = typer.Option(
        None, "--email", metavar="ORIGINAL",
        help="The customer's original message (.eml or text): also check that the reply "
             "answers what they want and invents no order number, amount or date."),
    policy: Path | None = typer.Option(
        None, "--policy", "-p", metavar="FILE",
        help="Policy TOML, for over-promise. Default: ./drafter.toml, else built-in."),
    rules: Path | None = typer.Option(
        None, "--rules", metavar="FILE",
        help="Rule pack (TOML) that extends or switches off built-in rules."),
    as_json: bool = typer.Option(False, "--json",
                                 help='JSON: {"passed", "findings", "notes"}.'),
    judge: bool | None = typer.Option(
        None, "--judge/--no-judge",
        help="LLM judge on top of the rules. Default: on when the engine is openai."),
    engine: str = typer.Option(
        "auto", "--engine", "-e", metavar="ENGINE",
        help="auto, offline (rules only) or openai (rules and the LLM judge)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model for the judge."),
    base_url: str | None = typer.Option(None, "--base-url", metavar="URL",
                                        help="OpenAI-compatible server for the judge."),
) -> None:
    """Check a reply for the seven classic mistakes, MAMA completeness, grounding and policy.

    Silence a rule for one reply with a line in it: <!-- drafter-disable calm-down -->
    or: drafter: disable=no-next-step

    Exit codes: 0 no error findings; 1 errors found; 2 bad input or usage.

    \b
    Examples:
      drafter check reply.txt
      drafter check reply.txt --email complaint.eml --json
      pbpaste | drafter check - --no-judge
    """
    with user_errors():
        result, text = _run(reply, email_path, policy, rules, judge, engine, model, base_url)
    name = "<stdin>" if reply == "-" else reply
    _show(result, text, name, as_json)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _run(reply: str, email_path: str | None, policy_path: Path | None, rules_path: Path | None,
         judge: bool | None, engine: str, model: str | None,
         base_url: str | None) -> tuple[Any, str]:
    from drafter.checker import check_reply, load_rules
    from drafter.config import load_config
    from drafter.policy import load_policy

    text = read_text_arg(reply)
    config = load_config()
    pol = load_policy(policy_path if policy_path is not None else config.policy_path)
    pack = load_rules(rules_path)
    email, analysis = _original(email_path)
    llm = config.llm.merged(model=model, base_url=base_url).engine_options()
    judge_engine = _judge_engine(text, engine, judge, llm)
    announce_config(config, base_url, judge_engine)
    judged, notes = _judge(text, email, analysis, pol, judge_engine, judge, llm,
                           config.prompt_dirs)
    result = check_reply(text, email=email, analysis=analysis, policy=pol, rules=pack,
                         judge_findings=judged)
    result.notes.extend(notes)
    return result, text


def _original(email_path: str | None) -> tuple[Email | None, Analysis | None]:
    """The customer's message and the offline listening step's analysis of it."""
    if email_path is None:
        return None, None
    from drafter.analyze import analyze_email
    from drafter.mail import read_email

    email = read_email(email_path)
    return email, analyze_email(email)


def _judge_engine(text: str, engine_choice: str, judge: bool | None, llm: dict[str, Any]) -> str:
    """The engine the judge step will use (``offline`` when there is no judge to run)."""
    from drafter.engines import resolve_engine_name

    if judge is False or not text.strip():
        return "offline"
    return resolve_engine_name(engine_choice, llm_config=bool(llm.get("base_url")))


def _judge(text: str, email: Email | None, analysis: Analysis | None, policy: Policy,
           name: str, judge: bool | None, llm: dict[str, Any],
           prompt_dirs: list[Path]) -> tuple[list[Finding] | None, list[str]]:
    """Run the judge on engine ``name`` (from ``_judge_engine``); offline never has one."""
    if name == "offline":
        if judge and text.strip():
            return None, ["the LLM judge needs an LLM engine (--engine openai, or set "
                          "OPENAI_API_KEY / OPENAI_BASE_URL): rules only"]
        return None, []
    from drafter.engines.factory import create_engine
    from drafter.models import Draft, Usage
    from drafter.prompts import Prompts

    eng = create_engine(name, prompts=Prompts(prompt_dirs), **llm)
    if getattr(eng, "name", name) == "offline":
        return None, []
    usage = Usage()
    findings = eng.judge(email, analysis, Draft(subject="", text=text), policy, usage)
    model = getattr(eng, "model", None) or name
    return list(findings), [f"judged by {model} ({usage.prompt_tokens + usage.completion_tokens}"
                            " tokens)"]


def _show(result: Any, text: str, name: str, as_json: bool) -> None:
    if as_json:
        import json

        out = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
        sys.stdout.write(out.encode("utf-8", "replace").decode("utf-8"))
        return
    from drafter.checker.render import finding_lines, plain, print_rich, safe

    lines = finding_lines(result, text, safe(name))
    if sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        print_rich(lines)
    else:
        sys.stdout.write(plain(lines))
