"""Splitting a message's text into the customer's new words, quoted history and signature.

Everything downstream should answer only the customer's newest words, so quoted replies,
forwarded history and signatures are split off here (and kept as context). Line-based and
linear: every line is classified once, and no regex ever sees a line longer than
``_MAX_MARKER`` characters, so a pathological message costs no more than an ordinary one.
"""

from __future__ import annotations

import re

#: Marker lines are short; longer lines are never tested, which keeps every regex linear.
_MAX_MARKER = 400

_OPENERS = r"(?:on|le|am|el|op|il|em|den|dne|w\s+dniu|på)"
_VERBS = (r"(?:wrote|writes|a\s+écrit|schrieb|escribió|escribio|schreef|ha\s+scritto|scrisse|"
          r"escreveu|skrev|napisał|napsal\(a\)|napsal|kirjoitti|написал)")
_ATTRIBUTION_RE = re.compile(rf"^\s*{_OPENERS}\s.*\b{_VERBS}\b[^:]{{0,200}}:\s*$", re.I)
_OPENER_RE = re.compile(rf"^\s*{_OPENERS}\s", re.I)
_TIME_OR_ADDRESS_RE = re.compile(r"@|\b\d{1,2}[:.h]\d{2}\b")
_WROTE_RE = re.compile(rf"^.{{0,300}}\b{_VERBS}\s*:\s*$", re.I)
_SEPARATOR_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded message|original|message d'origine|"
    r"message transféré|mensaje original|mensaje reenviado|ursprüngliche nachricht|"
    r"weitergeleitete nachricht|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|"
    r"doorgestuurd bericht|mensagem original|mensagem encaminhada|ursprungligt meddelande)"
    r"\s*-{2,}\s*$",
    re.I,
)
_BEGIN_FORWARD_RE = re.compile(
    r"^\s*(?:begin forwarded message|début du message réexpédié|"
    r"anfang der weitergeleiteten nachricht|inicio del mensaje reenviado)\s*:\s*$",
    re.I,
)
_UNDERSCORES_RE = re.compile(r"^\s*_{10,}\s*$")
_FROM_LINE_RE = re.compile(r"^\s*\*?(?:from|de|von|van|da|od|fra|från)\s*\*?\s*:", re.I)
_HEADER_LINE_RE = re.compile(
    r"^\s*\*?(sent|date|to|cc|bcc|subject|reply-to|envoyé|à|objet|gesendet|datum|an|betreff|"
    r"enviado|fecha|para|asunto|inviato|data|a|oggetto|verzonden|aan|onderwerp)\s*\*?\s*:",
    re.I,
)


def clean_body(text: str) -> tuple[str, str, str]:
    """Split text into (the customer's new words, quoted history, signature).

    Line-based and linear: every line is classified once, and regexes only ever see lines of
    bounded length. Inline replies (the customer's lines between quoted ones) stay in the body.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body_lines, quoted_lines = _split_quotes(lines)
    body_lines, signature_lines = _split_signature(body_lines)
    return _join(body_lines), _join(quoted_lines), _join(signature_lines)


def _join(lines: list[str]) -> str:
    """Lines as text: trailing spaces and runs of blank lines squeezed, no blank ends."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _is_quote(line: str) -> bool:
    first = line[:1]
    return first == ">" or (first in " \t" and first != "" and line.lstrip()[:1] == ">")


