"""``--concurrency`` bounds the requests in flight, with threads and with worker processes.

Against the loopback server, which counts the chat requests it is answering at once: a run
must reach its bound (the slots are used) and never pass it (the server is not flooded),
whichever way the work is spread.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback import KEY, MODEL, Loopback

from drafter.policy import load_policy
from drafter.store import Store
from drafter.triage.progress import Progress
from drafter.triage.runner import TriageOptions, WorkerPlan, run_triage, spare_threads
from drafter.triage.sources import Sources
from drafter.triage.work import EngineSpec, WorkSettings, engine_factory

ANALYSIS = json.dumps({
    "summary": "The parcel is late.", "wants": ["the parcel delivered"],
    "grievances": ["the parcel is late"], "facts": [], "anger": 3, "urgency": "normal",
    "churn_risk": "medium", "language": "en", "category": "delivery",
    "escalation": {"required": False, "review": False, "reasons": [], "triggers": []}})


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)


def _mbox(path: Path, count: int) -> Path:
    path.write_bytes(b"".join(
        b"From x Thu Jan  1 00:00:00 2026\nFrom: c%d@example.com\nSubject: late %d\n"
        b"Message-ID: <c%d@example.com>\n\nMy parcel is late again!\n\n" % (i, i, i)
        for i in range(count)))
    return path


def _triage(tmp_path: Path, loop: Loopback, count: int, options: TriageOptions) -> list[dict]:
    # Each answer takes a second: long enough that every slot's request overlaps the others
    # even when a loaded machine staggers the workers' start (0.3 s failed one run in six).
    for _ in range(count):
        loop.chat(ANALYSIS, delay=1.0)
    spec = EngineSpec("openai", llm_options=(("base_url", loop.url), ("api_key", KEY),
                                             ("model", MODEL), ("max_retries", 0)))
    settings = WorkSettings(policy=load_policy(None), no_draft=True)
    with Store(tmp_path / "ledger.sqlite") as store:
        run = run_triage(Sources([_mbox(tmp_path / "in.mbox", count)]), engine_factory(spec),
                         settings, store, "sig", options, Progress())
    return run.rows


def test_threads_keep_exactly_concurrency_requests_in_flight(tmp_path, loopback):
    rows = _triage(tmp_path, loopback, 12, TriageOptions(concurrency=3, workers="thread"))
    assert [r["status"] for r in rows] == ["triaged"] * 12
    assert loopback.peak == 3
    assert len(loopback.chats) == 12  # one analysis each, nothing asked twice


def test_worker_processes_split_the_slots_and_never_pass_the_bound(tmp_path, loopback):
    rows = _triage(tmp_path, loopback, 16, TriageOptions(concurrency=4, workers="process"))
    assert [r["status"] for r in rows] == ["triaged"] * 16
    assert 2 <= loopback.peak <= 4  # each process fills its own share of the four slots
    assert len(loopback.chats) == 16


def test_the_plan_adds_spare_threads_only_for_a_model():
    from drafter.triage.runner import TriageSession

    def plan(name: str, concurrency: int, count: int = 5000) -> WorkerPlan:
        factory = engine_factory(EngineSpec(name))
        session = TriageSession(Sources([]), factory, WorkSettings(policy=load_policy(None)),
                                None, "sig", TriageOptions(concurrency=concurrency), Progress())
        return session._worker_plan(count)

    assert plan("openai", 8) == WorkerPlan(0, 8 + spare_threads(8), 8)
    assert plan("openai", 8, count=10) == WorkerPlan(0, 10, 8)
    assert plan("offline", 2, count=10) == WorkerPlan(0, 2, 0)
    processes = plan("openai", 32).processes
    if processes:  # a machine with two cores or more
        assert plan("openai", 32).requests * processes >= 32
        assert plan("offline", 2).threads == 1
