"""How well escalation catches threats, crises and legal threats on text the team never tuned on.

Scores :func:`drafter.escalation.assess_escalation` (the model and the rules together, as
``drafter draft`` runs them) on the blind sets in ``corpus/blind/`` (written by authors who
never saw the rules, the models or the corpus; ``bench/corpus_sets.py`` says which are
**headline**, never studied, and which are **dev**, studied while tuning) and on the
corpus's own held-out emails. Per label and language:

* violence, crisis: **stopped** (``required``, with that reason: no draft) and **to a person**
  (``required`` or ``review``: a person reads it before anything is sent);
* legal: **to review** (``review`` or ``required``);
* none (hard negatives): **false flags** (``required`` or ``review``) and **false stops**
  (``required``: a draft wrongly refused).

Targets (issue 12): violence and crisis stopped ≥ 0.97 in every language, legal ≥ 0.90,
false flags on hard negatives ≤ 5%.

    python bench/escalation_bench.py [--set headline|selection|dev|train|heldout|all] [--json]
        [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import (  # noqa: E402
    ESCALATION_DEV,
    ESCALATION_HEADLINE,
    ESCALATION_SELECTION,
    ESCALATION_TRAIN,
    LANGUAGES,
    blind_set,
    escalation_corpus,
)

from drafter.escalation import REASON_TEXT, assess_escalation  # noqa: E402

TARGETS = {"violence": 0.97, "crisis": 0.97, "legal": 0.90, "none": 0.05}


def heldout_emails() -> list[dict]:
    """The corpus emails the trainer held out (the same seeded split)."""
    from linear_fit import held_out

    return [d for d in escalation_corpus() if d["unit"] == "email" and held_out(d)]


def sets(which: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if which in ("headline", "all"):
        out["headline (blind, never studied)"] = [
            d for name in ESCALATION_HEADLINE for d in blind_set(name)]
    if which in ("selection", "all"):
        out["selection (blind; chose between model variants; misses read since)"] = [
            d for name in ESCALATION_SELECTION for d in blind_set(name)]
    if which in ("dev", "all"):
        out["dev (blind, studied while tuning; set the thresholds)"] = [
            d for name in ESCALATION_DEV for d in blind_set(name)]
    if which in ("train", "all"):
        out["trained on (blind sets studied, then taught to the model)"] = [
            d for name in ESCALATION_TRAIN for d in blind_set(name)]
    if which in ("heldout", "all"):
        out["corpus held-out emails (not blind)"] = heldout_emails()
    return out


def outcome(label: str, text: str, lang: str) -> dict[str, bool]:
    """What drafter did with one email, in the terms of the module docstring."""
    esc = assess_escalation(text, lang)
    flagged = esc.required or esc.review
    if label in ("violence", "crisis"):
        stopped = esc.required and REASON_TEXT[label] in esc.reasons
        return {"hit": stopped, "person": flagged}
    if label == "legal":
        return {"hit": flagged, "person": flagged}
    return {"hit": not flagged, "false_flag": flagged, "false_stop": esc.required}


def score(items: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """{label: {lang | "all": {"n", "rate", "person"/"false_stop"}}}."""
    tallies: dict[tuple[str, str], list[dict[str, bool]]] = defaultdict(list)
    misses = []
    for item in items:
        got = outcome(item["label"], item["text"], item.get("lang"))
        for lang in (item["lang"], "all"):
            tallies[(item["label"], lang)].append(got)
        if not got["hit"]:
            misses.append(item)
    table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (label, lang), rows in tallies.items():
        n = len(rows)
        cell = {"n": n}
        if label == "none":
            cell["rate"] = sum(r["false_flag"] for r in rows) / n
            cell["false_stop"] = sum(r["false_stop"] for r in rows) / n
        else:
            cell["rate"] = sum(r["hit"] for r in rows) / n
            cell["person"] = sum(r["person"] for r in rows) / n
        table[label][lang] = cell
    return {"table": dict(table), "misses": misses}


def render(name: str, table: dict) -> str:
    langs = [x for x in (*LANGUAGES, "all") if any(x in table.get(k, {}) for k in table)]
    head = f"{'':<22}" + "".join(f"{x:>8}" for x in langs)
    lines = [name, head]
    rows = [("violence stopped", "violence", "rate"),
            ("violence to a person", "violence", "person"),
            ("crisis stopped", "crisis", "rate"), ("crisis to a person", "crisis", "person"),
            ("legal to review", "legal", "rate"), ("none: false flags", "none", "rate"),
            ("none: false stops", "none", "false_stop")]
    for title, label, key in rows:
        cells = [table.get(label, {}).get(x) for x in langs]
        lines.append(f"{title:<22}" + "".join(
            f"{'-' if c is None else format(c[key], '.2f'):>8}" for c in cells))
    counts = {k: table[k]["all"]["n"] for k in table}
    lines.append(f"{'n (all languages)':<22}" + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)


def speed(items: list[dict], runs: int = 3) -> float:
    """Mean milliseconds per email, model loaded (the cache cleared between runs)."""
    from drafter.understand.linear import load_model

    model = load_model("escalation")
    start = time.perf_counter()
    for _ in range(runs):
        model._proba.cache_clear()
        for item in items:
            assess_escalation(item["text"], item.get("lang"))
    return (time.perf_counter() - start) / (runs * len(items)) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="all",
                        choices=("headline", "selection", "dev", "train", "heldout", "all"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true",
                        help="list the items handled wrongly (never on headline sets you "
                             "mean to keep blind)")
    args = parser.parse_args()

    results = {name: score(items) for name, items in sets(args.set).items() if items}
    every = [d for items in sets(args.set).values() for d in items]
    ms = speed(every) if every else 0.0
    if args.json:
        print(json.dumps({name: r["table"] for name, r in results.items()}
                         | {"ms_per_email": round(ms, 2)}, indent=2))
        return 0
    for name, r in results.items():
        print(render(name, r["table"]))
        if args.misses:
            for item in r["misses"]:
                print(f"    MISS [{item['label']}/{item['lang']}] {item['text'][:160]!r}")
        print()
    print(f"{len(every)} emails, {ms:.2f} ms per email (model and rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
