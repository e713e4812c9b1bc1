"""Which templates a template set has, where each one comes from, and which variables it uses.

A prompt author's first question after adding an override folder is "which files does drafter
actually use now?": the answer is per file (a folder overrides the built-ins file by file),
so every template is listed with its origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.prompts import TEMPLATE_SUFFIX, Prompts, builtin_dir

#: The model prompts (each with ``system`` and ``user`` blocks), in pipeline order.
MODEL_TEMPLATES: tuple[str, ...] = ("analyze", "draft", "judge", "revise")
#: Every template drafter renders; a complete set (the built-ins) has all of them.
REQUIRED_TEMPLATES: tuple[str, ...] = (*MODEL_TEMPLATES, "offline_reply")


@dataclass
class TemplateInfo:
    """One template as the set resolves it."""

    name: str
    path: Path
    builtin: bool
    variables: list[str] = field(default_factory=list)
    error: str = ""  # a syntax error, "file:line: message"

    @property
    def origin(self) -> str:
        return "built-in" if self.builtin else str(self.path.parent)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "origin": self.origin,
                "builtin": self.builtin, "variables": list(self.variables),
                "error": self.error or None}


def is_builtin(path: Path) -> bool:
    try:
        return path.resolve().parent == builtin_dir().resolve()
    except OSError:
        return False


def template_variables(env: Any, source: str) -> set[str]:
    """Names a template reads but does not define: what its caller must provide.

    Raises ``jinja2.TemplateSyntaxError`` when the source does not parse.
    """
    from jinja2 import meta

    return set(meta.find_undeclared_variables(env.parse(source)))


def describe(prompts: Prompts, name: str) -> TemplateInfo:
    """Resolve ``name`` in the set and read its variables (a syntax error is kept, not raised)."""
    import jinja2

    from drafter.errors import ConfigError

    path = prompts.origin(name)
    if path is None:
        raise ConfigError(f"prompt template not found: {name}{TEMPLATE_SUFFIX} "
                          f"(known: {', '.join(prompts.names())})")
    info = TemplateInfo(name=name, path=path, builtin=is_builtin(path))
    source = path.read_text(encoding="utf-8")
    try:
        info.variables = sorted(template_variables(prompts.env, source))
    except jinja2.TemplateSyntaxError as exc:
        info.error = f"{path}:{exc.lineno}: {exc.message}"
    return info


def list_templates(prompts: Prompts) -> list[TemplateInfo]:
    """Every template the set can render, required ones first, then any extra files."""
    names = prompts.names()
    ordered = [n for n in REQUIRED_TEMPLATES if n in names]
    ordered += [n for n in names if n not in REQUIRED_TEMPLATES]
    return [describe(prompts, n) for n in ordered]


def source(prompts: Prompts, name: str) -> tuple[Path, str]:
    """The file ``name`` resolves to and its text, for ``prompts show``."""
    info = describe(prompts, name)
    return info.path, info.path.read_text(encoding="utf-8")


def fingerprint(prompts: Prompts, names: tuple[str, ...] | None = None) -> str:
    """A hash of the templates the set resolves to (all, or ``names``): changes when any
    file's text changes."""
    from drafter.store import content_key

    parts = []
    for name in names if names is not None else prompts.names():
        path = prompts.origin(name)
        if path is not None:
            parts.append((name, path.read_text(encoding="utf-8")))
    return content_key(parts)


def used_by(engine: str) -> tuple[str, ...]:
    """The templates an engine renders: the offline engine only its reply template."""
    return ("offline_reply",) if engine == "offline" else MODEL_TEMPLATES


def label(dirs: list[Path]) -> str:
    """How a template set is named in tables and reports."""
    return "built-in" if not dirs else " + ".join(str(d) for d in dirs)
