"""``drafter triage``: inputs of every kind, threads, ranking, ledger resume, outputs, redaction.

All offline (the offline engine, no network) and small, so the whole file runs in seconds.
The fixtures under ``tests/data/triage/`` hold one of each: an mbox with a thread (customer,
business reply, customer follow-up), a threat, a legal threat, a corrupt message and an
unknown charset; a Maildir; a folder of ``.eml`` files (plus a non-mail file to skip); a
Zendesk-style CSV with an empty row; an Intercom-style JSONL with a broken line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli import app
from drafter.errors import InputError
from drafter.triage.outputs import FIELDS, safe_name, to_csv
from drafter.triage.priority import priority_score, rank_rows
from drafter.triage.redact import luhn_ok, redact_row, redact_text
from drafter.triage.sources import Sources, detect, parse_map, resolve_columns
from drafter.triage.threads import analyse_threads, normalise_subject

DATA = Path(__file__).parent / "data" / "triage"
INPUTS = [DATA / "inbox.mbox", DATA / "maildir", DATA / "eml", DATA / "export.csv",
          DATA / "tickets.jsonl"]
#: 8 mbox messages, 2 Maildir, 2 .eml, 3 CSV rows, 3 JSONL lines.
TOTAL = 18


def triage(tmp_path: Path, *args: str, inputs: list[Path] | None = None,
           store: str = "ledger.sqlite") -> tuple[int, str, str]:
    """Run ``drafter triage`` in-process; (exit code, stdout, stderr)."""
    paths = [str(p) for p in (inputs or INPUTS)]
    result = CliRunner().invoke(
        app, ["triage", *paths, "--engine", "offline", "--store", str(tmp_path / store),
              *args],
        env={"DRAFTER_TODAY": "2026-11-23", "OPENAI_API_KEY": None, "OPENAI_BASE_URL": None},
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run over every fixture with every output, shared by the tests that only read it."""
    tmp = tmp_path_factory.mktemp("triage")
    code, out, err = triage(tmp, "--out", str(tmp / "rows.jsonl"), "--drafts",
                            str(tmp / "drafts"), "--report", str(tmp / "report.html"))
    return {"tmp": tmp, "code": code, "stdout": out, "stderr": err,
            "rows": rows_of(tmp / "rows.jsonl")}


# --- inputs -----------------------------------------------------------------------------------


def test_detects_each_kind_of_input():
    assert detect(DATA / "inbox.mbox") == "mbox"
    assert detect(DATA / "maildir") == "maildir"
    assert detect(DATA / "eml") == "folder"
    assert detect(DATA / "eml" / "refund.eml") == "eml"
    assert detect(DATA / "export.csv") == "csv"
    assert detect(DATA / "tickets.jsonl") == "jsonl"
    assert detect(DATA / "eml" / "notes.md", explicit=False) == "skip"


def test_scan_reads_every_message_and_row_in_order():
    sources = Sources(INPUTS)
    sources.validate()
    entries = list(sources.scan())
    assert len(entries) == TOTAL
    assert [e.order for e in entries] == list(range(TOTAL))
    assert sources.skipped == [str(DATA / "eml" / "notes.md")]
    first = entries[0]
    assert (first.message_id, first.sender_address) == ("<a1@mail.example.com>",
                                                         "dana@example.com")
    errors = {e.source.rsplit("/", 1)[-1]: e.error for e in entries if e.error}
    assert errors["export.csv:3"] == "empty row"
    assert errors["tickets.jsonl:2"].startswith("not valid JSON")
    assert all(e.identity for e in entries)


def test_jsonl_records_with_different_keys_are_each_read(tmp_path):
    """Issue 11, item 18: "body" in one record and "description" in the next."""
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"id": "t1", "body": "My parcel never came."},
        {"id": "t2", "description": "I was charged twice.", "subject": "Billing"},
        {"id": "t3", "note": "no text column at all"},
    )) + "\n", encoding="utf-8")
    entries = list(Sources([path]).scan())
    assert [e.row["body"] for e in entries[:2]] == ["My parcel never came.",
                                                     "I was charged twice."]
    assert not entries[0].error and not entries[1].error
    assert entries[1].subject == "Billing"
    assert "no message-body column" in entries[2].error


