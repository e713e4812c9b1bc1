"""``drafter models``: what the configured model server offers, to pick ``--model`` from."""

from __future__ import annotations

import json
import os

import typer

from drafter.cli import announce_config, app, user_errors
from drafter.errors import ConfigError


@app.command()
def models(
    base_url: str | None = typer.Option(
        None, "--base-url", metavar="URL",
        help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1. "
             "Default: OPENAI_BASE_URL, [llm] base_url in drafter.toml, else OpenAI.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the models the server offers (and their context size, when the server says).

    Azure OpenAI lists the base models of the resource, not its deployments: pass your
    deployment's name as --model (a line on stderr says so).

    \b
    Examples:
      drafter models
      drafter models --base-url http://127.0.0.1:8080/v1 --json
    """
    with user_errors():
        from drafter.config import load_config
        from drafter.engines.openai_engine import OpenAIEngine

        config = load_config()
        llm = config.llm.merged(base_url=base_url)
        if not (llm.base_url or os.environ.get("OPENAI_BASE_URL")
                or os.environ.get("OPENAI_API_KEY")):
            # Nothing to ask: say so, without naming an endpoint that was never chosen.
            raise ConfigError(
                "no model server configured, so there are no models to list: set "
                "OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL / --base-url (an "
                "OpenAI-compatible server such as llama-server)")
        announce_config(config, base_url, "openai")
        options = {k: v for k, v in llm.engine_options().items()
                   if k in ("base_url", "timeout", "max_retries")}
        offered = OpenAIEngine(**options).list_models()
        _azure_note(llm.base_url)
    if as_json:
        print(json.dumps(offered, indent=2))
        return
    if not offered:
        print("(the server lists no models)")
        return
    width = max(len(m["id"]) for m in offered)
    for m in sorted(offered, key=lambda m: m["id"]):
        context = f"{m['context']} tokens of context" if m["context"] else ""
        owner = f"({m['owned_by']})" if m["owned_by"] else ""
        print(f"{m['id']:<{width}}  {context}  {owner}".rstrip())


def _azure_note(base_url: str | None) -> None:
    """Azure's /models lists base models; requests name a deployment, which it does not list."""
    from drafter.cli import err
    from drafter.engines.providers import is_azure

    if is_azure(base_url):
        err("Azure lists the resource's base models, not your deployments: use your "
            "deployment's name as --model (or [llm] model)")
