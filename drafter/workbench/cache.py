"""The response cache of eval and triage: the store's ``cache`` table, counted and salted
per sample.

Re-running an unchanged case should cost nothing, so responses are cached under a key made of
the rendered prompt, the model and its parameters. Two things are added here:

* counting, so the summary can say "18 hits, 2 misses" and a prompt author sees at a glance
  that only the edited template was paid for;
* a *salt* per repeat: ``--repeat 5`` at a temperature above 0 exists to measure sampling
  noise, and a cache that handed back sample 1 five times would hide exactly that. Sample 1
  is unsalted, so it shares its entries with ordinary runs and with ``drafter draft``.

:class:`CachedEngine` does the same for an engine that has no cache of its own (a test
double, a future engine): it keys each step by its inputs, the template set's fingerprint,
the model and the parameters, which determine the rendered prompt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from drafter.models import Analysis, Draft, Email, Finding, Usage
from drafter.policy import Policy
from drafter.store import content_key


class CacheStore(Protocol):
    def cache_get(self, key: str) -> str | None: ...

    def cache_put(self, key: str, value: str) -> None: ...


#: Cache keys an engine keeps about the server itself (the JSON mode it takes), not answers.
BOOKKEEPING = "drafter:"


class CountingCache:
    """A Store-like cache that counts and salts its keys.

    It speaks both dialects in use: the store's ``cache_get``/``cache_put``, and the mapping
    protocol (``key in cache``, ``cache[key]``, ``cache[key] = value``) that the openai
    engine takes as its ``cache``.
    """

    def __init__(self, store: CacheStore, *, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self.salt = ""
        self.hits = 0
        self.misses = 0
        self.saved_tokens = 0
        self._last: tuple[str, str | None] | None = None

    def _key(self, key: str, shared: bool = False) -> str:
        return content_key("eval-sample", key, self.salt) if self.salt and not shared else key

    def cache_get(self, key: str, *, shared: bool = False) -> str | None:
        """``shared``: the same for every sample (a temperature-0 grade of the same reply)."""
        if key.startswith(BOOKKEEPING):
            return self.store.cache_get(key)  # what a server supports: not a sample, not counted
        if not self.enabled:
            self.misses += 1
            return None
        value = self.store.cache_get(self._key(key, shared))
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def cache_put(self, key: str, value: str, *, shared: bool = False) -> None:
        """Written even with ``--no-cache``: a fresh answer is still worth keeping for later."""
        if key.startswith(BOOKKEEPING):
            self.store.cache_put(key, value)
            return
        self.store.cache_put(self._key(key, shared), value)

    # --- the mapping dialect (the openai engine asks ``in`` first, then reads) ---------------

    def __contains__(self, key: object) -> bool:
        value = self.cache_get(str(key))
        self._last = (str(key), value)
        return value is not None

    def __getitem__(self, key: str) -> str:
        if key.startswith(BOOKKEEPING):
            value = self.store.cache_get(key)
            if value is None:
                raise KeyError(key)
            return value
        if not self.enabled:
            raise KeyError(key)
        last = self._last
        value = last[1] if last and last[0] == key else self.store.cache_get(self._key(key))
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        self.cache_put(key, value)

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "hits": self.hits, "misses": self.misses}


def sample_salt(index: int, temperature: float | None) -> str:
    """Sample 0 shares entries with normal runs; later samples get their own unless greedy."""
    if index == 0 or temperature == 0:
        return ""
    return f"sample-{index}"


class CachedEngine:
    """Wraps an Engine without a cache of its own; a hit adds no tokens to the usage."""

    def __init__(self, inner: Any, cache: CountingCache, fingerprint: str,
                 params: dict[str, Any]) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.model = inner.model
        self._base = (inner.name, inner.model, params, fingerprint)

    def _cached(self, step: str, parts: tuple[Any, ...], usage: Usage,
                call: Callable[[Usage], Any], dump: Callable[[Any], Any],
                load: Callable[[Any], Any]) -> Any:
        key = content_key("engine-step", step, self._base, parts)
        raw = self.cache.cache_get(key)
        if raw is not None:
            entry = json.loads(raw)
            self.cache.saved_tokens += sum(entry.get("tokens", (0, 0)))
            return load(entry["value"])
        spent = Usage()
        value = call(spent)
        usage.steps.extend(spent.steps)
        self.cache.cache_put(key, json.dumps({
            "value": dump(value), "tokens": (spent.prompt_tokens, spent.completion_tokens),
        }, ensure_ascii=False))
        return value

    def analyze(self, email: Email, policy: Policy, usage: Usage) -> Analysis:
        return self._cached("analyze", (email.to_dict(), policy.to_dict()), usage,
                            lambda u: self.inner.analyze(email, policy, u),
                            lambda a: a.to_dict(), Analysis.from_dict)

    def draft(self, email: Email, analysis: Analysis, policy: Policy, usage: Usage,
              on_text: Callable[[str], None] | None = None) -> Draft:
        return self._cached("draft", (email.to_dict(), analysis.to_dict(), policy.to_dict()),
                            usage, lambda u: self.inner.draft(email, analysis, policy, u),
                            lambda d: d.to_dict(), lambda d: Draft(**d))

    def judge(self, email: Email | None, analysis: Analysis | None, draft: Draft,
              policy: Policy, usage: Usage) -> list[Finding]:
        parts = (email.to_dict() if email else None, analysis.to_dict() if analysis else None,
                 draft.to_dict(), policy.to_dict())
        return self._cached("judge", parts, usage,
                            lambda u: self.inner.judge(email, analysis, draft, policy, u),
                            lambda fs: [f.to_dict() for f in fs],
                            lambda fs: [Finding(**f) for f in fs])

    def revise(self, email: Email, analysis: Analysis, draft: Draft, findings: list[Finding],
               policy: Policy, usage: Usage) -> Draft:
        parts = (email.to_dict(), analysis.to_dict(), draft.to_dict(),
                 [f.to_dict() for f in findings], policy.to_dict())
        return self._cached("revise", parts, usage,
                            lambda u: self.inner.revise(email, analysis, draft, findings,
                                                        policy, u),
                            lambda d: d.to_dict(), lambda d: Draft(**d))
