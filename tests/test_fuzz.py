"""Malformed mail, fuzzed: a clean error or a best-effort parse, never a traceback or a hang.

Mail exports are full of broken MIME, and triage runs the parser over whole inboxes, so the
property is the same everywhere: :func:`parse_bytes`, :func:`read_email`, :func:`clean_body`,
:func:`html_to_text`, ``drafter draft`` and ``drafter check`` either succeed (best effort)
or fail with a :class:`DrafterError` (exit code 2) — nothing else, and quickly.

Generated inputs: random bytes; MIME messages assembled from parts that go wrong in every
usual way (truncated, wrong or missing boundaries, bad base64 and quoted-printable, unknown
charsets, nested ``message/rfc822``, zero-width and right-to-left characters, NUL bytes);
HTML tag soup; quote and signature markers. Hypothesis runs derandomized with a fixed
example budget, so CI is reproducible and the file stays well under a minute; a 10 MB body
is one explicit example. Each example also runs under a wall-clock guard, so a hang fails
the test instead of stalling CI.
"""

from __future__ import annotations

import base64
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from drafter.cli import app
from drafter.errors import DrafterError
from drafter.htmltext import html_to_text
from drafter.mail import MAX_BODY_CHARS, clean_body, parse_bytes, read_email
from drafter.models import Email

T = TypeVar("T")

#: Per-example budget: hypothesis reports an example slower than this (a near-hang).
DEADLINE_MS = 3_000
#: A hard stop for one call, in case something loops forever (the deadline only measures).
GUARD_S = 15

FUZZ = settings(max_examples=150, deadline=DEADLINE_MS, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
CLI_FUZZ = settings(FUZZ, max_examples=30)


class Hang(Exception):
    """Raised by :func:`guard` when a call runs past its wall-clock limit."""


@contextmanager
def guard(seconds: float = GUARD_S) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM; a no-op where signals are missing)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def _stop(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def best_effort(fn: Callable[[], T]) -> T | None:
    """Run ``fn`` under the guard: its result, or None for a clean DrafterError."""
    with guard():
        try:
            return fn()
        except DrafterError as exc:
            assert str(exc).strip() and "\n" not in str(exc).strip()
            return None


def assert_email(email: Email | None) -> None:
    """A best-effort parse is still a well-formed Email."""
    if email is None:
        return
    assert isinstance(email, Email) and email.body.strip()
    assert len(email.body) <= MAX_BODY_CHARS
    assert "\x00" not in email.body and "\u200b" not in email.body and "\u202e" not in email.body
    for value in (email.subject, email.sender, email.sender_address, email.message_id):
        assert isinstance(value, str) and "\n" not in value
    assert all(isinstance(w, str) for w in email.warnings)


# --- strategies ------------------------------------------------------------------------------

#: Characters that break naive text handling: zero-width, bidi overrides, NUL, BOM, CR.
NASTY = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066",
         "\u061c", "\x00", "\r", "\x1b", "\u2028", "\ud7ff", "é", "ß", "中", "🙂", "\u0301"]
WORDS = ["my", "order", "A-12345", "never", "arrived", "refund", "$12.99", "please", "I want",
         "wrote:", "On Mon, Mar 3, 2025, Bob <b@x.org> wrote:", ">", "-- ", "Thanks,", "Dana",
         "From:", "Sent:", "To:", "Subject:", "-----Original Message-----", "________________",
         "Sent from my iPhone", "<b>", "</div>", "=?utf-8?b?", "=E9", "=\n", "\t", "  "]

nasty_text = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NASTY),
                                st.text(max_size=12)), max_size=40).map(" ".join)
text_lines = st.lists(st.one_of(nasty_text, st.sampled_from(WORDS)), max_size=25).map("\n".join)

