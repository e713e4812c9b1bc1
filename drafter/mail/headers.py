"""Header fields: bounded before anything parses them, then decoded and read.

Headers are where an attacker makes a message expensive without making it large. The
standard library's structured header parsers are quadratic or worse on hostile values (a
16 KB Content-Transfer-Encoding of quotes takes a second, 20,000 encoded words in a Subject
took 3.2 GB, 80 KB of ``"`` in a From 35 s), the address parsers recurse once per nested
comment (1,000 ``(`` overflow the stack), and the message parser itself reads Content-Type
while it parses. So headers are bounded twice:

* :func:`guard_raw_headers` works on the raw bytes, before the stdlib parser sees them: it cuts
  every header field to a size the parser handles in milliseconds and drops fields past twice
  the per-message budget. It is a safety net and silent by design: it leaves what it cuts a
  little *over* the documented limits, so that the second step still sees it and says so.
* :class:`HeaderCaps` works on every parsed MIME part before any of its headers is read: it
  applies the documented limits below (size, total size, comment nesting) and records what it
  cut as warnings. A message parsed elsewhere (``mailbox``, a caller's own parser) gets the
  same limits, since :func:`drafter.mail.email_from_message` applies them too.

Only then are values decoded (RFC 2047 encoded words, raw 8-bit bytes), and the sender read
as one (display name, address) pair. Reply headers are built from that pair, never from
decoded text: an encoded word decodes to any characters at all, commas and addresses
included, and decoded text parsed again would take them for recipients.
"""

from __future__ import annotations

import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr

from drafter.mail.decode import INVISIBLE_RE, fix_8bit
from drafter.mail.util import safe, warn

#: The most characters kept of a shown header (subject, sender, to, date): RFC 5322's line
#: limit. Headers go into every prompt outside the email's budget, so they must stay short.
MAX_HEADER_CHARS = 998
#: The most bytes of one header field (name and folded lines included) that are read; the
#: rest is cut before any parsing, with a warning. Room for the References of a 100-message
#: thread; small enough that decoding a field takes milliseconds and a few MB.
MAX_HEADER_FIELD_BYTES = 16 * 1024
#: The same for ``Content-*`` fields, which the stdlib parses structurally, and quadratically,
#: each time they are read: 2 KiB holds any real one, a long RFC 2231 file name included.
MAX_MIME_FIELD_BYTES = 2 * 1024
#: The most header bytes read from one message, all MIME parts together. Fields past it are
#: dropped, with a warning, except the first of each field drafter reads (From, Subject…).
MAX_HEADER_BYTES = 256 * 1024
#: The deepest nesting of ``(`` comments read: a field is cut where comments nest deeper.
#: Real mail nests one or two; the stdlib's address parsers recurse once per level.
MAX_COMMENT_DEPTH = 32

#: The longest header given to the full RFC 5322 address parser (quadratic on quotes; 2,000
#: characters take 0.1 s at worst). Longer ones are read by :func:`_fallback_address`.
_MAX_PARSED_ADDRESS = 2_000
#: How far past the documented limit the raw-bytes guard leaves a field it cuts, so that
#: :class:`HeaderCaps` still sees it as too long and warns; and the guard's budget for a
#: whole header block: past MAX_HEADER_BYTES, so what it keeps still trips that warning,
#: yet bounded, since parsing costs about 3 µs per header line.
_GUARD_SLACK = 256
_GUARD_BUDGET = 2 * MAX_HEADER_BYTES

#: Fields drafter reads: the first of each is kept even past the header budget.
_ESSENTIAL = frozenset({
    "from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to",
    "references", "mime-version", "content-type", "content-transfer-encoding",
    "content-disposition",
})


def _field_limit(name: str) -> int:
    return MAX_MIME_FIELD_BYTES if name.startswith("content-") else MAX_HEADER_FIELD_BYTES


# ---------------------------------------------------------------------------------------------
# Before parsing: the raw bytes
# ---------------------------------------------------------------------------------------------

