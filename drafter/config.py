"""Project configuration: ``drafter.toml`` in the working directory.

The same file holds the policy (top-level keys, see examples/policy.toml) and the tool's own
settings in tables: ``[llm]`` (model, base_url, temperature, timeout, max_retries) and
``[prompts]`` (``dirs``: template folders that override the built-ins). API keys never live
here: the openai SDK reads ``OPENAI_API_KEY`` from the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError

CONFIG_FILE = "drafter.toml"
_LLM_KEYS = {"model", "base_url", "temperature", "timeout", "max_retries", "max_tokens"}


@dataclass(frozen=True)
class LLMSettings:
    """Model settings; ``None`` means "let the engine or the SDK decide"."""

    model: str | None = None
    base_url: str | None = None
    temperature: float | None = None
    timeout: float | None = None
    max_retries: int | None = None
    max_tokens: int | None = None

    def merged(self, **overrides: Any) -> LLMSettings:
        """Command-line values win over the file's."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def engine_options(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    llm: LLMSettings = field(default_factory=LLMSettings)
    prompt_dirs: list[Path] = field(default_factory=list)

    @property
    def policy_path(self) -> Path | None:
        return self.path


def load_config(cwd: Path | None = None) -> Config:
    """Read ``./drafter.toml`` if there is one; a broken file is an error, not a silent default.

    ``OPENAI_MODEL`` beats the file's ``[llm] model`` (and ``--model`` beats both, through
    ``LLMSettings.merged``), the same for every command.
    """
    config = _read_config((cwd or Path.cwd()) / CONFIG_FILE)
    env_model = os.environ.get("OPENAI_MODEL")
    return replace(config, llm=config.llm.merged(model=env_model)) if env_model else config


def _read_config(path: Path) -> Config:
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Config(path=path, llm=_llm(data.get("llm", {}), path),
                  prompt_dirs=_prompt_dirs(data.get("prompts", {}), path))


def _llm(table: Any, path: Path) -> LLMSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [llm] must be a table")
    if "api_key" in table:
        raise ConfigError(f"{path}: keys do not belong in files; set OPENAI_API_KEY instead")
    unknown = set(table) - _LLM_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown [llm] key(s): {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_LLM_KEYS))})")
    try:
        return LLMSettings(**table)
    except TypeError as exc:
        raise ConfigError(f"{path}: [llm]: {exc}") from None


def _prompt_dirs(table: Any, path: Path) -> list[Path]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [prompts] must be a table")
    dirs = table.get("dirs", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    return [(path.parent / d) for d in dirs]
