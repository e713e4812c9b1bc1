"""``drafter prompts list|show|render|lint``: see exactly what the model sees, and lint it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from drafter.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    announce_config,
    app,
    err,
    fail,
    options,
    user_errors,
)

prompts_app = typer.Typer(
    name="prompts",
    help="See, render and lint the Jinja2 prompt templates (built-ins and your overrides).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(prompts_app, name="prompts")

PROMPTS_HELP = "Template folder that overrides the built-ins, file by file (repeatable)."


def _prompts(dirs: list[Path]):  # -> Prompts
    """``--prompts`` folders first, then ``[prompts] dirs`` from drafter.toml, then built-ins."""
    from drafter.config import load_config
    from drafter.prompts import Prompts

    config = load_config()
    return Prompts([*dirs, *config.prompt_dirs])


@prompts_app.command("list")
def list_cmd(
    prompts: list[Path] = typer.Option([], "--prompts", metavar="DIR", help=PROMPTS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Each template, where it comes from (built-in or which folder), and its variables."""
    with user_errors():
        from drafter.workbench.catalog import list_templates

        infos = list_templates(_prompts(prompts))
    if as_json:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
        return
    width = max(len(i.name) for i in infos)
    origin_width = max(len(i.origin) for i in infos)
    for info in infos:
        variables = info.error or ", ".join(info.variables) or "(none)"
        print(f"{info.name:<{width}}  {info.origin:<{origin_width}}  {variables}")


@prompts_app.command("show", no_args_is_help=True)
def show_cmd(
    name: str = typer.Argument(..., metavar="NAME",
                               help="Template name, e.g. draft (the .j2 is optional)."),
    prompts: list[Path] = typer.Option([], "--prompts", metavar="DIR", help=PROMPTS_HELP),
) -> None:
    """Print a template's source, as the set resolves it (the origin goes to stderr)."""
    with user_errors():
        from drafter.workbench.catalog import source

        path, text = source(_prompts(prompts), name.removesuffix(".j2"))
    err(f"{name.removesuffix('.j2')}: {path}")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@prompts_app.command("render", no_args_is_help=True)
def render_cmd(
    name: str = typer.Argument(..., metavar="NAME",
                               help="analyze, draft, judge, revise or offline_reply."),
    email_path: str = typer.Option(..., "--email", metavar="FILE",
                                   help="The customer's email (.eml or text; - for stdin)."),
    policy: Path | None = typer.Option(None, "--policy", "-p", metavar="FILE",
                                       help="Policy TOML. Default: ./drafter.toml, else built-in."),
    engine: str = typer.Option(
        "offline", "--engine", "-e", metavar="ENGINE",
        help="Whose analysis fills the prompt: offline (rules, no call) or openai (one model "
             "call for the analysis; the judge/revise draft is always the offline one).",
    ),
    prompts: list[Path] = typer.Option([], "--prompts", metavar="DIR", help=PROMPTS_HELP),
    model: options.Model = None,
    base_url: options.BaseUrl = None,
    as_json: bool = typer.Option(False, "--json", help="The request as JSON (messages and "
                                                       "parameters)."),
) -> None:
    """Print the exact messages (system and user) a template sends to the model.

    The analysis is the offline engine's unless --engine openai; judge and revise are
    rendered with the offline draft and the checker's findings on it. offline_reply
    renders to the reply text itself.
    """
    from drafter.workbench.catalog import REQUIRED_TEMPLATES

    name = name.removesuffix(".j2")
    if name not in REQUIRED_TEMPLATES:
        fail(f"cannot render {name!r}: choose one of {', '.join(REQUIRED_TEMPLATES)}")
    if engine not in ("offline", "openai"):
        fail(f"--engine must be offline or openai, not {engine!r}")
    with user_errors():
        payload = _render(name, email_path, policy, engine, prompts, model, base_url)
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    err(payload["header"])
    if "text" in payload:
        sys.stdout.write(payload["text"])
        return
    for message in payload["request"]["messages"]:
        print(f"===== {message['role']} =====")
        print(message["content"].rstrip("\n"))
        print()


