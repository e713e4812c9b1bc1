"""A linear classifier over hashed n-grams, loaded from the files the trainer ships.

A model is two files in ``drafter/understand/models/``: ``NAME.json`` (labels, feature spec,
thresholds, version, the corpus it was trained on and its scores, and ``weight_scale``) and
``NAME.bin``: the whole weight table, one little-endian int16 per hash bucket and label,
label-major (all of one label's buckets, then the next's), the weights quantized to
``weight_scale`` steps (a step is about 1/3000 of the largest weight: far below anything
that moves a verdict). Uncompressed on purpose: loading is one read and an ``array`` copy
(a few milliseconds for 8 MB, where inflating a zlib table cost 0.12 s of a 0.5 s
``drafter draft``), with no index to build, no numpy, no pickle (a pickle in a wheel is
code) and no download. Scoring is the dot product of the L2-normalised n-gram counts with
the weights, then a softmax: the same arithmetic the trainer used; label-major, each
label's dot product is one C-level ``sum(map(...))`` over the sentence's buckets.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.understand.features import FeatureSpec, bucket_ids, feature_names, hashed

MODELS_DIR = Path(__file__).resolve().parent / "models"


class ModelError(RuntimeError):
    """A shipped model file is missing or broken (a packaging fault, not bad user input)."""


@dataclass(frozen=True)
class Explanation:
    """One n-gram's pull towards a label: what an agent sees next to a model's finding."""

    feature: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "weight": round(self.weight, 3)}


class LinearModel:
    """Softmax regression over hashed n-grams; see the module docstring for the file format."""

    def __init__(self, meta: dict[str, Any], table: array) -> None:
        self.meta = meta
        self.name: str = meta["name"]
        self.version: str = meta["version"]
        self.labels: list[str] = list(meta["labels"])
        self.spec = FeatureSpec(**meta["features"])
        self.thresholds: dict[str, float] = dict(meta.get("thresholds", {}))
        self.bias: list[float] = [float(b) for b in meta["bias"]]
        self._scale = float(meta.get("weight_scale", 1.0))
        self._width = len(self.labels)
        size = self.spec.buckets
        if len(table) != size * self._width:
            raise ModelError(f"model {self.name} is truncated")
        # One zero-copy column per label: scoring is then a C-level sum over the buckets.
        view = memoryview(table)
        self._columns = [view[j * size:(j + 1) * size] for j in range(self._width)]
        self._proba = lru_cache(maxsize=8192)(self._compute)

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def from_files(cls, meta_path: Path, bin_path: Path) -> LinearModel:
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            raw = bin_path.read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load model {meta_path.stem}: {exc}") from None
        table = array("h")
        table.frombytes(raw[: len(raw) - len(raw) % 2])
        if sys.byteorder == "big":
            table.byteswap()
        return cls(meta, table)

    # --- scoring ---------------------------------------------------------------------------

    def proba(self, text: str) -> dict[str, float]:
        """Each label's probability for ``text`` (cached: inboxes repeat their sentences)."""
        return dict(zip(self.labels, self._proba(text), strict=True))

    def _compute(self, text: str) -> tuple[float, ...]:
        ids = bucket_ids(text, self.spec)
        norm = math.sqrt(sum(c * c for c in Counter(ids).values())) or 1.0
        step = self._scale / norm
        # Summing a bucket once per occurrence is summing its weight times its count.
        logits = [b + sum(map(col.__getitem__, ids)) * step
                  for b, col in zip(self.bias, self._columns, strict=True)]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return tuple(e / total for e in exps)

    def explain(self, text: str, label: str, k: int = 5) -> list[Explanation]:
        """The ``k`` n-grams that pushed ``text`` hardest towards ``label`` (against the rest)."""
        j = self.labels.index(label)
        names = feature_names(text, self.spec)
        pulls: dict[str, float] = {}
        for name, bucket in zip(names, hashed(names, self.spec.buckets), strict=True):
            if name in pulls:
                continue
            row = [col[bucket] for col in self._columns]
            others = [row[x] for x in range(self._width) if x != j]
            pulls[name] = (row[j] - max(others)) * self._scale
        best = sorted(pulls.items(), key=lambda kv: -kv[1])[:k]
        return [Explanation(_readable(n), v) for n, v in best if v > 0]


def _readable(name: str) -> str:
    """``w:gun`` → ``gun``, ``b:my lawyer`` → ``my lawyer``, `` avoc`` → ``avoc…``,
    ``x:'ll hur`` → ``…'ll hur…``."""
    if name.startswith(("w:", "b:")):
        return name[2:]
    if name.startswith("x:"):
        return "…" + name[2:].strip() + "…"
    core = name.strip()
    return ("" if name.startswith(" ") else "…") + core + ("" if name.endswith(" ") else "…")


@lru_cache(maxsize=8)
def load_model(name: str) -> LinearModel:
    """The shipped model ``name``, loaded once per process on first use."""
    return LinearModel.from_files(MODELS_DIR / f"{name}.json", MODELS_DIR / f"{name}.bin")


def save_model(name: str, meta: dict[str, Any], buckets: list[int],
               weights: list[list[float]], folder: Path = MODELS_DIR) -> LinearModel:
    """Write ``NAME.json`` and ``NAME.bin`` from the trained buckets and their weight rows,
    and return the model exactly as it will load (quantized)."""
    folder.mkdir(parents=True, exist_ok=True)
    table, scale = quantize(buckets, weights, len(meta["labels"]), int(meta["features"]["buckets"]))
    data = array("h", table)
    if sys.byteorder == "big":
        data.byteswap()
    (folder / f"{name}.bin").write_bytes(data.tobytes())
    meta = {**meta, "name": name, "stored_buckets": len(buckets), "weight_scale": scale}
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return LinearModel(meta, table)


def quantize(buckets: list[int], weights: list[list[float]], width: int,
             size: int) -> tuple[array, float]:
    """The dense label-major int16 table and its step for trained (bucket, weight row) pairs."""
    top = max((abs(x) for row in weights for x in row), default=0.0) or 1.0
    scale = top / 32767
    table = array("h", bytes(2 * width * size))
    for bucket, row in zip(buckets, weights, strict=True):
        for j, x in enumerate(row):
            table[j * size + bucket] = round(x / scale)
    return table, scale
