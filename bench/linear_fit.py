"""The fitting half of drafter's linear models, shared by the seeded training scripts.

``drafter.understand.linear`` is the runtime half: these functions build exactly the
features it computes (L2-normalised hashed n-gram counts) and fit the softmax regression
whose weights it reads. Needs the ``[train]`` extra (numpy, scipy, scikit-learn).
"""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from drafter.understand.features import FeatureSpec, bucket_ids  # noqa: E402

SEED = 20261202


def matrix(texts: list[str], spec: FeatureSpec) -> csr_matrix:
    """L2-normalised hashed n-gram counts, exactly as ``LinearModel`` computes them."""
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        counts: dict[int, int] = {}
        for b in bucket_ids(text, spec):
            counts[b] = counts.get(b, 0) + 1
        norm = float(np.sqrt(sum(c * c for c in counts.values()))) or 1.0
        for b, c in counts.items():
            rows.append(r)
            cols.append(b)
            vals.append(c / norm)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), spec.buckets), dtype=np.float64)


def held_out(item: dict, share: float = 0.15) -> bool:
    """A seeded, stable ``share`` of a corpus: the same items whatever else changes."""
    digest = hashlib.sha256(f"{SEED}:{item['text']}".encode()).digest()
    return digest[0] < 256 * share


def fit(samples: list[tuple[str, str]], labels: list[str], spec: FeatureSpec, c: float,
        weights: dict[str, float]) -> tuple[list[int], list[list[float]], list[float]]:
    """Fit softmax regression; (used buckets, weights [bucket][label], bias per label).

    Only the buckets some sentence fills are columns of the fit (a fraction of the table),
    which makes the solver fast; the others are zero in the shipped table.
    """
    random.Random(SEED).shuffle(samples)
    x = matrix([t for t, _ in samples], spec)
    used = np.unique(x.indices)
    y = np.array([labels.index(label) for _, label in samples])
    model = LogisticRegression(C=c, max_iter=3000, class_weight={
        labels.index(k): v for k, v in weights.items()}, random_state=SEED)
    model.fit(x[:, used], y)
    coef = model.coef_  # (classes, used buckets); one row when there are two classes
    present = [int(k) for k in model.classes_]
    if len(present) == 2:
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
    else:
        intercept = list(model.intercept_)
    # A label no training item has can never win: zero weights, a very low bias.
    full = np.zeros((len(labels), len(used)))
    bias = [-30.0] * len(labels)
    for row, label in enumerate(present):
        full[label] = coef[row]
        bias[label] = float(intercept[row])
    rows = full.T.tolist()
    return used.tolist(), rows, bias


def pick_threshold(neg: list[float], budget: float) -> float:
    """The lowest threshold that at most ``budget`` of the ``neg`` scores reach."""
    ranked = sorted(neg, reverse=True)
    allowed = int(budget * len(ranked))
    return float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else 0.0
