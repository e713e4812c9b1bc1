"""Rebuild the shipped escalation model from the corpus: seeded, so the same corpus gives the
same model.

    pip install -e '.[train]'
    python bench/train_escalation.py            # train, pick thresholds, write the model
    python bench/train_escalation.py --report   # the same, and print the dev curves

Training data: every sentence of ``corpus/escalation/`` (``unit: sentence``), and the
sentences of its ``none`` emails (an email with no signal has no signal in any sentence).
A seeded 15% of each file is held out. Thresholds are chosen on dev data only: the held-out
sentences and emails and the blind sets listed as dev in ``bench/corpus_sets.py``; the
headline blind sets are never read here.

Thresholds are set for asymmetric cost: a missed threat or crisis is far worse than a
needless review, so each of violence and crisis gets the highest threshold that still
catches ``--target-recall`` of the dev emails, legal likewise with its own target, and a
lower "possible" band for violence and crisis sends an email to review (not refusal).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from corpus_sets import ESCALATION_DEV, blind_set, escalation_corpus  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from drafter.understand.features import FeatureSpec, feature_names, hashed  # noqa: E402
from drafter.understand.linear import LinearModel, save_model  # noqa: E402
from drafter.understand.segment import sentences  # noqa: E402

LABELS = ["none", "violence", "crisis", "legal"]
SEED = 20261202


def matrix(texts: list[str], spec: FeatureSpec) -> csr_matrix:
    """L2-normalised hashed n-gram counts, exactly as ``LinearModel`` computes them."""
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        counts: dict[int, int] = {}
        for b in hashed(feature_names(text, spec), spec.buckets):
            counts[b] = counts.get(b, 0) + 1
        norm = float(np.sqrt(sum(c * c for c in counts.values()))) or 1.0
        for b, c in counts.items():
            rows.append(r)
            cols.append(b)
            vals.append(c / norm)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), spec.buckets), dtype=np.float64)


def held_out(item: dict) -> bool:
    """A seeded, stable 15% of the corpus: the same items whatever else changes."""
    digest = hashlib.sha256(f"{SEED}:{item['text']}".encode()).digest()
    return digest[0] < 256 * 0.15


def split_corpus() -> tuple[list[tuple[str, str]], list[dict], list[tuple[str, str]]]:
    """(training sentences, dev emails, dev sentences)."""
    train, dev_emails, dev_sentences = [], [], []
    for item in escalation_corpus():
        label = item["label"]
        if item["unit"] == "email":
            if held_out(item):
                dev_emails.append(item)
            elif label == "none":
                train += [(s, "none") for _, _, s in sentences(item["text"])]
        elif held_out(item):
            dev_sentences.append((item["text"], label))
        else:
            train.append((item["text"], label))
    return train, dev_emails, dev_sentences


def train(samples: list[tuple[str, str]], spec: FeatureSpec, c: float,
          weights: dict[str, float]) -> tuple[list[int], list[list[float]], list[float]]:
    """Fit softmax regression; (used buckets, weights [bucket][label], bias per label).

    Only the buckets some sentence fills are columns of the fit (about 150k of a million),
    which makes the solver fast and is exactly what the shipped file stores.
    """
    random.Random(SEED).shuffle(samples)
    x = matrix([t for t, _ in samples], spec)
    used = np.unique(x.indices)
    y = np.array([LABELS.index(label) for _, label in samples])
    model = LogisticRegression(C=c, max_iter=3000, class_weight={
        LABELS.index(k): v for k, v in weights.items()}, random_state=SEED)
    model.fit(x[:, used], y)
    coef = model.coef_  # (labels, used buckets)
    rows = [[float(coef[j, i]) for j in range(len(LABELS))] for i in range(len(used))]
    return used.tolist(), rows, [float(v) for v in model.intercept_]


def email_scores(model: LinearModel, text: str) -> dict[str, float]:
    """An email's score per label: its most alarming sentence's probability."""
    best = dict.fromkeys(LABELS[1:], 0.0)
    for _, _, s in sentences(text):
        p = model.proba(s)
        for k in best:
            best[k] = max(best[k], p[k])
    return best


def pick_threshold(pos: list[float], target: float) -> float:
    """The highest threshold at which at least ``target`` of ``pos`` score at or above it."""
    if not pos:
        return 0.5
    ranked = sorted(pos, reverse=True)
    k = max(1, int(np.ceil(target * len(ranked))))
    return float(ranked[k - 1]) - 1e-6


def corpus_digest() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "corpus" / "escalation").glob("*.jsonl")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=8.0, help="inverse regularisation")
    parser.add_argument("--target-recall", type=float, default=0.985)
    parser.add_argument("--legal-recall", type=float, default=0.95)
    parser.add_argument("--possible", type=float, default=0.5,
                        help="the review band starts at this fraction of the threshold")
    parser.add_argument("--buckets", type=int, default=1 << 20)
    parser.add_argument("--char-max", type=int, default=5)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: shipped)")
    args = parser.parse_args()

    spec = FeatureSpec(buckets=args.buckets, char_max=args.char_max)
    samples, dev_emails, dev_sentences = split_corpus()
    dev_emails += [{**d, "file": name} for name in ESCALATION_DEV for d in blind_set(name)]
    weights = {"none": 1.0, "violence": 1.5, "crisis": 1.5, "legal": 1.2}
    buckets, w, bias = train(samples, spec, args.c, weights)
    meta = {"labels": LABELS, "bias": bias, "features": spec.to_dict()}
    model = LinearModel({**meta, "name": "escalation", "version": "dev"},
                        _array("I", buckets), _array("f", [x for row in w for x in row]))

    scored = [(d["label"], email_scores(model, d["text"])) for d in dev_emails]
    scored += [(label, {k: model.proba(t)[k] for k in LABELS[1:]}) for t, label in dev_sentences]
    thresholds = {}
    for label in ("violence", "crisis", "legal"):
        target = args.legal_recall if label == "legal" else args.target_recall
        thresholds[label] = pick_threshold([s[label] for lab, s in scored if lab == label],
                                           target)
    for label in ("violence", "crisis"):
        thresholds[f"{label}_possible"] = thresholds[label] * args.possible
    dev = evaluate(scored, thresholds)
    meta.update({
        "version": f"esc-{corpus_digest()}-c{args.c:g}",
        "thresholds": {k: round(v, 6) for k, v in thresholds.items()},
        "trained_on": {"corpus_sha256_16": corpus_digest(), "sentences": len(samples),
                       "seed": SEED, "dev_blind_sets": list(ESCALATION_DEV)},
        "dev": dev,
        "languages": ["en", "es", "de", "fr", "pt", "it", "nl"],
    })
    save_model("escalation", meta, buckets, w, **({"folder": args.out} if args.out else {}))
    print(json.dumps({"thresholds": meta["thresholds"], "dev": dev,
                      "stored_buckets": len(buckets)}, indent=2))


def _array(code: str, values: list) -> array:
    return array(code, values)


def evaluate(scored: list[tuple[str, dict[str, float]]], t: dict[str, float]) -> dict:
    """Dev recall per label and the false-flag rate on ``none`` items, at thresholds ``t``."""
    out: dict[str, dict[str, float]] = {}
    for label in ("violence", "crisis", "legal"):
        pos = [s for lab, s in scored if lab == label]
        hit = sum(s[label] >= t[label] for s in pos)
        out[label] = {"n": len(pos), "recall": round(hit / len(pos), 3) if pos else None}
    neg = [s for lab, s in scored if lab == "none"]
    flagged = sum(any(s[k] >= t[k] for k in ("violence", "crisis", "legal")) or
                  any(s[k] >= t[f"{k}_possible"] for k in ("violence", "crisis")) for s in neg)
    out["none"] = {"n": len(neg), "false_flag_rate": round(flagged / len(neg), 3)}
    return out


if __name__ == "__main__":
    main()
