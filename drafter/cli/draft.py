"""``drafter draft``: one angry email in, a checked MAMA reply out."""

from __future__ import annotations

import os
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
    write_output,
)

FORMAT_HELP = "Output: text (for a person), json (for programs), markdown, or eml (a reply draft)."


@app.command(no_args_is_help=True)
def draft(
    path: str = typer.Argument(
        ..., metavar="PATH|-",
        help="The customer's email: an .eml file, a text file, or - for stdin.",
    ),
    fmt: str = typer.Option("text", "--format", "-f", help=FORMAT_HELP, metavar="FORMAT"),
    as_json: bool = typer.Option(False, "--json", help="Short for --format json."),
    engine: options.Engine = "auto",
    policy: options.PolicyFile = None,
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                    help="Write the output here instead of stdout."),
    max_revisions: options.MaxRevisions = 2,
    judge: options.Judge = None,
    rules: options.Rules = None,
    prompts: options.PromptDirs = [],  # noqa: B006 (read, never mutated)
    model: options.Model = None,
    base_url: options.BaseUrl = None,
    temperature: options.Temperature = None,
) -> None:
    """Draft a reply to one angry email, check it, and show it.

    Exit codes: 0 a draft that passed the checker; 1 a draft with errors left, or an
    escalation (violence, crisis) with no draft; 2 bad input or usage.

    \b
    Examples:
      drafter draft examples/late-delivery.eml
      drafter draft complaint.txt --json | jq .draft.text
      cat message.eml | drafter draft - --format eml --out reply.eml
    """
    fmt = "json" if as_json else fmt
    from drafter.render import FORMATS

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    with user_errors():
        from drafter.config import load_config
        from drafter.engines.factory import create_engine
        from drafter.mail import read_email
        from drafter.pipeline import DraftOptions, draft_email
        from drafter.policy import load_policy
        from drafter.prompts import Prompts
        from drafter.render import render

        email = read_email(path)
        config = load_config()
        pol = load_policy(policy if policy is not None else config.policy_path)
        template_dirs = [*prompts, *config.prompt_dirs] if prompts else config.prompt_dirs
        llm = config.llm.merged(model=model, base_url=base_url, temperature=temperature)
        eng = create_engine(engine, prompts=Prompts(template_dirs), today=_today(),
                            **llm.engine_options())
        announce_config(config, base_url, eng.name)
        if eng.name == "offline" and engine == "auto":
            err("using the offline engine (rules + templates, no model); "
                "set OPENAI_API_KEY or OPENAI_BASE_URL to draft with an LLM")
        if eng.name == "offline":
            ignored = [flag for flag, value in (("--judge", judge), ("--model", model),
                                                ("--temperature", temperature)) if value]
            if ignored:
                err(f"{', '.join(ignored)} ignored: the offline engine has no model "
                    "(--engine openai, with OPENAI_API_KEY or OPENAI_BASE_URL set)")
        options = DraftOptions(max_revisions=max_revisions, judge=judge,
                               rules_path=str(rules) if rules else None)
        on_terminal = fmt == "text" and out is None and sys.stdout.isatty()
        if on_terminal and eng.name != "offline":
            result = _draft_live(email, pol, eng, options)
        else:
            result = draft_email(email, pol, eng, options)
        if fmt == "eml" and result.draft is None:
            why = ("escalated to a person" if result.escalated
                   else "the draft was withheld as unsafe (see --json notices)")
            err(f"{why}: no reply draft was written")
            raise typer.Exit(EXIT_FINDINGS)
        if fmt == "eml" and not email.sender_address:
            err("the email has no From address, so the reply draft has no To: add the "
                "recipient in your mail client before sending")
        color = on_terminal and "NO_COLOR" not in os.environ
        write_output(render(result, fmt, color=color), out)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


def _draft_live(email, policy, engine, options):  # -> DraftResult
    """Run the pipeline with the draft streamed to a transient preview on the terminal."""
    from rich.console import Console

    from drafter.cli.preview import DraftPreview
    from drafter.pipeline import draft_email

    def title() -> str:
        return f"drafting with {engine.name}" + (f" ({engine.model})" if engine.model else "")

    console = Console(highlight=False, soft_wrap=True)
    with DraftPreview(console, title) as preview:
        options.on_text = preview.on_text
        return draft_email(email, policy, engine, options)


def _today():  # -> datetime.date | None
    """``DRAFTER_TODAY=YYYY-MM-DD`` pins the follow-up date, for reproducible examples and tests."""
    import datetime as dt

    value = os.environ.get("DRAFTER_TODAY")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"DRAFTER_TODAY must be a date like 2026-11-23, not {value!r}")
