"""A/B verdicts: the same cases under two template sets, assertion by assertion.

A wins an assertion when its pass rate is higher than B's, B when lower, and it is a tie when
they match (or when either side skipped it: a skip is "not measured", not a loss). Rates
rather than single outcomes, so that ``--repeat`` turns a coin flip into a measurement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from drafter.workbench.runner import AssertionStat, CaseRun, SetRun
from drafter.workbench.suite import Assertion

Winner = Literal["A", "B", "tie"]


@dataclass
class Verdict:
    case: str
    assertion: Assertion
    a: AssertionStat
    b: AssertionStat

    @property
    def winner(self) -> Winner:
        ra, rb = self.a.pass_rate, self.b.pass_rate
        if ra is None or rb is None or abs(ra - rb) < 1e-9:
            return "tie"
        return "A" if ra > rb else "B"

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, **self.assertion.to_dict(), "winner": self.winner,
                "a": {"status": self.a.status, "pass_rate": self.a.pass_rate,
                      "messages": self.a.messages},
                "b": {"status": self.b.status, "pass_rate": self.b.pass_rate,
                      "messages": self.b.messages}}


@dataclass
class CasePair:
    """One case under both sets, for the side-by-side views."""

    name: str
    a: CaseRun
    b: CaseRun
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def a_wins(self) -> int:
        return sum(1 for v in self.verdicts if v.winner == "A")

    @property
    def b_wins(self) -> int:
        return sum(1 for v in self.verdicts if v.winner == "B")

    @property
    def winner(self) -> Winner:
        if self.a_wins == self.b_wins:
            return "tie"
        return "A" if self.a_wins > self.b_wins else "B"

    @property
    def same_text(self) -> bool:
        ra, rb = self.a.first, self.b.first
        ta = ra.draft.text if ra and ra.draft else None
        tb = rb.draft.text if rb and rb.draft else None
        return ta == tb


@dataclass
class Comparison:
    a: SetRun
    b: SetRun
    pairs: list[CasePair]

    @property
    def verdicts(self) -> list[Verdict]:
        return [v for p in self.pairs for v in p.verdicts]

    def totals(self) -> dict[str, int]:
        counts = Counter(v.winner for v in self.verdicts)
        return {"A": counts["A"], "B": counts["B"], "tie": counts["tie"]}

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Wins per assertion kind: "B drops the apology" shows up as checker-passes: B 0, A 3."""
        out: dict[str, dict[str, int]] = {}
        for v in self.verdicts:
            row = out.setdefault(v.assertion.kind, {"A": 0, "B": 0, "tie": 0})
            row[v.winner] += 1
        return out

    @property
    def a_regressed(self) -> bool:
        """A did worse than B somewhere: in CI, the candidate must not lose to the baseline."""
        return any(v.winner == "B" for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        return {"totals": self.totals(), "by_kind": self.by_kind(),
                "changed_replies": [p.name for p in self.pairs if not p.same_text],
                "verdicts": [v.to_dict() for v in self.verdicts]}


def compare(a: SetRun, b: SetRun) -> Comparison:
    """Pair the two runs case by case (same suite, so the same assertions in the same order)."""
    pairs = []
    for case_a in a.cases:
        case_b = b.case(case_a.case.name)
        if case_b is None:  # pragma: no cover - both runs come from one suite
            continue
        pair = CasePair(case_a.case.name, case_a, case_b)
        pair.verdicts = [Verdict(case_a.case.name, sa.assertion, sa, sb)
                         for sa, sb in zip(case_a.stats, case_b.stats, strict=True)]
        pairs.append(pair)
    return Comparison(a, b, pairs)