_NL = rb"(?:\r\n|\r|\n)"
_HEADER_START = rb"(?:[\041-\071\073-\176]*:|From |[ \t])"
#: One header field as the stdlib's feedparser splits a header block (its ``headerRE`` and
#: line ends): a line opening with a field name and a colon, an mbox "From " line, or a stray
#: continuation line, then its folded lines.
_FIELD_RE = re.compile(rb"(?:([\041-\071\073-\176]*):|From |[ \t])[^\r\n]*(?:" + _NL
                       + rb"[ \t][^\r\n]*)*(?:" + _NL + rb"|\Z)")
#: The end of a header block: a line end followed by a line that is no header line.
_BLOCK_END_RE = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?!" + _HEADER_START + rb")")
_ESSENTIAL_RE = re.compile(rb"^(" + b"|".join(n.encode() for n in sorted(_ESSENTIAL))
                           + rb"):", re.I | re.M)
_NESTED_TYPE_RE = re.compile(rb"^content-type:\s*(?:multipart|message)/", re.I | re.M)
#: A Content-* field anywhere in the message: nested MIME parts have header blocks too, and
#: the parser reads their Content-Type (boundary included) while it parses.
_MIME_FIELD_RE = re.compile(rb"^content-[\041-\071\073-\176]*:[^\r\n]*(?:" + _NL
                            + rb"[ \t][^\r\n]*)*", re.I | re.M)


def guard_raw_headers(data: bytes) -> bytes:
    """The message with no header field long enough to slow the stdlib parser down.

    Fields of the top-level header block are cut a little past their documented limit, and
    fields past the guard's budget are dropped (except the first of each essential one); in a
    multipart message, Content-* fields of the nested parts are cut the same way. Linear, and
    nothing is copied when nothing is cut, which is nearly always.
    """
    edits: list[tuple[int, int, bytes]] = []  # data[start:end] becomes the bytes
    shortest = MAX_MIME_FIELD_BYTES + _GUARD_SLACK
    match_field = _FIELD_RE.match
    pos = kept = 0
    while True:
        match = match_field(data, pos)
        if match is None:
            break
        start, pos = match.span()
        size = pos - start
        if size > shortest:  # only then can a field be over its limit
            piece = _guard_field(data, start, pos, (match.group(1) or b"").lower())
            if piece is not None:
                edits.append((start, pos, piece))
                size = len(piece)
        kept += size
        if kept > _GUARD_BUDGET:
            edits.append(_drop_rest(data, pos))
            pos = edits[-1][1]
            break
    if _NESTED_TYPE_RE.search(data, 0, pos):
        edits += _guard_mime_fields(data, pos)
    if not edits:
        return data
    pieces: list[bytes] = []
    last = 0
    for start, end, piece in edits:
        pieces += [data[last:start], piece]
        last = end
    pieces.append(data[last:])
    return b"".join(pieces)


def _guard_field(data: bytes, start: int, end: int, name: bytes) -> bytes | None:
    """The field ``data[start:end]`` cut (hard, line end kept) when far over its limit."""
    limit = _field_limit(name.decode("ascii", "replace")) + _GUARD_SLACK
    if end - start <= limit:
        return None
    return data[start:start + limit].rstrip(b"\r\n") + b"\n"


def _drop_rest(data: bytes, pos: int) -> tuple[int, int, bytes]:
    """The edit that drops the header block's fields from ``pos`` on, keeping the first of
    each essential field that has not been seen before ``pos``."""
    end = pos
    if _FIELD_RE.match(data, pos):
        found = _BLOCK_END_RE.search(data, pos)
        end = found.end() if found else len(data)
    seen = {m.group(1).lower() for m in _ESSENTIAL_RE.finditer(data, 0, pos)}
    kept: list[bytes] = []
    for essential in _ESSENTIAL_RE.finditer(data, pos, end):
        name = essential.group(1).lower()
        match = _FIELD_RE.match(data, essential.start(), end)
        if match and name not in seen:
            seen.add(name)
            start, stop = match.span()
            kept.append(_guard_field(data, start, stop, name) or data[start:stop])
    return pos, end, b"".join(kept)


