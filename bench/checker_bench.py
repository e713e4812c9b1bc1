"""How good and how fast the mistake checker is, on labelled replies.

Reports, for each of the seven mistakes and ``admits-fault``, precision and recall per
reply, and the good replies that get an error (one among the seven, and any error at all),
on

* **blind** sets (``corpus/blind/checker-*.jsonl``): replies to customers' emails written by
  helpers who never saw the rules, the model or its corpus. ``bench/corpus_sets.py`` says
  which are *dev* (studied while tuning) and which are *headline* (never studied);
* the team's own sets (``tests/data/checker/``), which the rules were written against.

Blind replies are checked with their customer's email (so grounding runs) and no policy,
as ``drafter check reply --email original`` would. Speed: the median time to check
one reply in process (target under 5 ms), a 200 KB reply (target under 1 s), and batch mode
(replies per second through ``check_items``, target 200/s).

    python bench/checker_bench.py [--set headline|dev|all] [--runs 5] [--json] [--misses]
    python bench/checker_bench.py --strict    # exit 1 when a target is missed
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
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import CHECKER_DEV, CHECKER_HEADLINE, CHECKER_SELECTION, blind_set  # noqa: E402

from drafter.checker import check_reply, load_rules  # noqa: E402
from drafter.models import MISTAKES, Email  # noqa: E402
from drafter.policy import BUILTIN_POLICY, load_policy, parse_policy  # noqa: E402

DATA = ROOT / "tests" / "data" / "checker"
OWN_SETS = {"team's own labelled set (rules written against it)": DATA / "labelled.jsonl",
            "team's own held-out set": DATA / "heldout.jsonl"}
LABELS = (*MISTAKES, "admits-fault")
TARGET_RECALL, TARGET_PRECISION = 0.85, 0.90
TARGET_GOOD_SEVEN, TARGET_GOOD_ANY = 0.03, 0.07
TARGET_MEDIAN_MS, TARGET_BIG_MS, TARGET_BATCH_PER_S = 5.0, 1000.0, 200.0


@dataclass
class Score:
    """Counts for one label on one set, per reply."""

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
    good_with_seven: list[str]
    good_with_any: list[str]
    scores: dict[str, Score]


@dataclass
class Case:
    id: str
    text: str
    expected: set[str]
    email: str | None = None


def own_cases(path: Path) -> list[Case]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [Case(r["id"], r["text"], set(r["mistakes"])) for r in rows]


def blind_cases(name: str) -> list[Case]:
    return [Case(r["id"], r["reply"], {m["label"] for m in r["mistakes"]}, r.get("email"))
            for r in blind_set(name)]


def labels_found(result) -> set[str]:
    return {f.mistake or f.rule for f in result.findings
            if (f.mistake or f.rule) in LABELS}


def evaluate(name: str, cases: list[Case], policy, with_email: bool = True) -> SetReport:
    scores = {m: Score() for m in LABELS}
    seven, anything = [], []
    for case in cases:
        email = Email(body=case.email) if case.email and with_email else None
        analysis = None
        if email is not None:
            from drafter.analyze import analyze_email

            analysis = analyze_email(email)
        result = check_reply(case.text, email=email, analysis=analysis, policy=policy,
                             drafted=False)  # agents' replies, as `drafter check` reads them
        found = labels_found(result)
        for m in LABELS:
            score = scores[m]
            if m in found and m in case.expected:
                score.tp += 1
            elif m in found:
                score.fp += 1
                score.false_alarms.append(case.id)
            elif m in case.expected:
                score.fn += 1
                score.misses.append(case.id)
        if not case.expected:
            errors = result.errors
            if any((f.mistake or f.rule) in LABELS for f in errors):
                seven.append(f"{case.id}: " + ", ".join(
                    f"{f.rule} [{f.source}] {f.excerpt[:60]!r}" for f in errors
                    if (f.mistake or f.rule) in LABELS))
            if errors:
                anything.append(f"{case.id}: {', '.join(sorted({f.rule for f in errors}))}")
    good = sum(1 for c in cases if not c.expected)
    return SetReport(name, len(cases), good, seven, anything, scores)


def time_checks(texts: list[str], runs: int) -> tuple[float, float]:
    """Median and p95 milliseconds per reply, pack compiled and model loaded."""
    for text in texts[:5]:
        check_reply(text)
    times = []
    for _ in range(runs):
        for text in texts:
            start = time.perf_counter()
            check_reply(text)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def time_big(texts: list[str]) -> list[tuple[str, int, float]]:
    """Replies of about 200 KB: many replies glued, spaces, newlines, one long word."""
    glued = ""
    while len(glued) < 200_000:
        for text in texts:
            glued += text + "\n\n"
    cases = [("replies glued", glued[:200_000]), ("spaces", "Hi," + " " * 200_000),
             ("newlines", "Hi,\n" + "\n" * 200_000), ("one long word", "x" * 200_000),
             ("short sentences", "Sorry. " * 28_000)]
    out = []
    for name, text in cases:
        start = time.perf_counter()
        check_reply(text)
        out.append((name, len(text), (time.perf_counter() - start) * 1000))
    # Grounding reads the customer's email too: one 100 KB word ("AAAA…RGH") once took 70 s.
    email = Email(body="A" * 100_000 + "RGH")
    start = time.perf_counter()
    check_reply(texts[0], email=email)
    out.append(("email of one 100 KB word, grounded", len(email.body),
                (time.perf_counter() - start) * 1000))
    return out


def time_batch(texts: list[str], n: int = 2000) -> float:
    """Replies per second through the batch path (read from a CSV export, checked)."""
    import csv
    import tempfile

    from drafter.checker.batch import check_items, read_items

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "macros.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Title", "Body"])
            for i in range(n):
                writer.writerow([f"macro {i}", texts[i % len(texts)] + f"\n\nRef {i}"])
        policy = parse_policy(BUILTIN_POLICY, source="built-in")
        start = time.perf_counter()
        count = sum(1 for _ in check_items(read_items(path), policy=policy,
                                           rules=load_rules()))
        return count / (time.perf_counter() - start)


def table(rep: SetReport, misses: bool) -> list[str]:
    out = [f"## {rep.name}: {rep.replies} replies ({rep.good} good)", "",
           "| label | precision | recall | tp | fp | fn |", "|---|---|---|---|---|---|"]
    for m, s in rep.scores.items():
        if s.tp + s.fp + s.fn:
            out.append(f"| {m} | {s.precision:.2f} | {s.recall:.2f} | {s.tp} | {s.fp} "
                       f"| {s.fn} |")
    good = rep.good or 1
    out += ["", f"good replies with an error among the seven (or admits-fault): "
                f"{len(rep.good_with_seven)} of {rep.good} ({len(rep.good_with_seven) / good:.0%})",
            f"good replies with any error: {len(rep.good_with_any)} of {rep.good} "
            f"({len(rep.good_with_any) / good:.0%})"]
    if misses:
        out += [f"  - {line}" for line in rep.good_with_seven]
        out += [f"  - any: {line}" for line in rep.good_with_any]
        for m, s in rep.scores.items():
            if s.misses:
                out.append(f"  missed {m}: {', '.join(s.misses)}")
            if s.false_alarms:
                out.append(f"  false {m}: {', '.join(s.false_alarms)}")
    return [*out, ""]


def combined(name: str, reports: list[SetReport]) -> SetReport:
    scores = {m: Score() for m in LABELS}
    for rep in reports:
        for m, s in rep.scores.items():
            scores[m].tp += s.tp
            scores[m].fp += s.fp
            scores[m].fn += s.fn
            scores[m].misses += s.misses
            scores[m].false_alarms += s.false_alarms
    return SetReport(name, sum(r.replies for r in reports), sum(r.good for r in reports),
                     [x for r in reports for x in r.good_with_seven],
                     [x for r in reports for x in r.good_with_any], scores)


def missed_targets(headline: SetReport | None, median: float, big: list, batch: float
                   ) -> list[str]:
    problems = []
    if headline is not None:
        for m, s in headline.scores.items():
            if s.recall < TARGET_RECALL or s.precision < TARGET_PRECISION:
                problems.append(f"{m}: P={s.precision:.2f} R={s.recall:.2f}")
        good = headline.good or 1
        if len(headline.good_with_seven) / good > TARGET_GOOD_SEVEN:
            problems.append(f"good replies with an error among the seven: "
                            f"{len(headline.good_with_seven)} of {headline.good}")
        if len(headline.good_with_any) / good > TARGET_GOOD_ANY:
            problems.append(f"good replies with any error: {len(headline.good_with_any)} of "
                            f"{headline.good}")
    if median > TARGET_MEDIAN_MS:
        problems.append(f"median {median:.2f} ms > {TARGET_MEDIAN_MS} ms")
    problems += [f"{name}: {ms:.0f} ms" for name, _, ms in big if ms > TARGET_BIG_MS]
    if batch < TARGET_BATCH_PER_S:
        problems.append(f"batch {batch:.0f} replies/s < {TARGET_BATCH_PER_S:.0f}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("headline", "selection", "dev", "all"),
                        default="headline")
    parser.add_argument("--runs", type=int, default=5, help="timing passes over all replies")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--misses", action="store_true",
                        help="list misses and false alarms (never on headline sets you tune on)")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--without-email", action="store_true",
                        help="check blind replies alone, as a macro library is linted")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    policy = None  # no policy given, as `drafter check reply --email original` without one
    names = {"headline": CHECKER_HEADLINE, "selection": CHECKER_SELECTION, "dev": CHECKER_DEV,
             "all": (*CHECKER_DEV, *CHECKER_SELECTION, *CHECKER_HEADLINE)}[args.set]

    def role(name: str) -> str:
        return ("dev" if name in CHECKER_DEV else
                "selection" if name in CHECKER_SELECTION else "headline")

    blind = [evaluate(f"blind {n} ({role(n)})", blind_cases(n), policy, not args.without_email)
             for n in names if blind_set(n)]
    headline = combined("blind headline sets together", [r for r in blind if "headline" in
                                                          r.name]) if args.set != "dev" else None
    own_policy = load_policy(DATA / "policy.toml")
    own = [evaluate(name, own_cases(path), own_policy) for name, path in OWN_SETS.items()]
    texts = [c.text for n in names for c in blind_cases(n)] or [c.text for c in own_cases(
        DATA / "heldout.jsonl")]
    if args.no_timing:
        median = p95 = 0.0
        big, batch = [], float("inf")
    else:
        median, p95 = time_checks(texts, args.runs)
        big = time_big(texts)
        batch = time_batch(texts)
    reports = [*blind, *([headline] if headline and len(blind) > 1 else []), *own]
    if args.json:
        print(json.dumps({
            "sets": {r.name: {m: {"precision": round(s.precision, 3),
                                  "recall": round(s.recall, 3), "tp": s.tp, "fp": s.fp,
                                  "fn": s.fn} for m, s in r.scores.items()}
                     | {"good": r.good, "good_with_seven": len(r.good_with_seven),
                        "good_with_any": len(r.good_with_any)} for r in reports},
            "median_ms": round(median, 3), "p95_ms": round(p95, 3),
            "big_replies_ms": {name: round(ms, 1) for name, _, ms in big},
            "batch_replies_per_s": round(batch, 1),
        }, indent=2))
    else:
        out = ["# drafter checker benchmark", ""]
        for rep in reports:
            out += table(rep, args.misses and "headline" not in rep.name)
        if not args.no_timing:
            out.append(f"time per reply: median {median:.2f} ms, p95 {p95:.2f} ms")
            out += [f"one {chars // 1000} KB reply ({name}): {ms:.0f} ms"
                    for name, chars, ms in big]
            out.append(f"batch mode: {batch:.0f} replies/s")
        print("\n".join(out))
    problems = missed_targets(headline, median, big, batch)
    if problems and args.strict:
        print("targets missed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
