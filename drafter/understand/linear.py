"""A linear classifier over hashed n-grams, loaded from the files the trainer ships.

A model is two files in ``drafter/understand/models/``: ``NAME.json`` (labels, feature spec,
thresholds, version, the corpus it was trained on and its scores) and ``NAME.bin`` (zlib:
the used hash buckets as uint32, then one float32 weight per bucket and label). Only buckets
that some training sentence filled are stored, so a model is a few MB, and loading is one
decompression and an ``array`` copy: no numpy, no pickle (a pickle in a wheel is code), no
download. Scoring is the dot product of the L2-normalised n-gram counts with the weights,
then a softmax: the same arithmetic the trainer used.
"""

from __future__ import annotations

import json
import math
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.understand.features import FeatureSpec, feature_names, hashed

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

    def __init__(self, meta: dict[str, Any], buckets: array, weights: array) -> None:
        self.meta = meta
        self.name: str = meta["name"]
        self.version: str = meta["version"]
        self.labels: list[str] = list(meta["labels"])
        self.spec = FeatureSpec(**meta["features"])
        self.thresholds: dict[str, float] = dict(meta.get("thresholds", {}))
        self.bias: list[float] = [float(b) for b in meta["bias"]]
        self._row = {b: i for i, b in enumerate(buckets)}
        self._weights = weights
        self._width = len(self.labels)
        self._proba = lru_cache(maxsize=8192)(self._compute)

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def from_files(cls, meta_path: Path, bin_path: Path) -> LinearModel:
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            raw = zlib.decompress(bin_path.read_bytes())
        except (OSError, ValueError, zlib.error) as exc:
            raise ModelError(f"cannot load model {meta_path.stem}: {exc}") from None
        count = int(meta["stored_buckets"])
        buckets = array("I")
        buckets.frombytes(raw[: 4 * count])
        weights = array("f")
        weights.frombytes(raw[4 * count:])
        if len(buckets) != count or len(weights) != count * len(meta["labels"]):
            raise ModelError(f"model {meta['name']} is truncated")
        return cls(meta, buckets, weights)

    # --- scoring ---------------------------------------------------------------------------

    def proba(self, text: str) -> dict[str, float]:
        """Each label's probability for ``text`` (cached: inboxes repeat their sentences)."""
        return dict(zip(self.labels, self._proba(text), strict=True))

    def _compute(self, text: str) -> tuple[float, ...]:
        logits = list(self.bias)
        counts = Counter(hashed(feature_names(text, self.spec), self.spec.buckets))
        norm = math.sqrt(sum(c * c for c in counts.values())) or 1.0
        w, width, row = self._weights, self._width, self._row
        for bucket, count in counts.items():
            i = row.get(bucket)
            if i is not None:
                scale = count / norm
                base = i * width
                for j in range(width):
                    logits[j] += w[base + j] * scale
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
            i = self._row.get(bucket)
            if i is None or name in pulls:
                continue
            row = self._weights[i * self._width:(i + 1) * self._width]
            others = [row[x] for x in range(self._width) if x != j]
            pulls[name] = row[j] - max(others)
        best = sorted(pulls.items(), key=lambda kv: -kv[1])[:k]
        return [Explanation(_readable(n), v) for n, v in best if v > 0]


def _readable(name: str) -> str:
    """``w:gun`` → ``gun``, ``b:my lawyer`` → ``my lawyer``, `` avoc`` → ``avoc…``."""
    if name.startswith(("w:", "b:")):
        return name[2:]
    core = name.strip()
    return ("" if name.startswith(" ") else "…") + core + ("" if name.endswith(" ") else "…")


@lru_cache(maxsize=8)
def load_model(name: str) -> LinearModel:
    """The shipped model ``name``, loaded once per process on first use."""
    return LinearModel.from_files(MODELS_DIR / f"{name}.json", MODELS_DIR / f"{name}.bin")


def save_model(name: str, meta: dict[str, Any], buckets: list[int],
               weights: list[list[float]], folder: Path = MODELS_DIR) -> None:
    """Write ``NAME.json`` and ``NAME.bin`` (the trainer's side of the format)."""
    folder.mkdir(parents=True, exist_ok=True)
    packed = array("I", buckets).tobytes() + array("f", [x for row in weights
                                                          for x in row]).tobytes()
    (folder / f"{name}.bin").write_bytes(zlib.compress(packed, 9))
    meta = {**meta, "name": name, "stored_buckets": len(buckets)}
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