def _guard_mime_fields(data: bytes, pos: int) -> list[tuple[int, int, bytes]]:
    """Edits cutting over-long Content-* fields after ``pos`` (those of nested parts)."""
    limit = MAX_MIME_FIELD_BYTES + _GUARD_SLACK
    edits: list[tuple[int, int, bytes]] = []
    for match in _MIME_FIELD_RE.finditer(data, pos):
        start, end = match.span()
        if end - start > limit:
            edits.append((start, end, data[start:start + limit].rstrip(b"\r\n")))
    return edits


# ---------------------------------------------------------------------------------------------
# After parsing, before reading: every part's header list
# ---------------------------------------------------------------------------------------------

_PAREN_RE = re.compile(r"[()]")


def _deep_comment_at(text: str) -> int:
    """Index of the ``(`` that opens a comment nested deeper than MAX_COMMENT_DEPTH, or -1.

    Quotes and escapes are not looked at: that can only find the limit early, in a header
    with dozens of parentheses, which no real one has.
    """
    if text.count("(") <= MAX_COMMENT_DEPTH:
        return -1
    depth = 0
    for match in _PAREN_RE.finditer(text):
        if match.group() == "(":
            depth += 1
            if depth > MAX_COMMENT_DEPTH:
                return match.start()
        elif depth:
            depth -= 1
    return -1


def _cut_text(value: str, limit: int) -> str:
    """At most ``limit`` characters of a header value, cut after a word where one ends near.

    Encoded words hold no whitespace and are at most 75 characters long, so a cut at
    whitespace never leaves half of one.
    """
    cut = value[:max(limit, 0)]
    space = max(cut.rfind(" "), cut.rfind("\t"), cut.rfind("\n"))
    if space > 0 and space >= len(cut) - 200:
        cut = cut[:space]
    return cut.rstrip()


class HeaderCaps:
    """The documented header limits, applied to each MIME part of one message before it is read.

    One instance per message, so MAX_HEADER_BYTES covers all its parts together. A part's
    header list is shortened in place (``Message._headers``, the raw list every accessor
    reads), because the public API parses a value to replace it, which is exactly what must not
    happen to an oversize one. ``warnings`` says what was cut.
    """

    def __init__(self) -> None:
        self.left = MAX_HEADER_BYTES
        self.dropped = 0
        self.warnings: list[str] = []
        self._done: set[int] = set()

    def apply(self, part: Message) -> None:
        headers = getattr(part, "_headers", None)
        if not isinstance(headers, list) or id(part) in self._done:
            return
        self._done.add(id(part))
        kept: list[object] = []
        seen: set[str] = set()  # essential fields kept past the budget
        changed = False
        for item in headers:
            name, value = item if isinstance(item, tuple) and len(item) == 2 else (None, None)
            if not isinstance(name, str) or not isinstance(value, str):
                kept.append(item)  # a header object a program set: already parsed
                continue
            size = len(name) + len(value) + 2
            if size <= MAX_MIME_FIELD_BYTES and size <= self.left and "(" not in value:
                self.left -= size  # the common case: nothing to cut, within the budget
                kept.append(item)
                continue
            key = name.strip().lower()
            capped = self._cap(name, key, value)
            size = len(name) + len(capped) + 2
            if size > self.left and (key not in _ESSENTIAL or key in seen):
                self.dropped += 1
                changed = True
                continue
            if size > self.left:
                seen.add(key)
            self.left = max(self.left - size, 0)
            changed = changed or capped is not value
            kept.append((name, capped) if capped is not value else item)
        if changed:
            part._headers = kept  # type: ignore[attr-defined]

    def _cap(self, name: str, key: str, value: str) -> str:
        """``value`` cut to its field's limit and comment depth, each cut warned about once."""
        label = " ".join(name.split())[:40] or "a"
        limit = _field_limit(key)
        if len(name) + 2 + len(value) > limit:
            value = _cut_text(value, limit - len(name) - 2)
            warn(self.warnings, f"{label} header longer than {limit:,} bytes; only the start "
                                "was read")
        deep = _deep_comment_at(value)
        if deep >= 0:
            value = value[:deep].rstrip()
            warn(self.warnings, f"{label} header nests comments more than "
                                f"{MAX_COMMENT_DEPTH} deep; read up to there")
        return value

    def finish(self) -> list[str]:
        """The warnings, the dropped-fields one last."""
        if self.dropped:
            warn(self.warnings, f"headers over {MAX_HEADER_BYTES // 1024} KiB in all; "
                                f"{self.dropped:,} header field(s) past that were not read")
        return self.warnings


