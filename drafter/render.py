"""Showing a DraftResult: to a person (terminal, Markdown), to a program (JSON), to a mail client.

All four formats come from the same DraftResult so they never disagree; the notices
(escalation, review, language) appear in every one of them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
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
            f"category {a.category} · industry {a.industry} · language {a.language}")


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
    if result.usage.calls:
        say(_cost_line(result), "dim")
    return console.export_text(styles=color)


def _cost_line(result: DraftResult) -> str:
    """Calls, tokens and the estimated cost of this draft (list prices; n/a when unknown)."""
    from drafter.pricing import format_cost

    u = result.usage
    cached = f", {u.cached_tokens:,} cached" if u.cached_tokens else ""
    return (f"usage: {u.calls} call{'s' if u.calls != 1 else ''}, "
            f"{u.prompt_tokens + u.completion_tokens:,} tokens{cached}, "
            f"est. {format_cost(u.cost(result.model))}")


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
        text = result.draft.text.rstrip()
        fence = _fence_for(text)
        lines += ["## Draft", "", f"**Subject:** {_md(result.draft.subject)}", "",
                  f"{fence}text", text, fence, ""]
    lines += ["## Check", "", f"**{_verdict(result.check)}**", ""]
    for f in result.check.findings:
        lines.append(f"- `{f.severity}` `{f.rule}`: {_md(f.message)}"
                     + (f" — “{_md(f.excerpt)}”" if f.excerpt else ""))
    lines.extend(f"- note: {_md(n)}" for n in result.check.notes)
    return "\n".join(lines).rstrip() + "\n"


#: Characters Markdown (and the HTML it may carry) reads as structure: each is escaped with
#: a backslash, so "<img onerror=…>" and "[x](javascript:…)" stay text when rendered.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#!|~{}&])")


def _md(text: str) -> str:
    """Keep customer (and model) text from being read as Markdown structure or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``: the draft cannot close it."""
    longest = max((len(m.group()) for m in re.finditer(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def to_eml(result: DraftResult, now: dt.datetime | None = None) -> str:
    """An RFC 5322 reply a mail client opens as a draft, threaded under the customer's email.

    The recipient is built from the parsed (display name, address) pair, never from header
    text: a display name decodes to any characters at all, commas and addresses included,
    and text parsed again would turn them into recipients. So the reply goes to exactly one
    address, the customer's own, or to none when there is no usable one (or when the written
    draft does not read back as that one address). Every header value is stripped of control
    characters. An internationalised domain is written in IDNA form; where that would change
    it (IDNA 2003 maps "ß" to "ss") or is impossible, the draft is written as SMTPUTF8 mail
    (RFC 6532), which keeps the address exactly.
    """
    from email import message_from_string, policy
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    from drafter.mail.headers import address_of

    if result.draft is None:
        raise ValueError("no draft to write (the email was escalated to a person)")
    email = result.email
    msg = EmailMessage()
    utf8 = False
    mailboxes: dict[str, str] = {}
    ours = address_of(_header_text(email.to)[:_MAX_ADDRESS_TEXT])
    for name, (display, address) in (("From", ours),
                                     ("To", (email.sender_name, email.sender_address))):
        spec = _set_mailbox(msg, name, display, address)
        if spec:
            mailboxes[name] = spec
            utf8 = utf8 or not spec.isascii()
    _set_header(msg, "Subject", result.draft.subject)
    msg["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=_domain(email))
    message_id = _header_text(email.message_id)
    if message_id:
        references = " ".join([*(_header_text(r) for r in email.references), message_id])
        _set_header(msg, "In-Reply-To", message_id)
        _set_header(msg, "References", references)
        utf8 = utf8 or not references.isascii()
    msg["X-Drafter-Check"] = "passed" if result.check.passed else "failed"
    review = review_label(result)
    if review:
        # In a header, never in the body: a draft sent as is must not tell the customer.
        msg["X-Drafter-Review"] = review
    msg["X-Unsent"] = "1"  # Outlook and Thunderbird open it as a draft to edit and send
    body = result.draft.text + _quoted_original(email)
    msg.set_content(body.encode("utf-8", "replace").decode("utf-8"), charset="utf-8")
    out = SMTP.clone(utf8=True) if utf8 else SMTP
    text = msg.as_bytes(policy=out).decode("utf-8", errors="replace").replace("\r\n", "\n")
    # Read the draft back as a mail client will: a mailbox the writer folded or encoded into
    # something else (the stdlib decodes encoded words even inside an address) is dropped.
    written = message_from_string(text, policy=policy.default)
    wrong = [name for name, spec in mailboxes.items() if _read_back(written, name) != [spec]]
    for name in wrong:
        del msg[name]
    if wrong:
        text = msg.as_bytes(policy=out).decode("utf-8", errors="replace").replace("\r\n", "\n")
    return text


def review_label(result: DraftResult) -> str:
    """Why a person must read this draft before it goes ("legal threat", "possible crisis
    signal"), or "": what the ``.eml``'s ``X-Drafter-Review`` header and file name say."""
    esc = result.analysis.escalation
    if not esc.review:
        return ""
    return "; ".join(esc.reasons) or "review"


#: The most text of the customer's To header read for the reply's From.
_MAX_ADDRESS_TEXT = 2_000
#: Control characters (C0, C1, line and paragraph separators) become spaces in a header;
#: zero-width and bidi format characters are dropped. Neither may reach a header line: a
#: CR or LF would start a new header, a NUL or ESC is written raw.
_HEADER_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_HEADER_FORMAT_RE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                               "\u2066-\u206f\ufeff]+")
#: What an address's local part may hold here (quoted if need be by the header registry).
_LOCAL_PART_RE = re.compile(r'[^\s@"<>()\[\],;:\\]+')
_ASCII_DOMAIN_RE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?")
_UTF8_DOMAIN_RE = re.compile(r'[^\s@"<>()\[\],;:\\/?#]+')


