"""Options that several commands share, declared once (``Annotated`` aliases for typer).

``drafter draft``, ``drafter triage`` and ``drafter eval`` run the same pipeline, so they
take the same engine, policy, checker and model options with the same names, limits and
help; a command whose option means something narrower (``check``'s judge-only model)
declares its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Engine = Annotated[str, typer.Option(
    "--engine", "-e", metavar="ENGINE",
    help="auto (openai when OPENAI_API_KEY or OPENAI_BASE_URL is set, else offline), "
         "offline (rules and templates, no network) or openai.")]
PolicyFile = Annotated[Path | None, typer.Option(
    "--policy", "-p", metavar="FILE",
    help="Policy TOML: what the business can offer. Default: ./drafter.toml, else built-in.")]
MaxRevisions = Annotated[int, typer.Option(
    "--max-revisions", min=0, max=10, metavar="N",
    help="Revise a draft with checker errors at most N times (0: keep the first draft).")]
Judge = Annotated[bool | None, typer.Option(
    "--judge/--no-judge", help="LLM judge on top of the rules. Default: on with an LLM.")]
Rules = Annotated[Path | None, typer.Option(
    "--rules", metavar="FILE", help="Extra checker rule pack (TOML).")]
PromptDirs = Annotated[list[Path], typer.Option(
    "--prompts", metavar="DIR", help="Template folder that overrides the built-ins.")]
Model = Annotated[str | None, typer.Option(
    "--model", "-m", metavar="NAME", help="Model name (openai engine).")]
BaseUrl = Annotated[str | None, typer.Option(
    "--base-url", metavar="URL", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")]
Temperature = Annotated[float | None, typer.Option(
    "--temperature", min=0.0, max=2.0, metavar="T",
    help="Sampling temperature (openai engine), 0 to 2.")]
Price = Annotated[str | None, typer.Option(
    "--price", metavar="IN/OUT",
    help="USD per million prompt/completion tokens, for the cost line (e.g. 0.15/0.60); "
         "default: the built-in list price of known models.")]


def parse_price(text: str) -> tuple[float, float]:
    """``--price IN/OUT`` as two numbers; a one-line usage error otherwise."""
    from drafter.cli import fail

    try:
        prompt, completion = (float(p) for p in text.replace(",", "/").split("/"))
    except ValueError:
        fail(f"--price takes IN/OUT in USD per million tokens, like 0.15/0.60, not {text!r}")
    if prompt < 0 or completion < 0:
        fail(f"--price takes prices of 0 or more, not {text!r}")
    return prompt, completion
