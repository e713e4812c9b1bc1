"""The Engine interface: the four thinking steps, done by rules (offline) or by a model (openai).

The pipeline only ever talks to this interface, which is also where tests put a double
when they need particular model content.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from drafter.errors import ConfigError

if TYPE_CHECKING:
    from drafter.models import Analysis, Draft, Email, Finding, Usage
    from drafter.policy import Policy

ENGINE_CHOICES = ("auto", "offline", "openai")


@runtime_checkable
class Engine(Protocol):
    """What a drafting engine does. ``usage`` collects the tokens each call spends."""

    name: str
    model: str | None

    def analyze(self, email: Email, policy: Policy, usage: Usage) -> Analysis: ...

    def draft(
        self, email: Email, analysis: Analysis, policy: Policy, usage: Usage,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """Write the reply; an engine that streams passes each new piece to ``on_text``."""
        ...

    def judge(
        self, email: Email | None, analysis: Analysis | None, draft: Draft, policy: Policy,
        usage: Usage,
    ) -> list[Finding]: ...

    def revise(
        self, email: Email, analysis: Analysis, draft: Draft, findings: list[Finding],
        policy: Policy, usage: Usage,
    ) -> Draft: ...


def llm_configured(environ: dict[str, str] | None = None) -> bool:
    """``auto`` picks the model engine when the SDK would find a key or a server address."""
    env = os.environ if environ is None else environ
    return bool(env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"))


def resolve_engine_name(choice: str, environ: dict[str, str] | None = None,
                        llm_config: bool = False) -> str:
    """Turn ``auto|offline|openai`` into a concrete engine name."""
    if choice not in ENGINE_CHOICES:
        raise ConfigError(f"unknown engine {choice!r}: choose one of {', '.join(ENGINE_CHOICES)}")
    if choice != "auto":
        return choice
    return "openai" if (llm_configured(environ) or llm_config) else "offline"