def test_default_columns_recognise_common_helpdesk_exports():
    zendesk = resolve_columns(["Ticket ID", "Subject", "Description", "Requester",
                               "Created at"], {})
    assert zendesk == {"id": "Ticket ID", "subject": "Subject", "body": "Description",
                       "sender": "Requester", "date": "Created at"}
    freshdesk = resolve_columns(["Ticket Id", "Subject", "Description", "Email",
                                 "Created time"], {})
    assert freshdesk["body"] == "Description" and freshdesk["sender"] == "Email"
    intercom = resolve_columns(["id", "source.subject", "source.body",
                                "source.author.email", "source.author.name"], {})
    assert intercom["body"] == "source.body"
    assert intercom["sender"] == "source.author.email"


def test_map_names_the_columns_and_rejects_mistakes():
    mapping = parse_map(["subject=Title,body=Text", "id=Ref No"])
    assert mapping == {"subject": "Title", "body": "Text", "id": "Ref No"}
    assert resolve_columns(["Title", "Text", "Ref No"], mapping)["id"] == "Ref No"
    with pytest.raises(InputError, match="unknown field"):
        parse_map(["colour=Red"])
    with pytest.raises(InputError, match="FIELD=COLUMN"):
        parse_map(["body"])
    with pytest.raises(InputError, match="no such column"):
        resolve_columns(["Title", "Text"], {"body": "Description"})
    with pytest.raises(InputError, match="no message-body column"):
        resolve_columns(["Foo", "Bar"], {})


def test_unknown_input_path_is_a_one_line_usage_error(tmp_path):
    code, _out, err = triage(tmp_path, inputs=[tmp_path / "nope.mbox"])
    assert code == 2
    assert err.strip() == f"drafter: error: input not found: {tmp_path / 'nope.mbox'}"


def test_a_map_naming_a_missing_column_is_a_usage_error(tmp_path):
    code, _, err = triage(tmp_path, "--map", "body=Nope", inputs=[DATA / "export.csv"])
    assert code == 2 and "no such column" in err and "Traceback" not in err


# --- threads ----------------------------------------------------------------------------------


def test_subjects_normalise_for_threading():
    assert normalise_subject("RE: Fwd: [Ticket #12] Where is my order?") == "where is my order?"
    assert normalise_subject("AW: Sv:  Hello   there") == "hello there"


def test_only_the_customers_newest_message_in_a_thread_is_answered():
    sources = Sources([DATA / "inbox.mbox"])
    entries = list(sources.scan())
    superseded, labels = analyse_threads(entries)
    by_id = {e.message_id: e for e in entries}
    assert superseded[by_id["<a1@mail.example.com>"].order].by == "<a2@mail.example.com>"
    assert "business" in superseded[by_id["<s1@shop.example>"].order].reason
    assert by_id["<a2@mail.example.com>"].order not in superseded
    thread = {labels[by_id[m].order] for m in ("<a1@mail.example.com>", "<s1@shop.example>",
                                                "<a2@mail.example.com>")}
    assert len(thread) == 1
    assert labels[by_id["<c1@example.org>"].order] not in thread


def test_ours_marks_the_teams_messages_as_context():
    sources = Sources([DATA / "eml"])
    entries = list(sources.scan())
    superseded, _ = analyse_threads(entries, ours=["@example.com"])
    assert len(superseded) == 2  # both .eml senders are @example.com


# --- priority ---------------------------------------------------------------------------------


def test_priority_formula():
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    row = {"anger": 4, "urgency": "high", "churn_risk": "medium",
           "escalation_required": False, "escalation_review": True,
           "received": "Mon, 20 Nov 2026 00:00:00 +0000"}
    # 8*4 + 12 + 6 + 10 (legal review) + min(6, 2 per day * 3 days)
    assert priority_score(row, now) == 32 + 12 + 6 + 10 + 6
    assert priority_score({**row, "received": ""}, now) == 60
    assert priority_score({"anger": None}, now) == 0
    furious = {"anger": 5, "urgency": "high", "churn_risk": "high",
               "escalation_required": True, "escalation_review": True,
               "received": "2026-11-01T00:00:00Z"}
    assert priority_score(furious, now) == 100


