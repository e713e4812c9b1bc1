"""Eval suites: which emails to draft, and what a good reply to each must do.

A suite is a TOML (or YAML) file. Paths in it are relative to the suite file, so a suite and
its emails travel together::

    name = "angry customers"
    policy = "../policy.toml"          # optional, for every case

    [defaults]                         # assertions every case gets (not escalation cases)
    checker-passes = true
    max-words = 260

    [[cases]]
    name = "late-delivery"
    email = "emails/late-delivery.eml" # or: text = "inline email text"
    contains = ["sorry"]
    mentions-fact = "order_id"
    no-mistake = ["arguing", "calm-down"]

A bad suite is the author's mistake, not a failing reply, so it is refused up front (before
any model call) with one line that names the file and the case.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drafter.errors import DrafterError
from drafter.models import MISTAKES

#: The checker's findings beyond the seven mistakes (DESIGN.md); ``no-mistake`` takes these too.
CHECKER_EXTRAS: tuple[str, ...] = (
    "no-acknowledgement", "no-next-step", "unaddressed-want", "invented-fact", "over-promise",
)

#: Assertion kind → the type its value must have (a list of these is always allowed).
ASSERTION_TYPES: dict[str, tuple[type, ...]] = {
    "contains": (str,),
    "not-contains": (str,),
    "regex": (str,),
    "not-regex": (str,),
    "checker-passes": (bool,),
    "no-mistake": (str,),
    "mentions-fact": (str, bool),
    "max-words": (int,),
    "max-revisions": (int,),
    "language": (str,),
    "escalates": (bool,),
    "rubric": (str,),
}
#: Kinds where a case's value replaces the suite default instead of adding to it.
SINGLE_VALUED = frozenset({"checker-passes", "max-words", "max-revisions", "language",
                           "escalates"})
#: Assertions that look at the analysis only, so they also apply to an escalated email.
ANALYSIS_ASSERTIONS = frozenset({"language", "escalates"})
_CASE_KEYS = frozenset({"name", "email", "text", "policy", "description", "tags"})
_SUITE_KEYS = frozenset({"name", "description", "policy", "defaults", "cases", "today"})


class SuiteError(DrafterError):
    """The suite file cannot be used: bad syntax, an unknown assertion, a missing email."""


@dataclass(frozen=True)
class Assertion:
    """One check on one case's result, e.g. ``contains: "A-12345"``."""

    kind: str
    value: Any

    @property
    def label(self) -> str:
        """Short and stable: a table column, a JUnit test name, a JSON key."""
        if isinstance(self.value, bool):
            return self.kind if self.value else f"{self.kind}: false"
        text = str(self.value)
        return f"{self.kind}: {text if len(text) <= 40 else text[:39] + '…'}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "label": self.label}


@dataclass
class Case:
    """One email and what its reply must do."""

    name: str
    email_path: Path | None = None
    text: str | None = None
    policy_path: Path | None = None
    assertions: list[Assertion] = field(default_factory=list)
    description: str = ""

    @property
    def source(self) -> str:
        return str(self.email_path) if self.email_path else "inline text"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source,
                "policy": str(self.policy_path) if self.policy_path else None,
                "assertions": [a.to_dict() for a in self.assertions]}


