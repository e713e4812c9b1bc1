"""Loading the Jinja2 templates in ``prompts/``; user folders override built-ins file by file.

Every template renders with ``StrictUndefined`` so that a misspelt variable fails loudly
instead of silently sending the model an empty string, and in Jinja2's sandbox: a template
folder can come from a ``drafter.toml`` in whatever directory the user happens to be in, so
a template must never reach Python internals (``cycler.__init__.__globals__.os``) and run
code. A template that tries is an error naming the template, not a command run. Model
prompts hold two blocks, ``system`` and ``user``, rendered separately into chat messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError

TEMPLATE_SUFFIX = ".j2"


def builtin_dir() -> Path:
    """The shipped templates: ``drafter/prompts`` in a wheel, else the repo's ``prompts/``."""
    packaged = Path(__file__).parent / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Messages:
    """The exact chat messages a model receives for one step."""

    system: str
    user: str

    def as_list(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


class Prompts:
    """A template set: override folders first, then the built-ins."""

    def __init__(self, overrides: Sequence[str | Path] = ()) -> None:
        self.dirs: list[Path] = [Path(d) for d in overrides]
        for d in self.dirs:
            if not d.is_dir():
                raise ConfigError(f"prompts folder not found: {d}")
        self.dirs.append(builtin_dir())
        self.env = _environment(tuple(str(d) for d in self.dirs))

    def origin(self, name: str) -> Path | None:
        """Where ``name`` comes from: the first folder that has it."""
        for d in self.dirs:
            path = d / f"{name}{TEMPLATE_SUFFIX}"
            if path.is_file():
                return path
        return None

    def names(self) -> list[str]:
        found = {p.name[: -len(TEMPLATE_SUFFIX)] for d in self.dirs
                 for p in d.glob(f"*{TEMPLATE_SUFFIX}")}
        return sorted(found)

    def template(self, name: str) -> Any:
        import jinja2

        try:
            return self.env.get_template(f"{name}{TEMPLATE_SUFFIX}")
        except jinja2.TemplateNotFound:
            raise ConfigError(f"prompt template not found: {name}{TEMPLATE_SUFFIX}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from None

    def render(self, name: str, **context: Any) -> str:
        """Render a whole template (the offline reply)."""
        return _render(self.template(name).render, name, context)

    def messages(self, name: str, **context: Any) -> Messages:
        """Render a model prompt's ``system`` and ``user`` blocks."""
        tmpl = self.template(name)
        missing = {"system", "user"} - set(tmpl.blocks)
        if missing:
            raise ConfigError(f"prompt template {name}{TEMPLATE_SUFFIX} lacks block(s): "
                              f"{', '.join(sorted(missing))}")

        def block(which: str) -> str:
            ctx = tmpl.new_context(context)
            return "".join(tmpl.blocks[which](ctx)).strip()

        return Messages(system=_render(lambda: block("system"), name, {}),
                        user=_render(lambda: block("user"), name, {}))


def _render(fn: Any, name: str, context: dict[str, Any]) -> str:
    import jinja2
    from jinja2.sandbox import SecurityError

    try:
        return fn(**context)
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt template {name}{TEMPLATE_SUFFIX}: {exc.message}") from None
    except SecurityError as exc:
        raise ConfigError(f"prompt template {name}{TEMPLATE_SUFFIX}: refused by the template "
                          f"sandbox: {exc}") from None


@lru_cache(maxsize=16)
def _environment(dirs: tuple[str, ...]) -> Any:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
