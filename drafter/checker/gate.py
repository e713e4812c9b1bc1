"""The sendability gate: could a person send this reply as it stands?

The seven mistakes are about tone; a reply can avoid all of them and still be unsendable:
cut off mid-sentence, 5 MB long, full of the prompt's own tags, "Hi [Customer Name]",
greeting the wrong person, signed with the customer's name, in another language than the
customer's. Language models produce every one of these, and agents pasting macros produce
some, so the gate runs for every engine and for ``drafter check``. Its findings use the same
contract as the rules (``source`` is ``"rules"``), and a reply passes only when the gate
passes too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from drafter.models import Finding

if TYPE_CHECKING:
    from drafter.checker.context import Context

#: The prompt's own fences and chat-template tokens: never text for a customer.
_PROMPT_TAG = re.compile(
    r"</?(?:draft|findings|customer_email|earlier_thread|analysis|subject|reply|response|"
    r"system|user|assistant|instructions?|context|policy|email)\b[^<>\n]{0,80}>"
    r"|<\|[a-z_]{2,20}\|>|\[/?INST\]|^```[\w-]*$",
    re.IGNORECASE | re.MULTILINE,
)
#: Template slots nobody filled in.
_PLACEHOLDER = re.compile(
    r"\[(?:customer|client|recipient|your|agent|first|last|full|company|insert|name|date|"
    r"order|amount|number|product|address|phone|email|signature|x{2,})\b[^\]\n]{0,40}\]"
    r"|\{\{\s*[\w.]+\s*\}\}|\{(?:customer|first|last|agent|name|order|company)[\w.]*\}"
    r"|<(?:customer|first|last|agent|name|company|insert|your)[\w ]{0,30}>"
    r"|\bX{4,}\b",
    re.IGNORECASE,
)
_GREETING_NAME = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))[ ,]+"
    r"(?:(?:mr|mrs|ms|miss|mx|dr|prof)\.? )?(?P<name>[^\W\d_][\w'-]*(?: [^\W\d_][\w'-]*){0,2})",
    re.IGNORECASE,
)
#: Greeting words that are not a person's name.
_GENERIC = frozenset("""there all everyone team customer customers friend friends sir madam
valued colleague colleagues folks guys again and or sir/madam""".split())
_END = re.compile(r"[.!?…)\"'\]»”’:]\s*$|[\U0001F300-\U0001FAFF]\s*$")
_WORD = re.compile(r"\w+")
#: A chat reply signed on its last line: "… tell me the amount. – Rob, Online Banking".
_DASH_SIGNATURE = re.compile(
    r"[.!?…)]\s*[–—-]{1,2}\s*[^\W\d_][\w'.&-]*(?:[ ,|/]+[\w'.&-]+){0,6}\s*$")


def check_gate(ctx: Context) -> list[Finding]:
    """Every gate finding for the reply under check."""
    out: list[Finding] = []
    for check in (_prompt_tags, _placeholders, _length, _ending, _names, _language,
                  _invented_content):
        out += check(ctx)
    return out


def _prompt_tags(ctx: Context) -> list[Finding]:
    rule = ctx.rule("prompt-leak")
    if rule is None:
        return []
    return [ctx.finding(rule, m.start(), m.end()) for m in _PROMPT_TAG.finditer(ctx.text)][:5]


def _placeholders(ctx: Context) -> list[Finding]:
    rule = ctx.rule("placeholder")
    if rule is None:
        return []
    return [ctx.finding(rule, m.start(), m.end()) for m in _PLACEHOLDER.finditer(ctx.view)][:5]


def _length(ctx: Context) -> list[Finding]:
    """Proportionate length: bounds from the pack's ``[limits]`` (``min_words``,
    ``max_words``)."""
    rule = ctx.rule("length")
    if rule is None:
        return []
    body = ctx.view[ctx.layout.body_start:max(ctx.layout.body_end, ctx.layout.body_start)]
    words = len(_WORD.findall(body[:200_000]))
    low, high = ctx.pack.limits.get("min_words", 0), ctx.pack.limits.get("max_words", 0)
    at = ctx.layout.body_start
    if high and words > high:
        return [ctx.finding(rule, at, at, message=(
            f"The reply is {words:,} words long; a reply a customer reads is at most "
            f"{high:,} ([limits] max_words)."))]
    if low and words < low:
        return [ctx.finding(rule, at, at, message=(
            f"The reply is {words} word{'s' if words != 1 else ''} long; too short to "
            f"acknowledge, apologise and say what happens next ([limits] min_words {low})."))]
    return []


_SIGNOFF_LINE = re.compile(
    r"(?:thanks|thank you|many thanks|cheers|best|regards|kind regards|warm regards|"
    r"best wishes|sorry again|with apologies(?: again)?|all the best|take care|speak soon)"
    r"\b[^.!?\n]{0,60}$", re.IGNORECASE)
_NAME_JOINERS = frozenset({"at", "of", "from", "and", "the", "de", "van", "von"})


def _ending(ctx: Context) -> list[Finding]:
    """Cut off: the last sentence stops mid-word with no sign-off after it."""
    rule = ctx.rule("incomplete")
    if rule is None or ctx.layout.signoff_start < len(ctx.text):
        return []
    tail = ctx.view.rstrip()
    if not tail or _END.search(tail) or _DASH_SIGNATURE.search(tail):
        return []
    last_line = tail.rsplit("\n", 1)[-1].strip()
    if len(last_line.split()) <= 3 and last_line[:1].isupper():
        return []  # a bare signature ("Alex", "Alex Kim, Support") ends many replies
    words = re.findall(r"[^\W\d_][\w'&-]*", last_line)
    if _SIGNOFF_LINE.match(last_line) or (
            len(words) <= 6 and all(w[:1].isupper() or w in _NAME_JOINERS for w in words)):
        # "Thanks, Laura, Greyfield Bank", "Customer Relations, Skyvale Air": a chat
        # sign-off or a team's name, not a sentence cut short (blind good replies, checker-e)
        return []
    start = len(tail) - len(last_line)
    return [ctx.finding(rule, start, len(tail))]


def _customer_names(ctx: Context) -> set[str]:
    if ctx.email is None:
        return set()
    name = ctx.email.sender_name or ""
    if not name and ctx.email.sender_address:
        return set()
    return {w.lower() for w in re.findall(r"[^\W\d_][\w'-]+", name) if len(w) > 1}


def _names(ctx: Context) -> list[Finding]:
    """The greeting names the customer (or nobody); the signature is not the customer's."""
    names = _customer_names(ctx)
    if not names:
        return []
    out: list[Finding] = []
    wrong = ctx.rule("wrong-name")
    first = ctx.view[:ctx.layout.body_start] or ctx.view.split("\n", 1)[0]
    m = _GREETING_NAME.match(first)
    if wrong is not None and m:
        greeted = [w.lower() for w in m.group("name").split()]
        if greeted[0] not in _GENERIC and not set(greeted) & names:
            out.append(ctx.finding(wrong, m.start("name"), m.end("name"), message=(
                f"Greets {m.group('name')!r}, but the customer is "
                f"{ctx.email.sender_name if ctx.email else ''!r}.")))
    signed = ctx.rule("signed-as-customer")
    if signed is not None and ctx.layout.signoff_start < len(ctx.text):
        block = ctx.view[ctx.layout.signoff_start:]
        offset = ctx.layout.signoff_start
        for line in block.split("\n")[1:]:
            words = {w.lower() for w in re.findall(r"[^\W\d_][\w'-]+", line)}
            if words and words <= names | {"from"}:
                start = offset + ctx.view[offset:].find(line)
                out.append(ctx.finding(signed, start, start + len(line)))
                break
    return out


