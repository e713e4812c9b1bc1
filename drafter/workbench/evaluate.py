"""``drafter eval`` as a library call: a suite, one or two template sets, a verdict.

:func:`run_eval` builds one engine per template set (the same engine kind and model for both,
so the only difference between A and B is the templates), wires the response cache into it,
runs the suite and, with two sets, compares them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.engines import Engine
from drafter.prompts import Prompts
from drafter.workbench.cache import CachedEngine, CacheStore, CountingCache
from drafter.workbench.catalog import fingerprint, label, used_by
from drafter.workbench.compare import Comparison, compare
from drafter.workbench.runner import EvalSettings, Progress, SetRun, prepare, run_set
from drafter.workbench.suite import Suite

#: Builds an engine for a template set (tests pass a double); None: ``create_engine``.
EngineMaker = Callable[[Prompts], Engine]


@dataclass
class PromptSet:
    """A template set under test: override folders in front of the built-ins (none: built-in)."""

    dirs: list[Path] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.dirs)

    def prompts(self) -> Prompts:
        return Prompts(self.dirs)


@dataclass
class EvalRun:
    suite: Suite
    settings: EvalSettings
    sets: list[SetRun]
    comparison: Comparison | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def a(self) -> SetRun:
        return self.sets[0]

    @property
    def ok(self) -> bool:
        """Exit 0: A fails nothing and, when compared, does no worse than B anywhere."""
        return self.a.ok and not (self.comparison and self.comparison.a_regressed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": str(self.suite.path),
            "name": self.suite.name,
            "engine": self.a.engine,
            "model": self.a.model,
            "repeat": self.settings.repeat,
            "min_pass_rate": self.settings.min_pass_rate,
            "ok": self.ok,
            "sets": [s.to_dict() for s in self.sets],
            "compare": self.comparison.to_dict() if self.comparison else None,
            "notes": list(self.notes),
        }


def preflight(sets: list[PromptSet]) -> list[Any]:
    """Lint errors in the override folders, found before a single case is drafted (and paid
    for): a misspelt variable would otherwise fail every case, one model call in."""
    from drafter.workbench.lint import lint_folder

    seen: set[Path] = set()
    errors = []
    for prompt_set in sets:
        for folder in prompt_set.dirs:
            if folder in seen:
                continue
            seen.add(folder)
            errors += [i for i in lint_folder(folder).issues if i.severity == "error"]
    return errors


def build_engine(engine: str, prompts: Prompts, *, cache: CountingCache | None,
                 llm_options: dict[str, Any], today: dt.date | None,
                 maker: EngineMaker | None = None) -> tuple[Engine, CountingCache | None]:
    """The engine for one template set, with the cache wired in where it can save anything.

    The offline engine makes no model calls, so it gets no cache (and the summary says so).
    The openai engine takes the cache itself and keys it by the exact request; any other
    engine is wrapped in :class:`CachedEngine`.
    """
    if maker is not None:
        built = maker(prompts)
    else:
        from drafter.engines import resolve_engine_name
        from drafter.engines.factory import create_engine

        resolved = resolve_engine_name(engine, llm_config=bool(llm_options.get("base_url")))
        built = create_engine(resolved, prompts=prompts, today=today, **llm_options)
        if today is not None and getattr(built, "today", "absent") is None:
            built.today = today  # type: ignore[attr-defined]  # create_engine keeps it offline-only
    if built.name == "offline" or cache is None:
        return built, None
    if getattr(built, "cache", "absent") is None:  # the openai engine: keyed by the request
        built.cache = cache  # type: ignore[attr-defined]
        return built, cache
    fp = fingerprint(prompts)
    params = {k: v for k, v in llm_options.items() if k != "cache"}
    return CachedEngine(built, cache, fp, params), cache  # type: ignore[return-value]


def run_eval(suite: Suite, sets: list[PromptSet], *, engine: str = "auto",
             llm_options: dict[str, Any] | None = None, settings: EvalSettings | None = None,
             store: CacheStore | None = None, use_cache: bool = True,
             today: dt.date | None = None, default_policy: Path | None = None,
             maker: EngineMaker | None = None, rubric: bool = True,
             progress: Progress | None = None) -> EvalRun:
    """Run ``suite`` under each template set (one, or two to compare)."""
    settings = settings or EvalSettings()
    llm_options = dict(llm_options or {})
    if settings.temperature is None:
        settings.temperature = llm_options.get("temperature")
    if today is None and suite.today:
        today = dt.date.fromisoformat(suite.today)
    prepared = prepare(suite, default_policy)
    total = len(prepared) * settings.repeat * len(sets)
    runs: list[SetRun] = []
    notes: list[str] = []
    done = 0
    for letter, prompt_set in zip("AB", sets, strict=False):
        prompts = prompt_set.prompts()
        cache = CountingCache(store, enabled=use_cache) if store is not None else None
        built, cache = build_engine(engine, prompts, cache=cache, llm_options=llm_options,
                                    today=today, maker=maker)
        grader = _grader(built, cache) if rubric else None
        run = run_set(prepared, built, label=letter, prompts=prompt_set.label,
                      fingerprint=fingerprint(prompts), settings=settings, cache=cache,
                      grader=grader, progress=progress, total=total, done=done)
        done += len(prepared) * settings.repeat
        runs.append(run)
    if runs[0].engine == "offline":
        notes.append("offline engine: no model calls, so nothing to cache; "
                     "rubric assertions are skipped")
    comparison = compare(runs[0], runs[1]) if len(runs) > 1 else None
    if len(runs) > 1:
        notes.extend(_sameness(sets, runs[0].engine))
    return EvalRun(suite, settings, runs, comparison, notes)


def _sameness(sets: list[PromptSet], engine: str) -> list[str]:
    """Say so when A and B cannot differ, rather than let people read ties as a verdict."""
    a, b = sets[0].prompts(), sets[1].prompts()
    if fingerprint(a) == fingerprint(b):
        return ["A and B resolve to identical templates: expect ties everywhere"]
    used = used_by(engine)
    if fingerprint(a, used) == fingerprint(b, used):
        return [f"A and B differ only in templates the {engine} engine does not render "
                f"(it uses {', '.join(n + '.j2' for n in used)})"]
    return []


def _grader(engine: Engine, cache: CountingCache | None) -> Any:
    """A rubric grader for a model engine; None for the offline engine (rubrics are skipped)."""
    if engine.name == "offline":
        return None
    from drafter.workbench.rubric import RubricGrader, supports

    inner = getattr(engine, "inner", engine)
    if not supports(inner):
        return None
    return RubricGrader(inner, cache)