def _split_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Route each line to the body or the quoted history (see :func:`clean_body`)."""
    history = len(lines)  # where everything-is-history starts (Outlook separators, forwards)
    attribution: tuple[int, int] | None = None
    headers = _HeaderLines(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped[0] == ">" or len(stripped) > _MAX_MARKER:
            continue
        # Every marker has a colon or starts with "-"/"_", except the first line of a wrapped
        # "On <date>, <name>\nwrote:": this cheap test keeps ordinary lines regex-free.
        if ":" not in stripped and stripped[0] not in "-_" and not _OPENER_RE.match(stripped):
            continue
        if _starts_history(stripped, lines, i, headers):
            history = i
            break
        if attribution is None and (stripped[-1] == ":" or _OPENER_RE.match(stripped)):
            size = _attribution_size(lines, i)
            if size:
                attribution = (i, size)
    body: list[str] = []
    quoted: list[str] = []
    if attribution is None:
        _route(lines[:history], body, quoted)
    else:
        start, size = attribution
        size = min(size, history - start)  # a wrapped attribution never runs into the history
        _route(lines[:start], body, quoted)
        rest = lines[start + size:history]
        first = next((k for k, line in enumerate(rest) if _is_quote(line)), None)
        quoted.extend(lines[start:start + size])
        if first is None:  # "On … wrote:" then the old message without ">": all history
            quoted.extend(rest)
        else:
            quoted.extend(rest[:first])
            _route(rest[first:], body, quoted)
    quoted.extend(lines[history:])
    return body, quoted


def _route(lines: list[str], body: list[str], quoted: list[str]) -> None:
    for line in lines:
        (quoted if _is_quote(line) else body).append(line)


def _next_nonblank(lines: list[str], i: int, limit: int = 3) -> str:
    for line in lines[i:i + limit]:
        if line.strip():
            return line
    return ""


def _attribution_size(lines: list[str], i: int) -> int:
    """How many lines (1–3) an "On <date>, <name> wrote:" line starting at ``i`` spans; 0 if
    it is not one. Without ``>`` lines after it, a time or an address must be in it (mail
    clients always write one): a customer may well write "On 3 March your agent wrote:" and
    go on in their own words."""
    line = lines[i].strip()
    if _OPENER_RE.match(line):
        joined = line
        for k in range(1, 4):
            if len(joined) > _MAX_MARKER:
                break
            if joined.endswith(":") and _ATTRIBUTION_RE.match(joined) and (
                _is_quote(_next_nonblank(lines, i + k)) or _TIME_OR_ADDRESS_RE.search(joined)
            ):
                return k
            nxt = lines[i + k].strip() if i + k < len(lines) else ""
            if not nxt or nxt.startswith(">"):
                break
            joined = f"{joined} {nxt}"
    elif line.endswith(":") and _WROTE_RE.match(line) and _is_quote(_next_nonblank(lines, i + 1)):
        return 1
    return 0


def _starts_history(line: str, lines: list[str], i: int, headers: _HeaderLines) -> bool:
    """True at an Outlook/forward separator, after which everything is earlier messages.

    ``line`` is ``lines[i]`` stripped and known to be short.
    """
    if line[0] == "-":
        return bool(_SEPARATOR_RE.match(line))
    if line[0] == "_":
        if not _UNDERSCORES_RE.match(line):
            return False
        after = _next_nonblank(lines, i + 1)
        return len(line) >= 30 or bool(_FROM_LINE_RE.match(after[:_MAX_MARKER]))
    if _BEGIN_FORWARD_RE.match(line):
        return True
    return bool(_FROM_LINE_RE.match(line)) and headers.block_after(i)


class _HeaderLines:
    """Which lines look like "Sent:/To:/Subject:" header lines, each line tested at most once.

    A message made of thousands of "From:" lines would otherwise re-test the same following
    lines over and over.
    """

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._keys: dict[int, str] = {}

    def key(self, i: int) -> str:
        if i not in self._keys:
            match = _HEADER_LINE_RE.match(self._lines[i][:_MAX_MARKER])
            self._keys[i] = match.group(1).lower() if match else ""
        return self._keys[i]

    def block_after(self, i: int) -> bool:
        """A From: line followed by at least two of Sent/Date/To/Subject/…: a quoted header."""
        keys: set[str] = set()
        for k in range(i + 1, min(i + 9, len(self._lines))):
            key = self.key(k)
            if not key:  # the block ends at the first line that is not a header field
                break
            keys.add(key)
        return len(keys) >= 2


# -- signatures ---------------------------------------------------------------------------------

_MOBILE_RE = re.compile(
    r"^\s*(?:sent from my [\w .'’-]{1,40}|sent from (?:mail|outlook|yahoo|gmail|samsung|"
    r"proton ?mail|aol|icloud)[\w .'’-]{0,40}|get outlook for (?:ios|android)|"
    r"sent (?:via|with|using) [\w .'’-]{1,40}|envoyé de mon [\w .'’-]{1,30}|"
    r"von meinem [\w .'’-]{1,30} gesendet|enviado desde mi [\w .'’-]{1,30}|"
    r"inviato da [\w .'’-]{1,40}|verzonden (?:vanaf|met) [\w .'’-]{1,30}|"
    r"enviado do meu [\w .'’-]{1,30})\s*[.!]?\s*(?:<[^<>]{0,200}>|\([^()]{0,200}\))?\s*$",
    re.I,
)
_SIGNOFF_RE = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|thx|regards|kind regards|best regards|"
    r"warm regards|warmest regards|with regards|best|all the best|best wishes|cheers|"
    r"sincerely|yours sincerely|sincerely yours|yours truly|yours|respectfully|cordially|"
    r"take care|talk soon|cordialement|bien à vous|merci|mit freundlichen grüßen|"
    r"freundliche grüße|viele grüße|liebe grüße|beste grüße|grüße|gruß|saludos|un saludo|"
    r"saludos cordiales|atentamente|gracias|muchas gracias|grazie|cordiali saluti|"
    r"distinti saluti|met vriendelijke groet|groeten|obrigado|obrigada|atenciosamente)"
    r"(?:\s+(?:so much|a lot|again|in advance))?\s*[,.!;:—–-]*\s*(?P<name>[^\n]{0,40})$",
    re.I,
)
_CONTACT_RE = re.compile(r"\d|@|https?://|www\.", re.I)
#: Lines of a sign-off block: at most this many, each at most _MAX_SIG_LINE characters.
_MAX_SIGNOFF_LINES = 6
_MAX_SIG_LINE = 80


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Body lines and signature lines: after "-- ", a mobile footer, or a short sign-off."""
    cut = _delimiter(lines)
    body, signature = lines[:cut], lines[cut:]
    footer = _mobile_footer(body)
    body, signature = body[:footer], body[footer:] + signature
    signoff = _signoff(body)
    return body[:signoff], body[signoff:] + signature


