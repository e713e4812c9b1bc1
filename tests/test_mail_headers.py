"""Hostile headers (issue 11): reply recipients, malformed values, size, IDN domains, controls.

Each test is a regression test for one finding of the second attack on drafter:

* the reply's ``To`` was rebuilt from the decoded display name, so an encoded name could add a
  recipient or replace the real one; now it is built from the parsed (name, address) pair and
  holds exactly one address, the real one (1);
* one malformed header (bad base64 in an encoded word, 1,000 ``(`` in From) raised out of the
  triage scan or ``drafter draft``; now it degrades, with a warning (2);
* huge headers took gigabytes or minutes before they were capped; now they are cut before the
  standard library parses them, and the time and memory of reading them are bounded (3);
* an internationalised domain crashed ``--format eml`` (7);
* control characters in a subject reached the ``.eml`` headers raw (21).
"""

from __future__ import annotations

import email
import json
import mailbox
import signal
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import drafter.mail
from drafter.cli import app
from drafter.mail import MAX_HEADER_CHARS, parse_bytes
from drafter.mail.headers import guard_raw_headers
from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email
from drafter.render import to_eml
from drafter.triage.sources import Sources
from drafter.triage.work import parse_entry

ROOT = Path(__file__).resolve().parent.parent
BODY = b"\n\nMy order 4417 never arrived and I want a refund.\n"


def message(from_: str = "Dana <dana@example.com>", subject: str = "Where is my order?",
            to: str = "Support <support@shop.example>", msgid: str = "m1") -> bytes:
    return (f"From: {from_}\nTo: {to}\nSubject: {subject}\n"
            f"Message-ID: <{msgid}@mail.example.com>\n").encode() + BODY


def reply(mail: Email, subject: str = "Re: Where is my order?") -> email.message.EmailMessage:
    """The .eml reply drafter writes for ``mail``, parsed back as a mail client reads it."""
    result = DraftResult(email=mail, analysis=Analysis(summary="late order"),
                         draft=Draft(subject, "Hi,\n\nI'm so sorry."), check=CheckResult(),
                         engine="offline")
    return email.message_from_string(to_eml(result), policy=policy.default)


def recipients(msg: email.message.EmailMessage) -> list[tuple[str, str]]:
    return [(a.display_name, a.addr_spec) for name in ("To", "Cc", "Bcc")
            for header in msg.get_all(name, []) for a in header.addresses]


# --- 1. the reply goes to exactly one address: the real one -----------------------------------

HOSTILE_FROM = [
    # a comma in an encoded name: the reply went to "=?utf-8?q?M=C3=BCller?=" and "Hans <…>"
    ("=?utf-8?q?M=C3=BCller=2C_Hans?= <hans@example.com>", "Müller, Hans", "hans@example.com"),
    # an encoded name that adds a recipient
    ("=?utf-8?q?Dana_<dana@x>=2C_evil@attacker.example=2C?= <dana@example.com>",
     "Dana <dana@x>, evil@attacker.example,", "dana@example.com"),
    # an encoded name that is itself an address
    ("=?utf-8?q?evil@attacker.example?= <dana@example.com>", "evil@attacker.example",
     "dana@example.com"),
    # too long for the RFC 5322 parser: read by the fallback, encoded words blanked out
    ("=?utf-8?q?evil@attacker.example=2C?= " + "x " * 1_200 + "<dana@example.com>", None,
     "dana@example.com"),
    # an encoded word the RFC 5322 parser chokes on (IndexError)
    ("=?utf-8?q?<evil@attacker.example>?= dana@example.com", None, "dana@example.com"),
]


@pytest.mark.parametrize("from_, name, address", HOSTILE_FROM,
                         ids=["comma", "added-recipient", "name-is-address", "long", "unparsable"])
def test_the_reply_goes_to_the_real_address_only(from_: str, name: str | None,
                                                 address: str) -> None:
    mail = parse_bytes(message(from_))
    assert mail.sender_address == address
    if name is not None:
        assert mail.sender_name == name
    got = recipients(reply(mail))
    assert [addr for _, addr in got] == [address]
    if name is not None:
        assert got[0][0] == name


@pytest.mark.parametrize("from_, name, address", HOSTILE_FROM[:3],
                         ids=["comma", "added-recipient", "name-is-address"])
def test_the_sender_shown_reads_back_as_that_one_mailbox(from_: str, name: str,
                                                         address: str) -> None:
    mail = parse_bytes(message(from_))
    shown = policy.default.header_factory("from", mail.sender).addresses
    assert [(a.display_name, a.addr_spec) for a in shown] == [(name, address)]


