"""The priority score: which angry email a person should open first.

A score from 0 to 100, the sum of five parts, each capped so no single signal can dominate:

=================  ====================================================  =========
part               rule                                                  points
=================  ====================================================  =========
anger              8 × anger (0–5)                                       0–40
urgency            low 0 · normal 4 · high 12                            0–12
churn risk         low 0 · medium 6 · high 12                            0–12
escalation         violence or crisis +20; a legal threat (review) +10   0–30
wait time          2 per day since the email was received, up to 6       0–6
=================  ====================================================  =========

Escalations come first in the queue whatever their score (a person must take over);
ties are broken by the longer wait, then by id, so the order is stable between runs.
The score is computed from a row's stored analysis at output time, so the wait-time part
is always measured from *now*, also for rows finished in an earlier run.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

ANGER_POINTS = 8
URGENCY_POINTS = {"low": 0, "normal": 4, "high": 12}
CHURN_POINTS = {"low": 0, "medium": 6, "high": 12}
ESCALATION_POINTS = 20
LEGAL_REVIEW_POINTS = 10
WAIT_POINTS_PER_DAY = 2
WAIT_POINTS_MAX = 6


def parse_date(value: str) -> dt.datetime | None:
    """A timezone-aware datetime from an RFC 2822 or ISO 8601 date, or None."""
    value = (value or "").strip()
    if not value:
        return None
    parsed: dt.datetime | None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def days_waiting(received: str, now: dt.datetime) -> float | None:
    """Days since ``received`` (never negative), or None when the date is unknown."""
    when = parse_date(received)
    if when is None:
        return None
    return max(0.0, (now - when).total_seconds() / 86400)


def priority_score(row: dict[str, Any], now: dt.datetime) -> int:
    """The 0–100 score of an analysed row (see the module docstring); 0 without analysis."""
    if row.get("anger") is None:
        return 0
    score = ANGER_POINTS * int(row.get("anger") or 0)
    score += URGENCY_POINTS.get(str(row.get("urgency")), 0)
    score += CHURN_POINTS.get(str(row.get("churn_risk")), 0)
    if row.get("escalation_required"):
        score += ESCALATION_POINTS
    if row.get("escalation_review"):
        score += LEGAL_REVIEW_POINTS
    waited = days_waiting(str(row.get("received") or ""), now)
    if waited is not None:
        score += min(WAIT_POINTS_MAX, int(waited * WAIT_POINTS_PER_DAY))
    return max(0, min(100, score))


_STATUS_ORDER = {"escalated": 0, "drafted": 1, "triaged": 1, "error": 2, "superseded": 3}


def rank_rows(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """Rows with ``priority`` and ``rank`` set, best first: escalations, then by score."""
    for row in rows:
        row["priority"] = priority_score(row, now)

    def order(row: dict[str, Any]) -> tuple[int, int, float, str]:
        received = parse_date(str(row.get("received") or ""))
        stamp = received.timestamp() if received else float("inf")
        return (_STATUS_ORDER.get(str(row.get("status")), 2), -int(row["priority"]), stamp,
                str(row.get("id")))

    ranked = sorted(rows, key=order)
    for i, row in enumerate(ranked, 1):
        row["rank"] = i
    return ranked
