"""A second triage run with other flags pays nothing for the requests it makes again.

``--no-draft`` first, then the drafts: the analysis of every email is the same request both
times, so the second run takes it from the store's response cache and asks the model only
for the drafts. ``--fresh`` asks again; ``--redact`` keeps no model answers at all.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from loopback import KEY, MODEL, Loopback, request_kind
from typer.testing import CliRunner

from drafter.cli import app

ANALYSIS = json.dumps({
    "summary": "The parcel is late.", "wants": ["the parcel delivered"],
    "grievances": ["the parcel is late"], "facts": [], "anger": 4, "urgency": "high",
    "churn_risk": "medium", "language": "en", "category": "delivery",
    "escalation": {"required": False, "review": False, "reasons": [], "triggers": []}})
REPLY = ("Hi there,\n\nI'm so sorry your parcel is late; I understand how frustrating the "
         "wait is.\n\nI can refund the shipping fee, or send a replacement at no cost. "
         "Which would you prefer?\n\nI will email you tomorrow with an update.\n\nAlex\n")
EMAILS = 3


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _mbox(tmp: Path) -> Path:
    path = tmp / "in.mbox"
    path.write_bytes(b"".join(
        b"From x Thu Jan  1 00:00:00 2026\nFrom: c%d@example.com\nSubject: late %d\n"
        b"Message-ID: <c%d@example.com>\n\nMy parcel is late again! Where is it?\n\n" % (i, i, i)
        for i in range(EMAILS)))
    return path


def _triage(tmp: Path, loop: Loopback, *flags: str) -> tuple[list[str], list[dict]]:
    """One CLI run: (the schema of each chat request it made, the rows it wrote)."""
    before = len(loop.chats)
    result = CliRunner().invoke(
        app, ["triage", str(_mbox(tmp)), "--engine", "openai", "--base-url", loop.url,
              "--model", MODEL, "--store", str(tmp / "drafter.sqlite"), "--no-judge",
              "--max-revisions", "0", "--out", str(tmp / "rows.jsonl"), "--quiet", "-j", "1",
              *flags],
        env={"OPENAI_API_KEY": KEY, "DRAFTER_TODAY": "2026-11-23"})
    assert result.exit_code in (0, 1), result.output
    asked = [request_kind(c) for c in loop.chats[before:]]
    rows = [json.loads(line) for line in (tmp / "rows.jsonl").read_text().splitlines()]
    return asked, rows


def _cached(tmp: Path) -> int:
    with sqlite3.connect(tmp / "drafter.sqlite") as db:
        return db.execute("SELECT count(*) FROM cache").fetchone()[0]


def test_drafting_after_a_triage_only_run_reuses_every_analysis(tmp_path, loopback):
    for _ in range(EMAILS):
        loopback.chat(ANALYSIS, kind="analysis")
    asked, rows = _triage(tmp_path, loopback, "--no-draft")
    assert asked == ["analysis"] * EMAILS and {r["status"] for r in rows} == {"triaged"}
    assert _cached(tmp_path) == EMAILS

    for _ in range(EMAILS):
        loopback.chat(REPLY, kind="draft")
    asked, rows = _triage(tmp_path, loopback)  # other flags: a new run, the same analyses
    assert asked == ["draft"] * EMAILS
    assert {r["status"] for r in rows} == {"drafted"}
    assert all(r["draft_text"].startswith("Hi there") for r in rows)


def test_fresh_asks_the_model_again(tmp_path, loopback):
    for _ in range(2 * EMAILS):
        loopback.chat(ANALYSIS, kind="analysis")
    _triage(tmp_path, loopback, "--no-draft")
    asked, _ = _triage(tmp_path, loopback, "--no-draft", "--fresh")
    assert asked == ["analysis"] * EMAILS


def test_redact_keeps_no_model_answers(tmp_path, loopback):
    for _ in range(2 * EMAILS):
        loopback.chat(ANALYSIS, kind="analysis")
    for _ in range(EMAILS):
        loopback.chat(REPLY, kind="draft")
    _triage(tmp_path, loopback, "--no-draft", "--redact")
    asked, rows = _triage(tmp_path, loopback, "--redact")
    assert sorted(asked) == ["analysis"] * EMAILS + ["draft"] * EMAILS  # nothing kept to reuse
    assert {r["status"] for r in rows} == {"drafted"}
    assert _cached(tmp_path) == 0