# ---------------------------------------------------------------------------------------------
# Reading values
# ---------------------------------------------------------------------------------------------


def raw_header(msg: Message, name: str) -> str:
    """The header as it was written (no policy parsing, which can fail on malformed values)."""
    wanted = name.lower()
    try:
        for key, value in msg.raw_items():
            if key.lower() == wanted:
                return str(value)
    except Exception:
        return str(safe(lambda: msg.get(name), "") or "")
    return ""


def decode_words(value: str, warnings: list[str] | None = None, label: str = "") -> str:
    """RFC 2047 encoded words decoded, folding and runs of whitespace collapsed to one space.

    Never raises: a damaged encoded word (bad base64, an unknown charset) is decoded as far as
    it goes and otherwise kept as written, and ``warnings`` (when given) says so.
    """
    value = " ".join(fix_8bit(value).split())
    if "=?" in value:
        if warnings is not None and not _decodes_cleanly(value):
            warn(warnings, f"{label or 'a'} header has a damaged encoded word; read as far as "
                           "it decodes")
        decoded = safe(lambda: str(policy.default.header_factory("x-drafter", value)), value)
        value = fix_8bit(decoded)  # undecodable bytes come back as surrogates
    value = INVISIBLE_RE.sub("", value)
    return " ".join(value.split())


#: A well-formed encoded word, for the strict check; at most this many are checked.
_STRICT_WORD_RE = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_MAX_CHECKED_WORDS = 100


def _decodes_cleanly(value: str) -> bool:
    """Whether the strict RFC 2047 decoder accepts each encoded word in ``value``.

    Word by word, because the strict decoder also rejects raw non-ASCII text beside an
    encoded word, which is not damage.
    """
    for count, match in enumerate(_STRICT_WORD_RE.finditer(value)):
        if count == _MAX_CHECKED_WORDS:
            break
        try:
            str(make_header(decode_header(match.group())))
        except Exception:
            return False
    return True


def header(msg: Message, name: str, warnings: list[str] | None = None) -> str:
    return decode_words(raw_header(msg, name), warnings, name)


# -- addresses --------------------------------------------------------------------------------

_ADDR_RE = re.compile(r"[^@\s<>\"',;:()\[\]]+@[^@\s<>\"',;:()\[\]]+\.[^@\s<>\"',;:()\[\]]+")
#: Runs of the characters an address is made of (``_ADDR_RE``'s class, and ``@``'s sides).
_ADDR_RUN_RE = re.compile(r"[^@\s<>\"',;:()\[\]]+")

#: ``Dana Whitfield <dana@example.com>`` or a bare address: most From headers, read at once.
#: Anything else (quotes, comments, encoded words, groups, odd dots) goes to the full
#: RFC 5322 parser, which gives the same answer for these (checked on 300,000 random
#: headers) but costs a fifth of a triage email's parse.
_ATOM = r"[^\s<>()\[\]\\,;:@\".]+"
_DOT_ATOM_ADDR = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*"
_NAME_WORD = r"\w[\w'-]*(?:\.(?=\s))?"
_PLAIN_FROM_RE = re.compile(
    rf"\s*(?:({_NAME_WORD}(?:\s+{_NAME_WORD})*)?\s*<({_DOT_ATOM_ADDR})>|({_DOT_ATOM_ADDR}))\s*")
