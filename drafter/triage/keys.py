"""The run signature: everything that changes what a finished email's row would say.

A ledger row is reused only when it was made under the same signature, so changing the
model, a prompt template, the policy, the checker's rules or a flag such as ``--min-anger``
re-does the emails (and an unchanged re-run does nothing). The signature is a hash of:

- drafter's version, the engine name, the model as configured, the server's base URL and the
  temperature;
- the template version: a hash of the sources of the templates the engine uses
  (``offline_reply`` for the offline engine; ``analyze``, ``draft``, ``judge``, ``revise``
  for a model), from wherever ``--prompts`` resolves them;
- the checker's rule packs (the built-in one and ``--rules``);
- the policy (every key, as loaded);
- the flags: ``--no-draft``, ``--min-anger``, ``--max-revisions``, ``--judge``, ``--redact``
  and ``--max-message-size``.

Not in it: the date (the offline engine's follow-up date moves daily, and a batch that runs
past midnight must still resume), ``--concurrency``, and the output options.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from drafter.store import content_key

OFFLINE_TEMPLATES = ("offline_reply",)
MODEL_TEMPLATES = ("analyze", "draft", "judge", "revise")


def _file_hash(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def template_version(prompts: Any, engine: str) -> str:
    """A hash of the template sources this engine renders (where each one resolves)."""
    names = OFFLINE_TEMPLATES if engine == "offline" else MODEL_TEMPLATES
    return content_key([(name, _file_hash(prompts.origin(name))) for name in names])[:16]


def rules_version(rules_path: str | None) -> str:
    """A hash of the built-in rule pack and the user's ``--rules`` file."""
    import drafter

    builtin = Path(drafter.__file__).parent / "checker" / "rulepack.toml"
    return content_key(_file_hash(builtin), _file_hash(Path(rules_path) if rules_path else None))


def run_signature(*, engine: str, model: str | None, base_url: str | None,
                  temperature: float | None, templates: str, rules: str,
                  policy: dict[str, Any], flags: dict[str, Any]) -> str:
    """The signature (a hex string) that scopes ledger rows to one way of working."""
    from drafter import __version__

    return content_key({
        "version": __version__, "engine": engine, "model": model, "base_url": base_url,
        "temperature": temperature, "templates": templates, "rules": rules,
        "policy": policy, "flags": flags,
    })[:32]
