"""Showing an eval: the terminal table, the side-by-side compare, ``--show``, cost and HTML.

The table answers "what failed?" at a glance (case × assertion kind, a mark per assertion)
and points at the draft (an excerpt, and ``--show CASE`` for the whole reply); every red mark
is explained in the list under it, so nobody has to open the JSON to learn why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter.models import DraftResult
from drafter.workbench.suite import ASSERTION_TYPES

if TYPE_CHECKING:
    from rich.console import Console

    from drafter.workbench.compare import CasePair, Comparison
    from drafter.workbench.evaluate import EvalRun
    from drafter.workbench.runner import AssertionStat, CaseRun, SetRun

#: Table columns: assertion kinds grouped so a suite with every kind still fits a terminal;
#: the failure list under the table names the exact assertion.
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("text", ("contains", "not-contains", "regex", "not-regex")),
    ("checker", ("checker-passes", "no-mistake", "max-revisions")),
    ("facts", ("mentions-fact",)),
    ("length", ("max-words",)),
    ("analysis", ("language", "escalates")),
    ("rubric", ("rubric",)),
)
_MARKS = {"pass": "[green]✓[/]", "fail": "[bold red]✗[/]", "skip": "[dim]–[/]",
          "error": "[yellow]![/]"}


def price_for(model: str | None, override: tuple[float, float] | None = None
              ) -> tuple[float, float] | None:
    """The per-million-token price of ``model``: the ``--price`` override, else the shared
    table in :mod:`drafter.pricing`."""
    from drafter.pricing import price_for as listed_price

    return override if override is not None else listed_price(model)


def cost(summary: dict[str, Any], price: tuple[float, float] | None) -> float | None:
    if price is None:
        return 0.0 if summary["total_tokens"] == 0 else None
    return (summary["prompt_tokens"] * price[0] + summary["completion_tokens"] * price[1]) / 1e6


def add_costs(data: dict[str, Any], price: tuple[float, float] | None) -> dict[str, Any]:
    """The JSON contract's ``cost_usd`` per set, computed here because prices are a display
    concern (the run itself knows tokens, not money)."""
    for set_data in data["sets"]:
        summary = set_data["summary"]
        value = cost(summary, price_for(set_data["model"], price))
        summary["cost_usd"] = None if value is None else round(value, 6)
    return data


def to_json(run: EvalRun, price: tuple[float, float] | None = None) -> str:
    return json.dumps(add_costs(run.to_dict(), price), ensure_ascii=False, indent=2) + "\n"


# --- excerpts ---------------------------------------------------------------------------------


def words(result: DraftResult | None) -> int:
    return len(result.draft.text.split()) if result and result.draft else 0


def _body(result: DraftResult) -> str:
    """The reply on one line, without its greeting line ("Hi Dana,")."""
    assert result.draft is not None
    lines = [ln.strip() for ln in result.draft.text.splitlines() if ln.strip()]
    if len(lines) > 1 and len(lines[0]) < 40 and lines[0].rstrip().endswith((",", ":")):
        lines = lines[1:]
    return " ".join(" ".join(lines).split())


def _common_opening(results: list[DraftResult | None]) -> int:
    """How many leading characters every reply shares (a template's stock opening), so the
    table's excerpts can start where the replies start to differ."""
    bodies = [_body(r) for r in results if r is not None and r.draft is not None]
    if len(bodies) < 3:
        return 0
    shortest = min(bodies, key=len)
    size = next((i for i, ch in enumerate(shortest) if any(b[i] != ch for b in bodies)),
                len(shortest))
    cut = shortest[:size].rfind(" ")
    return cut + 1 if cut >= 20 else 0


def excerpt(result: DraftResult | None, width: int = 48, skip: int = 0) -> str:
    """The reply's words after the greeting (and after a stock opening every reply shares):
    enough to recognise it in a table."""
    if result is None:
        return "(no result)"
    if result.draft is None:
        return "escalated: no draft"
    text = _body(result)
    if skip and len(text) > skip:
        text = "…" + text[skip:]
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _visible(markup: str) -> int:
    from rich.text import Text

    return Text.from_markup(markup).cell_len


# --- the terminal -----------------------------------------------------------------------------


def make_console(*, color: bool, width: int | None = None) -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, no_color=not color,
                   force_terminal=color or None, width=width)


def _groups(run: SetRun) -> list[tuple[str, tuple[str, ...]]]:
    present = {s.assertion.kind for c in run.cases for s in c.stats}
    return [(name, kinds) for name, kinds in _GROUPS if present & set(kinds)]


