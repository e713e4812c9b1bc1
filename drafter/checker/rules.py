"""Rule packs: the checker's phrases and vocabulary as TOML data, compiled once.

Phrases change far more often than logic (a team hears a new way of brushing customers off
every week), so they live in ``rulepack.toml`` and in a team's own pack, not in code.

A user pack extends the built-in one::

    disable = ["no-next-step"]          # rule ids or mistake ids

    [rules.arguing]
    add_patterns = ['''per our terms and conditions''']

    [rules.calm-down]
    enabled = false

    [rules.no-legalese]                 # a new phrase rule
    severity = "warning"
    message = "Legalese reads as a brush-off."
    patterns = ['''heretofore''', '''pursuant to''']

    [vocab]
    apology = ['''we feel terrible''']  # lists are added to the built-in ones

Fields of a rule: ``mistake`` (one of the seven ids, or absent), ``severity``, ``message``,
``suggestion``, ``patterns`` (replaces), ``add_patterns`` (extends), ``unless`` /
``add_unless`` (sentence patterns that cancel a hit; ``@name`` names a vocab list),
``require`` (sentence patterns a hit needs), ``bounded`` (default true: word boundaries
around each pattern), ``any_language`` (run on non-English replies too), ``fix`` and
``replacement`` (how the offline reviser rewrites a hit), ``reports`` (the rule id findings
carry, when several entries report one rule), ``enabled``.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError
from drafter.models import MISTAKES, Severity

BUILTIN_PACK = Path(__file__).with_name("rulepack.toml")

#: Checks implemented in code; the pack only configures them (message, severity, on/off).
BUILTIN_CHECKS = frozenset({
    "empty-reply", "no-apology", "no-options", "all-caps", "no-acknowledgement",
    "no-next-step", "unaddressed-want", "invented-fact", "over-promise",
    # the sendability gate (drafter/checker/gate.py)
    "prompt-leak", "placeholder", "length", "incomplete", "wrong-name", "signed-as-customer",
    "wrong-language", "invented-content",
})
#: ``[limits]`` keys and their meaning (whole numbers; 0 switches a bound off).
LIMIT_KEYS = {"min_words": "fewest words in a reply's body",
              "max_words": "most words in a reply's body"}
FIX_MODES = ("sentence", "clause", "phrase", "punctuation")
SEVERITIES = ("error", "warning", "info")
_RULE_KEYS = {
    "mistake", "severity", "message", "suggestion", "patterns", "add_patterns", "unless",
    "add_unless", "require", "bounded", "any_language", "fix", "replacement", "enabled",
    "reports",
}
_WORD_LISTS = ("acronyms", "emphasis")
_FLAGS = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True)
class Rule:
    """One compiled rule-pack entry."""

    id: str
    severity: Severity
    message: str
    mistake: str | None = None
    suggestion: str = ""
    patterns: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    unless: tuple[re.Pattern[str], ...] = ()
    require: tuple[re.Pattern[str], ...] = ()
    enabled: bool = True
    any_language: bool = False
    fix: str = "sentence"
    replacement: str | None = None
    reports: str = ""

    @property
    def rule_id(self) -> str:
        """The id findings carry (``reports`` lets two entries report one rule)."""
        return self.reports or self.id

    def names(self) -> set[str]:
        """Every name that switches this entry off: its id, the id it reports, its mistake."""
        return {n for n in (self.id, self.reports, self.mistake) if n}


@dataclass
class RulePack:
    """A compiled rule pack: phrase rules, structural-check settings and vocabulary."""

    rules: dict[str, Rule]
    vocab: dict[str, re.Pattern[str]]
    kinds: dict[str, re.Pattern[str]]
    words: dict[str, frozenset[str]]
    source: str = "built-in"
    limits: dict[str, int] = field(default_factory=dict)
    _extra: dict[tuple[str, ...], Rule] = field(default_factory=dict, repr=False)

    def get(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)

    def is_on(self, rule_id: str) -> bool:
        rule = self.rules.get(rule_id)
        return rule is not None and rule.enabled

    def phrase_rules(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.enabled and r.regex is not None]

    def known_names(self) -> set[str]:
        """Names a silencing directive may use."""
        names = set(MISTAKES)
        for rule in self.rules.values():
            names |= rule.names()
        return names

    def forbidden_rule(self, phrases: tuple[str, ...]) -> Rule | None:
        """The policy's ``forbidden`` phrases as an ``over-promise`` rule, compiled once."""
        if not phrases:
            return None
        if phrases not in self._extra:
            base = self.rules.get("over-promise")
            pats = tuple(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases
                         if p.strip())
            self._extra[phrases] = Rule(
                id="over-promise-forbidden", reports="over-promise", severity="error",
                message="Uses a phrase the policy forbids.",
                suggestion=base.suggestion if base else "",
                patterns=pats, regex=_combine(pats, bounded=True, where="policy.forbidden"),
                fix="sentence", replacement="",
                enabled=base.enabled if base else True,
            )
        return self._extra[phrases]