def _language(ctx: Context) -> list[Finding]:
    """The reply is in the customer's language, or a person decides (a warning)."""
    rule = ctx.rule("wrong-language")
    if rule is None or ctx.email is None or not ctx.email.body.strip():
        return []
    from drafter.language import detect_language, language_name

    theirs = detect_language(ctx.email.body, unknown="und")
    body = ctx.view[ctx.layout.body_start:max(ctx.layout.body_end, ctx.layout.body_start)]
    ours = detect_language(body, unknown="und")
    if "und" in (theirs, ours) or theirs == ours:
        return []
    at = ctx.layout.body_start
    return [ctx.finding(rule, at, at, message=(
        f"The reply is in {language_name(ours)}; the customer wrote in "
        f"{language_name(theirs)}."))]


#: The writer's own life, in a reply from a company ("my blog", "my kids"), and gifts no
#: option kind names ("I'll send you a little gift"): what a language model invents.
_PERSONAL = re.compile(
    r"\bmy (?:own )?(?:blog|vlog|channel|podcast|website|instagram|youtube|tiktok|newsletter|"
    r"holiday|vacation|wife|husband|partner|kids|children|son|daughter|family|dog|cat|mum|"
    r"mom|dad)\b"
    r"|\b(?:send|give|post|mail|bring)\s+you\s+(?:a |an |some )?(?:little |small |special |"
    r"nice |free )?(?:gift|present|treat|hamper|surprise|goodie bag)s?\b",
    re.IGNORECASE)
#: Something the customer is said to have done: it must be in their email.
_THEIR_DOING = re.compile(
    r"\byour (?P<what>visit|trip|stay|comment|review|post|video|photo|question|podcast|"
    r"blog|article|recipe|wedding|birthday|holiday|vacation) (?:to|at|on|of|about|in)\b",
    re.IGNORECASE)


def _invented_content(ctx: Context) -> list[Finding]:
    """Content nobody gave the writer: "thank you for your visit to my blog", "I'll send you
    a gift". A person reading the draft sees at once that it answers someone else."""
    rule = ctx.rule("invented-content")
    if rule is None:
        return []
    body = ctx.view[:ctx.layout.signoff_start]
    email = (f"{ctx.email.subject}\n{ctx.email.body}".lower() if ctx.email is not None
             else None)
    out = [ctx.finding(rule, m.start(), m.end()) for m in _PERSONAL.finditer(body)
           if email is None or m.group(0).lower() not in email]
    if email is not None:
        out += [ctx.finding(rule, m.start(), m.end()) for m in _THEIR_DOING.finditer(body)
                if m.group("what").lower()[:5] not in email]
    return out[:3]
