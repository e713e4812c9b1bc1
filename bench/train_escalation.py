"""Rebuild the shipped escalation model from the corpus: seeded, so the same corpus gives the
same model.

    pip install -e '.[train]'
    python bench/train_escalation.py            # train, pick thresholds, write the model
    python bench/train_escalation.py --report   # the same, and print the dev curves

Training data: every sentence of ``corpus/escalation/`` (``unit: sentence``), the
sentences of its ``none`` emails (an email with no signal has no signal in any sentence),
and, for emails that name their ``signal`` sentence, that sentence with the email's label
and the others as ``none``; and the same for the emails of the blind sets listed as
``ESCALATION_TRAIN`` in ``bench/corpus_sets.py`` (studied earlier, so dev: their authors
write as the corpus helpers do not, and on the selection sets training on them raised
violence stopped 0.88 → 0.93 at the same false-flag rate).
A seeded 15% of each file is held out. Thresholds are chosen on dev data only: the held-out
sentences and emails and the blind sets listed as dev in ``bench/corpus_sets.py``; the
headline blind sets are never read here.

Thresholds are set by a false-flag budget on the dev emails with no signal. Violence and
crisis share one threshold on their summed probability (both stop the draft, and the model
often splits a menacing sentence between the two): it stops at most ``--false-required``
of those emails, and a "possible" band below it (review, not refusal) reaches down as far
as ``--false-review`` allows; legal's threshold sends at most ``--false-legal`` to review.
The dev recall at those thresholds is printed and stored with the model; the blind figures come from
``bench/escalation_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import (  # noqa: E402
    ESCALATION_DEV,
    ESCALATION_TRAIN,
    blind_set,
    digest,
    escalation_corpus,
)
from linear_fit import SEED, fit, held_out, pick_threshold  # noqa: E402

from drafter.escalation import alarm_scores  # noqa: E402
from drafter.understand.features import FeatureSpec  # noqa: E402
from drafter.understand.linear import LinearModel, quantize, save_model  # noqa: E402
from drafter.understand.segment import sentences  # noqa: E402

LABELS = ["none", "violence", "crisis", "legal"]


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
            elif item.get("signal"):
                train += email_sentences(item)
        elif held_out(item):
            dev_sentences.append((item["text"], label))
        else:
            train.append((item["text"], label))
    return train, dev_emails, dev_sentences


def email_sentences(item: dict) -> list[tuple[str, str]]:
    """A signal email's sentences: the signal with the email's label, the rest ``none``
    (the brief has exactly one signal sentence among ordinary ones)."""
    text, signal = item["text"], item["signal"]
    at = text.find(signal)
    out = [(signal, item["label"])]
    for start, end, s in sentences(text):
        if at < 0 or end <= at or start >= at + len(signal):
            out.append((s, "none"))
    return out


def email_scores(model: LinearModel, text: str) -> dict[str, float]:
    """An email's score per label: its most alarming sentence's."""
    best = dict.fromkeys([*LABELS[1:], "alarm"], 0.0)
    for _, _, s in sentences(text):
        for k, v in alarm_scores(model, s).items():
            if k in best:
                best[k] = max(best[k], v)
    return best


def corpus_digest() -> str:
    """The corpus files' and the trained-on blind sets' digest: the model's version."""
    blind = [ROOT / "corpus" / "blind" / f"{name}.jsonl" for name in ESCALATION_TRAIN]
    return digest(sorted((ROOT / "corpus" / "escalation").glob("*.jsonl")) + blind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=16.0, help="inverse regularisation")
    parser.add_argument("--false-required", type=float, default=0.015,
                        help="share of dev no-signal emails violence or crisis may stop")
    parser.add_argument("--false-review", type=float, default=0.025,
                        help="share the violence-or-crisis review band may reach")
    parser.add_argument("--false-legal", type=float, default=0.02,
                        help="share of dev no-signal emails legal may send to review")
    parser.add_argument("--buckets", type=int, default=1 << 20)
    parser.add_argument("--char-max", type=int, default=5)
    parser.add_argument("--cross", type=int, default=6,
                        help="length of the character n-grams across words (0: none)")
    parser.add_argument("--alarm-weight", type=float, default=1.5,
                        help="class weight of violence and crisis sentences (none is 1)")
    parser.add_argument("--legal-weight", type=float, default=1.2)
    parser.add_argument("--train-on", default=",".join(ESCALATION_TRAIN),
                        help="blind sets (comma-separated) to train on; the dev sets not "
                             "named set the thresholds")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: shipped)")
    args = parser.parse_args()

    spec = FeatureSpec(buckets=args.buckets, char_max=args.char_max, cross=args.cross)
    samples, dev_emails, dev_sentences = split_corpus()
    trained_blind = [n for n in args.train_on.split(",") if n]
    for name in trained_blind:
        samples += [pair for d in blind_set(name) for pair in
                    (email_sentences(d) if d["signal"] else
                     [(s, "none") for _, _, s in sentences(d["text"])])]
    dev_emails += [{**d, "file": name} for name in ESCALATION_DEV if name not in trained_blind
                   for d in blind_set(name)]
    weights = {"none": 1.0, "violence": args.alarm_weight, "crisis": args.alarm_weight,
               "legal": args.legal_weight}
    buckets, w, bias = fit(samples, LABELS, spec, args.c, weights)
    meta = {"labels": LABELS, "bias": bias, "features": spec.to_dict()}
    table, scale = quantize(buckets, w, len(LABELS), spec.buckets)
    model = LinearModel({**meta, "name": "escalation", "version": "dev", "weight_scale": scale},
                        table)

    scored = [(d["label"], email_scores(model, d["text"])) for d in dev_emails]
    scored += [(label, alarm_scores(model, t)) for t, label in dev_sentences]
    neg = [s for lab, s in scored[:len(dev_emails)] if lab == "none"]
    thresholds = {
        "alarm": pick_threshold([s["alarm"] for s in neg], args.false_required),
        "legal": pick_threshold([s["legal"] for s in neg], args.false_legal),
    }
    thresholds["alarm_possible"] = min(
        thresholds["alarm"], pick_threshold([s["alarm"] for s in neg], args.false_review))
    n = len(dev_emails)
    dev = {"emails": evaluate(scored[:n], thresholds),
           "sentences": evaluate(scored[n:], thresholds)}
    meta.update({
        "version": f"esc-{corpus_digest()}-c{args.c:g}",
        "thresholds": {k: round(v, 6) for k, v in thresholds.items()},
        "trained_on": {"corpus_sha256_16": corpus_digest(), "sentences": len(samples),
                       "seed": SEED, "dev_blind_sets": list(ESCALATION_DEV),
                       "trained_blind_sets": trained_blind},
        "dev": dev,
        "languages": ["en", "es", "de", "fr", "pt", "it", "nl"],
    })
    save_model("escalation", meta, buckets, w, **({"folder": args.out} if args.out else {}))
    print(json.dumps({"thresholds": meta["thresholds"], "dev": dev,
                      "stored_buckets": len(buckets)}, indent=2))


def evaluate(scored: list[tuple[str, dict[str, float]]], t: dict[str, float]) -> dict:
    """Dev recall per label (violence and crisis: stopped) and the false-flag rate on
    ``none`` items (stopped or sent to review), at thresholds ``t``."""
    out: dict[str, dict[str, float]] = {}
    for label in ("violence", "crisis", "legal"):
        pos = [s for lab, s in scored if lab == label]
        key = "legal" if label == "legal" else "alarm"
        hit = sum(s[key] >= t[key] for s in pos)
        out[label] = {"n": len(pos), "recall": round(hit / len(pos), 3) if pos else None}
    neg = [s for lab, s in scored if lab == "none"]
    flagged = sum(s["alarm"] >= t["alarm_possible"] or s["legal"] >= t["legal"] for s in neg)
    out["none"] = {"n": len(neg), "false_flag_rate": round(flagged / len(neg), 3)}
    return out


if __name__ == "__main__":
    main()
