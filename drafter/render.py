"""Showing a DraftResult: to a person (terminal, Markdown), to a program (JSON), to a mail client.

All four formats come from the same DraftResult so they never disagree; the notices
(escalation, review, language) appear in every one of them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from drafter.models import CheckResult, DraftResult, Email, Finding

FORMATS = ("text", "json", "markdown", "eml")


def render(result: DraftResult, fmt: str, *, color: bool = False) -> str:
    """The result in ``fmt``; ``color`` adds terminal styling to the text format."""
    if fmt == "json":
        return to_json(result)
    if fmt == "markdown":
        return to_markdown(result)
    if fmt == "eml":
        return to_eml(result)
    return to_text(result, color=color)


def to_json(result: DraftResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _mood_line(result: DraftResult) -> str:
    a = result.analysis
    return (f"anger {a.anger}/5 · urgency {a.urgency} · churn risk {a.churn_risk} · "
            f"category {a.category} · language {a.language}")


def _verdict(check: CheckResult) -> str:
    errors = len(check.errors)
    others = len(check.findings) - errors
    if check.passed:
        tail = f" ({others} warning(s))" if others else ""
        return f"passed{tail}"
    return f"FAILED: {errors} error(s)" + (f", {others} warning(s)" if others else "")


def format_finding(f: Finding) -> str:
    label = f"{f.rule} ({f.mistake})" if f.mistake and f.mistake != f.rule else f.rule
    line = f"{f.severity} {label} [{f.start}:{f.end}] {f.message}"
    if f.excerpt:
        line += f' — "{f.excerpt}"'
    if f.suggestion:
        line += f"\n      suggestion: {f.suggestion}"
    return line


def to_text(result: DraftResult, *, color: bool = False) -> str:
    """What an agent reads in a terminal: who, what they want, the draft, the verdict."""
    import io

    from rich.console import Console
    from rich.text import Text

    console = Console(file=io.StringIO(), record=True, width=100, force_terminal=color,
                      color_system="standard" if color else None, highlight=False,
                      soft_wrap=True)
    a, email = result.analysis, result.email

    def say(text: str, style: str = "") -> None:
        console.print(Text(text, style=style))

    engine = result.engine + (f" ({result.model})" if result.model else "")
    say(f"{email.sender or 'unknown sender'} · {email.subject or '(no subject)'}", "bold")
    say(f"{_mood_line(result)} · engine {engine}", "dim")
    for notice in result.notices:
        say(f"! {notice}", "bold yellow")
    say("")
    say("Summary", "bold")
    say(f"  {a.summary}")
    if a.wants:
        say("Wants", "bold")
        for want in a.wants:
            say(f"  • {want}")
    if a.facts:
        say("Facts", "bold")
        say("  " + " · ".join(f"{f.kind.replace('_', ' ')} {f.text}" for f in a.facts))
    if result.escalated:
        say("")
        say("ESCALATE TO A PERSON: no draft was written.", "bold red")
        for trig in a.escalation.triggers:
            say(f"  {trig.reason}: “{trig.sentence}”", "red")
        return console.export_text(styles=color)
    say("")
    if result.draft:
        say(f"Draft — {result.draft.subject}", "bold")
        say("─" * 60, "dim")
        say(result.draft.text.rstrip())
        say("─" * 60, "dim")
    verdict_style = "bold green" if result.check.passed else "bold red"
    say(f"Check: {_verdict(result.check)}", verdict_style)
    for finding in result.check.findings:
        style = "red" if finding.severity == "error" else "yellow"
        say("  " + format_finding(finding), style)
    for note in result.check.notes:
        say(f"  note: {note}", "dim")
    return console.export_text(styles=color)


def to_markdown(result: DraftResult) -> str:
    a, email = result.analysis, result.email
    lines = [f"# Reply draft: {_md(email.subject or '(no subject)')}", ""]
    lines.append(f"**From:** {_md(email.sender or 'unknown')}  ")
    lines.append(f"**Mood:** {_mood_line(result)}  ")
    lines.append(f"**Engine:** {result.engine}" + (f" ({result.model})" if result.model else ""))
    lines.append("")
    lines.extend(f"> **Note:** {_md(n)}" for n in result.notices)
    if result.notices:
        lines.append("")
    lines += ["## What the customer wants", "", _md(a.summary), ""]
    lines.extend(f"- {_md(w)}" for w in a.wants)
    if a.wants:
        lines.append("")
    if result.escalated:
        lines += ["## Escalate to a person", "", "No draft was written.", ""]
        lines.extend(f"- **{t.reason}:** “{_md(t.sentence)}”" for t in a.escalation.triggers)
        return "\n".join(lines) + "\n"
    if result.draft:
        lines += ["## Draft", "", f"**Subject:** {_md(result.draft.subject)}", "", "```text",
                  result.draft.text.rstrip(), "```", ""]
    lines += ["## Check", "", f"**{_verdict(result.check)}**", ""]
    for f in result.check.findings:
        lines.append(f"- `{f.severity}` `{f.rule}`: {_md(f.message)}"
                     + (f" — “{_md(f.excerpt)}”" if f.excerpt else ""))
    lines.extend(f"- note: {_md(n)}" for n in result.check.notes)
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Keep customer text from being read as Markdown structure."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")


def to_eml(result: DraftResult, now: dt.datetime | None = None) -> str:
    """An RFC 5322 reply a mail client opens as a draft, threaded under the customer's email."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    if result.draft is None:
        raise ValueError("no draft to write (the email was escalated to a person)")
    email = result.email
    msg = EmailMessage()
    _set_header(msg, "From", email.to)
    _set_header(msg, "To", email.sender)
    msg["Subject"] = result.draft.subject
    msg["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=_domain(email))
    if email.message_id:
        msg["In-Reply-To"] = email.message_id
        msg["References"] = " ".join([*email.references, email.message_id])
    msg["X-Drafter-Check"] = "passed" if result.check.passed else "failed"
    msg["X-Unsent"] = "1"  # Outlook and Thunderbird open it as a draft to edit and send
    msg.set_content(result.draft.text + _quoted_original(email), charset="utf-8")
    return msg.as_bytes(policy=SMTP).decode("utf-8", errors="replace").replace("\r\n", "\n")


def _set_header(msg: Any, name: str, value: str) -> None:
    if value:
        try:
            msg[name] = value
        except (ValueError, TypeError):
            msg[name] = value.replace("\n", " ").replace("\r", " ")


def _domain(email: Email) -> str:
    for address in (email.to, email.message_id):
        if "@" in address:
            return address.rsplit("@", 1)[1].strip("> ").split()[0] or "drafter.local"
    return "drafter.local"


def _quoted_original(email: Email) -> str:
    """The customer's words under the reply. The attribution names them, never their address,
    so a redacted draft (triage --redact) carries no address in its text."""
    who = email.sender_name or "you"
    when = f"On {email.date}, " if email.date else ""
    quoted = "\n".join(f"> {line}" if line else ">" for line in email.body.splitlines())
    return f"\n{when}{who} wrote:\n{quoted}\n"