def _delimiter(lines: list[str]) -> int:
    """Index of the RFC 3676 "-- " line; a bare "--" only counts near the end."""
    for i, line in enumerate(lines):
        if line == "-- ":
            return i
    tail = max(len(lines) - 12, 0)
    for i in range(len(lines) - 1, tail - 1, -1):
        if lines[i].strip() == "--":
            return i
    return len(lines)


def _nonblank_tail(lines: list[str], count: int) -> list[int]:
    """Indices of the last ``count`` non-blank lines, last first."""
    found: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            found.append(i)
            if len(found) == count:
                break
    return found


def _mobile_footer(lines: list[str]) -> int:
    for i in _nonblank_tail(lines, 3):
        if len(lines[i]) <= _MAX_MARKER and _MOBILE_RE.match(lines[i]):
            return i
    return len(lines)


def _signoff(lines: list[str]) -> int:
    """Start of a trailing "Thanks,\\nJane Doe\\n555-…" block, or len(lines) when there is none.

    The earliest sign-off line among the last few lines wins, as long as everything after it
    looks like a name, title or contact detail: a sentence after "Thanks," means the customer
    was still talking, and the customer's words must never end up in the signature.
    """
    tail = _nonblank_tail(lines, _MAX_SIGNOFF_LINES + 1)
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for i in reversed(tail):
        line = lines[i]
        if len(line) > _MAX_SIG_LINE:
            continue
        match = _SIGNOFF_RE.match(line)
        if not match or not _name_like(match.group("name")):
            continue
        rest = [x for x in lines[i + 1:] if x.strip()]
        if i > first_text and all(_signature_like(x) for x in rest):
            return i
    return len(lines)


def _name_like(text: str) -> bool:
    """Empty, or a few capitalized words ("Jane", "J. Doe", "The Smiths")."""
    words = text.split()
    if not words:
        return True
    if len(words) > 4 or text.rstrip()[-1:] in "!?:":
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _signature_like(line: str) -> bool:
    """A name, title, company or contact line, as opposed to a sentence of the message."""
    text = line.strip()
    if len(text) > _MAX_SIG_LINE or text[-1:] in "!?":
        return False
    words = text.split()
    if _CONTACT_RE.search(text):
        return len(words) <= 8
    if len(words) == 1:
        return True
    capitalized = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return len(words) <= 6 and capitalized * 2 >= len(words) and not text.endswith(".")


# -- undoing a quote (for messages that are nothing but a forward) ------------------------------

_QUOTE_PREFIX_RE = re.compile(r"^(?:[ \t]*>)+[ \t]?")


def unquote(quoted: str) -> str:
    """The quoted message itself: no ``>`` prefixes, no separator/attribution, no header block."""
    lines = [_QUOTE_PREFIX_RE.sub("", line) for line in quoted.split("\n")]
    i = _skip_blank(lines, 0)
    if i < len(lines):
        line = lines[i]
        if _SEPARATOR_RE.match(line) or _BEGIN_FORWARD_RE.match(line) or \
                _UNDERSCORES_RE.match(line):
            i += 1
        else:
            i += _attribution_size(lines, i) if len(line) <= _MAX_MARKER else 0
    i = _skip_blank(lines, i)
    if i < len(lines) and _FROM_LINE_RE.match(lines[i][:_MAX_MARKER]):
        while i < len(lines) and lines[i].strip():
            i += 1
    return "\n".join(lines[i:])


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i