def _render(name: str, email_path: str, policy_path: Path | None, engine: str,
            dirs: list[Path], model: str | None, base_url: str | None) -> dict:
    import datetime as dt

    from drafter.config import load_config
    from drafter.mail import read_email
    from drafter.policy import load_policy
    from drafter.workbench import contexts
    from drafter.workbench.catalog import describe

    config = load_config()
    prompts = _prompts(dirs)
    origin = describe(prompts, name).origin
    email = read_email(email_path)
    policy = load_policy(policy_path if policy_path is not None else config.policy_path)
    llm = config.llm.merged(model=model, base_url=base_url).engine_options()
    announce_config(config, base_url, engine)
    today = _today() or dt.date.today()
    analysis, analyzed_by, context_tokens = None, "offline engine (rules)", None
    if engine == "openai" and name != "analyze":
        analysis, real = _model_analysis(prompts, email, policy, llm)
        analyzed_by = f"model {real.model}"
        llm["model"] = real.model
        context_tokens = getattr(real, "context_tokens", None)
    inputs = contexts.step_inputs(email, policy, analysis, today=today,
                                  with_findings=name in ("judge", "revise"))
    header = f"{name}.j2 ({origin}) · analysis: {analyzed_by}"
    if name == "offline_reply":
        text = contexts.offline_reply_text(prompts, inputs, today=today)
        return {"template": name, "origin": origin, "header": header, "text": text}
    if name in ("judge", "revise"):
        header += f" · offline draft with {len(inputs.findings)} finding(s)"
        if name == "revise" and not inputs.findings:
            header += " (the revise prompt is only sent when there are errors)"
    request = contexts.exact_request(prompts, name, inputs, context_tokens=context_tokens,
                                     today=today, **llm)
    params = {k: v for k, v in request.items() if k != "messages"}
    if "response_format" in params:
        params["response_format"] = params["response_format"]["json_schema"]["name"]
    header += " · " + ", ".join(f"{k}={v}" for k, v in params.items())
    return {"template": name, "origin": origin, "header": header,
            "analysis": inputs.analysis.to_dict(), "request": request}


def _model_analysis(prompts, email, policy, llm):  # -> tuple[Analysis, Engine]
    """The model's analysis, through the response cache so rendering twice costs one call."""
    from drafter.engines.factory import create_engine
    from drafter.models import Usage
    from drafter.store import Store
    from drafter.workbench.cache import CountingCache

    real = create_engine("openai", prompts=prompts, cache=CountingCache(Store()), **llm)
    return real.analyze(email, policy, Usage()), real


def _today():  # -> datetime.date | None
    from drafter.cli.draft import _today as pinned

    return pinned()


@prompts_app.command("lint")
def lint_cmd(
    folder: Path | None = typer.Argument(
        None, metavar="[DIR]",
        help="Template folder to lint. Default: [prompts] dirs from drafter.toml, else the "
             "built-ins.",
    ),
    full: bool = typer.Option(False, "--full", help="DIR must hold every template (a "
                                                    "complete set, not an override)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show notes (info)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Find template mistakes before any model call: syntax errors, undefined or misspelt
    variables ("did you mean"), unused ones, missing templates, broken JSON schemas.

    Exit codes: 0 no errors (warnings allowed); 1 errors found; 2 bad usage.
    """
    with user_errors():
        from drafter.config import load_config
        from drafter.workbench.lint import lint_folder

        folders: list[Path | None] = [folder] if folder is not None else list(
            load_config().prompt_dirs) or [None]
        reports = [lint_folder(f, full_set=True if full else None) for f in folders]
    if as_json:
        data = [r.to_dict() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    else:
        for report in reports:
            _print_lint(report, verbose)
    raise typer.Exit(EXIT_OK if all(r.ok for r in reports) else EXIT_FINDINGS)


def _print_lint(report, verbose: bool) -> None:  # report: LintReport
    hidden = 0
    for issue in report.issues:
        if issue.severity == "info" and not verbose:
            hidden += 1
            continue
        print(issue.format())
    errors, warnings = report.count("error"), report.count("warning")
    files = sum(1 for f in report.files)
    notes = f", {hidden} note(s) hidden (-v shows them)" if hidden else ""
    status = "ok" if report.ok else "FAILED"
    print(f"{report.folder}: {status}: {files} file(s), {errors} error(s), "
          f"{warnings} warning(s){notes}", file=sys.stderr)