def test_ranking_puts_escalations_first_then_score_then_wait():
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    rows = [
        {"id": "calm", "status": "triaged", "anger": 0},
        {"id": "err", "status": "error", "anger": None},
        {"id": "threat", "status": "escalated", "anger": 1, "escalation_required": True},
        {"id": "angry-new", "status": "drafted", "anger": 4, "received": "2026-11-23T00:00Z"},
        {"id": "angry-old", "status": "drafted", "anger": 4, "received": "2026-11-22T20:00Z"},
        {"id": "old", "status": "superseded", "anger": None},
    ]
    ranked = [r["id"] for r in rank_rows(rows, now)]
    assert ranked == ["threat", "angry-old", "angry-new", "calm", "err", "old"]


# --- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("write to jane.doe+x@example.co.uk now", "write to [email] now"),
    ("call +1 (555) 123-4567 today", "call [phone] today"),
    ("or 555-123-4567", "or [phone]"),
    ("my mobile is 07946 095 811", "my mobile is [phone]"),
    ("phone: 5551234567", "phone: [phone]"),
    ("card 4111 1111 1111 1111 please", "card [card …1111] please"),
    ("card 4111-1111-1111-1112 is not valid", "card 4111-1111-1111-1112 is not valid"),
    ("order A-12345 for $12.99 on 2026-11-12", "order A-12345 for $12.99 on 2026-11-12"),
    ("tracking 1Z999AA10123456784, order 10023", "tracking 1Z999AA10123456784, order 10023"),
    ("refund to DE89 3704 0044 0532 0130 00 please", "refund to [iban …3000] please"),
    ("IBAN GB82WEST12345698765432.", "IBAN [iban …5432]."),
    ("code GB82WEST12345698765433 fails its check", "code GB82WEST12345698765433 fails its check"),
])
def test_redact_masks_addresses_phones_and_luhn_valid_cards(text, expected):
    assert redact_text(text) == expected