def test_the_triage_scan_reads_the_same_sender_as_the_full_parse(tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_bytes(message(HOSTILE_FROM[1][0]))
    entry = next(iter(Sources([path]).scan()))
    assert entry.sender_address == "dana@example.com"  # not the "dana@x" of the display name
    assert entry.sender == parse_bytes(path.read_bytes()).sender


_NAME_CHARS = st.sampled_from(list('aZ é中 ,;:<>@"\\()[]=?._-\'\t\r\n\x00\x1b\u2028\u202e'))
_ADDRESSES = st.sampled_from(["dana@example.com", "o'neil+tag@mail.example.co.uk",
                              "hans@bücher.example", "j.doe@sub.example.org"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(name=st.text(_NAME_CHARS, max_size=40), address=_ADDRESSES)
def test_whatever_the_display_name_the_reply_has_one_recipient(name: str, address: str) -> None:
    mail = Email(body="My order never arrived.", sender_name=name, sender_address=address,
                 sender=f"{name} <{address}>", to="support@shop.example")
    got = recipients(reply(mail))
    expected = address.replace("bücher", "xn--bcher-kva")
    assert [addr for _, addr in got] == [expected]


_FROM_PIECES = st.sampled_from([*'aZé中 ,;:<>@"\\()[]=?._-\'\t', "=?utf-8?q?", "=?utf-8?b?", "?=",
                                 "=2C", "=3C", "=40", "\r\n ", "((", "dana@example.com",
                                 "<evil@attacker.example>", "hans@bücher.example"])


def _idna(address: str) -> str:
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(_FROM_PIECES, max_size=30))
def test_whatever_the_from_header_the_reply_has_at_most_the_parsed_address(
        pieces: list[str]) -> None:
    mail = parse_bytes(message(from_="".join(pieces)))
    got = [addr for _, addr in recipients(reply(mail))]
    assert got in ([], [mail.sender_address], [_idna(mail.sender_address)])


# --- 2. a malformed header degrades; the batch goes on ----------------------------------------

BAD_BASE64 = message(subject="=?utf-8?b?abcde?=", msgid="bad-base64")
DEEP_COMMENTS = message(from_="(" * 1_000, msgid="deep-comments")


def test_a_bad_base64_subject_is_kept_with_a_warning() -> None:
    mail = parse_bytes(BAD_BASE64)
    assert "abcde" in mail.subject
    assert any("Subject" in w and "encoded word" in w for w in mail.warnings)


def test_deeply_nested_comments_in_from_do_not_recurse() -> None:
    mail = parse_bytes(DEEP_COMMENTS)
    assert mail.body.startswith("My order 4417")
    assert mail.sender_address == ""
    assert any("nests comments" in w for w in mail.warnings)


def _write_hostile_inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "1-bad-base64.eml").write_bytes(BAD_BASE64)
    (folder / "2-deep-comments.eml").write_bytes(DEEP_COMMENTS)
    (folder / "3-good.eml").write_bytes(message())
    (folder / "4-rows.csv").write_text('id,from,subject,body\n7,"' + "(" * 1_000
                                       + '",hi,My order never arrived.\n')
    return folder


def test_the_triage_scan_survives_malformed_headers(tmp_path: Path) -> None:
    entries = list(Sources([_write_hostile_inputs(tmp_path / "in")]).scan())
    assert len(entries) == 4 and not any(e.error for e in entries)
    assert "abcde" in entries[0].subject
    assert entries[2].sender_address == "dana@example.com"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)