@dataclass
class Suite:
    path: Path
    name: str
    cases: list[Case]
    policy_path: Path | None = None
    today: str | None = None
    description: str = ""

    @property
    def needs_llm(self) -> bool:
        return any(a.kind == "rubric" for c in self.cases for a in c.assertions)


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite; :class:`SuiteError` with file and case on any problem."""
    path = Path(path)
    data = _read(path)
    where = str(path)
    unknown = set(data) - _SUITE_KEYS
    if unknown:
        raise SuiteError(f"{where}: unknown top-level key(s) {_names(unknown)} "
                         f"(known: {_names(_SUITE_KEYS)})")
    base = path.parent
    policy = _file(base, data.get("policy"), where, "policy")
    defaults = _assertions(data.get("defaults") or {}, f"{where}: [defaults]")
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise SuiteError(f"{where}: no cases (add [[cases]] entries with an email and assertions)")
    cases = [_case(raw, i, base, where, defaults) for i, raw in enumerate(raw_cases, 1)]
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            raise SuiteError(f"{where}: case {case.name!r}: the name is used twice")
        seen.add(case.name)
    today = data.get("today")
    if today is not None:
        today = _date(today, where)
    return Suite(path=path, name=str(data.get("name") or path.stem), cases=cases,
                 policy_path=policy, today=today, description=str(data.get("description", "")))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"suite not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read suite {path}: {exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        data = _yaml(text, path)
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SuiteError(f"{path}: not valid TOML: {exc}") from None
    if not isinstance(data, dict):
        raise SuiteError(f"{path}: a suite must be a table/mapping with a list of cases")
    return data


def _yaml(text: str, path: Path) -> Any:
    """YAML suites are optional: PyYAML is imported only for them."""
    try:
        import yaml
    except ImportError:
        raise SuiteError(f"{path}: YAML suites need PyYAML (pip install pyyaml), "
                         "or write the suite in TOML") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None


def _case(raw: Any, index: int, base: Path, where: str, defaults: list[Assertion]) -> Case:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: case #{index} must be a table")
    email_value = raw.get("email")
    name = str(raw.get("name") or (Path(str(email_value)).stem if email_value else f"case-{index}"))
    ctx = f"{where}: case {name!r}"
    has_email, has_text = "email" in raw, "text" in raw
    if has_email == has_text:
        raise SuiteError(f"{ctx}: give exactly one of 'email' (a file) or 'text' (inline)")
    text = raw.get("text")
    if has_text and (not isinstance(text, str) or not text.strip()):
        raise SuiteError(f"{ctx}: 'text' must be the email's text")
    email_path = _file(base, email_value, ctx, "email") if has_email else None
    policy = _file(base, raw.get("policy"), ctx, "policy")
    own = _assertions({k: v for k, v in raw.items() if k not in _CASE_KEYS}, ctx)
    escalates = any(a.kind == "escalates" and a.value for a in own)
    assertions = own if escalates else _merge(defaults, own)
    if not assertions:
        raise SuiteError(f"{ctx}: no assertions (and no [defaults])")
    return Case(name=name, email_path=email_path, text=text, policy_path=policy,
                assertions=assertions, description=str(raw.get("description", "")))


def _merge(defaults: list[Assertion], own: list[Assertion]) -> list[Assertion]:
    """A case's own value replaces the default for a one-value kind (``max-words = 120``);
    list-like kinds (``contains``, ``no-mistake`` …) add to the defaults."""
    own_kinds = {a.kind for a in own}
    kept = [a for a in defaults if a.kind not in own_kinds or a.kind not in SINGLE_VALUED]
    return list(dict.fromkeys(kept + own))


def _assertions(table: Any, ctx: str) -> list[Assertion]:
    if not isinstance(table, dict):
        raise SuiteError(f"{ctx}: assertions must be a table of kind = value")
    out: list[Assertion] = []
    for kind, value in table.items():
        if kind not in ASSERTION_TYPES:
            hint = difflib.get_close_matches(kind, [*ASSERTION_TYPES, *_CASE_KEYS], n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise SuiteError(f"{ctx}: unknown assertion {kind!r}{did}; "
                             f"known: {_names(ASSERTION_TYPES)}")
        for item in value if isinstance(value, list) else [value]:
            out.append(_assertion(kind, item, ctx))
    return out


def _assertion(kind: str, value: Any, ctx: str) -> Assertion:
    types = ASSERTION_TYPES[kind]
    # bool is an int in Python; max-words = true is a mistake, not 1.
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        want = " or ".join(t.__name__.replace("str", "a string").replace("bool", "true/false")
                           .replace("int", "a whole number") for t in types)
        raise SuiteError(f"{ctx}: {kind} = {value!r}: expected {want}")
    if kind in ("regex", "not-regex"):
        try:
            re.compile(value)
        except re.error as exc:
            raise SuiteError(f"{ctx}: regex {value!r} does not compile: {exc}") from None
    if kind == "no-mistake" and value not in (*MISTAKES, *CHECKER_EXTRAS):
        hint = difflib.get_close_matches(value, [*MISTAKES, *CHECKER_EXTRAS], n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise SuiteError(f"{ctx}: no-mistake {value!r} is not a mistake id{did}; "
                         f"known: {_names(MISTAKES + CHECKER_EXTRAS)}")
    if kind == "max-words" and value < 1:
        raise SuiteError(f"{ctx}: max-words must be 1 or more")
    if kind == "max-revisions" and value < 0:
        raise SuiteError(f"{ctx}: max-revisions must be 0 or more")
    if kind in ("contains", "not-contains", "rubric", "language") and not value.strip():
        raise SuiteError(f"{ctx}: {kind} needs a non-empty value")
    if kind == "mentions-fact" and value is False:
        raise SuiteError(f"{ctx}: mentions-fact = false means nothing; leave it out instead")
    return Assertion(kind, value)


def _file(base: Path, value: Any, ctx: str, what: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SuiteError(f"{ctx}: {what} must be a file path")
    path = (base / value) if not Path(value).is_absolute() else Path(value)
    if not path.is_file():
        raise SuiteError(f"{ctx}: {what} file not found: {path}")
    return path


def _date(value: Any, where: str) -> str:
    import datetime as dt

    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise SuiteError(f"{where}: today must be a date like 2026-11-23, not {value!r}") from None


def _names(items: Any) -> str:
    return ", ".join(sorted(items))


def select_cases(suite: Suite, names: list[str], text: str | None) -> Suite:
    """The suite with only the cases named (``--case``) and/or whose name or description
    contains ``text`` (``--filter``, case-insensitive); a name it lacks is a usage error."""
    if not names and not text:
        return suite
    known = {c.name for c in suite.cases}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SuiteError(f"no case named {', '.join(map(repr, unknown))} in {suite.path} "
                         f"(cases: {', '.join(c.name for c in suite.cases)})")
    needle = (text or "").lower()
    cases = [c for c in suite.cases
             if (not names or c.name in names)
             and (not needle or needle in c.name.lower() or needle in c.description.lower())]
    if not cases:
        raise SuiteError(f"no case in {suite.path} matches --filter {text!r}")
    return replace(suite, cases=cases)