def test_a_redacted_eml_masks_both_subjects_and_an_address_as_display_name():
    from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email
    from drafter.triage.work import reply_eml

    card = "4111 1111 1111 1111"
    result = DraftResult(
        email=Email(body=f"My card {card} was charged twice.", subject=f"Charged on {card}",
                    sender="x", sender_name="dana@example.com",
                    sender_address="dana@example.com"),
        analysis=Analysis(summary=""), check=CheckResult(), engine="offline",
        draft=Draft(f"Re: Charged on {card}", "Hi,\n\nSorry about the double charge.\n"))
    import email as mail
    from email import policy as mail_policy

    message = mail.message_from_bytes(reply_eml(result, redact=True).encode("utf-8"),
                                      policy=mail_policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "Re: Charged on [card …1111]"
    assert card not in body and "[card …1111]" in body
    assert "dana@example.com" not in body and "[email] wrote:" in body
    assert message["To"].addresses[0].addr_spec == "dana@example.com"  # still sendable


def test_luhn():
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")


def test_redact_row_keeps_identifiers():
    row = {"id": "<a1@mail.example.com>", "sender": "Dana <dana@example.com>",
           "wants": ["call me at +1 555 123 4567"], "anger": 4,
           "escalation_triggers": [{"reason": "legal", "sentence": "mail lee@example.com"}]}
    masked = redact_row(row)
    assert masked["id"] == "<a1@mail.example.com>"
    assert masked["sender"] == "Dana <[email]>"
    assert masked["wants"] == ["call me at [phone]"]
    assert masked["escalation_triggers"][0]["sentence"] == "mail [email]"
    assert masked["anger"] == 4


# --- a whole run ------------------------------------------------------------------------------


def test_every_email_gets_exactly_one_row_with_a_status(full_run):
    rows = full_run["rows"]
    assert len(rows) == TOTAL
    assert [r["rank"] for r in rows] == list(range(1, TOTAL + 1))
    assert len({r["key"] for r in rows}) == TOTAL
    assert all(list(r) == list(FIELDS) for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["<v1@example.net>"]["status"] == "escalated"
    assert rows[0]["id"] == "<v1@example.net>"  # escalations first
    assert by_id["<v1@example.net>"]["draft_text"] == ""
    assert by_id["<a1@mail.example.com>"]["status"] == "superseded"
    assert by_id["<s1@shop.example>"]["status"] == "superseded"
    assert by_id["<a2@mail.example.com>"]["status"] == "drafted"
    assert by_id["<c1@example.org>"]["status"] == "triaged"  # calm: no draft
    legal = by_id["<l1@example.com>"]
    assert legal["status"] == "drafted" and legal["escalation_review"] is True
    assert by_id["101"]["status"] == "drafted" and by_id["101"]["sender"].endswith(
        "<nia@example.com>")
    assert by_id["conv-9"]["subject"] == "Rude agent"


def test_drafted_rows_carry_the_checked_draft(full_run):
    for row in full_run["rows"]:
        if row["status"] == "drafted":
            assert row["draft_text"] and row["draft_subject"].startswith("Re:")
            assert isinstance(row["check_passed"], bool)
            assert row["findings_count"] == len(row["findings"])
            assert row["engine"] == "offline" and row["calls"] == 0
        if row["status"] in ("triaged", "escalated"):
            assert row["anger"] is not None and row["summary"]


def test_bad_input_becomes_error_rows_and_the_batch_goes_on(full_run):
    errors = {r["source"].rsplit("/", 1)[-1]: r["error"] for r in full_run["rows"]
              if r["status"] == "error"}
    assert set(errors) == {"inbox.mbox#6", "export.csv:3", "tickets.jsonl:2"}
    assert "no message text" in errors["inbox.mbox#6"]
    assert errors["export.csv:3"] == "empty row"
    unknown = next(r for r in full_run["rows"] if r["id"] == "<k1@example.com>")
    assert unknown["status"] == "drafted"  # an unknown charset is read best-effort …
    assert any("unknown charset" in n for n in unknown["notes"])  # … and says so


def test_exit_code_one_when_errors_or_escalations_need_a_person(full_run, tmp_path):
    assert full_run["code"] == 1
    calm = [DATA / "eml" / "thanks.eml"]
    code, _, _ = triage(tmp_path, "--out", str(tmp_path / "r.jsonl"), inputs=calm)
    assert code == 0


def test_drafts_are_threaded_eml_replies_named_by_rank(full_run):
    folder = full_run["tmp"] / "drafts"
    names = sorted(p.name for p in folder.iterdir())
    drafted = [r for r in full_run["rows"] if r["status"] == "drafted"]
    assert len(names) == len(drafted)
    assert all(re.fullmatch(r"\d{4}-[A-Za-z0-9._-]+\.eml", n) for n in names)
    row = next(r for r in drafted if r["id"] == "<a2@mail.example.com>")
    eml = (folder / f"{row['rank']:04d}-a2_mail.example.com.eml").read_text()
    assert "In-Reply-To: <a2@mail.example.com>" in eml
    assert "References: <a1@mail.example.com> <s1@shop.example> <a2@mail.example.com>" in eml
    assert "To: Dana Whitfield <dana@example.com>" in eml


def test_without_out_a_ranked_table_is_printed(full_run, tmp_path):
    _code, out, _ = triage(tmp_path, inputs=[DATA / "inbox.mbox"])
    assert "Priority queue" in out and "escalated" in out
    assert out.index("escalated") < out.index("drafted")


def test_logs_carry_no_customer_text(full_run):
    err = full_run["stderr"]
    assert "triage 15/15" in err or "emails to process" in err
    for row in full_run["rows"]:
        for text in (row["subject"], row["sender"]):
            if text and len(text) > 6:
                assert text not in err


def test_csv_output_has_the_same_rows(tmp_path, full_run):
    text = to_csv(full_run["rows"])
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == TOTAL and list(parsed[0]) == list(FIELDS)
    code, _, _ = triage(tmp_path, "--out", str(tmp_path / "rows.csv"))
    assert code == 1
    again = list(csv.DictReader((tmp_path / "rows.csv").open(encoding="utf-8", newline="")))
    assert [r["id"] for r in again] == [r["id"] for r in full_run["rows"]]


def test_safe_names():
    assert safe_name("<CAF7x9kR2m@mail.example.com>") == "CAF7x9kR2m_mail.example.com"
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("") == "email"


# --- the ledger -------------------------------------------------------------------------------


def test_a_rerun_resumes_from_the_ledger_and_fresh_redoes(tmp_path):
    out = tmp_path / "rows.jsonl"
    triage(tmp_path, "--out", str(out))
    first = rows_of(out)
    _code, _, err = triage(tmp_path, "--out", str(out))
    assert "0 emails to process" in err and "already done" in err
    assert rows_of(out) == first
    _, _, err = triage(tmp_path, "--out", str(out), "--fresh")
    assert "triage: 14 emails to process" in err
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == TOTAL


def test_a_change_that_alters_results_is_not_resumed(tmp_path):
    out = tmp_path / "rows.jsonl"
    triage(tmp_path, "--out", str(out), inputs=[DATA / "inbox.mbox"])
    _, _, err = triage(tmp_path, "--out", str(out), "--no-draft", inputs=[DATA / "inbox.mbox"])
    assert "already done" not in err
    assert all(r["draft_text"] == "" for r in rows_of(out))
    assert {r["status"] for r in rows_of(out)} <= {"triaged", "escalated", "error",
                                                   "superseded"}


def test_oversize_messages_become_error_rows(tmp_path):
    big = tmp_path / "big.mbox"
    attachment = b"A" * (20 * 1024 * 1024)
    with big.open("wb") as fh:
        fh.write(b"From x Thu Jan  1 00:00:00 2026\nFrom: a@example.com\nSubject: photos\n"
                 b"Message-ID: <big@example.com>\nContent-Type: text/plain\n\n"
                 + attachment + b"\n\n")
        fh.write(b"From x Thu Jan  1 00:00:00 2026\nFrom: b@example.com\nSubject: late\n"
                 b"Message-ID: <small@example.com>\n\nMy parcel is late and I am angry!\n")
    out = tmp_path / "rows.jsonl"
    code, _, _ = triage(tmp_path, "--out", str(out), inputs=[big])
    rows = {r["id"]: r for r in rows_of(out)}
    assert rows["<big@example.com>"]["status"] == "error"
    assert "over the 10 MiB limit" in rows["<big@example.com>"]["error"]
    assert rows["<big@example.com>"]["subject"] == "photos"
    assert rows["<small@example.com>"]["status"] in ("drafted", "triaged")
    assert code == 1


def test_redact_masks_stored_output_and_ledger(tmp_path):
    out, report = tmp_path / "rows.jsonl", tmp_path / "report.html"
    triage(tmp_path, "--out", str(out), "--report", str(report), "--redact", "--drafts",
           str(tmp_path / "drafts"))
    stored = [out.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")]
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        stored += [row for (row,) in db.execute("SELECT row FROM ledger")]
    everything = "\n".join(stored)
    for secret in ("dana@example.com", "nia@example.com", "123-4567", "4111 1111 1111 1111"):
        assert secret not in everything
    assert "[email]" in everything and "[phone]" in everything
    assert "<a2@mail.example.com>" in everything  # ids stay usable
    from email import message_from_string
    from email.policy import default as default_policy

    raw = next((tmp_path / "drafts").glob("*a2_mail.example.com.eml")).read_text()
    reply = message_from_string(raw, policy=default_policy)
    assert reply["To"] == "Dana Whitfield <dana@example.com>"  # a reply needs its address …
    text = reply.get_content()
    assert "THIRD time" in text  # (the quoted original is there)
    assert "123-4567" not in text and "1111 1111" not in text  # … but the text is masked
    assert "[phone]" in text


def test_a_model_that_keeps_failing_stops_the_run(tmp_path):
    """Server down or key wrong: stop after a few failures instead of 10,000 error rows."""
    from drafter.engines.offline import OfflineEngine
    from drafter.errors import EngineError
    from drafter.policy import load_policy
    from drafter.store import Store
    from drafter.triage.progress import Progress
    from drafter.triage.runner import FAILURE_LIMIT, TriageOptions, run_triage
    from drafter.triage.work import WorkSettings

    class Down(OfflineEngine):
        name = "openai"

        def analyze(self, email, policy, usage):
            raise EngineError("cannot reach the model server at http://127.0.0.1:9/v1")

    mbox = tmp_path / "many.mbox"
    mbox.write_bytes(b"".join(
        b"From x Thu Jan  1 00:00:00 2026\nFrom: c%d@example.com\nSubject: s%d\n"
        b"Message-ID: <m%d@x>\n\nMy parcel is late!\n\n" % (i, i, i) for i in range(60)))
    with Store(tmp_path / "l.sqlite") as store:
        run = run_triage(Sources([mbox]), Down, WorkSettings(policy=load_policy(None)), store,
                         "sig", TriageOptions(concurrency=2), Progress())
        assert "cannot reach" in run.aborted
        failed = [r for r in store.ledger_rows("sig") if r["status"] == "error"]
    assert FAILURE_LIMIT <= len(failed) < 60  # it stopped early …
    assert all(r.get("retry") for r in failed)  # … and the next run tries them again


def test_the_same_email_in_two_inputs_is_processed_once(tmp_path):
    out = tmp_path / "rows.jsonl"
    _code, _, err = triage(tmp_path, "--out", str(out),
                          inputs=[DATA / "eml", DATA / "eml" / "refund.eml"])
    rows = rows_of(out)
    assert [r["id"] for r in rows].count("<o1@example.com>") == 1
    assert "1 duplicate(s) skipped" in err
    assert {r["status"] for r in rows} == {"drafted", "triaged"}


def test_semicolon_separated_exports_are_read(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Ticket ID;Subject;Description;Requester\n"
                      '7;Late;"My parcel is late; I am angry!";x@example.com\n')
    (entry,) = list(Sources([export]).scan())
    assert entry.ident == "7" and entry.row["body"] == "My parcel is late; I am angry!"


def test_a_withheld_draft_goes_to_a_person():
    from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email
    from drafter.triage.work import draft_status

    result = DraftResult(email=Email(body="x"), analysis=Analysis(summary=""), draft=None,
                         check=CheckResult(), engine="openai")
    assert draft_status(result) == "escalated"  # the pipeline withheld an unsafe draft
    result.draft = Draft("Re: x", "Hello")
    assert draft_status(result) == "drafted"


def test_the_drafts_line_counts_in_words_that_agree(tmp_path):
    rows = tmp_path / "one.jsonl"
    rows.write_text(json.dumps({"id": "t1", "body": "My parcel never came. Refund me now, "
                                "this is unacceptable!"}) + "\n", encoding="utf-8")
    code, _, err = triage(tmp_path, "--drafts", str(tmp_path / "d"), inputs=[rows])
    assert code == 0 and "wrote 1 reply draft to" in err, err


def test_progress_counts_agree_with_their_words():
    """Issue 11, the new user's trial: "1 emails to process", "1 errors"."""
    import io

    from drafter.triage.progress import Counters, LogProgress, status_line

    stream = io.StringIO()
    progress = LogProgress(stream=stream)
    progress.start(1, 0)
    assert "triage: 1 email to process" in stream.getvalue()
    line = status_line(Counters(total=1, done=1, errors=1, prompt_tokens=1))
    assert "1 error ·" in line and "1 token ·" in line


def test_an_output_never_replaces_or_deletes_an_input(tmp_path):
    """Issue 11, item 16: --out on an input, --drafts on an input folder, are refused."""
    import shutil

    folder = tmp_path / "inbox"
    shutil.copytree(DATA / "eml", folder)
    (folder / "0001-old.eml").write_bytes(b"From: a@b.c\n\nnamed like a draft\n")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, _, err = triage(tmp_path, "--drafts", str(folder), inputs=[folder])
    assert code == 2 and "--drafts" in err and "inside the input folder" in err
    code, _, err = triage(tmp_path, "--drafts", str(folder / "replies"), inputs=[folder])
    assert code == 2
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    rows = tmp_path / "tickets.jsonl"
    shutil.copy(DATA / "tickets.jsonl", rows)
    original = rows.read_bytes()
    for flag in ("--out", "--report"):
        code, _, err = triage(tmp_path, flag, str(rows), inputs=[rows])
        assert code == 2 and "is one of the inputs" in err
    assert rows.read_bytes() == original


def test_drafts_that_fail_their_check_exit_1_with_a_clear_summary(tmp_path):
    # A team's pack that forbids a word every offline draft uses: every draft fails its check.
    pack = tmp_path / "pack.toml"
    pack.write_text('[rules.no-sorry]\nseverity = "error"\nmessage = "House style."\n'
                    "patterns = ['''sorry''', '''apologi[sz]e''', '''thank''']\n",
                    encoding="utf-8")
    code, _, err = triage(tmp_path, "--rules", str(pack), "--out", str(tmp_path / "r.jsonl"),
                          inputs=[DATA / "eml"])
    rows = rows_of(tmp_path / "r.jsonl")
    failed = [r for r in rows if r["status"] == "drafted" and r["check_passed"] is False]
    assert failed and code == 1
    assert f"{len(failed)} draft" in err and "failed the check" in err


def test_a_second_run_on_a_ledger_in_use_is_refused_and_names_the_holder(tmp_path):
    from drafter.store import ledger_lock

    ledger = tmp_path / "ledger.sqlite"
    with ledger_lock(ledger):
        code, _, err = triage(tmp_path, inputs=[DATA / "eml"])
    assert code == 2
    assert f"the ledger {ledger} is in use by another triage run (pid " in err
    assert "Traceback" not in err
    code, _, _ = triage(tmp_path, inputs=[DATA / "eml"])  # released: the next run goes ahead
    assert code in (0, 1)


def test_price_is_one_form_in_triage_and_eval(tmp_path):
    """Issue 11, the new user's trial: `--price IN/OUT` in both commands (the old
    `--price-in/--price-out` still read, hidden from --help)."""
    runner = CliRunner()
    for command in (["triage", str(DATA / "eml"), "--store", str(tmp_path / "l.sqlite")],
                    ["eval", str(tmp_path / "missing-suite")]):
        bad = runner.invoke(app, [*command, "--price", "cheap"])
        assert bad.exit_code == 2 and "--price takes IN/OUT" in bad.stderr
    assert "--price IN/OUT" in runner.invoke(app, ["triage", "--help"]).stdout
    assert "--price-in" not in runner.invoke(app, ["triage", "--help"]).stdout
    code, _, _ = triage(tmp_path, "--price-in", "1", "--price-out", "2",
                        inputs=[DATA / "eml"], store="old.sqlite")
    assert code in (0, 1)


def test_a_folder_holding_the_runs_own_outputs_can_be_triaged_again(tmp_path):
    """Issue 11, item 17: a second run over a folder that holds the first run's rows and
    drafts skips them (named in the summary) instead of failing on the rows file or reading
    the drafts back as customers' mail; a stray binary file is skipped the same way."""
    import shutil

    folder = tmp_path / "in"
    shutil.copytree(DATA / "eml", folder)
    (folder / "blob.dat").write_bytes(b"\x00\x01\x02")
    code, _, _ = triage(tmp_path, "--out", str(folder / "rows.jsonl"), "--drafts",
                        str(tmp_path / "drafts"), inputs=[folder], store="first.sqlite")
    assert code in (0, 1)
    for draft in (tmp_path / "drafts").glob("*.eml"):
        shutil.copy(draft, folder / draft.name)
    to_csv_rows = rows_of(folder / "rows.jsonl")
    (folder / "rows.csv").write_text(to_csv(to_csv_rows), encoding="utf-8")
    code, _, err = triage(tmp_path, "--out", str(tmp_path / "again.jsonl"), inputs=[folder],
                          store="second.sqlite")
    assert code in (0, 1)
    again = rows_of(tmp_path / "again.jsonl")
    assert len(again) == len(to_csv_rows)  # the same customers' emails, nothing read back
    drafts = len(list((tmp_path / "drafts").glob("*.eml")))
    # blob.dat, notes.md, rows.jsonl, rows.csv and every copied draft: ignored, and named
    assert f"{4 + drafts} non-mail files ignored (" in err and "blob.dat" in err


def test_a_device_or_a_fifo_is_refused_before_any_work(tmp_path):
    """Issue 11, item 17: `triage /dev/zero` read without end."""
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        with pytest.raises(InputError, match="not a file or a folder"):
            Sources([Path(path)]).validate()


def test_a_rows_file_without_a_body_column_is_named(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: no message-body column"):
        Sources([table]).validate()


@pytest.mark.parametrize("good_writes", [2, 9])  # while planning, and from a finished email
def test_a_ledger_that_cannot_be_written_stops_the_run_in_one_line(tmp_path, monkeypatch,
                                                                   good_writes):
    """Issue 11, item 8: with the ledger on a full disk, triage printed 16 tracebacks and
    then waited forever. Now it stops at the first failed write, says so in one line, exits
    2, and keeps what was written before."""
    import signal
    import sqlite3

    from drafter.store import Store

    class FullDisk:
        """The real connection, whose ledger writes fail after the second, as SQLite's do
        when the disk fills up."""

        def __init__(self, db):
            self.db, self.writes = db, 0

        def execute(self, sql, *args):
            if sql.startswith("INSERT OR REPLACE INTO ledger"):
                self.writes += 1
                if self.writes > good_writes:
                    raise sqlite3.OperationalError("database or disk is full")
            return self.db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.db, name)

    real_init = Store.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._db = FullDisk(self._db)

    monkeypatch.setattr(Store, "__init__", init)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("hung")))
    signal.alarm(60)
    try:
        result = CliRunner().invoke(
            app, ["triage", *map(str, INPUTS), "--engine", "offline", "--store",
                  str(tmp_path / "ledger.sqlite"), "--out", str(tmp_path / "rows.jsonl")],
            env={"DRAFTER_TODAY": "2026-11-23", "OPENAI_API_KEY": None,
                 "OPENAI_BASE_URL": None})
    finally:
        signal.alarm(0)
    assert result.exit_code == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "could not be written" in last and "database or disk is full" in last
    assert "Traceback" not in result.stderr
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == good_writes


def test_the_first_ctrl_c_while_reading_the_inputs_stops_the_run(tmp_path):
    """Issue 11, item 19: the first Ctrl-C during the input scan was lost (the scan runs in
    a thread, and the signal handler was installed after it): a second one was needed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    mbox = tmp_path / "big.mbox"
    with mbox.open("w", encoding="utf-8") as fh:
        for i in range(80_000):  # long enough to read that the signal lands mid-scan
            fh.write(f"From c{i}@example.com Mon Nov 23 10:00:00 2026\nFrom: c{i}@example.com\n"
                     f"Subject: order {i}\nMessage-ID: <{i}@example.com>\n\n"
                     f"My order {i} never arrived. I want a refund.\n\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["DRAFTER_TODAY"] = "2026-11-23"
    proc = subprocess.Popen(
        [sys.executable, "-m", "drafter", "triage", str(mbox), "--engine", "offline",
         "--store", str(tmp_path / "l.sqlite"), "--out", str(tmp_path / "rows.jsonl")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 60
    while "reading inputs" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    try:
        rest = proc.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("one Ctrl-C did not stop the run") from None
    assert proc.returncode == 130, seen + rest
    assert "interrupted while reading the inputs: nothing was sent" in rest
    assert not (tmp_path / "rows.jsonl").exists()
