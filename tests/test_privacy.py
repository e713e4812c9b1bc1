"""Privacy: customers' words stay out of logs, API keys stay out of files, --redact masks.

* No email text reaches logs or stderr by default: ``drafter draft`` and ``drafter triage``
  run with every log record captured at DEBUG, and neither a sentence of the body nor the
  sender's address may appear there (stdout is the output the user asked for).
* No API key is ever written down: every cassette under ``tests/cassettes`` is scanned for
  credential headers and key-shaped strings, and a triage run with the openai engine (under
  a recorded cassette, ``OPENAI_API_KEY=sk-test-SECRET``) leaves no trace of the key in the
  SQLite store (its WAL included) or any output.
* ``drafter triage --redact`` leaves no email address, phone number or card number in what
  it stores: rows (JSONL and CSV), the HTML report, the ledger, and the drafts' text.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from drafter.cli import app

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "tests" / "cassettes"
LLM_URL = "http://127.0.0.1:8080/v1"
SECRET = "sk-test-SECRET"

SENDER = "dana.whitfield@example.org"
OTHER_ADDRESS = "dana.w.private@example.net"
PHONE = "+1 415 555 0134"
CARD = "4111 1111 1111 1111"
SENTENCES = ("nobody answers my calls", "I want a refund of the duplicate $49.90")
EMAIL = f"""From: Dana Whitfield <{SENDER}>
To: support@northwind.example
Subject: Charged twice, order A-12345
Date: Tue, 4 Mar 2025 10:02:00 +0000
Message-ID: <priv-1@example.org>

This is the second time I write. I was charged twice for order A-12345 on my card {CARD} and
nobody answers my calls. This is unacceptable and I am furious!
Call me on {PHONE} or write to {OTHER_ADDRESS}. I want a refund of the duplicate $49.90.

Dana
"""
#: Anything shaped like an email address, a card number or a phone number.
ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CARD_RE = re.compile(r"\b(?:\d[ -]?){13,19}\b")
PHONE_RE = re.compile(r"\+?\d{1,3}[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}")


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One angry email in a folder; no model configured; a private home and working dir."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DRAFTER_TODAY", "2026-11-23")
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.eml").write_text(EMAIL, encoding="utf-8")
    return folder


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _assert_no_email_text(where: str, text: str) -> None:
    for secret in (SENDER, OTHER_ADDRESS, PHONE, CARD, *SENTENCES):
        assert secret not in text, f"{secret!r} found in {where}"


# --- logs ------------------------------------------------------------------------------------


def test_draft_logs_no_email_text(inbox: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    result = _run("draft", str(inbox / "a.eml"), "--json")
    assert result.exit_code in (0, 1), result.output
    assert "nobody answers my calls" in result.stdout  # the output is the user's to keep
    _assert_no_email_text("the log", caplog.text)
    _assert_no_email_text("stderr", result.stderr)


@pytest.mark.parametrize("redact", [False, True])
def test_triage_logs_no_email_text(inbox: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                   redact: bool):
    caplog.set_level(logging.DEBUG)
    args = ["triage", str(inbox), "--out", str(tmp_path / "rows.jsonl"), "--min-anger", "0",
            "--store", str(tmp_path / "s.sqlite"), "--engine", "offline"]
    result = _run(*args, *(["--redact"] if redact else []))
    assert result.exit_code in (0, 1), result.output
    _assert_no_email_text("the log", caplog.text)
    _assert_no_email_text("stderr", result.stderr)


def test_a_broken_message_is_reported_without_its_text(inbox: Path, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture):
    """Error rows and their messages on stderr name the file, not the customer's words."""
    caplog.set_level(logging.DEBUG)
    (inbox / "b.eml").write_bytes(b"From: x@y.org\nSubject: s\nContent-Type: multipart/mixed; "
                                  b"boundary=q\n\n--q\nContent-Type: image/png\n\n\x89PNG\x00")
    result = _run("triage", str(inbox), "--out", str(tmp_path / "rows.jsonl"),
                  "--store", str(tmp_path / "s.sqlite"), "--engine", "offline")
    assert result.exit_code in (0, 1), result.output
    _assert_no_email_text("the log", caplog.text)
    _assert_no_email_text("stderr", result.stderr)


# --- API keys --------------------------------------------------------------------------------

CREDENTIAL_HEADERS = {"authorization", "api-key", "x-api-key", "openai-organization",
                      "openai-project", "cookie", "set-cookie", "proxy-authorization"}
