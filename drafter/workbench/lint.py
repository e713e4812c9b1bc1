"""``prompts lint``: template mistakes found before any model call, with file and line.

Templates render with ``StrictUndefined``, so a misspelt variable would stop a run; lint finds
it first, and for CI. The checks, from cheapest to most thorough:

1. syntax (``file:line``);
2. variables the template reads that its engine does not provide, with "did you mean";
3. attributes of provided objects that do not exist (``policy.signof``), also static;
4. a render of every template with sample inputs, which catches what static analysis
   cannot see (a filter on the wrong type, an attribute in a loop variable);
5. provided variables the template ignores (a warning when the built-in uses them: an
   override that drops ``options`` no longer shows the model what it may offer);
6. missing templates, missing ``system``/``user`` blocks, ``*.json`` schemas that don't parse.

The provided variables are learned from the engines themselves (see :mod:`.contexts`).
"""

from __future__ import annotations

import difflib
import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from drafter.prompts import TEMPLATE_SUFFIX, Prompts, builtin_dir
from drafter.workbench.catalog import MODEL_TEMPLATES, REQUIRED_TEMPLATES, template_variables

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class LintIssue:
    severity: Severity
    code: str
    path: Path
    message: str
    line: int | None = None

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.severity}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "path": str(self.path),
                "line": self.line, "message": self.message}


@dataclass
class LintReport:
    folder: Path
    full_set: bool
    files: list[Path] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def sort(self) -> None:
        self.issues.sort(key=lambda i: (str(i.path), i.line or 0, _ORDER[i.severity], i.code))

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "full_set": self.full_set, "ok": self.ok,
                "files": [str(f) for f in self.files],
                "errors": self.count("error"), "warnings": self.count("warning"),
                "infos": self.count("info"), "issues": [i.to_dict() for i in self.issues]}


def lint_folder(folder: str | Path | None = None, *, full_set: bool | None = None) -> LintReport:
    """Lint the templates in ``folder`` (default: the built-ins).

    An override folder need not hold every template (the built-ins fill in), so a missing one
    is *info* there; the built-in folder, or ``full_set=True``, must have them all.
    """
    from drafter.errors import ConfigError

    base = builtin_dir()
    target = Path(folder) if folder is not None else base
    if not target.is_dir():
        raise ConfigError(f"prompts folder not found: {target}")
    is_base = _same_dir(target, base)
    full = is_base if full_set is None else full_set
    prompts = Prompts([] if is_base else [target])
    report = LintReport(folder=target, full_set=full)
    report.files = sorted(target.glob(f"*{TEMPLATE_SUFFIX}"))
    _lint_missing(report, target, full)
    _lint_schemas(report, target)
    baseline = None if is_base else Prompts()
    provided = _provided(prompts, report, target)
    for path in [f for f in report.files if f.suffix == TEMPLATE_SUFFIX]:
        _lint_template(report, prompts, path, provided, baseline)
    report.sort()
    return report


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _lint_missing(report: LintReport, folder: Path, full: bool) -> None:
    for name in REQUIRED_TEMPLATES:
        if (folder / f"{name}{TEMPLATE_SUFFIX}").is_file():
            continue
        if full:
            report.issues.append(LintIssue("error", "missing-template", folder,
                                           f"required template {name}{TEMPLATE_SUFFIX} is missing"))
        else:
            report.issues.append(LintIssue(
                "info", "builtin-fallback", folder,
                f"no {name}{TEMPLATE_SUFFIX} here: the built-in is used"))


