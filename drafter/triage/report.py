"""``--report report.html``: one self-contained page for the team lead.

It answers three questions: whom to answer first (the priority queue, with the escalations
above it), how bad it is (counts, an anger histogram, categories), and what keeps going wrong
(root causes: grievance themes counted over the batch, so the pattern gets fixed upstream —
the "follow up" half of MAMA's last step). Everything is inline (CSS, SVG charts, no script,
no fonts, no images), so the file can be mailed or attached to a ticket and opens anywhere.

Customer text is autoescaped by Jinja2; with ``--redact`` it arrives here already masked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Any

from drafter.pricing import format_cost

#: The most queue rows shown (each with its draft); the full list is in --out.
QUEUE_LIMIT = 500
ERROR_LIMIT = 200

#: Grievance themes: (label, pattern over the lower-cased grievances and summary). An email
#: counts once per theme it matches; emails matching none still show in the phrases below.
THEMES: tuple[tuple[str, str], ...] = (
    ("Late or missing delivery", r"\blate\b|\bdelay\w*|never (?:arrived|came|showed)|not "
     r"(?:arrived|delivered|received)|hasn'?t arrived|still waiting|lost (?:parcel|package)|"
     r"\btracking\b|where is my"),
    ("Charged twice or wrongly", r"charged (?:me )?(?:twice|double|again)|double[- ]charged|"
     r"overcharg\w*|wrong (?:amount|price)|extra fee|hidden fee|billed (?:twice|again)|"
     r"duplicate charge"),
    ("Refund not received", r"refund\w* (?:not|never|still|yet)|no refund|(?:not|never|"
     r"haven'?t|have not|still not) (?:\w+ ){0,2}(?:received|got|seen) (?:my |the |a |any )?"
     r"(?:\w+ )?refund"),
    ("Broken or damaged item", r"\b(?:broken|damaged|defective|faulty|cracked|dented|"
     r"scratched|stopped working|doesn'?t work|does not work|leak\w*|torn)\b"),
    ("Wrong item or size", r"wrong (?:item|size|colou?r|product|order)|not what i ordered|"
     r"missing (?:part|item|piece)s?"),
    ("Rude or unhelpful staff", r"\b(?:rude|hung up|unhelpful|dismissive|condescending|"
     r"yelled|laughed at|attitude)\b"),
    ("No response / ignored", r"\bno (?:one|response|reply|answer)\b|\bnobody\b|\bignored\b|"
     r"never (?:heard|got) back|(?:\d+|several|multiple|three|two) (?:emails|calls)|on hold"),
    ("Cancellation problems", r"\bcancel\w*"),
    ("Account or login problems", r"\blog ?in\b|\bpassword\b|locked out|account (?:was )?"
     r"(?:locked|closed|suspended)|app (?:keeps )?crash\w*|error message"),
)
_THEME_RE = [(label, re.compile(rx)) for label, rx in THEMES]
_STOP = frozenset("""a an the and or but if then so of to in on at for from by with about as
into is are was were be been being it its this that these those i me my we our you your he
she they them their his her not no nor too very can could would should will just still
have has had do does did done than there here what which who whom when where why how all
any both each few more most other some such only own same again also am up out over after
before get got one two now even ever never really""".split())


def _themes(row: dict[str, Any]) -> list[str]:
    text = " ".join([*(row.get("grievances") or []), str(row.get("summary") or "")]).lower()
    return [label for label, rx in _THEME_RE if rx.search(text)]


def _phrases(row: dict[str, Any]) -> set[str]:
    """Two-word phrases of a row's grievances, stop words removed, counted once per row."""
    found: set[str] = set()
    for grievance in row.get("grievances") or []:
        words = [w for w in re.findall(r"[a-z']{3,}", str(grievance).lower()) if w not in _STOP]
        found.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return found


def _theme_categories(members: list[dict[str, Any]]) -> dict[str, Any]:
    """What a theme's card says about categories, and examples that agree with it.

    "mostly delivery" only when delivery holds more than half of the theme's emails, and then
    the examples are delivery cases: a card that says "mostly delivery" and links a product
    case first misleads the reader (issue 11, the new user's trial). Otherwise "mixed", with
    the examples in rank order.
    """
    cats = Counter(str(m.get("category") or "other") for m in members)
    breakdown = sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))
    main, main_count = breakdown[0]
    mostly = main_count * 2 > len(members)
    shown = [m for m in members if not mostly or str(m.get("category") or "other") == main]
    return {"category": main if mostly else "mixed", "category_count": main_count,
            "categories": [{"name": name, "count": n} for name, n in breakdown],
            "examples": sorted(int(m["rank"]) for m in shown)[:3]}