def _cell(stats: list[AssertionStat], repeat: int) -> str:
    if repeat == 1:
        return "".join(_MARKS[s.outcomes[0].status] for s in stats)
    parts = []
    for s in stats:
        color = {"pass": "green", "fail": "bold red", "skip": "dim"}[s.status]
        parts.append(f"[{color}]{'–' if s.runs == 0 else f'{s.passed}/{s.runs}'}[/]")
    return " ".join(parts)


def print_run(console: Console, run: EvalRun, price: tuple[float, float] | None = None) -> None:
    """One template set: the case × assertion table, the failures, the totals."""
    from rich.markup import escape
    from rich.table import Table

    set_run = run.a
    console.print(_title(run))
    groups = _groups(set_run)
    rows = []
    for case_run in set_run.cases:
        stats = case_run.stats
        cells = [_cell([s for s in stats if s.assertion.kind in kinds], run.settings.repeat)
                 for _name, kinds in groups]
        rows.append((case_run, cells))
    name_width = min(28, max(len(c.case.name) for c in set_run.cases))
    widths = [max(len(name), *(_visible(r[1][i]) for r in rows))
              for i, (name, _kinds) in enumerate(groups)]
    room = max(16, console.width - name_width - sum(widths) - 3 * (len(groups) + 2) - 1)
    skip = _common_opening([c.first for c, _ in rows])
    table = Table(show_lines=False, pad_edge=False, header_style="bold")
    table.add_column("case", no_wrap=True, min_width=name_width, max_width=name_width)
    for (name, _kinds), width in zip(groups, widths, strict=True):
        table.add_column(name, justify="center", no_wrap=True, min_width=width)
    table.add_column("reply (--show CASE)", no_wrap=True, overflow="crop", max_width=room)
    for case_run, cells in rows:
        first = case_run.first
        hint = excerpt(first, room, skip=skip)
        if first and first.draft:
            hint = f"{words(first)}w " + hint
            if first.revisions:
                hint = f"rev {first.revisions} · " + hint
        name = case_run.case.name
        style = "red" if case_run.status == "fail" else ""
        table.add_row(f"[{style}]{escape(name)}[/]" if style else escape(name), *cells,
                      escape(hint[:room]))
    console.print(table)
    _print_problems(console, set_run)
    _print_totals(console, set_run, run, price)


def _title(run: EvalRun) -> str:
    from rich.markup import escape

    a = run.a
    engine = a.engine + (f" · {a.model}" if a.model else "")
    repeat = f" · repeat {run.settings.repeat}" if run.settings.repeat > 1 else ""
    sets = (f"prompts: {a.prompts}" if len(run.sets) == 1
            else f"A: {a.prompts}  vs  B: {run.sets[1].prompts}")
    return escape(f"drafter eval · {run.suite.path} · {len(a.cases)} cases · {engine}"
                  f"{repeat} · {sets}")


def _print_problems(console: Console, set_run: SetRun, prefix: str = "") -> None:
    from rich.markup import escape

    failed = [(c, s) for c in set_run.cases for s in c.stats if s.status == "fail"]
    if failed:
        console.print(f"\n[bold red]{prefix}failed ({len(failed)}):[/]")
        for case_run, stat in failed:
            rate = f" [{stat.passed}/{stat.runs}]" if len(stat.outcomes) > 1 else ""
            why = "; ".join(stat.messages) or "failed"
            console.print(f"  ✗ {escape(case_run.case.name)} · {escape(stat.assertion.label)}"
                          f"{rate}: {escape(why)}")
    skipped = [s for c in set_run.cases for s in c.stats if s.status == "skip"]
    if skipped:
        reasons = sorted({m for s in skipped for m in s.messages})
        console.print(f"[dim]{prefix}skipped {len(skipped)}: {escape('; '.join(reasons))}[/]")


def _print_totals(console: Console, set_run: SetRun, run: EvalRun,
                  price: tuple[float, float] | None) -> None:
    console.print("\n" + totals_line(set_run, price))
    for note in run.notes:
        console.print(f"[dim]note: {note}[/]")


