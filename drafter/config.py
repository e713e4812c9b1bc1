"""Configuration: the user's own ``config.toml`` and the project's ``./drafter.toml``.

The project file holds the policy (top-level keys, see examples/policy.toml) and the tool's
own settings in tables: ``[llm]`` (model, base_url, temperature, timeout, max_retries) and
``[prompts]`` (``dirs``: template folders that override the built-ins). API keys never live
in either: the openai SDK reads ``OPENAI_API_KEY`` from the environment.

The two files are not trusted alike. ``./drafter.toml`` is whatever file sits in the
directory the user happens to run drafter in (a cloned repository, a shared folder), so its
``[llm] base_url`` would send the environment's API key, and every customer email, to a
server the user never chose. An endpoint is therefore taken only from the user: ``--base-url``,
``OPENAI_BASE_URL``, ``[llm] base_url`` in the user's own config file
(``$XDG_CONFIG_HOME/drafter/config.toml``, ``~/.config/drafter/config.toml`` by default,
``DRAFTER_CONFIG`` to point elsewhere), or a project file's ``base_url`` that the user's file
lists under ``[llm] trusted_base_urls``. Otherwise the project's ``base_url`` is ignored and a
notice says why. Wherever the endpoint comes from, the commands say it on stderr.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError

CONFIG_FILE = "drafter.toml"
USER_CONFIG_FILE = "config.toml"
_LLM_KEYS = {"model", "base_url", "temperature", "timeout", "max_retries", "max_tokens",
             "structured"}
#: How the model is asked for JSON: the strictest the server takes, or one named.
STRUCTURED_MODES = ("auto", "json_schema", "json_object", "prompted")
#: Keys only the user's own config file may hold.
_USER_LLM_KEYS = {"trusted_base_urls"}


@dataclass(frozen=True)
class LLMSettings:
    """Model settings; ``None`` means "let the engine or the SDK decide"."""

    model: str | None = None
    base_url: str | None = None
    temperature: float | None = None
    timeout: float | None = None
    max_retries: int | None = None
    max_tokens: int | None = None
    structured: str | None = None  # auto | json_schema | json_object | prompted

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
    #: Where ``llm.base_url`` came from, in words ("OPENAI_BASE_URL", a file's path).
    endpoint_source: str = ""
    #: Things the user should hear about their configuration (an ignored endpoint).
    notices: tuple[str, ...] = ()

    @property
    def policy_path(self) -> Path | None:
        return self.path

    def endpoint_line(self) -> str:
        """Where the model requests go and who said so, for stderr."""
        if self.llm.base_url:
            return f"model endpoint {self.llm.base_url} (from {self.endpoint_source})"
        return "model endpoint api.openai.com (the default; no base URL configured)"


def user_config_path() -> Path:
    """The user's own config file: ``DRAFTER_CONFIG``, else the XDG config directory's."""
    explicit = os.environ.get("DRAFTER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(home) / "drafter" / USER_CONFIG_FILE


def load_config(cwd: Path | None = None) -> Config:
    """Read the user's config and ``./drafter.toml``; a broken file is an error, not a default.

    The project file's settings win over the user's, except the endpoint (see the module
    docstring). ``OPENAI_MODEL`` and ``OPENAI_BASE_URL`` beat both files (and ``--model`` /
    ``--base-url`` beat everything, through ``LLMSettings.merged``), the same for every command.
    """
    user_path = user_config_path()
    user = _read_toml(user_path)
    user_llm, trusted = _user_llm(user.get("llm", {}) if user else {}, user_path)
    project_path = (cwd or Path.cwd()) / CONFIG_FILE
    project = _read_toml(project_path)
    if project is None:
        config, project_url = Config(llm=user_llm), None
    else:
        config = Config(path=project_path, llm=_llm(project.get("llm", {}), project_path),
                        prompt_dirs=_prompt_dirs(project.get("prompts", {}), project_path))
        project_url = config.llm.base_url
        config = _merge_user(config, user_llm)
    config = _endpoint(config, project_url, user_llm, user_path, trusted)
    env_model = os.environ.get("OPENAI_MODEL")
    return replace(config, llm=config.llm.merged(model=env_model)) if env_model else config


def _merge_user(config: Config, user_llm: LLMSettings) -> Config:
    """The project's ``[llm]`` values over the user's (the endpoint is decided separately)."""
    return replace(config, llm=user_llm.merged(**config.llm.__dict__))


def _endpoint(config: Config, project_url: str | None, user_llm: LLMSettings, user_path: Path,
              trusted: set[str]) -> Config:
    """Pick the base URL from a source the user controls; say why a project's was ignored."""
    env_url = (os.environ.get("OPENAI_BASE_URL") or "").strip()
    if env_url:
        url, source = env_url, "OPENAI_BASE_URL"
    elif project_url and _norm(project_url) in trusted:
        url, source = project_url, f"{config.path}, trusted in {user_path}"
    elif user_llm.base_url:
        url, source = user_llm.base_url, str(user_path)
    else:
        url, source = None, ""
    notices: tuple[str, ...] = ()
    if project_url and url != project_url and source != "OPENAI_BASE_URL":
        notices = (f"ignoring [llm] base_url in {config.path}: an endpoint in a working-directory "
                   f"file is used only when you choose it (pass --base-url, or list it under "
                   f"[llm] trusted_base_urls in {user_path})",)
    return replace(config, llm=replace(config.llm, base_url=url), endpoint_source=source,
                   notices=notices)


def _norm(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _read_toml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def _user_llm(table: Any, path: Path) -> tuple[LLMSettings, set[str]]:
    """The user file's ``[llm]``: the same keys as a project's, plus ``trusted_base_urls``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [llm] must be a table")
    table = dict(table)
    urls = table.pop("trusted_base_urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ConfigError(f"{path}: [llm] trusted_base_urls must be a list of URLs")
    return _llm(table, path), {_norm(u) for u in urls}


def _llm(table: Any, path: Path) -> LLMSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [llm] must be a table")
    if "api_key" in table:
        raise ConfigError(f"{path}: keys do not belong in files; set OPENAI_API_KEY instead")
    if set(table) & _USER_LLM_KEYS:
        raise ConfigError(f"{path}: trusted_base_urls belongs in your own config file "
                          f"({user_config_path()}), not in a project's")
    unknown = set(table) - _LLM_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown [llm] key(s): {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_LLM_KEYS))})")
    if "structured" in table and table["structured"] not in STRUCTURED_MODES:
        raise ConfigError(f"{path}: [llm] structured must be one of "
                          f"{', '.join(STRUCTURED_MODES)}")
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
