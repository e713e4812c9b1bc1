"""What a triage run writes: JSONL/CSV rows, ``.eml`` reply drafts, a ranked table, a summary.

Files are written whole at the end of a completed run, through a temporary file and a rename,
so an output file is never half-written and always holds one row per input email (in rank
order). The ledger, not the output, is what survives a crash: the next run rebuilds the
outputs from it.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from drafter.text import TERMINAL_CONTROL_RE

#: Row fields, in output order (CSV columns; JSONL keys). README documents each.
FIELDS: tuple[str, ...] = (
    "rank", "priority", "status", "id", "source", "thread", "sender", "subject", "received",
    "summary", "wants", "grievances", "anger", "urgency", "churn_risk", "category", "industry",
    "language",
    "escalation_required", "escalation_review", "escalation_reasons", "escalation_triggers",
    "draft_subject", "draft_text", "check_passed", "findings_count", "findings", "revisions",
    "engine", "model", "calls", "prompt_tokens", "completion_tokens", "tokens", "notes",
    "error", "key",
)
_DRAFT_NAME = re.compile(r"^\d{4,6}-[A-Za-z0-9._-]*\.eml$")


def output_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with exactly the documented fields, in order."""
    return {name: row.get(name) for name in FIELDS}


#: C1 controls survive ``json.dumps(ensure_ascii=False)`` raw; U+009B is a CSI to many
#: terminals, so they are written as ``\u009b`` escapes (the value read back is the same).
_C1 = re.compile(r"[\x80-\x9f]")
#: What a spreadsheet reads as the start of a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        parts = [f"{v.get('reason')}: {v.get('sentence')}" if isinstance(v, dict) else str(v)
                 for v in value]
        value = " | ".join(parts)
    if value is None:
        return ""
    if isinstance(value, str):
        return _spreadsheet_safe(value)
    return value


def _spreadsheet_safe(text: str) -> str:
    """A CSV cell that opens as text: "=cmd|' /C calc'!A0" from an email would run as a
    formula in Excel or LibreOffice, so a leading ``= + - @`` (or tab, CR) gets a ``'``;
    terminal control sequences are dropped."""
    text = TERMINAL_CONTROL_RE.sub("", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}",
                           json.dumps(output_row(r), ensure_ascii=False)) + "\n"
                   for r in rows)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v) for k, v in output_row(row).items()})
    return buffer.getvalue()


def atomic_write(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all, without replacing what ``path`` names.

    A regular file is written through a temporary file in the same folder and a rename, so a
    crash never leaves half a file. A symlink is followed: the file it points at is replaced
    and the link stays a link. A device, FIFO or terminal (``/dev/stdout``, ``/dev/full``, a
    pipe) is written through: renaming over it would put a regular file where the device was
    (as root, ``/dev/full`` itself). A folder is refused.
    """
    target = Path(os.path.realpath(path))
    if path.is_dir() or target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if (path.is_symlink() or path.exists()) and not target.is_file():
        _write_through(path, text)
        return
    _replace(target if path.is_symlink() else path, text)


def _write_through(path: Path, text: str) -> None:
    """Open what ``path`` names (following links) and write to it; no temporary file."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def rows_text(path: Path, rows: list[dict[str, Any]]) -> str:
    """``--out``'s content: CSV when the name ends in ``.csv``, JSON Lines otherwise."""
    return to_csv(rows) if path.suffix.lower() == ".csv" else to_jsonl(rows)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> bool:
    return write_target(path, rows_text(path, rows))


def write_target(path: Path, text: str) -> bool:
    """Write an output to ``path``, or to stdout for ``-``; True when a file was written."""
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return False
    atomic_write(path, text)
    return True


def safe_name(ident: str, limit: int = 80) -> str:
    """An id as a file-name part: letters, digits, ``.``, ``_`` and ``-`` only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", ident.strip().strip("<>")).strip("._")
    return name[:limit] or "email"


def draft_filename(row: dict[str, Any]) -> str:
    """``0007-ID.eml``; ``0007-ID-REVIEW.eml`` when a person must read it first (a legal
    threat, a possible threat or crisis): the folder listing says so before it is opened."""
    review = "-REVIEW" if row.get("escalation_review") else ""
    return f"{int(row['rank']):04d}-{safe_name(str(row.get('id') or ''))}{review}.eml"


def write_drafts(folder: Path, rows: list[dict[str, Any]], emls: dict[str, str]) -> int:
    """``--drafts DIR``: one ``.eml`` reply per drafted email, named by rank and id.

    Drafts an earlier run left in the folder (same naming scheme) are removed first, so the
    folder always matches the current ranking; other files are left alone.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and _DRAFT_NAME.match(old.name):
            old.unlink()
    written = 0
    for row in rows:
        eml = emls.get(str(row.get("key")))
        if eml and row.get("status") == "drafted":
            (folder / draft_filename(row)).write_text(eml, encoding="utf-8")
            written += 1
    return written


def ranked_table(rows: list[dict[str, Any]], limit: int = 30, width: int | None = None) -> str:
    """The priority queue as a terminal table (what ``triage`` prints without ``--out``)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Priority queue", title_justify="left", show_lines=False)
    for column, justify, size in (("#", "right", 4), ("prio", "right", 4),
                                  ("status", "left", 10), ("anger", "right", 5),
                                  ("category", "left", 8), ("sender", "left", 26),
                                  ("subject", "left", 36), ("check", "left", 16)):
        table.add_column(column, justify=justify, overflow="ellipsis", no_wrap=True,  # type: ignore[arg-type]
                         min_width=size, max_width=size)
    for row in rows[:limit]:
        # Text cells, never markup: a subject "[/urgent] still broken" is the customer's
        # words, not a style tag (rich would raise MarkupError or swallow "[b]").
        cells = (str(row["rank"]), str(row["priority"]), str(row["status"]),
                 "" if row.get("anger") is None else str(row["anger"]),
                 str(row.get("category") or ""), _short(row.get("sender"), 60),
                 _short(row.get("subject") or row.get("error"), 80), _check(row))
        table.add_row(*(Text(TERMINAL_CONTROL_RE.sub("", cell)) for cell in cells))
    console = Console(file=io.StringIO(), width=width or 130, color_system=None,
                      force_terminal=False)
    console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    if len(rows) > limit:
        text += f"… and {len(rows) - limit:,} more: use --out FILE for every row\n"
    return text


def _short(value: Any, size: int) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _check(row: dict[str, Any]) -> str:
    if row.get("check_passed") is None:
        return ""
    review = ", review" if row.get("escalation_review") and row.get("status") == "drafted" else ""
    if row["check_passed"]:
        return f"passed{review}"
    return f"failed ({row.get('findings_count', 0)}){review}"
