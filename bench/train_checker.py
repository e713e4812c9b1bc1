"""Rebuild the shipped checker model from the corpus: seeded, so the same corpus gives the
same model.

    pip install -e '.[train]'
    python bench/train_checker.py

One linear model over hashed n-grams (``drafter/understand/``) reads one sentence of an
agent's reply and says which mistake it makes: ``customer-is-wrong``, ``arguing``,
``calm-down``, ``no-venting``, ``all-i-can-do``, ``no-apology`` (a non-apology),
``admits-fault``, or ``none``. Training data: ``corpus/checker/*.jsonl`` (sentences written
by the team's helpers, heavy on hard negatives; see each file's README). ``raised-voice``
items are left out: the features are lower-cased, and shouting is shape, which the rules
see exactly.

A seeded 15% of the corpus is held out. Each label's threshold is the lowest that at most
``--false-alarms`` of the held-out sentences of other labels reach (a false alarm teaches
agents to ignore the checker), but never below ``--floor``. Held-out figures are printed
and stored with the model; blind figures come from ``bench/checker_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import CORPUS, digest, read_jsonl, share  # noqa: E402
from linear_fit import SEED, fit, held_out, pick_threshold  # noqa: E402

from drafter.checker.model import LABEL_RULES, MODEL_NAME  # noqa: E402
from drafter.understand.features import FeatureSpec  # noqa: E402
from drafter.understand.linear import save_model  # noqa: E402

LABELS = ["none", *LABEL_RULES]
LEFT_OUT = {"raised-voice"}


def corpus_files() -> list[Path]:
    return sorted((CORPUS / "checker").glob("*.jsonl"))



def items() -> list[dict]:
    out = []
    for path in corpus_files():
        out += [d for d in read_jsonl(path) if d["label"] not in LEFT_OUT]
    unknown = {d["label"] for d in out} - set(LABELS)
    if unknown:
        raise SystemExit(f"unknown label(s) in corpus/checker: {', '.join(sorted(unknown))}")
    return out


def train(args: argparse.Namespace) -> dict:
    from drafter.checker.model import QUOTED_RE, sentence_scores

    paths = corpus_files()
    data = items()
    train_set = [d for d in data if not held_out(d)]
    dev = [d for d in data if held_out(d)]
    spec = FeatureSpec(buckets=1 << args.bits, char_min=3, char_max=args.char_max,
                       cross=args.cross)
    # The model reads sentences with their quotations blanked; so does the fit.
    samples = [(QUOTED_RE.sub('""', d["text"]), d["label"]) for d in train_set]
    weights = {label: 1.0 for label in LABELS}
    buckets, w, bias = fit(samples, LABELS, spec, args.c, weights)
    meta = {"labels": LABELS, "bias": bias, "features": spec.to_dict(),
            "version": f"{MODEL_NAME}-{digest(paths)}-c{args.c:g}", "languages": ["en"],
            "trained_on": {"corpus_sha256_16": digest(paths), "seed": SEED,
                           "items": len(train_set)}}
    model = save_model(MODEL_NAME, meta, buckets, w)
    # Thresholds from the very scores the checker computes (sentence or strongest clause).
    scored = [(d["label"], sentence_scores(model, QUOTED_RE.sub('""', d["text"]))) for d in dev]
    thresholds, report = {}, {}
    for label in LABEL_RULES:
        others = [p[label] for gold, p in scored if gold != label]
        threshold = max(pick_threshold(others, args.false_alarms), args.floor)
        mine = [p[label] for gold, p in scored if gold == label]
        thresholds[label] = round(threshold, 6)
        report[label] = {"recall": share(p >= threshold for p in mine),
                         "false_alarm_rate": share(p >= threshold for p in others),
                         "n": len(mine), "threshold": round(threshold, 3)}
    meta["thresholds"] = thresholds
    meta["dev"] = {"held_out": report, "n": len(dev)}
    save_model(MODEL_NAME, meta, buckets, w)
    return report



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=8.0, help="inverse regularisation")
    parser.add_argument("--bits", type=int, default=18, help="log2 of the hash buckets")
    parser.add_argument("--char-max", type=int, default=5)
    parser.add_argument("--cross", type=int, default=6)
    parser.add_argument("--false-alarms", type=float, default=0.01,
                        help="share of held-out other sentences each label may flag")
    parser.add_argument("--floor", type=float, default=0.4,
                        help="no label fires below this probability")
    args = parser.parse_args()
    print(json.dumps(train(args), indent=2))


if __name__ == "__main__":
    main()