def test_drafter_draft_reads_a_from_of_a_thousand_parentheses(offline: None,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "deep.eml"
    path.write_bytes(DEEP_COMMENTS)
    result = CliRunner().invoke(app, ["draft", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["email"]["body"].startswith("My order 4417")


def _triage(tmp_path: Path, *inputs: Path) -> list[dict]:
    """``drafter triage`` over ``inputs``, drafting every email (``--min-anger 0``); its rows."""
    out = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(app, ["triage", *map(str, inputs), "--engine", "offline",
                                      "--store", str(tmp_path / "ledger.sqlite"), "--out",
                                      str(out), "--drafts", str(tmp_path / "drafts"),
                                      "--min-anger", "0"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_drafter_triage_goes_on_past_malformed_headers(offline: None, tmp_path: Path) -> None:
    rows = {r["id"]: r for r in _triage(tmp_path, _write_hostile_inputs(tmp_path / "in"))}
    assert len(rows) == 4  # every message and row, none lost to a crashed scan
    for ident in ("<bad-base64@mail.example.com>", "<deep-comments@mail.example.com>",
                  "<m1@mail.example.com>"):
        assert rows[ident]["status"] == "drafted", rows[ident]
    assert "internal error" not in rows["7"]["error"]  # at worst a one-line error row


# --- 3. header size: cut before parsing, bounded time and memory ------------------------------


def _encoded_words(count: int) -> str:
    return " ".join(["=?utf-8?q?abc?="] * count)


def _address_list(size: int) -> str:
    return ", ".join(f"user{i}@x.example" for i in range(size // 17))


HUGE = {
    # 20,000 encoded words (a 320 KB file): 3.2 GB before
    "subject-320KB": message(subject=_encoded_words(20_000)),
    # the same at 10 MB: over 23 GB and a kill before
    "subject-10MB": message(subject=_encoded_words(625_000)),
    # 80 KB of quotes in From: 35 s before
    "quotes-in-from": message(from_='"' * 80_000),
    # a 1.6 MB address list: 82 s before
    "to-list-1.6MB": message(to=_address_list(1_600_000)),
    "from-list-1.6MB": message(from_=_address_list(1_600_000)),
    # 200,000 header lines (1.4 MB): bounded by the total header budget
    "many-fields": b"From: Dana <dana@example.com>\n" + b"X-A: b\n" * 200_000
                   + b"Subject: refund" + BODY,
    # nested parts whose Content-* fields the parser reads while parsing: 23 s for five before
    "nested-content-fields": b"From: dana@example.com\nContent-Type: multipart/mixed; "
                             b"boundary=b\n\n" + b"".join(
        b"--b\nContent-Type: text/plain; charset=" + b'"' * 16_000 + b"\nContent-Transfer-"
        b"Encoding: " + b";" * 160_000 + b"\n\nMy order never arrived.\n" for _ in range(5))
                             + b"--b--\n",
    "nested-boundary": b"From: dana@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
                       b"--b\nContent-Type: multipart/mixed; boundary=c" + b";" * 1_000_000
                       + b"\n\n--c\nContent-Type: text/plain\n\nMy order never arrived.\n"
                       b"--c--\n--b--\n",
}


def _readers(tmp_path: Path, data: bytes) -> dict[str, Callable[[], object]]:
    """Every way drafter reads a message: the full parse, triage's scan and its mbox load."""
    path = tmp_path / "m.eml"
    path.write_bytes(data)
    box = mailbox.mbox(tmp_path / "m.mbox")
    box.add(data)
    box.flush()
    sources = Sources([tmp_path / "m.mbox"], max_bytes=64 * 2**20)
    entry = next(iter(sources.scan()))
    return {
        "parse_bytes": lambda: parse_bytes(data),
        "scan": lambda: list(Sources([path], max_bytes=64 * 2**20).scan()),
        "mbox": lambda: parse_entry(entry, sources.load(entry)),
    }


@contextmanager
def _hard_limit(seconds: int) -> Iterator[None]:
    """Fail, rather than hang CI, if the code under test runs away."""
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", HUGE)
def test_huge_headers_are_read_in_bounded_time_and_memory(case: str, tmp_path: Path) -> None:
    for reader, read in _readers(tmp_path, HUGE[case]).items():
        with _hard_limit(20):
            start = time.perf_counter()
            read()
            elapsed = time.perf_counter() - start
            tracemalloc.start()
            try:
                read()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert elapsed < 2.0, f"{reader}: {elapsed:.2f} s"
        assert peak < 64 * 2**20, f"{reader}: {peak / 2**20:.0f} MiB"


def test_a_huge_subject_is_cut_with_a_warning_and_the_rest_still_read() -> None:
    mail = parse_bytes(HUGE["subject-320KB"])
    assert mail.subject.startswith("abc") and len(mail.subject) <= MAX_HEADER_CHARS
    assert (mail.sender_address, mail.message_id) == ("dana@example.com",
                                                      "<m1@mail.example.com>")
    assert any(f"Subject header longer than {drafter.mail.MAX_HEADER_FIELD_BYTES:,} bytes" in w
               for w in mail.warnings)


def test_past_the_header_budget_the_fields_drafter_reads_are_still_read() -> None:
    data = (b"X-Junk: " + b"j" * 1_000 + b"\n") * 1_000 + message()  # 1 MB of junk first
    for mail in (parse_bytes(data),
                 drafter.mail.email_from_message(BytesParser(policy=policy.compat32)
                                                 .parsebytes(guard_raw_headers(data)))):
        assert (mail.sender_address, mail.subject) == ("dana@example.com", "Where is my order?")
        assert any("headers over 256 KiB in all" in w for w in mail.warnings)


def test_a_message_parsed_elsewhere_gets_the_same_limits() -> None:
    msg = email.message_from_bytes(HUGE["quotes-in-from"], policy=policy.default)
    with _hard_limit(20):
        start = time.perf_counter()
        mail = drafter.mail.email_from_message(msg)
    assert time.perf_counter() - start < 2.0
    assert any("From header longer than" in w for w in mail.warnings)


def test_ordinary_mail_passes_the_guard_untouched() -> None:
    paths = [*(ROOT / "tests" / "data" / "mail").glob("*.eml"), *(ROOT / "examples").glob("*.eml")]
    assert paths
    for path in paths:
        data = path.read_bytes()
        assert guard_raw_headers(data) is data, path.name


def test_the_limits_are_public_and_ordered() -> None:
    assert drafter.mail.MAX_MIME_FIELD_BYTES < drafter.mail.MAX_HEADER_FIELD_BYTES \
        < drafter.mail.MAX_HEADER_BYTES
    assert drafter.mail.MAX_COMMENT_DEPTH >= 8


# --- 7. internationalised domains --------------------------------------------------------------


def test_an_idn_support_address_is_written_as_punycode() -> None:
    msg = reply(parse_bytes(message(to="support@bücher.example")))
    assert [a.addr_spec for a in msg["From"].addresses] == ["support@xn--bcher-kva.example"]
    assert msg["Message-ID"].isascii()


def test_an_idn_customer_address_is_written_as_punycode() -> None:
    msg = reply(parse_bytes(message(from_="Jürgen Weiß <j@bücher.example>")))
    assert recipients(msg) == [("Jürgen Weiß", "j@xn--bcher-kva.example")]


@pytest.mark.parametrize("address", ["max@straße.de", "müller@example.com",
                                     "ana@ＥＸＡＭＰＬＥ.com"])
def test_an_address_idna_would_change_is_kept_exactly(address: str) -> None:
    # IDNA 2003 (Python's codec) maps ß to ss and full-width letters to ASCII: another domain.
    # Such addresses, and non-ASCII local parts, are written as SMTPUTF8 mail instead.
    msg = reply(Email(body="Where is my order?", sender_name="Max", sender_address=address))
    assert recipients(msg) == [("Max", address)]


def test_triage_drafts_idn_mail_instead_of_erroring(offline: None, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "idn.eml").write_bytes(message(from_="Jürgen <j@bücher.example>",
                                             to="support@bücher.example"))
    rows = _triage(tmp_path, folder)
    assert [r["status"] for r in rows] == ["drafted"], rows
    drafts = list((tmp_path / "drafts").glob("*.eml"))
    assert len(drafts) == 1
    draft = email.message_from_bytes(drafts[0].read_bytes(), policy=policy.default)
    assert recipients(draft) == [("Jürgen", "j@xn--bcher-kva.example")]


# --- 21. control characters never reach an .eml header ----------------------------------------


def test_control_characters_are_stripped_from_every_eml_header() -> None:
    mail = Email(body="Where is my order?", sender_name="Dana\x00\r\nCc: evil@attacker.example",
                 sender_address="dana@example.com",
                 to="support@shop.example\r\nBcc: evil@attacker.example",
                 message_id="<m1@mail.example.com>\x00", references=["<m0@mail\r\n.example>"])
    subject = "Re: refund\x00 now\r\nBcc: evil@attacker.example\x1b[31m\u2028!"
    result = DraftResult(email=mail, analysis=Analysis(summary="late"),
                         draft=Draft(subject, "Hi,\n\nI'm so sorry."), check=CheckResult(),
                         engine="offline")
    text = to_eml(result)
    head = text.split("\n\n", 1)[0]
    assert not [c for c in head if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) < 0xa0
                or c in "\u2028\u2029"]
    msg = email.message_from_string(text, policy=policy.default)
    assert "Bcc" not in msg and "Cc" not in msg
    assert recipients(msg) == [("Dana Cc: evil@attacker.example", "dana@example.com")]
    assert msg["Subject"] == "Re: refund now Bcc: evil@attacker.example [31m !"
    assert msg["In-Reply-To"] == "<m1@mail.example.com>"


def test_a_hostile_sender_in_a_helpdesk_row_is_read_not_an_error_row():
    """1,000 ``(`` in a CSV/JSONL sender used to give ``cannot parse: RecursionError``."""
    from drafter.triage.work import email_from_row

    email = email_from_row({"body": "My parcel never came.", "sender": "(" * 1000}, "row 1")
    assert email.body.startswith("My parcel") and email.sender_address == ""