KEY_SHAPES = re.compile(r"\bsk-[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._-]{8,}")


def _cassettes() -> list[Path]:
    return sorted(CASSETTES.rglob("*.yaml")) + sorted(CASSETTES.rglob("*.yml"))


def test_there_are_cassettes_to_scan():
    assert _cassettes(), "no cassettes under tests/cassettes"


@pytest.mark.parametrize("path", _cassettes(), ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassettes_hold_no_credentials(path: Path):
    text = path.read_text(encoding="utf-8")
    assert not KEY_SHAPES.search(text), KEY_SHAPES.search(text)
    data = yaml.safe_load(text) or {}
    for interaction in data.get("interactions", []):
        for side in ("request", "response"):
            headers = {k.lower() for k in (interaction.get(side, {}).get("headers") or {})}
            assert not headers & CREDENTIAL_HEADERS, (side, headers & CREDENTIAL_HEADERS)


@pytest.fixture
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The project's settings, every credential header filtered, matched by endpoint (the
    test is about what is stored, whatever the model answered)."""
    headers = sorted({*vcr_config.get("filter_headers", []), *CREDENTIAL_HEADERS})
    return {**vcr_config, "filter_headers": headers,
            "match_on": ["method", "scheme", "host", "port", "path", "query"]}


@pytest.fixture
def vcr_cassette_dir() -> str:
    """This project keeps the security tests' recordings together."""
    return str(CASSETTES / "test_injection")


@pytest.mark.vcr
def test_the_store_and_outputs_never_hold_the_api_key(inbox: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    """Recorded from the local llama-server; any outcome (rows or error rows) will do."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", LLM_URL)
    store = tmp_path / "state" / "drafter.sqlite"
    result = _run("triage", str(inbox), "--engine", "openai", "--no-draft", "-j", "1",
                  "--out", str(tmp_path / "rows.jsonl"), "--report", str(tmp_path / "r.html"),
                  "--store", str(store))
    assert result.exit_code in (0, 1, 2), result.output
    assert store.exists()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("drafter.sqlite") for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in result.output and SECRET not in result.stderr


# --- --redact --------------------------------------------------------------------------------


@pytest.fixture
def redacted(inbox: Path, tmp_path: Path) -> Path:
    """A redacted triage run with every output written; the folder holding them."""
    out = tmp_path / "out"
    result = _run("triage", str(inbox), "--redact", "--min-anger", "0", "--engine", "offline",
                  "--out", str(out / "rows.jsonl"), "--report", str(out / "report.html"),
                  "--drafts", str(out / "drafts"), "--store", str(out / "drafter.sqlite"))
    assert result.exit_code in (0, 1), result.output
    csv = _run("triage", str(inbox), "--redact", "--min-anger", "0", "--engine", "offline",
               "--out", str(out / "rows.csv"), "--store", str(out / "drafter.sqlite"))
    assert csv.exit_code in (0, 1), csv.output
    return out


def _identifiers(text: str) -> list[str]:
    """Personal identifiers left in ``text``; Message-IDs (<…@…>) are identifiers of mail."""
    without_ids = re.sub(r"<[^<>\s]+@[^<>\s]+>|\bpriv-1@example\.org\b", "", text)
    return (ADDRESS_RE.findall(without_ids) + CARD_RE.findall(without_ids)
            + PHONE_RE.findall(without_ids))


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.csv", "report.html"])
def test_redacted_outputs_hold_no_addresses_phones_or_cards(redacted: Path, name: str):
    text = (redacted / name).read_text(encoding="utf-8")
    assert "A-12345" in text  # order numbers and the story survive
    assert not _identifiers(text)
    assert "[email]" in text or name == "report.html"


def test_the_redacted_ledger_holds_no_addresses_phones_or_cards(redacted: Path):
    blob = b"".join(p.read_bytes() for p in redacted.glob("drafter.sqlite*"))
    text = blob.decode("utf-8", "replace")
    assert "A-12345" in text
    assert not _identifiers(text)


def test_redacted_drafts_mask_the_customers_text(redacted: Path):
    """The To: header keeps the address (a draft must be sendable); the text is masked."""
    import email
    from email import policy

    drafts = sorted((redacted / "drafts").glob("*.eml"))
    assert drafts
    for path in drafts:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert CARD not in body and PHONE not in body and OTHER_ADDRESS not in body


def test_redacted_drafts_quote_no_address_in_the_text(redacted: Path):
    import email
    from email import policy

    for path in sorted((redacted / "drafts").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert SENDER not in body
