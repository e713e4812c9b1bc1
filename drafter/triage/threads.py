"""Threads: of several messages in one conversation, only the customer's newest is answered.

A customer who wrote three times about one order wants one reply, to the latest message
(which usually quotes the others). Messages are grouped into conversations by the ids in
``Message-ID`` / ``In-Reply-To`` / ``References`` (joined through ids whose message is not in
the export, too), by a helpdesk export's thread column, and — for mail clients that drop
those headers — by the normalised subject from the same sender address.

Within a conversation the earliest message's sender is taken to be the customer (support
inboxes receive; they do not start conversations) and the addresses that message was sent
*to* are the business, as are any addresses given with ``--ours``. The business's own
messages and the customer's older ones are *superseded*: they get a row, but no model call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import getaddresses

from drafter.triage.priority import parse_date
from drafter.triage.sources import Entry

_PREFIX_RE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|tr|rv|ref|antw)\s*(?:\[\d+\])?\s*:\s*"
                        r"|\[[^\]]{1,40}\]\s*)+", re.IGNORECASE)


def normalise_subject(subject: str) -> str:
    """``"RE: Fwd: [Ticket #12] Where is my order?"`` → ``"where is my order?"``."""
    return " ".join(_PREFIX_RE.sub("", subject or "").lower().split())


@dataclass
class Superseded:
    """Why a message gets no reply of its own."""

    by: str  # the ident of the message that is answered instead ("" if none)
    reason: str


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def group_threads(entries: list[Entry]) -> dict[int, str]:
    """``order`` → thread id (the root node's name), for every entry without an error."""
    union = _Union()
    for e in entries:
        if e.error:
            continue
        node = f"o:{e.order}"
        union.find(node)
        for ref in (e.message_id, e.in_reply_to, *e.references):
            if ref:
                union.join(f"m:{ref}", node)
        if e.thread_hint:
            union.join(f"t:{e.thread_hint}", node)
        subject = normalise_subject(e.subject)
        if subject and e.sender_address and len(subject) >= 4:
            union.join(f"s:{e.sender_address}\x00{subject}", node)
    return {e.order: union.find(f"o:{e.order}") for e in entries if not e.error}


def _when(entry: Entry) -> float:
    parsed = parse_date(entry.date)
    return parsed.timestamp() if parsed else float("-inf")


def _addresses(header: str) -> set[str]:
    return {addr.lower() for _, addr in getaddresses([header]) if "@" in addr}


def _is_ours(address: str, ours: set[str]) -> bool:
    domain = address.rsplit("@", 1)[-1]
    return address in ours or domain in ours or f"@{domain}" in ours


def analyse_threads(entries: Iterable[Entry], ours: Iterable[str] = ()
                    ) -> tuple[dict[int, Superseded], dict[int, str]]:
    """(``order`` → why it is superseded, ``order`` → thread label) for readable entries.

    The label is a hash of the smallest ident in the thread, so it is the same in every run
    over the same export, whatever order the messages come in.
    """
    entries = [e for e in entries if not e.error]
    thread_of = group_threads(entries)
    threads: dict[str, list[Entry]] = {}
    for e in entries:
        threads.setdefault(thread_of[e.order], []).append(e)
    ours_set = {o.lower().strip() for o in ours if o.strip()}
    superseded: dict[int, Superseded] = {}
    labels: dict[int, str] = {}
    for members in threads.values():
        label = hashlib.sha256(min(e.ident for e in members).encode()).hexdigest()[:12]
        for e in members:
            labels[e.order] = label
        superseded.update(_superseded_in(members, ours_set))
    return superseded, labels


def _superseded_in(members: list[Entry], ours: set[str]) -> dict[int, Superseded]:
    """The business's messages and all but the customer's newest, in one thread."""
    if len(members) < 2 and not ours:
        return {}
    members = sorted(members, key=lambda e: (_when(e), e.order))  # oldest first
    business = ours | _addresses(members[0].to)
    customer = members[0].sender_address
    result: dict[int, Superseded] = {}
    theirs: list[Entry] = []
    for e in members:
        addr = e.sender_address
        if addr and (_is_ours(addr, ours) or (addr != customer and _is_ours(addr, business))):
            result[e.order] = Superseded("", "sent by the business (context only)")
        else:
            theirs.append(e)
    if theirs:
        newest = max(theirs, key=lambda e: (_when(e), e.order))
        for e in theirs:
            if e is not newest:
                result[e.order] = Superseded(
                    newest.ident, f"an older message in its thread; answered: {newest.ident}")
    return result
