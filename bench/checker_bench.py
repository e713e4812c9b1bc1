"""How good and how fast the mistake checker is, on labelled replies.

Reports, for each of the seven mistakes, precision and recall of the rules on

* ``tests/data/checker/labelled.jsonl`` (the set the rules were tuned on), and
* ``tests/data/checker/heldout.jsonl`` (written before any rule existed, never tuned on:
  the honest figure),

plus error findings on the good replies (target: none) and the median time to check one
reply with rules alone (target: under 5 ms), and the time for a 200 KB reply.

Targets (issue 3): precision and recall >= 0.95 per mistake on the held-out set.

    python bench/checker_bench.py [--runs 20] [--json] [--strict]

``--strict`` exits 1 when a target is missed, for CI.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.checker import check_reply, load_rules  # noqa: E402
from drafter.models import MISTAKES  # noqa: E402
from drafter.policy import load_policy  # noqa: E402

DATA = ROOT / "tests" / "data" / "checker"
SETS = {"labelled (tuned on)": DATA / "labelled.jsonl",
        "held-out (never tuned on)": DATA / "heldout.jsonl"}
TARGET_PR = 0.95
TARGET_MEDIAN_MS = 5.0


@dataclass
class Score:
    """Counts for one mistake on one set."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class SetReport:
    name: str
    replies: int
    good: int
    good_with_errors: list[str]
    scores: dict[str, Score]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def evaluate(name: str, rows: list[dict]) -> SetReport:
    policy = load_policy(DATA / "policy.toml")
    scores = {m: Score() for m in MISTAKES}
    good_errors = []
    for row in rows:
        result = check_reply(row["text"], policy=policy)
        found = {f.mistake for f in result.findings if f.mistake}
        expected = set(row["mistakes"])
        for m in MISTAKES:
            score = scores[m]
            if m in found and m in expected:
                score.tp += 1
            elif m in found:
                score.fp += 1
                score.false_alarms.append(row["id"])
            elif m in expected:
                score.fn += 1
                score.misses.append(row["id"])
        if not expected and result.errors:
            good_errors.append(f"{row['id']}: {', '.join(f.rule for f in result.errors)}")
    good = sum(1 for r in rows if not r["mistakes"])
    return SetReport(name, len(rows), good, good_errors, scores)


def time_checks(rows: list[dict], runs: int) -> tuple[float, float]:
    """Median and p95 milliseconds per reply, rules only, pack already compiled."""
    policy = load_policy(DATA / "policy.toml")
    load_rules()
    for row in rows[:5]:  # warm-up: the first call compiles the pack
        check_reply(row["text"], policy=policy)
    times = []
    for _ in range(runs):
        for row in rows:
            start = time.perf_counter()
            check_reply(row["text"], policy=policy)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def time_big(rows: list[dict]) -> tuple[int, float]:
    """One reply of about 200 KB (many good and bad replies glued together)."""
    text = ""
    while len(text) < 200_000:
        for row in rows:
            text += row["text"] + "\n\n"
    text = text[:200_000]
    start = time.perf_counter()
    check_reply(text)
    return len(text), (time.perf_counter() - start) * 1000


def report(reports: list[SetReport], median: float, p95: float, big: tuple[int, float]) -> str:
    out = ["# drafter checker benchmark", ""]
    for rep in reports:
        out += [f"## {rep.name}: {rep.replies} replies ({rep.good} good)", "",
                "| mistake | precision | recall | tp | fp | fn |",
                "|---|---|---|---|---|---|"]
        for m, s in rep.scores.items():
            out.append(f"| {m} | {s.precision:.2f} | {s.recall:.2f} | {s.tp} | {s.fp} | {s.fn} |")
        out.append("")
        out.append(f"good replies with error findings: {len(rep.good_with_errors)} of {rep.good}")
        for line in rep.good_with_errors:
            out.append(f"  - {line}")
        for m, s in rep.scores.items():
            if s.misses:
                out.append(f"  missed {m}: {', '.join(s.misses)}")
            if s.false_alarms:
                out.append(f"  false {m}: {', '.join(s.false_alarms)}")
        out.append("")
    out += [f"time per reply (rules only): median {median:.2f} ms, p95 {p95:.2f} ms",
            f"one {big[0] // 1000} KB reply: {big[1]:.0f} ms", ""]
    return "\n".join(out)


def missed_targets(reports: list[SetReport], median: float) -> list[str]:
    problems = []
    for rep in reports:
        for m, s in rep.scores.items():
            if s.precision < TARGET_PR or s.recall < TARGET_PR:
                problems.append(f"{rep.name}: {m} P={s.precision:.2f} R={s.recall:.2f}")
        if rep.good_with_errors:
            problems.append(f"{rep.name}: {len(rep.good_with_errors)} good replies with errors")
    if median > TARGET_MEDIAN_MS:
        problems.append(f"median {median:.2f} ms > {TARGET_MEDIAN_MS} ms")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timing passes over all replies")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    sets = {name: load(path) for name, path in SETS.items()}
    reports = [evaluate(name, rows) for name, rows in sets.items()]
    everything = [row for rows in sets.values() for row in rows]
    median, p95 = time_checks(everything, args.runs)
    big = time_big(everything)
    if args.json:
        print(json.dumps({
            "sets": {r.name: {m: {"precision": round(s.precision, 3),
                                  "recall": round(s.recall, 3), "tp": s.tp, "fp": s.fp,
                                  "fn": s.fn} for m, s in r.scores.items()}
                     | {"good": r.good, "good_with_errors": r.good_with_errors}
                     for r in reports},
            "median_ms": round(median, 3), "p95_ms": round(p95, 3),
            "big_reply": {"chars": big[0], "ms": round(big[1], 1)},
        }, indent=2))
    else:
        print(report(reports, median, p95, big))
    problems = missed_targets(reports, median)
    if problems and args.strict:
        print("targets missed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