def _header_text(value: str) -> str:
    """A header value with no control, format or surrogate characters, whitespace collapsed."""
    value = _HEADER_CONTROL_RE.sub(" ", _HEADER_FORMAT_RE.sub("", value))
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    return " ".join(value.split())


def _set_header(msg: Any, name: str, value: str) -> None:
    """Set an unstructured header from ``value`` made safe to write (see _header_text)."""
    value = _header_text(value)
    if value:
        msg[name] = value


def _set_mailbox(msg: Any, name: str, display: str, address: str) -> str:
    """Set ``name`` to exactly one mailbox and return its address, or leave it unset ("").

    The header registry quotes or encodes the display name as needed; the header is read
    back, and dropped unless it holds that one address and nothing else.
    """
    from email.headerregistry import Address

    local, at, domain = _header_text(address).rpartition("@")
    host = _ascii_domain(domain)
    if not at or not _LOCAL_PART_RE.fullmatch(local) or "=?" in local or host is None:
        return ""
    try:
        mailbox = Address(display_name=_header_text(display), username=local, domain=host)
        msg[name] = mailbox
        written = msg[name].addresses
        exact = len(written) == 1 and written[0].addr_spec == mailbox.addr_spec
    except Exception:  # the registry rejects what it cannot represent: no header, no crash
        exact = False
    if not exact:
        del msg[name]
        return ""
    return str(mailbox.addr_spec)


def _read_back(msg: Any, name: str) -> list[str]:
    """The addresses a mail client reads in header ``name``; none if it cannot read them."""
    try:
        return [str(a.addr_spec) for h in msg.get_all(name, []) for a in h.addresses]
    except Exception:
        return []


def _ascii_domain(domain: str) -> str | None:
    """The domain as written in a header: IDNA (punycode) where that keeps it exactly.

    None for a domain that cannot be one. Python's IDNA codec is IDNA 2003, which maps some
    characters to others ("ß" to "ss", full-width letters to ASCII): that would send the reply
    to another domain, so such a domain is kept as it is, for SMTPUTF8.
    """
    if domain.isascii():
        return domain if _ASCII_DOMAIN_RE.fullmatch(domain) else None
    if not _UTF8_DOMAIN_RE.fullmatch(domain):
        return None
    try:
        encoded = domain.encode("idna")
        same = encoded.decode("idna") == domain.lower()
    except UnicodeError:
        return domain
    return encoded.decode("ascii") if same else domain


def _domain(email: Email) -> str:
    """The domain of the reply's Message-ID: the support address's, else the thread's."""
    from drafter.mail.headers import address_of

    ours = address_of(_header_text(email.to)[:_MAX_ADDRESS_TEXT])[1]
    for address in (ours, _header_text(email.message_id)):
        if "@" in address:
            host = _ascii_domain(address.rsplit("@", 1)[1].strip("> "))
            if host and host.isascii():
                return host
    return "drafter.local"


def _quoted_original(email: Email) -> str:
    """The customer's words under the reply. The attribution names them, never their address,
    so a redacted draft (triage --redact) carries no address in its text."""
    who = email.sender_name or "you"
    when = f"On {email.date}, " if email.date else ""
    quoted = "\n".join(f"> {line}" if line else ">" for line in email.body.splitlines())
    return f"\n{when}{who} wrote:\n{quoted}\n"
