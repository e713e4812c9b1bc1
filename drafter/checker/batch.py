"""Checking many replies at once: a folder of macros, or a helpdesk's saved-replies export.

A team lints its macro library the way it lints code: ``drafter check macros/`` or
``drafter check saved_replies.csv --map text=Body`` in CI, exit 1 when any reply has an
error. This module reads the replies (one per file, or one per CSV/JSONL record), checks
each with :func:`drafter.checker.check_reply`, and keeps the per-rule tally the summary
and SARIF need. A record that cannot be read is an item with an ``error``; the batch goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from drafter.errors import InputError

if TYPE_CHECKING:
    from drafter.checker.rules import RulePack
    from drafter.models import Analysis, CheckResult, Email
    from drafter.policy import Policy

#: A reply longer than this is reported, not checked: macros are a few KB, and a record this
#: size in an export is a data error, not a reply.
MAX_REPLY_BYTES = 1024 * 1024
#: Files in a folder that hold reply text; others (images, spreadsheets) are skipped.
TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".markdown", ".html", ".htm",
                           ".liquid", ".tmpl", ".tpl", ".j2", ".jinja", ".hbs", ".mustache"})
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                  ".json": "json"}
#: ``--map`` fields and the column names recognised for each without one (compared after
#: lower-casing, non-alphanumeric runs as ``_``). Zendesk, Freshdesk, Help Scout, Intercom and
#: Gorgias macro exports use these.
CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "reply", "body", "content", "message", "macro", "response", "answer",
             "template", "comment", "comment_value", "body_text", "plain_body", "html_body",
             "value"),
    "id": ("id", "name", "title", "macro_id", "macro", "key", "slug", "shortcut", "subject"),
    "email": ("email", "original", "customer_email", "customer_message", "question",
              "ticket_body", "complaint"),
}


@dataclass
class Item:
    """One reply to check, and where it came from (for the report and SARIF locations)."""

    name: str  # what the report calls it: a file path, or "export.csv:12 (Refund macro)"
    uri: str  # the file it lives in
    line: int = 1  # the line of that file where the reply starts
    text: str | None = None
    email: str | None = None  # the customer's message it answers, when the export has one
    error: str | None = None


@dataclass
class Outcome:
    item: Item
    result: CheckResult | None = None


@dataclass
class Summary:
    """The batch in numbers: replies checked, failed, and how many replies each rule hit."""

    checked: int = 0
    failed: int = 0
    unreadable: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    severities: dict[str, str] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        if outcome.result is None:
            self.unreadable += 1
            return
        self.checked += 1
        if not outcome.result.passed:
            self.failed += 1
        for rule in {f.rule for f in outcome.result.findings}:
            self.rules[rule] += 1
        for f in outcome.result.findings:
            if f.severity == "error" or f.rule not in self.severities:
                self.severities[f.rule] = f.severity

    @property
    def passed(self) -> bool:
        return self.failed == 0 and self.unreadable == 0

    def to_dict(self) -> dict[str, object]:
        return {"checked": self.checked, "failed": self.failed, "unreadable": self.unreadable,
                "rules": {rule: {"replies": n, "severity": self.severities[rule]}
                          for rule, n in sorted(self.rules.items(), key=lambda kv: -kv[1])}}


# -- reading ------------------------------------------------------------------------------


def is_batch(path: Path) -> bool:
    """A folder or a CSV/JSONL file holds many replies; anything else is one reply."""
    return path.is_dir() or path.suffix.lower() in TABLE_SUFFIXES


def parse_map(specs: Iterable[str]) -> dict[str, str]:
    """``["text=Body,id=Title"]`` → ``{"text": "Body", "id": "Title"}``; bad specs exit 2."""
    from drafter.triage.sources import parse_map as parse

    return parse(specs, CHECK_COLUMNS)


def read_items(path: Path, mapping: dict[str, str] | None = None) -> Iterator[Item]:
    """Every reply under ``path``, in a stable order (files sorted; records as stored)."""
    if not path.exists():
        raise InputError(f"not found: {path}")
    if path.is_dir():
        yield from _folder_items(path)
        return
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: not a folder, CSV or JSONL file")
    yield from _table_items(path, kind, mapping or {})


def _folder_items(root: Path) -> Iterator[Item]:
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and not any(part.startswith(".")
                                              for part in p.relative_to(root).parts))
    for p in files:
        if p.suffix.lower() not in TEXT_SUFFIXES:
            continue
        yield _file_item(p)


def _file_item(p: Path) -> Item:
    item = Item(name=str(p), uri=p.as_posix())
    try:
        size = p.stat().st_size
        if size > MAX_REPLY_BYTES:
            item.error = f"too large to be a reply ({size:,} bytes)"
            return item
        data = p.read_bytes()
    except OSError as exc:
        item.error = f"cannot read: {exc.strerror or exc}"
        return item
    if b"\x00" in data[:8192]:
        item.error = "binary data, not text"
        return item
    text = _decode(data)
    if p.suffix.lower() in (".html", ".htm"):
        from drafter.htmltext import html_to_text

        text = html_to_text(text)
    item.text = text
    return item


def _table_items(path: Path, kind: str, mapping: dict[str, str]) -> Iterator[Item]:
    from drafter.triage.sources import read_records

    columns: dict[str, str] | None = None
    previous_end = 1  # a CSV record is reported at its first line (the reader gives its last)
    try:
        for end, record in read_records(path, kind):
            line = previous_end + 1 if kind == "csv" else end
            previous_end = end
            label = f"{path}:{line}"
            if isinstance(record, str):
                yield Item(name=label, uri=path.as_posix(), line=line, error=record)
                continue
            if columns is None:
                columns = resolve_columns(list(record), mapping)
            yield _record_item(path, line, record, columns)
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except Exception as exc:  # csv.Error: a broken quote deep in a spreadsheet export
        if type(exc).__module__ == "_csv":
            raise InputError(f"{path}: not valid CSV: {exc}") from None
        raise


def _record_item(path: Path, line: int, record: dict[str, str],
                 columns: dict[str, str]) -> Item:
    ident = record.get(columns.get("id", ""), "").strip()
    name = f"{path}:{line}" + (f" ({_short(ident)})" if ident else "")
    item = Item(name=name, uri=path.as_posix(), line=line)
    text = record.get(columns["text"], "")
    if len(text.encode("utf-8", "replace")) > MAX_REPLY_BYTES:
        item.error = f"too large to be a reply ({len(text):,} characters)"
    elif not text.strip():
        item.error = f"empty {columns['text']!r}"
    else:
        item.text = text
        email = record.get(columns.get("email", ""), "")
        item.email = email if email.strip() else None
    return item


def resolve_columns(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Which column holds each field: ``--map`` first, then the recognised names (triage's
    resolution, with ``drafter check``'s fields)."""
    from drafter.triage.sources import resolve_columns as resolve

    return resolve(columns, mapping, CHECK_COLUMNS, ("text", "reply-text"))


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# -- checking -----------------------------------------------------------------------------


def check_items(items: Iterable[Item], *, policy: Policy | None,
                rules: RulePack) -> Iterator[Outcome]:
    """Check each readable item; unreadable ones pass through with their error."""
    from drafter.checker import check_reply

    for item in items:
        if item.text is None:
            yield Outcome(item)
            continue
        email, analysis = _original(item.email) if item.email else (None, None)
        yield Outcome(item, check_reply(item.text, email=email, analysis=analysis,
                                        policy=policy, rules=rules, drafted=False))


def _original(body: str) -> tuple[Email, Analysis]:
    """The customer's message from the export, and the offline listening step's analysis
    of it, so ``unaddressed-want`` and ``invented-fact`` are checked as for one reply."""
    from drafter.analyze import analyze_email
    from drafter.models import Email

    email = Email(body=body)
    return email, analyze_email(email)
