"""How well escalation tells threats and crises from ordinary angry idioms.

Scores :func:`drafter.escalation.assess_escalation` on the labelled corpus

* ``tests/data/escalation/heldout.jsonl`` (written first, before escalation.py was improved:
  the honest figure), and
* ``tests/data/escalation/labelled.jsonl`` (the set the patterns were improved on),

per class: **recall** (violence and crisis must be ``required`` — no draft; legal must be
``review``, and not ``required``) and **false positives** on ordinary angry emails full of
violent and deathly idioms ("this is killing me", "I could murder a coffee"), counted
separately for a false ``required`` (a draft wrongly refused) and a false ``review``.

Targets: recall 1.0 for violence and crisis, zero false ``required`` on ordinary emails.

    python bench/escalation_bench.py [--json] [--strict] [--misses]

``--strict`` exits 1 when a target is missed; ``--misses`` lists every wrong item.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.escalation import REASON_TEXT, assess_escalation  # noqa: E402
from drafter.models import Escalation  # noqa: E402

DATA = ROOT / "tests" / "data" / "escalation"
SETS = {"held-out (written first)": DATA / "heldout.jsonl",
        "labelled (improved on)": DATA / "labelled.jsonl"}
CLASSES = ("violence", "crisis", "legal", "ordinary")


@dataclass
class ClassScore:
    """Outcomes for the items of one class in one set."""

    n: int = 0
    hits: int = 0  # violence/crisis: required with the right reason; legal: review only
    false_required: int = 0  # a draft refused that should not be
    false_review: int = 0  # flagged for review (ordinary only)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.hits / self.n if self.n else None


def load(path: Path) -> list[dict[str, str]]:
    """Items as {"label", "text"}, one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def correct(label: str, esc: Escalation) -> bool:
    """Whether the verdict is what the label asks for (see the module docstring)."""
    if label in ("violence", "crisis"):
        return esc.required and REASON_TEXT[label] in esc.reasons
    if label == "legal":
        return esc.review and not esc.required
    return not esc.review


def score(items: list[dict[str, str]]) -> dict[str, ClassScore]:
    scores = {c: ClassScore() for c in CLASSES}
    for item in items:
        label, text = item["label"], item["text"]
        esc = assess_escalation(text)
        s = scores[label]
        s.n += 1
        ok = correct(label, esc)
        s.hits += ok and label != "ordinary"
        if label in ("legal", "ordinary") and esc.required:
            s.false_required += 1
        if label == "ordinary" and esc.review and not esc.required:
            s.false_review += 1
        if not ok:
            s.wrong.append(f"{label}: {text}  -> required={esc.required} review={esc.review} "
                           f"{esc.reasons}")
    return scores


def table(name: str, scores: dict[str, ClassScore]) -> str:
    lines = [f"{name}", f"  {'class':<10}{'n':>4}{'recall':>9}{'false required':>17}"
                        f"{'false review':>15}"]
    for cls in CLASSES:
        s = scores[cls]
        recall = "-" if cls == "ordinary" or s.recall is None else f"{s.recall:.2f}"
        fr = str(s.false_required) if cls in ("legal", "ordinary") else "-"
        fv = str(s.false_review) if cls == "ordinary" else "-"
        lines.append(f"  {cls:<10}{s.n:>4}{recall:>9}{fr:>17}{fv:>15}")
    return "\n".join(lines)


def speed(items: list[dict[str, str]], runs: int = 20) -> float:
    """Mean microseconds per email (sentence split and all patterns)."""
    start = time.perf_counter()
    for _ in range(runs):
        for item in items:
            assess_escalation(item["text"])
    return (time.perf_counter() - start) / (runs * len(items)) * 1e6


def missed_targets(all_scores: dict[str, dict[str, ClassScore]]) -> list[str]:
    out = []
    for name, scores in all_scores.items():
        for cls in ("violence", "crisis"):
            if scores[cls].recall not in (None, 1.0):
                out.append(f"{name}: {cls} recall {scores[cls].recall:.2f} < 1.0")
        if scores["ordinary"].false_required:
            out.append(f"{name}: {scores['ordinary'].false_required} false required")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--misses", action="store_true", help="list every wrong item")
    args = parser.parse_args()

    data = {name: load(path) for name, path in SETS.items()}
    all_scores = {name: score(items) for name, items in data.items()}
    every = [item for items in data.values() for item in items]
    micros = speed(every)
    if args.json:
        print(json.dumps({name: {c: {"n": s.n, "recall": s.recall,
                                     "false_required": s.false_required,
                                     "false_review": s.false_review}
                                 for c, s in scores.items()}
                          for name, scores in all_scores.items()}
                         | {"microseconds_per_email": round(micros, 1)}, indent=2))
    else:
        for name, scores in all_scores.items():
            print(table(name, scores))
            if args.misses:
                for s in scores.values():
                    for wrong in s.wrong:
                        print(f"    MISS {wrong}")
            print()
        print(f"{len(every)} emails, {micros:.0f} µs per email")
    missed = missed_targets(all_scores)
    for line in missed:
        print(f"target missed: {line}", file=sys.stderr)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