def _lint_schemas(report: LintReport, folder: Path) -> None:
    for path in sorted(folder.glob("*.json")):
        report.files.append(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            report.issues.append(LintIssue("error", "bad-schema", path,
                                           f"not valid JSON: {exc.msg} (column {exc.colno})",
                                           exc.lineno))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            report.issues.append(LintIssue("error", "bad-schema", path, f"cannot read: {exc}"))
            continue
        if not isinstance(data, dict):
            report.issues.append(LintIssue("error", "bad-schema", path,
                                           "a JSON schema must be an object"))


def _provided(prompts: Prompts, report: LintReport,
              folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Each template's provided context, once per sample input, learned from the engines."""
    from drafter.workbench.contexts import provided_context, sample_inputs

    samples = sample_inputs()
    out: dict[str, list[dict[str, Any]]] = {}
    for name in REQUIRED_TEMPLATES:
        try:
            out[name] = [provided_context(prompts, name, s) for s in samples]
        except Exception as exc:  # an engine step that cannot run yet must not sink lint
            path = folder / f"{name}{TEMPLATE_SUFFIX}"
            if path.is_file():
                report.issues.append(LintIssue(
                    "warning", "no-context", path,
                    f"cannot learn which variables the engine gives {name}{TEMPLATE_SUFFIX} "
                    f"({type(exc).__name__}: {exc}); its variables were not checked"))
    return out


def _lint_template(report: LintReport, prompts: Prompts, path: Path,
                   provided: dict[str, list[dict[str, Any]]], baseline: Prompts | None) -> None:
    import jinja2

    name = path.name[: -len(TEMPLATE_SUFFIX)]
    try:
        source = path.read_text(encoding="utf-8")
        ast = prompts.env.parse(source, name=path.name, filename=str(path))
    except jinja2.TemplateSyntaxError as exc:
        report.issues.append(LintIssue("error", "syntax", path, exc.message or "syntax error",
                                       exc.lineno))
        return
    except (OSError, UnicodeDecodeError) as exc:
        report.issues.append(LintIssue("error", "unreadable", path, str(exc)))
        return
    if name not in REQUIRED_TEMPLATES:
        _unknown_template(report, path, name)
        return
    if name in MODEL_TEMPLATES:
        blocks = {b.name for b in ast.find_all(jinja2.nodes.Block)}
        for missing in sorted({"system", "user"} - blocks):
            report.issues.append(LintIssue("error", "missing-block", path,
                                           f"no {{% block {missing} %}}: model prompts need "
                                           "system and user blocks"))
    contexts = provided.get(name)
    if not contexts:
        return
    known = set(contexts[0])
    used = template_variables(prompts.env, source)
    static, meant = _undefined(report, path, ast, used, known)
    static |= _bad_attributes(report, path, ast, contexts[0])
    _unused(report, path, name, used | meant, known, baseline)
    if not static:  # a render would only repeat what static analysis said
        _render(report, prompts, path, name, contexts)


def _unknown_template(report: LintReport, path: Path, name: str) -> None:
    if name.startswith("_"):  # a partial for {% include %} / {% import %}
        return
    hint = difflib.get_close_matches(name, REQUIRED_TEMPLATES, n=1)
    did = f"; did you mean {hint[0]}{TEMPLATE_SUFFIX}?" if hint else ""
    report.issues.append(LintIssue(
        "warning", "unknown-template", path,
        f"drafter never renders {path.name}{did} (name partials with a leading _)"))


def _guarded(ast: Any) -> set[str]:
    """Names tested with ``is defined`` / ``is undefined``: optional by the author's design."""
    import jinja2

    return {n.node.name for n in ast.find_all(jinja2.nodes.Test)
            if n.name in ("defined", "undefined") and isinstance(n.node, jinja2.nodes.Name)}


def _name_lines(ast: Any) -> dict[str, int]:
    """The first line each free name is read on (``find_undeclared_variables`` has no lines)."""
    import jinja2

    lines: dict[str, int] = {}
    for node in ast.find_all(jinja2.nodes.Name):
        if node.ctx == "load":
            lines.setdefault(node.name, node.lineno)
            lines[node.name] = min(lines[node.name], node.lineno)
    return lines


def _undefined(report: LintReport, path: Path, ast: Any, used: set[str],
               known: set[str]) -> tuple[set[str], set[str]]:
    """Free names the engine does not provide; returns them and the names they were meant as
    (so a misspelling is not reported a second time as an unused variable)."""
    import jinja2

    lines = _name_lines(ast)
    guarded = _guarded(ast)
    # jinja2 counts a name set only inside {% if %} branches as undeclared; the author did
    # declare it, and the sample render below catches a branch that leaves it unset.
    local = {n.name for n in ast.find_all(jinja2.nodes.Name) if n.ctx == "store"}
    bad = sorted(used - known - guarded - local, key=lambda n: (lines.get(n, 0), n))
    for var in sorted((used & guarded) - known):
        report.issues.append(LintIssue(
            "info", "optional-variable", path,
            f"{var!r} is never provided, so its `is defined` branch never runs", lines.get(var)))
    meant: set[str] = set()
    for var in bad:
        hint = difflib.get_close_matches(var, sorted(known), n=1, cutoff=0.6)
        meant.update(hint)
        did = f"; did you mean {hint[0]!r}?" if hint else ""
        report.issues.append(LintIssue(
            "error", "undefined-variable", path,
            f"{var!r} is not provided to this template{did} "
            f"(provided: {', '.join(sorted(known))})", lines.get(var)))
    return set(bad), meant


def _bad_attributes(report: LintReport, path: Path, ast: Any,
                    context: dict[str, Any]) -> set[str]:
    """``policy.signof``, ``analysis.escalation.reviw``: attributes a provided value lacks.

    Chains are followed on the sample values, so nested objects are checked too.
    """
    import jinja2

    found: set[str] = set()
    shadowed = {n.name for n in ast.find_all(jinja2.nodes.Name) if n.ctx in ("store", "param")}
    for node in ast.find_all(jinja2.nodes.Getattr):
        chain = _chain(node.node)
        if chain is None or chain[0] in shadowed or chain[0] not in context:
            continue
        owner = _resolve(context[chain[0]], chain[1:])
        if owner is _UNKNOWN:
            continue
        attrs = _attributes(owner)
        if attrs is None or node.attr in attrs:
            continue
        dotted = ".".join(chain)
        key = f"{dotted}.{node.attr}"
        if key in found:
            continue
        found.add(key)
        hint = difflib.get_close_matches(node.attr, sorted(attrs), n=1, cutoff=0.6)
        did = f"; did you mean '{dotted}.{hint[0]}'?" if hint else ""
        report.issues.append(LintIssue("error", "unknown-attribute", path,
                                       f"{dotted!r} has no attribute {node.attr!r}{did}",
                                       node.lineno))
    return found


_UNKNOWN = object()


def _chain(node: Any) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything else (a call, a subscript)."""
    import jinja2

    attrs: list[str] = []
    while isinstance(node, jinja2.nodes.Getattr):
        attrs.append(node.attr)
        node = node.node
    if not isinstance(node, jinja2.nodes.Name):
        return None
    return [node.name, *reversed(attrs)]


def _resolve(value: Any, attrs: list[str]) -> Any:
    for attr in attrs:
        if isinstance(value, dict):
            if attr not in value:
                return _UNKNOWN
            value = value[attr]
        elif _attributes(value) is None or not hasattr(value, attr):
            return _UNKNOWN
        else:
            value = getattr(value, attr)
    return value


def _attributes(value: Any) -> set[str] | None:
    """What ``value.x`` may name in a template; None when anything might (a plain string)."""
    if isinstance(value, dict):
        return {str(k) for k in value}
    if isinstance(value, str | int | float | bool | list | tuple) or value is None:
        return None  # methods like .upper() or .items are legitimate; leave them to the render
    return {a for a in dir(value) if not a.startswith("_")}


def _unused(report: LintReport, path: Path, name: str, used: set[str], known: set[str],
            baseline: Prompts | None) -> None:
    """Warn when an override drops what the built-in uses; otherwise just say it is there."""
    base_used: set[str] = set()
    if baseline is not None:
        origin = baseline.origin(name)
        if origin is not None:
            try:
                base_used = template_variables(baseline.env, origin.read_text(encoding="utf-8"))
            except Exception:  # a broken built-in is reported when the built-ins are linted
                base_used = set()
    for var in sorted(known - used):
        if var in base_used:
            report.issues.append(LintIssue(
                "warning", "unused-variable", path,
                f"{var!r} is provided but not used (the built-in {name}{TEMPLATE_SUFFIX} uses it)"))
        else:
            report.issues.append(LintIssue("info", "unused-variable", path,
                                           f"{var!r} is provided but not used"))


def _render(report: LintReport, prompts: Prompts, path: Path, name: str,
            contexts: list[dict[str, Any]]) -> None:
    """Render with each sample context; the first failure is reported with its line."""
    import jinja2

    template = prompts.env.get_template(path.name)  # the folder is first in this set
    for context in contexts:
        try:
            template.render(**context)
        except jinja2.TemplateError as exc:
            message = getattr(exc, "message", None) or str(exc)
            report.issues.append(LintIssue("error", "render-error", path,
                                           f"rendering with sample inputs failed: {message}",
                                           _template_line(exc, path)))
            return
        except Exception as exc:  # a filter applied to the wrong type, and the like
            report.issues.append(LintIssue("error", "render-error", path,
                                           f"rendering with sample inputs failed: "
                                           f"{type(exc).__name__}: {exc}",
                                           _template_line(exc, path)))
            return


def _template_line(exc: BaseException, path: Path) -> int | None:
    """The template line in a render traceback (jinja2 rewrites frames to template lines)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in (str(path), path.name):
            line = frame.lineno
    return line