#: An RFC 2047 encoded word, whitespace inside tolerated as the stdlib parser tolerates it.
_ENCODED_WORD_RE = re.compile(r"=\?[^?]*\?[bBqQ]\?[^?]*\?=")


def _usable(address: str) -> bool:
    """An address replies can go to. One with ``=?`` or ``?=`` in it is not: encoded words
    may not appear in an address, yet the stdlib decodes them there, so such a header means
    one address to one reader and another (whatever the word decodes to) to the next."""
    return bool(_ADDR_RE.fullmatch(address)) and "=?" not in address and "?=" not in address


def _address(raw_from: str, decoded: str) -> tuple[str, str]:
    """(display name, address) of the From header, tolerating what the parsers reject.

    Read from the raw header, never from its decoded text (see the module docstring). The
    full parser is given only headers it reads quickly and without deep recursion; anything
    else, and anything it rejects, goes to :func:`_fallback_address`.
    """
    fixed = fix_8bit(raw_from)

    def registry() -> tuple[str, str]:
        parsed = policy.default.header_factory("from", fixed)
        for addr in parsed.addresses:
            if _usable(addr.addr_spec):
                return addr.display_name, addr.addr_spec
        return "", ""

    plain = _PLAIN_FROM_RE.fullmatch(fixed)
    address = (plain.group(2) or plain.group(3)) if plain else ""
    if plain and _usable(address):
        name = plain.group(1) or ""
    else:
        name, address = "", ""
        if len(fixed) <= _MAX_PARSED_ADDRESS and _deep_comment_at(fixed) < 0:
            name, address = safe(registry, ("", ""))
        if not address:
            name, address = _fallback_address(fixed, decoded)
    return " ".join(INVISIBLE_RE.sub("", fix_8bit(name)).split()), address


def _fallback_address(fixed: str, decoded: str) -> tuple[str, str]:
    """The address in a From header the RFC 5322 parser could not read, and the rest as name.

    Encoded words are blanked out first, so nothing inside one can be taken for the address;
    an address in angle brackets wins over a bare one, as mail clients reply to it.
    """
    blank = _ENCODED_WORD_RE.sub(lambda m: " " * len(m.group()), fixed)
    span = _find_address(blank)
    if span is None:
        return decoded.strip(" <>\"'"), ""
    start, end = span
    rest = f"{fixed[:start]} {fixed[end:]}" if len(fixed) <= MAX_HEADER_FIELD_BYTES else ""
    return decode_words(rest).strip(" <>\"'"), blank[start:end]


def _find_address(text: str) -> tuple[int, int] | None:
    """Span of the first address in angle brackets, else of the first bare one.

    What ``_ADDR_RE.search`` finds, in linear time: that regex backtracks quadratically
    over a long run without ``@``, so addresses are put together from runs of address
    characters that meet at an ``@``.
    """
    first: tuple[int, int] | None = None
    previous: re.Match[str] | None = None
    for run in _ADDR_RUN_RE.finditer(text):
        if previous is not None and previous.end() + 1 == run.start() and \
                text[previous.end()] == "@" and "." in run.group()[1:-1]:
            start, end = previous.start(), run.end()
            if _usable(text[start:end]):
                if text[start - 1:start] == "<" and text[end:end + 1] == ">":
                    return start, end
                first = first or (start, end)
        previous = run
    return first