CHARSETS = ["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "utf-16", "x-unknown",
            "base64", "rot13", "utf-7", "shift_jis", '"utf-8', "", "utf-8; format=flowed",
            "gb2312", "koi8-r", "latin1\x00"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus", ""]
SENDERS = ["Dana <dana@example.org>", "=?utf-8?q?D=C3=A9?= <d@x>", "<>", "nobody",
           '"a" <@@>', "x" * 300, "=?x-bogus?b?!!!?= <a@b.c>", "Dana\x00 <d@x.org>"]
TYPES = ["text/plain", "text/html", "multipart/alternative", "multipart/mixed",
         "multipart/related", "message/rfc822", "application/octet-stream", "text/", "garbage"]


@st.composite
def payloads(draw: st.DrawFn, encoding: str) -> bytes:
    """A body in (or pretending to be in) ``encoding``, sometimes damaged."""
    text = draw(text_lines) or "My order never arrived."
    raw = text.encode("utf-8", "surrogatepass")
    if encoding == "base64":
        coded = base64.encodebytes(raw)
        if draw(st.booleans()):  # bad base64: cut, padded wrong, junk characters
            cut = draw(st.integers(0, len(coded)))
            coded = coded[:cut] + draw(st.sampled_from([b"", b"=", b"!!*&", b"===\n", b"\x00"]))
        return coded
    if encoding == "quoted-printable":
        return raw.replace(b"=", b"=3D") + draw(st.sampled_from([b"", b"=", b"=Z9", b"=\r\n"]))
    return raw


@st.composite
def mime_parts(draw: st.DrawFn, depth: int = 0) -> bytes:
    """One MIME entity: headers and a body, possibly multipart or a nested message."""
    ctype = draw(st.sampled_from(TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    head = [f"Content-Type: {ctype}; charset={charset}"]
    if encoding:
        head.append(f"Content-Transfer-Encoding: {encoding}")
    if draw(st.booleans()):
        head.append(draw(st.sampled_from(["Content-Disposition: attachment; filename=a.txt",
                                          "Content-Disposition: inline", "X-Junk: \x00\x01"])))
    if ctype.startswith("multipart/") and depth < 3:
        boundary = draw(st.sampled_from(["b1", "==_x", "", "a b", "x" * 80]))
        declared = draw(st.sampled_from([boundary, boundary, "wrong", ""]))
        head[0] = f'Content-Type: {ctype}; boundary="{declared}"'
        children = draw(st.lists(mime_parts(depth + 1), min_size=0, max_size=3))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + c + b"\r\n" for c in children)
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
    elif ctype == "message/rfc822" and depth < 3:
        body = b"From: inner@example.org\r\nSubject: inner\r\n" + draw(mime_parts(depth + 1))
    else:
        body = draw(payloads(encoding))
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogatepass") + body


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """A whole message: mail headers, a MIME entity, sometimes truncated or NUL-ridden."""
    headers = [
        f"From: {draw(st.sampled_from(SENDERS))}",
        f"Subject: {draw(nasty_text)[:200]}",
        "Date: Tue, 4 Mar 2025 10:02:00 +0000",
        f"Message-ID: <{draw(st.sampled_from(['a@b', '', '<<>>', 'x y']))}>",
        "MIME-Version: 1.0",
    ]
    data = ("\r\n".join(headers) + "\r\n").encode("utf-8", "surrogatepass") + draw(mime_parts())
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]  # truncated anywhere
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\x00" * 10, b"\xff\xfe", b"\r"])) \
            + data[at:]
    return data


tag_soup = st.lists(
    st.one_of(
        st.sampled_from(["<p>", "</p>", "<div style='display:none'>", "<span style=\"color:#fff\">",
                         "<blockquote>", "</blockquote>", "<br>", "<br/>", "<li>", "<ul>",
                         "<table><tr><td>", "<!--", "-->", "<script>", "</script>", "<pre>",
                         "<div class=gmail_quote>", "<hr id=divRplyFwdMsg>", "&nbsp;", "&#0;",
                         "&#x110000;", "&bogus;", "<", ">", "</", "<![CDATA[", "<?xml",
                         "<a href='"]),
        nasty_text),
    max_size=60).map("".join)


# --- the parser ------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_parse_or_fail_cleanly(data: bytes):
    assert_email(best_effort(lambda: parse_bytes(data, "fuzz")))


@FUZZ
@given(messages())
def test_broken_mime_parses_best_effort_or_fails_cleanly(data: bytes):
    assert_email(best_effort(lambda: parse_bytes(data, "fuzz.eml")))


@FUZZ
@given(text_lines)
def test_text_with_nasty_characters_parses_or_fails_cleanly(text: str):
    data = text.encode("utf-8", "surrogatepass")
    assert_email(best_effort(lambda: parse_bytes(data)))


@FUZZ
@given(st.one_of(st.text(max_size=2000), text_lines))
def test_clean_body_splits_without_losing_or_inventing_text(text: str):
    with guard():
        body, quoted, signature = clean_body(text)
    for part in (body, quoted, signature):
        assert isinstance(part, str)
    words = set(text.split())
    assert set(body.split()) <= words and set(signature.split()) <= words


@FUZZ
@given(st.one_of(tag_soup, st.text(max_size=2000)))
def test_html_to_text_never_raises(html: str):
    hidden: list[str] = []
    with guard():
        text = html_to_text(html, hidden)
    assert isinstance(text, str) and all(isinstance(h, str) for h in hidden)


@FUZZ
@given(messages())
def test_read_email_from_a_file(tmp_path_factory: pytest.TempPathFactory, data: bytes):
    path = tmp_path_factory.mktemp("mail") / "message.eml"
    path.write_bytes(data)
    assert_email(best_effort(lambda: read_email(path)))


def test_a_nul_in_the_charset_name_is_an_unknown_charset():
    """Found by the CLI fuzz: codecs.lookup raises ValueError, not LookupError, on a NUL."""
    data = (b"From: a@x.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=latin1\x00\r\n\r\nMy order never arrived.")
    email = parse_bytes(data)
    assert email.body == "My order never arrived."
    assert any("unknown charset" in w for w in email.warnings)


def test_nested_rfc822_three_deep_uses_the_innermost_text():
    """Found by the fuzz: a forward of a forward (as attachments) had "no message text"."""
    inner = b"From: c@x.org\r\nSubject: c\r\n\r\nMy order A-12345 never arrived.\r\n"
    for level in range(3):
        inner = (b"From: f%d@x.org\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
                 b"Content-Type: message/rfc822\r\n\r\n" % level) + inner
    email = parse_bytes(inner)
    assert "A-12345" in email.body


def test_a_thousand_nested_multiparts_do_not_recurse_forever():
    data = b"From: a@x.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    data += b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" * 1000
    data += b"Content-Type: text/plain\r\n\r\nhello there, my order is late\r\n"
    with guard():
        email = best_effort(lambda: parse_bytes(data))
    assert_email(email)


def test_a_10_mb_body_is_capped_quickly():
    """One explicit huge example: hypothesis should not generate megabytes per example."""
    line = "My order A-12345 never arrived and nobody answers my emails. " * 3 + "\n"
    body = (line * (10 * 2**20 // len(line) + 1)).encode()
    data = (b"From: Dana <dana@example.org>\r\nSubject: late\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
    assert len(data) > 10 * 2**20
    start = time.perf_counter()
    with guard(60):
        email = parse_bytes(data, "big.eml")
    elapsed = time.perf_counter() - start
    assert len(email.body) <= MAX_BODY_CHARS
    assert any("truncated" in w or "only the start" in w for w in email.warnings)
    assert elapsed < 20, f"{elapsed:.1f} s for 10 MB"


def test_a_10_mb_html_body_is_capped_quickly():
    html = ("<div><p>My order never arrived.</p>" * 300_000 + "</div>").encode()
    data = (b"From: a@x.org\r\nSubject: late\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert len(data) > 10 * 2**20
    with guard(60):
        email = parse_bytes(data, "big.html.eml")
    assert any("HTML body longer" in w for w in email.warnings)


@pytest.mark.parametrize("text", [
    "A" * 100_000 + "RGH", " " * 50_000, "\n" * 50_000, "Sorry. " * 20_000, "a " * 50_000,
], ids=["one-long-word", "spaces", "newlines", "short-sentences", "one-letter-words"])
def test_adversarial_lengths_are_checked_and_grounded_without_hanging(text: str):
    """Inputs that made patterns quadratic (70 s for a 100 KB word, 50 s for 50k spaces):
    the guard turns a regression into a failure rather than a stuck CI; the speed itself is
    measured in bench/checker_bench.py."""
    from drafter.checker import check_reply
    from drafter.models import Email

    with guard(60):
        result = check_reply(text, email=Email(body=text))
    assert result.findings is not None


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def offline_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No model, a fixed date, a working directory without a drafter.toml, a private home."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _invoke(*args: str, stdin: bytes | None = None) -> object:
    with guard():
        result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exit_code in (0, 1, 2), result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("drafter: ")
    return result


@CLI_FUZZ
@given(st.one_of(messages(), st.binary(max_size=2048), text_lines.map(str.encode)),
       st.booleans())
def test_drafter_draft_on_generated_files(offline_cli: Path, data: bytes, from_stdin: bool):
    if from_stdin:
        _invoke("draft", "-", "--engine", "offline", "--format", "eml", stdin=data)
        return
    path = offline_cli / "in.eml"
    path.write_bytes(data)
    _invoke("draft", str(path), "--engine", "offline", "--json")


@CLI_FUZZ
@given(st.one_of(st.binary(max_size=2048), text_lines.map(str.encode)), messages())
def test_drafter_check_on_generated_files(offline_cli: Path, reply: bytes, original: bytes):
    reply_path, email_path = offline_cli / "reply.txt", offline_cli / "orig.eml"
    reply_path.write_bytes(reply)
    email_path.write_bytes(original)
    _invoke("check", str(reply_path), "--email", str(email_path), "--engine", "offline",
            "--json")


@pytest.mark.parametrize("text", [
    "A" * 100_000 + "RGH", "ab " * 50_000, "ending " * 20_000, "1." * 50_000, "by the " * 20_000,
    "#" + "a1" * 30_000, "order " * 30_000, "twice a " * 20_000,
], ids=["long-word", "short-words", "ending", "dots", "deadline-leads", "hash", "order-words",
        "rates"])
def test_fact_reading_stays_linear_on_adversarial_text(text: str):
    """The fact reader's context patterns ("account ending 6613", "flight SV 218") once
    scanned a whole word from every position; the guard keeps such a slip from hanging CI."""
    from drafter.facts import extract_facts

    with guard(20):
        assert isinstance(extract_facts(text, "en"), list)