def totals_line(set_run: SetRun, price: tuple[float, float] | None = None) -> str:
    s = set_run.summary()
    verdict = "[green]all passed[/]" if set_run.ok else "[bold red]FAILED[/]"
    money = cost(s, price_for(set_run.model, price))
    money_text = ("cost unknown (--price IN/OUT)" if money is None
                  else "cost $0" if money == 0 else f"cost ${money:.4f}")
    cache = s["cache"]
    cache_text = ("cache: not used" if cache is None else
                  f"cache: {cache['hits']} hits, {cache['misses']} misses"
                  + ("" if cache["enabled"] else " (--no-cache)"))
    samples = f" · {s['samples']} drafts" if s["samples"] != s["cases"] else ""
    samples += f" · {s['revisions']} revision(s)" if s["revisions"] else ""
    return (f"{verdict} · {s['cases']} cases{samples} · {s['assertions']} assertions: "
            f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped\n"
            f"  {s['seconds']:.2f} s · {s['calls']} model calls · {s['total_tokens']} tokens "
            f"({s['prompt_tokens']} in, {s['completion_tokens']} out) · {money_text} · "
            f"{cache_text}")


def print_compare(console: Console, run: EvalRun, price: tuple[float, float] | None = None,
                  *, show_all: bool = False) -> None:
    """A vs B: per-case and per-kind wins, then the replies that changed, side by side."""
    from rich.markup import escape
    from rich.table import Table

    comparison = run.comparison
    assert comparison is not None
    a, b = comparison.a, comparison.b
    console.print(_title(run))
    table = Table(pad_edge=False, header_style="bold")
    table.add_column("case", no_wrap=True)
    table.add_column("A passed", justify="right")
    table.add_column("B passed", justify="right")
    table.add_column("better", justify="center")
    table.add_column("what differs", overflow="fold", max_width=70)
    for pair in comparison.pairs:
        better = {"A": "[green]A[/]", "B": "[red]B[/]", "tie": "[dim]=[/]"}[pair.winner]
        table.add_row(escape(pair.name), _passed(pair.a), _passed(pair.b), better,
                      escape(_differences(pair)))
    console.print(table)
    kinds = Table(title="per assertion kind", pad_edge=False, header_style="bold")
    for col in ("kind", "A better", "B better", "same"):
        kinds.add_column(col, justify="right" if col != "kind" else "left")
    by_kind = comparison.by_kind()
    for kind in [k for k in ASSERTION_TYPES if k in by_kind]:
        row = by_kind[kind]
        kinds.add_row(kind, str(row["A"]), str(row["B"]), str(row["tie"]))
    console.print(kinds)
    totals = comparison.totals()
    console.print(f"\n[bold]A better on {totals['A']}, B better on {totals['B']}, "
                  f"same on {totals['tie']} assertion(s)[/]")
    console.print("A " + totals_line(a, price))
    console.print("B " + totals_line(b, price))
    for note in run.notes:
        console.print(f"[dim]note: {note}[/]")
    changed = [p for p in comparison.pairs if p.winner != "tie" or (show_all and not p.same_text)]
    for pair in changed:
        print_side_by_side(console, pair)
    unchanged_text = sum(1 for p in comparison.pairs if not p.same_text and p.winner == "tie")
    if unchanged_text and not show_all:
        console.print(f"[dim]{unchanged_text} more case(s) have different replies with the same "
                      "results: --show CASE (or --show all) puts them side by side[/]")


def _passed(case_run: CaseRun) -> str:
    stats = case_run.stats
    judged = [s for s in stats if s.status != "skip"]
    ok = sum(1 for s in judged if s.status == "pass")
    color = "green" if ok == len(judged) else "red"
    return f"[{color}]{ok}/{len(judged)}[/]"


def _differences(pair: CasePair) -> str:
    lost = [v.assertion.label for v in pair.verdicts if v.winner == "B"]
    won = [v.assertion.label for v in pair.verdicts if v.winner == "A"]
    parts = []
    if won:
        parts.append("A fixes " + ", ".join(won))
    if lost:
        parts.append("A breaks " + ", ".join(lost))
    if not parts:
        parts.append("same reply" if pair.same_text else "reply differs, same results")
    rev_a, rev_b = _revisions(pair.a), _revisions(pair.b)
    if rev_a != rev_b:
        parts.append(f"revisions A {rev_a}, B {rev_b}")
    return "; ".join(parts)


def _revisions(case_run: CaseRun) -> int:
    return sum(s.result.revisions for s in case_run.samples if s.result is not None)


def print_side_by_side(console: Console, pair: CasePair) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(pair.name), show_lines=True, expand=True, header_style="bold")
    table.add_column(f"A ({_passed(pair.a)})", ratio=1, overflow="fold")
    table.add_column(f"B ({_passed(pair.b)})", ratio=1, overflow="fold")
    table.add_row(escape(_reply(pair.a)), escape(_reply(pair.b)))
    notes_a = _failures(pair.a)
    notes_b = _failures(pair.b)
    if notes_a or notes_b:
        table.add_row(f"[red]{escape(notes_a)}[/]", f"[red]{escape(notes_b)}[/]")
    console.print(table)