def load_rules(path: str | Path | None = None) -> RulePack:
    """The built-in pack, or a user pack at ``path`` layered over it.

    Packs are compiled once per file version and cached, so checking many replies never
    recompiles a regular expression.
    """
    if path is None:
        return _builtin()
    p = Path(path)
    try:
        stat = p.stat()
    except FileNotFoundError:
        raise ConfigError(f"rule pack not found: {p}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read rule pack {p}: {exc}") from None
    if p.is_dir():
        raise ConfigError(f"rule pack path is a directory, not a TOML file: {p}")
    return _load_user(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _builtin() -> RulePack:
    return compile_pack(_builtin_data(), source="built-in")


@lru_cache(maxsize=1)
def _builtin_data() -> dict[str, Any]:
    return _parse(BUILTIN_PACK.read_text(encoding="utf-8"), "built-in rule pack")


@lru_cache(maxsize=16)
def _load_user(path: str, _mtime: int, _size: int) -> RulePack:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read rule pack {path}: {exc}") from None
    data = merge_packs(_builtin_data(), _parse(text, path), path)
    return compile_pack(data, source=path)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def merge_packs(base: dict[str, Any], user: dict[str, Any], source: str) -> dict[str, Any]:
    """Layer ``user`` over ``base``: rules are updated field by field, vocab lists extended."""
    try:
        return _merge(base, user, source)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _merge(base: dict[str, Any], user: dict[str, Any], source: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    unknown = set(user) - {"version", "rules", "vocab", "disable", "limits"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    rules = merged.setdefault("rules", {})
    for rule_id, raw in _table(user.get("rules", {}), source, "rules").items():
        entry = _table(raw, source, f"rules.{rule_id}")
        if rule_id in rules:
            _update_rule(rules[rule_id], entry)
        else:
            rules[rule_id] = dict(entry)
    _merge_vocab(merged.setdefault("vocab", {}), _table(user.get("vocab", {}), source, "vocab"),
                 source)
    merged.setdefault("limits", {}).update(_table(user.get("limits", {}), source, "limits"))
    disable = user.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise ConfigError(f"{source}: disable must be a list of rule or mistake ids")
    known = set(MISTAKES) | set(rules) | {r.get("reports", "") for r in rules.values()}
    for name in disable:
        if name not in known:
            raise ConfigError(f"{source}: disable: unknown rule or mistake id {name!r}")
        for rule_id, entry in rules.items():
            if name in (rule_id, entry.get("mistake"), entry.get("reports")):
                entry["enabled"] = False
    return merged


def _update_rule(entry: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if key == "add_patterns":
            entry["patterns"] = [*entry.get("patterns", []), *_strings(value, key)]
        elif key == "add_unless":
            entry["unless"] = [*entry.get("unless", []), *_strings(value, key)]
        else:
            entry[key] = value


def _merge_vocab(vocab: dict[str, Any], extra: dict[str, Any], source: str) -> None:
    for name, value in extra.items():
        if name == "kinds":
            kinds = vocab.setdefault("kinds", {})
            for kind, pats in _table(value, source, "vocab.kinds").items():
                kinds[kind] = [*kinds.get(kind, []), *_strings(pats, f"vocab.kinds.{kind}")]
        else:
            vocab[name] = [*vocab.get(name, []), *_strings(value, f"vocab.{name}")]


def compile_pack(data: dict[str, Any], source: str) -> RulePack:
    """Validate and compile a merged pack; every mistake names the file and the rule."""
    try:
        return _compile_pack(data, source)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _compile_pack(data: dict[str, Any], source: str) -> RulePack:
    vocab_raw = _table(data.get("vocab", {}), source, "vocab")
    vocab = {
        name: _combine(_strings(pats, f"vocab.{name}"), bounded=True, where=f"vocab.{name}")
        for name, pats in vocab_raw.items() if name not in ("kinds", *_WORD_LISTS)
    }
    kinds = {
        kind: _combine(_strings(pats, f"vocab.kinds.{kind}"), bounded=True,
                       where=f"vocab.kinds.{kind}")
        for kind, pats in _table(vocab_raw.get("kinds", {}), source, "vocab.kinds").items()
    }
    words = {name: frozenset(w.upper() for w in _strings(vocab_raw.get(name, []), name))
             for name in _WORD_LISTS}
    rules = {}
    for rule_id, raw in _table(data.get("rules", {}), source, "rules").items():
        try:
            rules[rule_id] = _compile_rule(rule_id, _table(raw, source, rule_id), vocab)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{source}: rule {rule_id!r}: {exc}") from None
    return RulePack(rules=rules, vocab=vocab, kinds=kinds, words=words, source=source,
                    limits=_limits(_table(data.get("limits", {}), source, "limits")))


def _limits(raw: dict[str, Any]) -> dict[str, int]:
    unknown = set(raw) - set(LIMIT_KEYS)
    if unknown:
        raise ValueError(f"limits: unknown key(s): {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(LIMIT_KEYS)})")
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"limits.{key} must be a whole number >= 0")
    return dict(raw)


def _compile_rule(rule_id: str, raw: dict[str, Any], vocab: dict[str, re.Pattern[str]]) -> Rule:
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    mistake = raw.get("mistake")
    if mistake is not None and mistake not in MISTAKES:
        raise ValueError(f"mistake {mistake!r} is not one of: {', '.join(MISTAKES)}")
    severity = raw.get("severity", "error")
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    fix = raw.get("fix", "sentence")
    if fix not in FIX_MODES:
        raise ValueError(f"fix must be one of {', '.join(FIX_MODES)}")
    patterns = tuple(_strings(raw.get("patterns", []), "patterns"))
    if not patterns and rule_id not in BUILTIN_CHECKS:
        raise ValueError("needs patterns (it is not one of the built-in checks)")
    if "message" not in raw:
        raise ValueError("needs a message")
    bounded = bool(raw.get("bounded", True))
    regex = _combine(patterns, bounded=bounded, where="patterns") if patterns else None
    replacement = raw.get("replacement")
    return Rule(
        id=rule_id, mistake=mistake, severity=severity, message=str(raw["message"]),
        suggestion=str(raw.get("suggestion", "")), patterns=patterns, regex=regex,
        unless=tuple(_sentence_patterns(raw.get("unless", []), vocab, "unless")),
        require=tuple(_sentence_patterns(raw.get("require", []), vocab, "require")),
        enabled=bool(raw.get("enabled", True)), any_language=bool(raw.get("any_language", False)),
        fix=fix, replacement=None if replacement is None else str(replacement),
        reports=str(raw.get("reports", "")),
    )


def _sentence_patterns(items: Any, vocab: dict[str, re.Pattern[str]],
                       where: str) -> list[re.Pattern[str]]:
    out = []
    for item in _strings(items, where):
        if item.startswith("@"):
            if item[1:] not in vocab:
                raise ValueError(f"{where}: no vocab list named {item[1:]!r}")
            out.append(vocab[item[1:]])
        else:
            out.append(_combine((item,), bounded=True, where=where))
    return out


def _space(pattern: str) -> str:
    """A space in a pattern matches any whitespace run; `` ?`` makes it optional."""
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


def _combine(patterns: Any, *, bounded: bool, where: str) -> re.Pattern[str]:
    """One alternation per list. The word boundary sits outside it, so the engine rejects a
    position inside a word once instead of once per alternative (a 200 KB reply in ~0.2 s
    rather than seconds)."""
    parts = [f"(?:{_space(pat)})" for pat in patterns]
    if not parts:
        return re.compile(r"(?!x)x")
    joined = "|".join(parts)
    try:
        return re.compile(rf"(?<!\w)(?:{joined})(?!\w)" if bounded else joined, _FLAGS)
    except re.error:
        # Only now compile one by one, to name the bad pattern: validating each up front
        # cost 60 ms of every ``drafter draft``.
        for pat in patterns:
            try:
                re.compile(_space(pat))
            except re.error as exc:
                raise ValueError(f"{where}: bad pattern {pat!r}: {exc}") from None
        raise


#: What each table of a pack looks like, for the error that says it is the wrong shape.
_SHAPES = {
    "rules": "one [rules.ID] table per rule, e.g. [rules.no-legalese] with severity, message "
             "and patterns = ['heretofore'] (not [[rules]])",
    "vocab": "a [vocab] table of lists, e.g. apology = ['we feel terrible']",
    "limits": "a [limits] table, e.g. max_words = 500",
}


def _table(value: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        shape = _SHAPES.get(where, "")
        hint = f": {shape}" if shape else ""
        raise ConfigError(f"{source}: {where} must be a table{hint}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{where} must be a list of strings")
    return list(value)
