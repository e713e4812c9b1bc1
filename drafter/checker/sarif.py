"""SARIF 2.1.0 for checker findings: what CI systems and code-scanning viewers read.

A macro library checked in CI shows its findings where the team already looks (GitHub code
scanning, GitLab, VS Code's SARIF viewer) with no drafter-specific glue. Each finding is a
``result`` pointing at the file and line of the reply; replies from a CSV or JSONL export
point at the record's line (columns inside a spreadsheet cell mean nothing to a viewer, so
only files get them). Unreadable replies become tool notifications, so they are not silently
lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from drafter import __version__
from drafter.checker.text import line_col

if TYPE_CHECKING:
    from drafter.checker.batch import Outcome
    from drafter.checker.rules import RulePack
    from drafter.models import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(outcomes: list[Outcome], pack: RulePack) -> dict[str, Any]:
    """One SARIF log with one run: the rules that fired, their results, read failures."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    for outcome in outcomes:
        item = outcome.item
        if outcome.result is None:
            notices.append({"level": "error", "message": {"text": f"{item.name}: {item.error}"},
                            "locations": [_location(item.uri, item.line)]})
            continue
        for f in outcome.result.findings:
            if f.rule not in rules:
                rules[f.rule] = _rule(f, pack)
            results.append(_result(f, outcome, list(rules).index(f.rule)))
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "drafter", "version": __version__, "semanticVersion": __version__,
            "rules": list(rules.values()),
        }},
        "results": results,
        "invocations": [{"executionSuccessful": True,
                         "toolExecutionNotifications": notices}],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(f: Finding, pack: RulePack) -> dict[str, Any]:
    rule = pack.get(f.rule)
    message = rule.message if rule is not None else f.message
    entry: dict[str, Any] = {
        "id": f.rule,
        "shortDescription": {"text": message},
        "defaultConfiguration": {"level": _LEVEL.get(f.severity, "warning")},
        "properties": {"mistake": f.mistake} if f.mistake else {},
    }
    suggestion = rule.suggestion if rule is not None else f.suggestion
    if suggestion:
        entry["help"] = {"text": suggestion}
    return entry


def _result(f: Finding, outcome: Outcome, index: int) -> dict[str, Any]:
    item = outcome.item
    text = item.text or ""
    line, col = line_col(text, f.start)
    end_line, end_col = line_col(text, max(f.end, f.start))
    region: dict[str, Any]
    if item.line == 1 and not _is_record(item.uri):
        region = {"startLine": line, "startColumn": col, "endLine": end_line,
                  "endColumn": end_col}
    else:
        region = {"startLine": item.line + line - 1}
    if f.excerpt:
        region["snippet"] = {"text": f.excerpt}
    props: dict[str, Any] = {"reply": item.name, "source": f.source,
                             "confidence": f.confidence}
    if f.mistake:
        props["mistake"] = f.mistake
    return {
        "ruleId": f.rule, "ruleIndex": index, "level": _LEVEL.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(item.uri)},
                                            "region": region}}],
        "properties": props,
    }


def _location(uri: str, line: int) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": quote(uri)},
                                 "region": {"startLine": max(1, line)}}}


def _is_record(uri: str) -> bool:
    from drafter.checker.batch import TABLE_SUFFIXES

    return any(uri.lower().endswith(s) for s in TABLE_SUFFIXES)