def root_causes(rows: list[dict[str, Any]], top: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Themes (with their main category and the ranks of a few examples) and common phrases."""
    analysed = [r for r in rows if r.get("anger") is not None]
    complaints = [r for r in analysed if r.get("grievances") or int(r["anger"]) >= 1]
    themes: dict[str, list[dict[str, Any]]] = {}
    phrases: Counter[str] = Counter()
    for row in complaints:
        for label in _themes(row):
            themes.setdefault(label, []).append(row)
        phrases.update(_phrases(row))
    total = max(1, len(analysed))
    theme_rows = []
    for label, members in sorted(themes.items(), key=lambda kv: -len(kv[1]))[:top]:
        theme_rows.append({"label": label, "count": len(members),
                           "share": len(members) / total, **_theme_categories(members)})
    phrase_rows = [{"phrase": p, "count": c} for p, c in phrases.most_common(top) if c > 1]
    return {"themes": theme_rows, "phrases": phrase_rows}


# --- charts -----------------------------------------------------------------------------------

_BAR_COLOURS = ("#4c9a2a", "#8bb23f", "#e0b422", "#e8862a", "#d9502b", "#b3261e")


def bar_chart(items: list[tuple[str, int]], *, colours: tuple[str, ...] = ("#3b6ea8",),
              title: str) -> dict[str, Any]:
    """Vertical bars as SVG geometry (the template draws it): label, value, x, y, w, h."""
    width, height, pad, top = 420, 220, 28, 16
    peak = max([v for _, v in items] + [1])
    slot = (width - 2 * pad) / max(1, len(items))
    bars = []
    for i, (label, value) in enumerate(items):
        h = (height - pad - top - 18) * value / peak
        bars.append({"label": label, "value": value, "x": pad + i * slot + slot * 0.15,
                     "w": slot * 0.7, "h": h, "y": height - pad - 18 - h,
                     "colour": colours[i % len(colours)]})
    return {"title": title, "width": width, "height": height, "bars": bars,
            "base": height - pad - 18, "label_y": height - pad, "left": pad,
            "right": width - pad}


def hbar_chart(items: list[tuple[str, int]], *, title: str) -> dict[str, Any]:
    """Horizontal bars (long labels such as categories) as SVG geometry."""
    label_w, width, row_h, top = 110, 420, 24, 8
    peak = max([v for _, v in items] + [1])
    bars = []
    for i, (label, value) in enumerate(items):
        w = (width - label_w - 50) * value / peak
        bars.append({"label": label, "value": value, "x": label_w, "y": top + i * row_h,
                     "w": max(w, 1.0), "h": row_h - 6})
    return {"title": title, "width": width, "height": max(60, top * 2 + row_h * len(items)),
            "bars": bars, "label_x": label_w - 6}


# --- the page ---------------------------------------------------------------------------------


def report_context(rows: list[dict[str, Any]], *, title: str = "drafter triage report",
                   engine: str = "", model: str | None = None, now: dt.datetime | None = None,
                   cost: float | None = None) -> dict[str, Any]:
    """Everything the template shows, computed here so the template stays declarative."""
    statuses = Counter(str(r.get("status")) for r in rows)
    analysed = [r for r in rows if r.get("anger") is not None]
    anger = Counter(int(r["anger"]) for r in analysed)
    categories = Counter(str(r.get("category") or "other") for r in analysed)
    industries = Counter(str(r.get("industry") or "other") for r in analysed)
    queue = [r for r in rows if r.get("status") in ("escalated", "drafted", "triaged")]
    escalations = [r for r in rows
                   if r.get("status") == "escalated" or r.get("escalation_review")]
    errors = [r for r in rows if r.get("status") == "error"]
    tokens = sum(int(r.get("tokens") or 0) for r in rows)
    return {
        "title": title,
        "generated": (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        "engine": engine, "model": model or "",
        "total": len(rows), "statuses": statuses, "tokens": tokens,
        "cost": format_cost(cost),
        "escalations": escalations,
        # The heading and the overview count the same rows: no draft, and drafts to review.
        "stopped_count": sum(r.get("status") == "escalated" for r in escalations),
        "review_count": sum(r.get("status") != "escalated" for r in escalations),
        "queue": queue[:QUEUE_LIMIT], "queue_total": len(queue),
        "errors": errors[:ERROR_LIMIT], "errors_total": len(errors),
        "anger_chart": bar_chart([(str(level), anger.get(level, 0)) for level in range(6)],
                                 colours=_BAR_COLOURS, title="Anger (0 calm – 5 furious)"),
        "category_chart": hbar_chart(categories.most_common(12), title="Categories"),
        "industry_chart": hbar_chart(industries.most_common(13), title="Industries"),
        "status_chart": hbar_chart(
            [(s, statuses[s]) for s in ("escalated", "drafted", "triaged", "superseded",
                                        "error") if statuses.get(s)], title="Status"),
        "causes": root_causes(rows),
        "failed_checks": sum(1 for r in rows if r.get("check_passed") is False),
    }


def render_report(rows: list[dict[str, Any]], **context: Any) -> str:
    import jinja2

    folder = Path(__file__).resolve().parent.parent / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**report_context(rows, **context))
