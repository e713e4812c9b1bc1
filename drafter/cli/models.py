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

    On Azure OpenAI, requests name a deployment, not a model: the resource's deployments
    are listed when it lists them for an API key (older resources); otherwise its base
    models are, and a line on stderr says how to find your deployment names.

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
        engine = OpenAIEngine(**options)
        deployments = _deployments(engine, llm.base_url or os.environ.get("OPENAI_BASE_URL"))
        if deployments is not None:
            _print_deployments(deployments, as_json)
            return
        offered = engine.list_models()
        _azure_note(llm.base_url or os.environ.get("OPENAI_BASE_URL"))
    _print_listing(offered, as_json, "(the server lists no models)", lambda m: (
        f"{m['context']} tokens of context" if m["context"] else "",
        f"({m['owned_by']})" if m["owned_by"] else ""))


def _print_listing(rows: list[dict], as_json: bool, empty: str, cells) -> None:
    """Rows as JSON, or one line each by ``id`` with ``cells(row)`` beside it."""
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print(empty)
        return
    width = max(len(r["id"]) for r in rows)
    for row in sorted(rows, key=lambda r: r["id"]):
        print("  ".join((f"{row['id']:<{width}}", *cells(row))).rstrip())


def _deployments(engine, base_url: str | None) -> list[dict[str, str]] | None:
    """An Azure resource's deployments, when it lists them; None elsewhere."""
    from drafter.engines import providers

    url = providers.deployments_url(base_url)
    return engine.list_deployments(url) if url else None


def _print_deployments(deployments: list[dict[str, str]], as_json: bool) -> None:
    from drafter.cli import err

    err("Azure: these are the resource's deployments; pass one's name as --model "
        "(or [llm] model)")
    _print_listing(deployments, as_json, "(the resource has no deployments)", lambda d: (
        f"model {d['model']}" if d["model"] else "", f"({d['status']})" if d["status"] else ""))


def _azure_note(base_url: str | None) -> None:
    """Azure's /models lists base models; requests name a deployment, which it does not list."""
    from drafter.cli import err
    from drafter.engines.providers import is_azure

    if is_azure(base_url):
        err("Azure lists the resource's base models, not your deployments: use your "
            "deployment's name as --model (or [llm] model); `az cognitiveservices account "
            "deployment list -g GROUP -n RESOURCE` lists them")