def address_of(raw: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox in a raw From or To value."""
    return _address(raw, decode_words(raw))


#: Characters that make a display name read as something else (more addresses, a group, a
#: comment, an encoded word) unless it is quoted: RFC 5322's specials, as ``formataddr``
#: quotes them, and ``=?``.
_NAME_SPECIALS_RE = re.compile(r'[][\\()<>@,:;".]|=\?')


def display_address(name: str, address: str) -> str:
    """``Name <address>`` as a person reads it and a parser reads it back: one mailbox.

    The name is quoted when it holds a comma, a bracket, an ``@`` or anything else that would
    make it read as a second address (or not parse at all).
    """
    if not address:
        return name
    if not name:
        return address
    if _NAME_SPECIALS_RE.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def sender_fields(raw_from: str, warnings: list[str] | None = None) -> tuple[str, str, str]:
    """(sender as shown, display name, address) of a raw From value.

    The sender as shown is rebuilt from the parsed pair (:func:`display_address`), so it
    names exactly the mailbox that replies go to; with no address it is the decoded text.
    """
    decoded = decode_words(raw_from, warnings, "From")
    name, address = _address(raw_from, decoded)
    return (display_address(name, address) if address else decoded), name, address


def _address_list(raw: str, warnings: list[str] | None, label: str) -> str:
    """A To/Cc value as text; with encoded words, each mailbox rebuilt so it reads as one."""
    decoded = decode_words(raw, warnings, label)
    fixed = fix_8bit(raw)
    if "=?" not in fixed or len(fixed) > _MAX_PARSED_ADDRESS or _deep_comment_at(fixed) >= 0:
        return decoded

    def rebuilt() -> str:
        addresses = policy.default.header_factory(label.lower(), fixed).addresses
        if not addresses or not all(_usable(a.addr_spec) for a in addresses):
            return decoded
        return ", ".join(display_address(" ".join(INVISIBLE_RE.sub("", fix_8bit(a.display_name))
                                                  .split()), a.addr_spec) for a in addresses)

    return safe(rebuilt, decoded)


def safe_parseaddr(text: str) -> tuple[str, str]:
    """``email.utils.parseaddr`` that cannot raise, recurse deep or run long."""
    text = text[:MAX_HEADER_FIELD_BYTES]
    deep = _deep_comment_at(text)
    if deep >= 0:
        text = text[:deep]
    return safe(lambda: parseaddr(text), ("", ""))


# -- all the headers an Email carries ---------------------------------------------------------

_MSGID_RE = re.compile(r"<[^<>\s]*>")


def _message_ids(value: str) -> list[str]:
    """Message ids in a References/In-Reply-To value; bare tokens when nobody used brackets."""
    return _MSGID_RE.findall(value) or value.split()


def read_headers(msg: Message, warnings: list[str]) -> dict[str, object]:
    """The Email fields that come from headers (raw values; :class:`HeaderCaps` already ran)."""
    sender, name, address = sender_fields(raw_header(msg, "From"), warnings)
    in_reply_to = header(msg, "In-Reply-To")
    return {
        "subject": header(msg, "Subject", warnings),
        "sender": sender,
        "sender_name": name,
        "sender_address": address,
        "to": _address_list(raw_header(msg, "To"), warnings, "To"),
        "date": header(msg, "Date", warnings),
        "message_id": header(msg, "Message-ID"),
        "in_reply_to": (_message_ids(in_reply_to) or [""])[0],
        "references": _message_ids(header(msg, "References")),
    }


#: Headers people and models read; each goes into every prompt outside the email budget.
_SHOWN_HEADERS = frozenset({"subject", "sender", "sender_name", "to", "date"})


def cap_shown(key: str, value: object, warnings: list[str]) -> object:
    """A shown header cut to ``MAX_HEADER_CHARS`` (a 200 KB subject is junk, not a subject)."""
    if key not in _SHOWN_HEADERS or not isinstance(value, str) or len(value) <= MAX_HEADER_CHARS:
        return value
    warnings.append(f"{key.replace('_', ' ')} header truncated to {MAX_HEADER_CHARS} characters "
                    f"(was {len(value):,})")
    return value[:MAX_HEADER_CHARS - 1].rstrip() + "…"
