"""Findings shown in context, the way compilers and prose linters show them.

    reply.txt:3:14: error [calm-down] Tells the customer to calm down.
       3 | I'm sorry about that. Please calm down, we will sort it.
         |                       ^~~~~~~~~~~
         = suggestion: Never ask an upset customer to calm down; ...

People fix what they can see, so each finding quotes its line and underlines the words.
Text from the reply is sanitised before display: a reply is untrusted input and must not be
able to send escape sequences to the agent's terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drafter.checker.text import line_col
from drafter.text import TERMINAL_CONTROL_RE

if TYPE_CHECKING:
    from drafter.models import CheckResult, Finding

#: Characters of context kept either side of a finding on very long lines.
WINDOW = 70

Segment = tuple[str, str]  # (text, rich style)
Line = list[Segment]

_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


def safe(text: str) -> str:
    """Printable on any terminal: control characters and lone surrogates become "?"."""
    text = TERMINAL_CONTROL_RE.sub("?", text.replace("\t", " ").replace("\r", " "))
    return text.encode("utf-8", "replace").decode("utf-8")


def finding_lines(result: CheckResult, text: str, name: str) -> list[Line]:
    """The whole report as styled lines; :func:`plain` and :func:`print_rich` show them."""
    lines: list[Line] = []
    for f in result.findings:
        lines.extend(_one(f, text, name))
    for note in result.notes:
        lines.append([(f"{name}: ", "bold"), ("note: ", "bold cyan"), (safe(note), "")])
    lines.append(_summary(result, name))
    return lines


def _one(f: Finding, text: str, name: str) -> list[Line]:
    line_no, col = line_col(text, f.start)
    label = f.rule if not f.mistake or f.mistake == f.rule else f"{f.rule} ({f.mistake})"
    if f.source == "judge":
        label += ", judge"
    out: list[Line] = [[
        (f"{name}:{line_no}:{col}: ", "bold"),
        (f.severity, _SEVERITY_STYLE.get(f.severity, "bold")),
        (f" [{label}] ", "bold"),
        (safe(f.message), ""),
    ]]
    source, caret_at, width = _context(text, f.start, f.end)
    gutter = f"{line_no:>5} | "
    out.append([(gutter, "dim"), (source, "")])
    marker = "^" + "~" * max(0, width - 1)
    out.append([(" " * (len(gutter) - 2) + "| ", "dim"), (" " * caret_at, ""),
                (marker, _SEVERITY_STYLE.get(f.severity, "bold"))])
    if f.suggestion:
        out.append([(" " * (len(gutter) - 2) + "= ", "dim"), ("suggestion: ", "bold green"),
                    (safe(f.suggestion), "green")])
    return out


def _context(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The finding's line (windowed when long), the caret column and the underline width."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    end = min(max(end, start), line_end)
    lo = max(line_start, start - WINDOW)
    hi = min(line_end, max(end, start) + WINDOW)
    prefix = "…" if lo > line_start else ""
    suffix = "…" if hi < line_end else ""
    shown = prefix + safe(text[lo:hi]) + suffix
    return shown, len(prefix) + (start - lo), max(1, end - start)


def _summary(result: CheckResult, name: str) -> Line:
    errors = len(result.errors)
    others = len(result.findings) - errors
    if not result.findings:
        return [(f"{name}: ", "bold"), ("passed", "bold green"), (": no problems found", "")]
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if others:
        parts.append(f"{others} warning{'s' if others != 1 else ''}")
    verdict = ("passed", "bold green") if result.passed else ("failed", "bold red")
    return [(f"{name}: ", "bold"), verdict, (f": {', '.join(parts)}", "")]


def plain(lines: list[Line]) -> str:
    return "".join("".join(seg for seg, _ in line) + "\n" for line in lines)


def print_rich(lines: list[Line]) -> None:
    """Coloured output for a terminal; rich only loads when it is actually needed."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    for line in lines:
        out = Text()
        for seg, style in line:
            out.append(seg, style=style or None)
        console.print(out)


def render_text(result: CheckResult, text: str, name: str = "reply") -> str:
    """The plain-text report (what ``drafter check`` prints when stdout is not a terminal)."""
    return plain(finding_lines(result, text, name))
