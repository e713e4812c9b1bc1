"""Reading inbox exports: mbox, Maildir, folders of ``.eml`` files, CSV and JSONL helpdesk exports.

Triage reads its inputs twice, on purpose. The *scan* walks every input once, cheaply: for a
message it reads the raw bytes, hashes them and parses only the header block (ids, subject,
sender, date), which is all that threading, de-duplication and the ledger's resume check
need. Only the emails that really need work are then *loaded* again and fully parsed (by
:func:`drafter.mail.parse_bytes`) inside the workers, so a 10,000-message mbox is never held
in memory, a resumed run parses nothing it already finished, and full MIME parsing runs in
parallel with everything else instead of in front of it.

Every input problem that concerns one message (a corrupt message, an oversize one, an empty
CSV row) becomes an :class:`Entry` with ``error`` set, so the batch goes on; only problems
with the command line itself (a path that does not exist, a ``--map`` naming an unknown
column) raise :class:`~drafter.errors.InputError`, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import mailbox
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from drafter.errors import InputError
from drafter.mail.headers import (
    HeaderCaps,
    decode_words,
    guard_raw_headers,
    raw_header,
    safe_parseaddr,
    sender_fields,
)

#: Messages larger than this (attachments included) become error rows, unparsed.
DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024
#: The fields ``--map`` can name, and the column names recognised for each without one.
#: Names are compared after lower-casing and turning every non-alphanumeric run into ``_``;
#: earlier names win. They cover Zendesk, Freshdesk, Help Scout, Intercom and Front exports.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ticket_id", "message_id", "ticket", "ticket_number", "conversation_id",
           "case_id", "case_number", "number", "uid", "key"),
    "subject": ("subject", "title", "ticket_subject", "topic", "summary", "conversation_subject",
                "source_subject"),
    "body": ("body", "description", "content", "message", "text", "comment", "body_text",
             "plain_body", "text_body", "question", "source_body", "first_message", "details"),
    "sender": ("from", "sender", "requester", "email", "requester_email", "customer_email",
               "from_email", "author", "author_email", "customer", "contact", "user_email",
               "contact_email", "source_author_email", "reporter"),
    "name": ("name", "requester_name", "customer_name", "from_name", "sender_name",
             "author_name", "contact_name", "source_author_name"),
    "date": ("date", "created_at", "created", "received", "received_at", "timestamp",
             "submitted_at", "submitted", "sent_at", "sent", "created_time", "date_created"),
    "thread": ("thread_id", "thread", "conversation", "parent_id", "in_reply_to"),
}

_MAIL_EXTS = {".eml", ".msg", ".txt", ".email"}
_MBOX_EXTS = {".mbox", ".mbx", ".mbs"}
_CSV_EXTS = {".csv", ".tsv"}
_JSONL_EXTS = {".jsonl", ".ndjson", ".json"}
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_MSGID_RE = re.compile(r"<[^<>\s]+>")


@dataclass
class Entry:
    """One message or row as the scan saw it: enough to thread it, key it and load it again.

    ``identity`` is what the ledger keys on: the Message-ID (or the helpdesk's id) when there
    is one, so the same email found in two exports is processed once, else a hash of the
    content. ``locator`` says how to read the message again; CSV/JSONL rows carry their
    (small) mapped fields in ``row`` instead.
    """

    source: str
    kind: str  # "mail" | "row"
    locator: tuple[str, ...] = ()
    ident: str = ""
    identity: str = ""
    subject: str = ""
    sender: str = ""
    sender_address: str = ""
    sender_name: str = ""
    to: str = ""
    date: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    thread_hint: str = ""
    row: dict[str, str] | None = None
    error: str | None = None
    order: int = 0


# ---------------------------------------------------------------------------------------------
# --map
# ---------------------------------------------------------------------------------------------


def parse_map(specs: Iterable[str],
              fields: Mapping[str, tuple[str, ...]] = DEFAULT_COLUMNS) -> dict[str, str]:
    """``["subject=Title,body=Description", "id=Ticket ID"]`` → ``{field: column}``.

    ``fields`` are the names ``--map`` may use (triage's, or ``drafter check``'s)."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            name, sep, column = part.partition("=")
            name = name.strip().lower()
            if not sep or not column.strip():
                raise InputError(f"--map: expected FIELD=COLUMN, got {part.strip()!r}")
            if name not in fields:
                raise InputError(f"--map: unknown field {name!r} (fields: "
                                 f"{', '.join(fields)})")
            mapping[name] = column.strip()
    return mapping


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def resolve_columns(columns: list[str], mapping: dict[str, str],
                    fields: Mapping[str, tuple[str, ...]] = DEFAULT_COLUMNS,
                    required: tuple[str, str] = ("body", "message-body")) -> dict[str, str]:
    """Which column holds each field: ``--map`` first, then the recognised default names.

    A ``--map`` column that is not there is a usage error (exit 2); so is an export with no
    recognisable column for the ``required`` field (its name, and how to say it), because
    every row would fail the same way. ``fields``: triage's names, or ``drafter check``'s.
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    # Nested JSON keys are flattened to "a.b.c"; their last part also counts as a name.
    by_leaf: dict[str, str] = {}
    for col in columns:
        by_leaf.setdefault(_norm(col.rsplit(".", 1)[-1]), col)
    resolved: dict[str, str] = {}
    for name, column in mapping.items():
        if column in columns:
            resolved[name] = column
        elif _norm(column) in by_norm:
            resolved[name] = by_norm[_norm(column)]
        else:
            raise InputError(f"--map {name}={column}: no such column (columns: "
                             f"{', '.join(columns[:30])})")
    taken = set(resolved.values())
    for name, candidates in fields.items():
        if name in resolved:
            continue
        for table in (by_norm, by_leaf):
            hit = next((table[c] for c in candidates if c in table and table[c] not in taken),
                       None)
            if hit:
                resolved[name] = hit
                taken.add(hit)
                break
    field, what = required
    if field not in resolved:
        raise InputError(f"no {what} column found (columns: {', '.join(columns[:30])}); "
                         f"name it with --map {field}=COLUMN")
    return resolved


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def detect(path: Path, *, explicit: bool = True) -> str:
    """The reader for a path: maildir, folder, mbox, csv, jsonl, json, eml; ``skip`` for
    files inside a folder that are not mail (READMEs, images, ``.DS_Store``)."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "folder"
    ext = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "eml"  # the load reports the error on this file's row
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ext in _CSV_EXTS:
        return "csv"
    if ext in _JSONL_EXTS:
        return "json" if stripped.startswith(b"[") else "jsonl"
    if head.startswith(b"From ") or ext in _MBOX_EXTS:
        return "mbox"
    if ext in _MAIL_EXTS:
        return "eml"
    if stripped.startswith(b"{"):
        return "jsonl"
    if _HEADER_LINE.match(head):
        return "eml"
    return "eml" if explicit else "skip"


#: The columns a triage rows file has (``--out``) and a customer export never has together.
_OWN_ROW_COLUMNS = (b'"rank"', b'"priority"', b'"draft_text"', b'"escalation_required"')


def _drafters_own(path: Path, kind: str) -> bool:
    """Whether ``path`` is drafter's own output: a rows file of an earlier triage run or a
    reply draft (``X-Drafter-Check`` among its headers)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    if kind == "eml":
        headers = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
        return b"\nX-Drafter-Check:" in b"\n" + headers
    if kind in ("jsonl", "json"):
        return all(col in head for col in _OWN_ROW_COLUMNS)
    if kind == "csv":
        first = head.split(b"\n", 1)[0]
        return all(col.strip(b'"') in first for col in _OWN_ROW_COLUMNS)
    return False


def check_inputs(paths: list[Path]) -> None:
    """Fail early, before any work, on a path that is not there or cannot be read."""
    for path in paths:
        if not path.exists():
            raise InputError(f"input not found: {path}")
        if not os.access(path, os.R_OK):
            raise InputError(f"input not readable: {path}")
        if not (path.is_file() or path.is_dir()):
            # /dev/zero, a FIFO, a socket: no end to read to, or nothing to read at all.
            raise InputError(f"input is not a file or a folder: {path}")


# ---------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------


class Sources:
    """The inputs of one run: scans them, and loads single messages again on demand.

    Mailboxes stay open between the scan and the loads (a ``mailbox.mbox`` indexes its file
    once); a lock per mailbox makes loads from worker threads safe, since they share a file
    position.
    """

    def __init__(self, paths: list[Path], mapping: dict[str, str] | None = None,
                 max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.paths = paths
        self.mapping = mapping or {}
        self.max_bytes = max_bytes
        self.skipped: list[str] = []
        self._boxes: dict[str, mailbox.Mailbox] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._columns: dict[str, dict[str, str]] = {}

    # -- validation --------------------------------------------------------------------------

    def validate(self) -> None:
        """Paths exist, and every CSV/JSONL has a body column: usage errors, before any work."""
        check_inputs(self.paths)
        for path in self.paths:
            kind = detect(path)
            if kind in ("csv", "jsonl", "json"):
                try:
                    self._columns[str(path)] = resolve_columns(_peek_columns(path, kind),
                                                               self.mapping)
                except InputError as exc:
                    raise InputError(f"{path}: {exc}") from None  # which file of several

    # -- scan -----------------------------------------------------------------------------------

    def scan(self) -> Iterator[Entry]:
        """Every message and row of every input, in input order, numbered by ``order``."""
        order = 0
        for path in self.paths:
            for entry in self._scan_path(path, explicit=True):
                entry.order = order
                order += 1
                yield entry

    def _scan_path(self, path: Path, *, explicit: bool) -> Iterator[Entry]:
        kind = detect(path, explicit=explicit)
        if kind == "folder":
            for child in sorted(path.iterdir()):
                if child.name.startswith("."):
                    continue
                yield from self._scan_path(child, explicit=False)
        elif kind == "skip" or (not explicit and _drafters_own(path, kind)):
            # Inside a folder: not mail, or a file an earlier run wrote (its rows, its reply
            # drafts), which must never be read back as customers' messages.
            self.skipped.append(str(path))
        elif kind in ("mbox", "maildir"):
            yield from self._scan_mailbox(path, kind)
        elif kind == "eml":
            yield self._scan_file(path)
        else:
            try:
                yield from self._scan_rows(path, kind)
            except InputError as exc:
                if explicit:
                    raise InputError(f"{path}: {exc}") from None
                self.skipped.append(str(path))  # a table without messages, in a folder

    def _scan_mailbox(self, path: Path, kind: str) -> Iterator[Entry]:
        try:
            box: mailbox.Mailbox = (mailbox.mbox(path, create=False) if kind == "mbox"
                                    else mailbox.Maildir(path, factory=None, create=False))
            keys = list(box.iterkeys())
        except (OSError, mailbox.Error) as exc:
            yield Entry(source=str(path), kind="mail", error=f"cannot read {kind}: {exc}",
                        ident=_hash_id(str(path).encode()), identity=f"file:{path}")
            return
        self._boxes[str(path)] = box
        self._locks[str(path)] = threading.Lock()
        for key in keys:
            label = f"{path}#{key}" if kind == "mbox" else f"{path}/{key}"
            try:
                raw = self._box_bytes(str(path), key)
            except (OSError, KeyError, mailbox.Error) as exc:
                yield Entry(source=label, kind="mail", error=f"cannot read message: {exc}",
                            ident=_hash_id(label.encode()), identity=f"missing:{label}")
                continue
            yield self._mail_entry(label, (kind, str(path), str(key)), raw)

    def _scan_file(self, path: Path) -> Entry:
        try:
            size = path.stat().st_size
            raw = b"" if size > self.max_bytes else path.read_bytes()
        except OSError as exc:
            return Entry(source=str(path), kind="mail", error=f"cannot read: {exc.strerror}",
                         ident=_hash_id(str(path).encode()), identity=f"file:{path}")
        if size > self.max_bytes:
            return self._oversize(str(path), size, ("file", str(path)))
        return self._mail_entry(str(path), ("file", str(path)), raw)

    def _mail_entry(self, label: str, locator: tuple[str, ...], raw: bytes) -> Entry:
        if len(raw) > self.max_bytes:
            return self._oversize(label, len(raw), locator, raw[:65536])
        entry = Entry(source=label, kind="mail", locator=locator)
        _fill_headers(entry, raw)
        digest = hashlib.sha256(raw).hexdigest()
        entry.ident = entry.message_id or f"sha256:{digest[:16]}"
        entry.identity = f"msgid:{entry.message_id}" if entry.message_id else f"sha256:{digest}"
        if not raw.strip():
            entry.error = "empty message"
        return entry

    def _oversize(self, label: str, size: int, locator: tuple[str, ...],
                  head: bytes = b"") -> Entry:
        """An error row for a message too large to parse; its headers still identify it."""
        entry = Entry(source=label, kind="mail", locator=locator)
        if head:
            _fill_headers(entry, head)
        entry.ident = entry.message_id or _hash_id(f"{label}:{size}".encode())
        entry.identity = (f"msgid:{entry.message_id}" if entry.message_id
                          else f"oversize:{label}:{size}")
        entry.error = (f"message is {size / 2**20:.1f} MiB, over the "
                       f"{self.max_bytes / 2**20:.0f} MiB limit (--max-message-size); "
                       "handle it by hand")
        return entry

    def _scan_rows(self, path: Path, kind: str) -> Iterator[Entry]:
        columns = self._columns.get(str(path))
        try:
            for index, record in read_records(path, kind):
                label = f"{path}:{index}"
                if isinstance(record, str):  # a line that is not a JSON object
                    yield _bad_row(label, record)
                    continue
                if columns is None:
                    columns = resolve_columns(list(record), self.mapping)
                fits = columns
                if kind == "jsonl" and columns["body"] not in record:
                    # JSONL records need not share keys ("body" in one, "description" in
                    # the next): a record the file's columns miss gets its own.
                    try:
                        fits = resolve_columns(list(record), self.mapping)
                    except InputError as exc:
                        yield _bad_row(label, str(exc))
                        continue
                yield _row_entry(label, record, fits)
        except (OSError, UnicodeError, csv.Error, ValueError) as exc:
            yield Entry(source=str(path), kind="row", error=f"cannot read {kind}: {exc}",
                        ident=_hash_id(str(path).encode()), identity=f"file:{path}")

    # -- load -----------------------------------------------------------------------------------

    def load(self, entry: Entry) -> bytes | dict[str, str]:
        """The message bytes (or the row's fields) again, for the full parse in a worker.

        A mailbox message is parsed by the worker itself (compat32, no sniffing), so its
        header fields are cut to size here, before that parse (see
        :func:`drafter.mail.headers.guard_raw_headers`); a file goes through
        :func:`drafter.mail.parse_bytes`, which does the same.
        """
        if entry.kind == "row":
            return dict(entry.row or {})
        kind, where, *rest = entry.locator
        if kind == "file":
            return Path(where).read_bytes()
        return guard_raw_headers(self._box_bytes(where, rest[0] if kind == "maildir"
                                                 else int(rest[0])))

    def _box_bytes(self, where: str, key: Any) -> bytes:
        box = self._boxes[where]
        with self._locks[where]:
            if isinstance(box, mailbox.mbox):
                return box.get_bytes(int(key))
            return box.get_bytes(key)

    def close(self) -> None:
        for box in self._boxes.values():
            with contextlib.suppress(OSError):
                box.close()
        self._boxes.clear()


def _bad_row(label: str, error: str) -> Entry:
    """An error row for a record that cannot be read, keyed by where it stands."""
    return Entry(source=label, kind="row", error=error, ident=_hash_id(label.encode()),
                 identity=f"bad:{label}")


def _hash_id(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()[:16]}"


def _header_block(raw: bytes) -> bytes:
    """The bytes up to the first blank line (the header block), bounded."""
    raw = raw[:262144]
    cut = len(raw)
    for sep in (b"\n\n", b"\r\n\r\n"):
        at = raw.find(sep)
        if at != -1:
            cut = min(cut, at)
    return raw[:cut] + b"\n\n"


def decode_header_value(value: Any) -> str:
    """An RFC 2047 header as text, whitespace collapsed; never raises on malformed input.

    The strict decoder is tried first (it is the fast one); a value it rejects (bad base64,
    an unknown charset) is decoded by the mail reader's lenient decoder, which keeps what
    does not decode as written: the full parse makes the same of it, and warns.
    """
    try:
        text = str(value or "")
    except Exception:  # a compat32 Header object over undecodable bytes
        return ""
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except Exception:  # HeaderParseError, LookupError, UnicodeError…
            return decode_words(text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())


def _fill_headers(entry: Entry, raw: bytes) -> None:
    """Ids, subject, sender, recipients and date from the header block alone (cheap).

    The header fields are cut to the mail reader's limits before anything parses them (the
    scan runs in the main thread: one hostile header must not stall or crash the batch), and
    the sender is read exactly as the full parse reads it.
    """
    block = _header_block(raw)
    if not _HEADER_LINE.match(block.lstrip(b"\r\n")) and not block.startswith(b"From "):
        return  # a plain-text file: the full parse finds what there is
    try:
        msg = BytesHeaderParser(policy=compat32).parsebytes(guard_raw_headers(block))
    except Exception:  # the stdlib parser is lenient; this is a last line of defence
        return
    HeaderCaps().apply(msg)
    entry.subject = decode_header_value(msg.get("Subject"))
    entry.sender, name, address = sender_fields(raw_header(msg, "From"))
    entry.sender_name, entry.sender_address = name, address.lower()
    entry.to = decode_header_value(msg.get("To"))
    entry.date = decode_header_value(msg.get("Date"))
    entry.message_id = _first_id(decode_header_value(msg.get("Message-ID")))
    entry.in_reply_to = _first_id(decode_header_value(msg.get("In-Reply-To")))
    entry.references = _MSGID_RE.findall(decode_header_value(msg.get("References")))


def _first_id(value: str) -> str:
    found = _MSGID_RE.search(value)
    return found.group(0) if found else value.strip()


# -- CSV / JSONL ------------------------------------------------------------------------------

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _decode(data: bytes) -> str:
    for codec in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _dialect(path: Path, text: str) -> Any:
    """Comma, semicolon (European spreadsheets), tab or pipe: whatever the header uses."""
    if path.suffix.lower() == ".tsv":
        return "excel-tab"
    try:
        return csv.Sniffer().sniff(text[:8192].split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        return "excel"


def _peek_columns(path: Path, kind: str) -> list[str]:
    """Column names from a CSV header or the first JSON object (for early --map checks)."""
    try:
        for _, record in read_records(path, kind):
            if isinstance(record, dict):
                return list(record)
    except (OSError, UnicodeError, csv.Error, ValueError):
        return []
    return []


def read_records(path: Path, kind: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(row number, flattened record) pairs; a string instead of a record says what is wrong."""
    if kind == "csv":
        text = _decode(path.read_bytes())
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(path, text))
        for record in reader:
            extra = record.pop(None, None)  # type: ignore[call-overload]
            clean = {k: (v or "") for k, v in record.items() if k is not None}
            if extra:
                clean["_extra"] = ",".join(str(x) for x in extra)
            yield reader.line_num, clean
        return
    if kind == "json":
        data = json.loads(_decode(path.read_bytes()))
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items, 1):
            yield i, _flatten(item) if isinstance(item, dict) else "not a JSON object"
        return
    with path.open("rb") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(_decode(line))
            except ValueError as exc:
                yield i, f"not valid JSON: {exc}"
                continue
            yield i, _flatten(item) if isinstance(item, dict) else "not a JSON object"


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested objects as dotted keys (``source.author.email``); lists of text joined."""
    flat: dict[str, str] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = "\n".join(str(v) for v in value if not isinstance(v, dict | list))
        elif value is None:
            flat[name] = ""
        else:
            flat[name] = str(value)
    return flat


def _row_entry(label: str, record: dict[str, str], columns: dict[str, str]) -> Entry:
    """An Entry for one helpdesk row: the mapped fields, and an error when there is no body."""
    mapped = {name: str(record.get(col, "") or "").strip() for name, col in columns.items()}
    sender = mapped.get("sender", "")
    name, address = safe_parseaddr(sender)
    if not address and "@" not in sender:
        name, address = sender, ""
    entry = Entry(source=label, kind="row", row=mapped, subject=mapped.get("subject", ""),
                  sender=sender, sender_address=address.lower(),
                  sender_name=mapped.get("name", "") or name, date=mapped.get("date", ""),
                  thread_hint=mapped.get("thread", ""))
    raw_id = mapped.get("id", "")
    digest = hashlib.sha256(json.dumps(mapped, sort_keys=True).encode()).hexdigest()
    entry.ident = raw_id or f"sha256:{digest[:16]}"
    entry.identity = f"ticket:{raw_id}" if raw_id else f"sha256:{digest}"
    if not any(v for v in record.values()):
        entry.error = "empty row"
    elif not mapped.get("body"):
        entry.error = f"no message text in column {columns['body']!r}"
    return entry