def _reply(case_run: CaseRun) -> str:
    first = case_run.first
    if first is None:
        return "(no result: " + (case_run.samples[0].error or "error") + ")"
    if first.draft is None:
        return "escalated to a person: no draft"
    return first.draft.text.rstrip()


def _failures(case_run: CaseRun) -> str:
    return "\n".join(f"✗ {s.assertion.label}: {'; '.join(s.messages)}"
                     for s in case_run.stats if s.status == "fail")


def print_case(console: Console, run: EvalRun, name: str) -> bool:
    """``--show CASE``: the whole reply (both, side by side, when comparing)."""
    from rich.markup import escape

    if run.comparison is not None:
        pair = next((p for p in run.comparison.pairs if p.name == name), None)
        if pair is None:
            return False
        print_side_by_side(console, pair)
        return True
    case_run = run.a.case(name)
    if case_run is None:
        return False
    first = case_run.first
    console.rule(escape(f"{name} · {case_run.case.source}"))
    if first is not None:
        a = first.analysis
        console.print(escape(f"analysis: anger {a.anger}/5 · {a.category} · language "
                             f"{a.language} · wants: {'; '.join(a.wants) or '(none found)'}"))
        if first.draft is not None:
            console.print(escape(f"Subject: {first.draft.subject}"))
    console.print(escape(_reply(case_run)))
    failures = _failures(case_run)
    if failures:
        console.print(f"[red]{escape(failures)}[/]")
    if first is not None and first.check.findings:
        for f in first.check.findings:
            console.print(escape(f"  {f.severity}: {f.rule}: {f.message}"
                                 + (f" ({f.excerpt!r})" if f.excerpt else "")), style="dim")
    return True


# --- HTML -------------------------------------------------------------------------------------


def to_html(run: EvalRun, price: tuple[float, float] | None = None) -> str:
    """The self-contained compare page (one set renders as a plain results page)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent.parent / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    return env.get_template("compare.html.j2").render(page=html_data(run, price))


def html_data(run: EvalRun, price: tuple[float, float] | None) -> dict[str, Any]:
    comparison: Comparison | None = run.comparison
    sets = []
    for set_run in run.sets:
        summary = set_run.summary()
        summary["cost_usd"] = cost(summary, price_for(set_run.model, price))
        sets.append({"label": set_run.label, "prompts": set_run.prompts, "summary": summary})
    cases = []
    for index, case_run in enumerate(run.a.cases):
        others = [s.cases[index] for s in run.sets]
        pair = comparison.pairs[index] if comparison else None
        rows = []
        for i, stat in enumerate(case_run.stats):
            rows.append({
                "label": stat.assertion.label,
                "cells": [_html_cell(c.stats[i]) for c in others],
                "winner": pair.verdicts[i].winner if pair else None,
            })
        cases.append({
            "name": case_run.case.name,
            "source": case_run.case.source,
            "winner": pair.winner if pair else None,
            "same_text": pair.same_text if pair else True,
            "rows": rows,
            "replies": [_reply(c) for c in others],
            "revisions": [_revisions(c) for c in others],
            "passed": [_plain_passed(c) for c in others],
        })
    return {
        "title": f"drafter eval: {run.suite.name}",
        "suite": str(run.suite.path),
        "engine": run.a.engine, "model": run.a.model, "repeat": run.settings.repeat,
        "sets": sets, "cases": cases, "notes": run.notes,
        "totals": comparison.totals() if comparison else None,
        "by_kind": _ordered(comparison.by_kind()) if comparison else None,
    }


def _ordered(by_kind: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {k: by_kind[k] for k in ASSERTION_TYPES if k in by_kind}


def _html_cell(stat: AssertionStat) -> dict[str, Any]:
    text = {"pass": "pass", "fail": "fail", "skip": "skipped"}[stat.status]
    if len(stat.outcomes) > 1 and stat.runs:
        text = f"{stat.passed}/{stat.runs}"
    return {"status": stat.status, "text": text, "why": "; ".join(stat.messages)}


def _plain_passed(case_run: CaseRun) -> str:
    judged = [s for s in case_run.stats if s.status != "skip"]
    return f"{sum(1 for s in judged if s.status == 'pass')}/{len(judged)}"
