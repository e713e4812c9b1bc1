"""The ledger keeps its promises under ``kill -9`` and Ctrl-C (issues 5 and 7).

A real ``drafter triage`` process works through a generated mbox with a deliberately slow
engine (the offline engine plus a sleep, and a log line per analysed email, so the test
knows exactly which emails were sent to "the model"). It is killed mid-batch, then run
again. Every email must then be in the ledger and the output exactly once, and the second
run must have analysed only the emails the first one had not finished: nothing finished is
ever sent to the model twice.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EMAILS = 30

#: Runs the real CLI with the engine factory swapped for a slow, logging one.
SLOW_TRIAGE = r"""
import os, sys, time
import drafter.triage.work as work

real_build = work.build_engine

class Slow:
    def __init__(self, inner):
        self.inner, self.name, self.model = inner, inner.name, inner.model
    def analyze(self, email, policy, usage):
        fd = os.open(os.environ["SLOW_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, (email.message_id + "\n").encode())
        os.close(fd)
        time.sleep(float(os.environ["SLOW_DELAY"]))
        return self.inner.analyze(email, policy, usage)
    def __getattr__(self, name):
        return getattr(self.inner, name)

work.build_engine = lambda spec: Slow(real_build(spec))
from drafter.cli import app
sys.argv = ["drafter", *sys.argv[1:]]
app()
"""


def make_mbox(path: Path, count: int) -> list[str]:
    ids = []
    with path.open("wb") as fh:
        for i in range(count):
            mid = f"<m{i}@example.com>"
            ids.append(mid)
            fh.write(
                f"From x Thu Jan  1 00:00:00 2026\nFrom: c{i}@example.com\n"
                f"Subject: order {i}\nMessage-ID: {mid}\n"
                f"Date: Fri, 20 Nov 2026 10:{i % 60:02d}:00 +0000\n\n"
                f"My order {1000 + i} is late and I am really angry! I want a refund.\n\n"
                .encode())
    return ids


def start(tmp: Path, mbox: Path, log: Path, delay: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLOW_LOG": str(log),
           "SLOW_DELAY": str(delay), "DRAFTER_TODAY": "2026-11-23"}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_TRIAGE, "triage", str(mbox), "--engine", "offline",
         "--concurrency", "4", "--store", str(tmp / "ledger.sqlite"), "--out",
         str(tmp / "rows.jsonl")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def ledger_ids(db_path: Path) -> list[str]:
    if not db_path.exists():
        return []
    with sqlite3.connect(db_path, timeout=5) as db:
        try:
            rows = db.execute("SELECT row FROM ledger WHERE status = 'done'").fetchall()
        except sqlite3.OperationalError:  # the table is not there yet
            return []
    return [json.loads(r)["id"] for (r,) in rows]


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def logged(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_kill_9_mid_batch_then_resume_loses_nothing_and_pays_nothing_twice(tmp_path):
    mbox = tmp_path / "inbox.mbox"
    ids = make_mbox(mbox, EMAILS)
    db = tmp_path / "ledger.sqlite"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    proc = start(tmp_path, mbox, first_log, delay=0.1)
    wait_for(lambda: len(ledger_ids(db)) >= 8)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    finished = ledger_ids(db)
    assert 8 <= len(finished) < EMAILS, "the kill must land mid-batch"
    assert len(finished) == len(set(finished))
    assert not (tmp_path / "rows.jsonl").exists()  # outputs only come with a finished batch

    proc = start(tmp_path, mbox, second_log, delay=0.0)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    again = logged(second_log)
    assert not set(again) & set(finished), "a finished email went to the model again"
    assert set(again) == set(ids) - set(finished), "the resume redid exactly the rest"
    assert len(again) == len(set(again))

    in_ledger = ledger_ids(db)
    assert sorted(in_ledger) == sorted(ids)  # every email exactly once
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert f"{len(finished)} already done" in err.decode().replace(",", "")


def test_ctrl_c_stops_cleanly_commits_what_finished_and_says_how_to_resume(tmp_path):
    mbox = tmp_path / "inbox.mbox"
    ids = make_mbox(mbox, EMAILS)
    db = tmp_path / "ledger.sqlite"
    log = tmp_path / "first.log"

    proc = start(tmp_path, mbox, log, delay=0.1)
    wait_for(lambda: len(ledger_ids(db)) >= 4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "interrupted" in text and "run the same command again to resume" in text
    assert "Traceback" not in text
    finished = ledger_ids(db)
    started = logged(log)
    # Stop submitting, let the ones in flight finish: every email that reached the engine
    # is in the ledger, and the rest were never started.
    assert sorted(finished) == sorted(started)
    assert len(finished) < EMAILS

    proc = start(tmp_path, mbox, tmp_path / "second.log", delay=0.0)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert sorted(ledger_ids(db)) == sorted(ids)
    assert not set(logged(tmp_path / "second.log")) & set(finished)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_worker_processes_do_not_outlive_a_killed_parent(tmp_path):
    """A big offline batch runs in worker processes; kill -9 of the parent ends them too."""
    mbox = tmp_path / "inbox.mbox"
    make_mbox(mbox, 240)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "drafter", "triage", str(mbox), "--engine", "offline",
         "--concurrency", "2", "--store", str(tmp_path / "ledger.sqlite"), "--out",
         str(tmp_path / "rows.jsonl")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(lambda: len(ledger_ids(tmp_path / "ledger.sqlite")) >= 20, timeout=30)
        children = _descendants(proc.pid)  # workers are the fork server's children
        assert len(children) >= 3, "expected the fork server and two worker processes"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    wait_for(lambda: not any(_alive(pid) for pid in children), timeout=10)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``: children, and their children."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        below = [child for child, parent in parents.items() if parent in frontier]
        found += below
        frontier = below
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
