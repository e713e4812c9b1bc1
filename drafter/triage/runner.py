"""Running a triage batch: scan, plan against the ledger, work with bounded concurrency, rank.

The event loop only orchestrates. The scan runs in a thread; the per-email work (full parse,
model calls, the checker) runs in a dedicated pool (the default executor's cpu+4 threads
would cap a 32-wide run): threads in this process for small batches, or worker processes
(:mod:`drafter.triage.pool`) for big ones, because the work is a few milliseconds of pure
Python per email that threads cannot spread over cores — one single-threaded process per
core for the offline engine, and the threads spread over the cores for a model engine from
a concurrency of 16 up.

``--concurrency`` bounds the *requests* in flight: the engines of a process share a
semaphore of that many slots (split evenly between processes), held only while a request
is out. A few spare threads beyond the slots parse and check the next emails meanwhile, so
a slot is never idle while its email is being parsed or checked; that is what lets a run
come near ``concurrency / latency`` requests a second. The event loop keeps at most as
many emails in flight as there are threads, releasing one as each finishes.

The ledger (:class:`drafter.store.Store`) is written by the loop thread the moment each email
finishes (autocommit, WAL), under a key made of the email's identity and the run's
*signature* (engine, model, templates, policy, flags: :mod:`drafter.triage.keys`). So a
crash loses only the emails in flight, and a re-run finds every finished one and sends
nothing of it to a model again. Errors that came from the model are recorded with
``retry`` and done again by the next run; a run whose model keeps failing stops itself.

Ctrl-C (or SIGTERM) stops taking new emails and lets the ones in flight finish and commit; a
second Ctrl-C stops waiting. Either way the caller gets what finished and exits 130.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import datetime as dt
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drafter.engines import Engine
from drafter.errors import StoreError
from drafter.store import Store, content_key
from drafter.triage.pool import ProcessWorkers
from drafter.triage.priority import rank_rows
from drafter.triage.progress import Progress
from drafter.triage.redact import redact_row
from drafter.triage.sources import Entry, Sources
from drafter.triage.threads import analyse_threads
from drafter.triage.work import (
    Outcome,
    WorkSettings,
    eml_from_row,
    error_row,
    process,
    superseded_row,
    worker_engine,
)

#: Below this many emails to do, worker processes cost more to start than they save.
PROCESS_MIN_EMAILS = 200
#: Emails per hand-over to a single-threaded (offline) worker process.
PROCESS_GROUP = 4
#: Consecutive model failures (at least; the concurrency if larger) that stop a run.
FAILURE_LIMIT = 8
#: From this concurrency up, a model engine's work is spread over worker processes.
PROCESS_MIN_CONCURRENCY = 16


@dataclass(frozen=True)
class WorkerPlan:
    """How the work is spread: ``processes`` (0: threads in this process), ``threads`` in
    each, and the ``requests`` those threads may have in flight at once (0: no limit, the
    offline engine makes none)."""

    processes: int
    threads: int
    requests: int = 0

    @property
    def emails(self) -> int:
        """Emails the event loop keeps in flight: every thread busy, none waiting idle."""
        return max(1, self.processes) * self.threads


def spare_threads(requests: int) -> int:
    """Threads beyond the request slots: parsing, prompts and the checker of the next emails
    (a few ms each) overlap the slots' waiting. A quarter more (at least two) measured
    enough to keep every slot busy at 100 ms latency."""
    return max(2, requests // 4)


@dataclass
class TriageOptions:
    """How a run works (not what it produces: that is in the signature and WorkSettings)."""

    concurrency: int = 8
    fresh: bool = False
    ours: tuple[str, ...] = ()
    workers: str = "auto"  # auto | thread | process
    now: dt.datetime | None = None
    breaker: bool = True  # stop when the model keeps failing (off for the Batch API)


@dataclass
class TriageRun:
    """What a run produced: ranked rows for every input email, replies, and counts."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    emls: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    forced: bool = False
    left: int = 0
    #: Ctrl-C came while the inputs were still being read: nothing was planned or sent.
    while_reading: bool = False
    duplicates: int = 0
    skipped_files: list[str] = field(default_factory=list)
    aborted: str = ""  # why the run stopped itself (the model kept failing)
    counters: Any = None  # the progress Counters
    batch: bool = False  # made through the Batch API (half-price tokens)


def run_triage(sources: Sources, factory: Callable[[], Engine], settings: WorkSettings,
               store: Store, signature: str, options: TriageOptions,
               progress: Progress) -> TriageRun:
    """Run one batch to the end (or to Ctrl-C); see the module docstring."""
    run = asyncio.run(TriageSession(sources, factory, settings, store, signature, options,
                                    progress).main())
    run.counters = progress.counters
    return run


def row_key(entry: Entry, signature: str) -> str:
    """The ledger key: the email's identity under this run's signature."""
    return content_key(entry.identity, signature)


def _estimated_emails(paths: list[Any]) -> int:
    """A guess at the number of emails from the input files' sizes (about 2 KB each)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size if path.is_file() else 0
    return total // 2048


def _outcome(future: asyncio.Future[Outcome], entry: Entry) -> Outcome:
    """A thread's outcome; a cancelled or crashed job is an error row to retry."""
    if future.cancelled():
        return Outcome(error_row(entry, "cancelled"), retry=True)
    exc = future.exception()
    if exc is not None:
        return Outcome(error_row(entry, f"internal error: {type(exc).__name__}: {exc}"),
                       retry=True)
    return future.result()


# --- the run ----------------------------------------------------------------------------------


class TriageSession:
    """One run's state: the entries, their rows so far, the ledger and the counters.

    :meth:`main` is the whole asynchronous run; the Batch API path uses the same pieces
    (:meth:`prepare`, :meth:`record`, :meth:`finish`) around its own submit-and-poll loop.
    """

    def __init__(self, sources: Sources, factory: Callable[[], Engine], settings: WorkSettings,
                 store: Store, signature: str, options: TriageOptions,
                 progress: Progress) -> None:
        self.sources, self.factory, self.settings = sources, factory, settings
        self.store, self.signature, self.options = store, signature, options
        self.progress = progress
        self.result = TriageRun()
        self.rows: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, Entry] = {}
        self.labels: dict[int, str] = {}
        self.stop = asyncio.Event()
        self.fatal: StoreError | None = None  # the ledger failed: stop, then say so
        self.engine: Engine | None = None  # with threads: the one they share
        self.engine_lock = threading.Lock()
        self.processed = 0
        self.resumed = 0
        self.inflight = 0
        self.failures = 0
        self.gate: threading.BoundedSemaphore | None = None  # request slots, with threads
        self.dispatching: asyncio.Task[None] | None = None

    def prepare(self) -> list[tuple[str, Entry]]:
        """Scan and plan (synchronously): the (key, entry) pairs that still need work."""
        return self._plan(self._scan())

    def finish(self) -> TriageRun:
        """Every row of this run's inputs, ranked."""
        now = self.options.now or dt.datetime.now(dt.UTC)
        self.result.rows = rank_rows(list(self.rows.values()), now)
        self.result.skipped_files = list(self.sources.skipped)
        return self.result

    async def main(self) -> TriageRun:
        loop = asyncio.get_running_loop()
        # Worker processes take a second to start: start them while the inputs are read.
        early_plan = self._worker_plan(_estimated_emails(self.sources.paths))
        early = self._workers(loop, early_plan) if early_plan.processes else None
        # Ctrl-C works from the start: the scan runs in a thread, so the handler tells it to
        # stop (the first Ctrl-C during a long scan was lost until the scan ended).
        self._install_signals(loop)
        try:
            entries = await loop.run_in_executor(None, self._scan)
        except BaseException:
            self._remove_signals(loop)
            raise
        if self.stop.is_set():
            self._remove_signals(loop)
            if early is not None:
                early.close()
            self.result.left = len(entries)
            self.result.interrupted = self.result.while_reading = True
            return self.finish()
        pending = self._plan(entries)
        if early is not None and self._worker_plan(len(pending)) != early_plan:
            early.close()
            early = None
        self.progress.start(len(pending), self.resumed)
        self.dispatching = asyncio.create_task(self._dispatch(pending, early))
        try:
            await self.dispatching
        finally:
            self._remove_signals(loop)
            self.progress.stop()
        if self.fatal is not None:
            raise self.fatal
        self.result.left = len(pending) - self.processed
        self.result.interrupted = (self.stop.is_set() and self.result.left > 0
                                   and not self.result.aborted)
        if not self.result.interrupted and not self.result.aborted and self.settings.want_eml:
            await loop.run_in_executor(None, self.old_replies)
        return self.finish()

    # -- scan and plan ----------------------------------------------------------------------

    def _scan(self) -> list[Entry]:
        entries: list[Entry] = []
        for entry in self.sources.scan():
            if self.stop.is_set():  # Ctrl-C while reading the inputs
                break
            entries.append(entry)
            if len(entries) % 500 == 0:
                self.progress.scanning(len(entries))
        self.progress.scanning(len(entries))
        return entries

    def _plan(self, entries: list[Entry]) -> list[tuple[str, Entry]]:
        """Rows for what needs no work (errors, superseded, done before); the rest to do."""
        done = {} if self.options.fresh else {
            row.get("key"): row for row in self.store.ledger_rows(self.signature)
            if not row.get("retry")}
        for entry in entries:  # the same email in two inputs is one email
            key = row_key(entry, self.signature)
            if key in self.entries:
                self.result.duplicates += 1
            else:
                self.entries[key] = entry
        superseded, self.labels = analyse_threads(self.entries.values(), self.options.ours)
        pending: list[tuple[str, Entry]] = []
        for key, entry in self.entries.items():
            if entry.error:
                self._static(key, error_row(entry, entry.error), done)
            elif entry.order in superseded:
                self._static(key, superseded_row(entry, superseded[entry.order].reason), done)
            elif key in done:
                row = done[key]
                row.update(source=entry.source, thread=self.labels.get(entry.order, ""))
                self.rows[key] = row
                self.resumed += 1
            else:
                pending.append((key, entry))
        return pending

    def _static(self, key: str, row: dict[str, Any], done: dict[Any, dict[str, Any]]) -> None:
        """A row that costs nothing to make; written to the ledger unless it is already."""
        row = self._finish_row(key, row)
        old = done.get(key)
        if old is None or old.get("status") != row["status"] or old.get("error") != row["error"]:
            self.store.ledger_put(key, row, batch=self.signature)
        self.rows[key] = row

    def _finish_row(self, key: str, row: dict[str, Any], entry: Entry | None = None
                    ) -> dict[str, Any]:
        entry = entry or self.entries[key]
        row["key"] = key
        row["thread"] = self.labels.get(entry.order, "")
        return redact_row(row) if self.settings.redact else row

    # -- work -------------------------------------------------------------------------------

    def _worker_plan(self, count: int) -> WorkerPlan:
        """Where ``count`` emails' work runs.

        The offline engine is all CPU: one single-threaded process per core. A model engine
        mostly waits, so threads do until the per-email Python work nears a core's worth:
        from a concurrency of 16 up it is spread over the cores, the request slots split
        evenly. Small batches stay in-process (starting processes costs about a second).
        """
        from drafter.triage.work import EngineSpec

        mode = self.options.workers
        cpus = os.cpu_count() or 1
        jobs = max(1, self.options.concurrency)
        spec = getattr(self.factory, "args", (None,))[0]
        offline = isinstance(spec, EngineSpec) and spec.name == "offline"
        in_process = (WorkerPlan(0, jobs) if offline
                      else WorkerPlan(0, jobs + spare_threads(jobs), jobs))
        if mode == "thread" or (mode == "auto" and (cpus < 2 or count < PROCESS_MIN_EMAILS)):
            return in_process
        if mode == "auto" and not isinstance(spec, EngineSpec):
            return in_process  # a caller's own engine factory may not survive pickling
        if offline:
            return WorkerPlan(min(jobs, cpus), 1)
        if mode == "auto" and jobs < PROCESS_MIN_CONCURRENCY:
            return in_process
        processes = min(cpus, max(1, jobs // 8))
        requests = -(-jobs // processes)
        return WorkerPlan(processes, requests + spare_threads(requests), requests)

    def _workers(self, loop: asyncio.AbstractEventLoop, plan: WorkerPlan) -> ProcessWorkers:
        return ProcessWorkers(
            plan.processes, plan.threads, plan.requests, self.factory, self.settings,
            lambda key, outcome: loop.call_soon_threadsafe(self._finished, key, outcome))

    async def _dispatch(self, pending: list[tuple[str, Entry]],
                        workers: ProcessWorkers | None = None) -> None:
        """Submit while fewer than the limit are in flight; wait for the last to finish."""
        if not pending:
            if workers is not None:
                workers.close()
            return
        loop = asyncio.get_running_loop()
        plan = self._worker_plan(len(pending))
        executor: cf.ThreadPoolExecutor | None = None
        group = 1
        limit = plan.emails
        if plan.processes:
            workers = workers or self._workers(loop, plan)
            if plan.threads == 1:  # CPU-bound: small groups halve the hand-over cost per email
                group = PROCESS_GROUP
                limit = plan.processes * group * 2
        else:
            self.gate = threading.BoundedSemaphore(plan.requests) if plan.requests else None
            executor = cf.ThreadPoolExecutor(max_workers=plan.threads,
                                             thread_name_prefix="drafter-triage")
        self.slots = asyncio.Semaphore(limit)
        self.idle = asyncio.Event()
        self.idle.set()
        try:
            for start in range(0, len(pending), group):
                batch = pending[start:start + group]
                for _ in batch:
                    await self.slots.acquire()
                if self.stop.is_set() or (workers is not None and workers.broken):
                    for _ in batch:
                        self.slots.release()
                    break
                self.inflight += len(batch)
                self.idle.clear()
                if workers is not None:
                    self._submit_process(workers, batch)
                else:
                    assert executor is not None
                    key, entry = batch[0]
                    future = loop.run_in_executor(executor, self._in_thread, entry)
                    future.add_done_callback(
                        lambda f, k=key, e=entry: self._finished(k, _outcome(f, e)))
            await self.idle.wait()
        except asyncio.CancelledError:
            self.result.forced = True
        finally:
            if workers is not None:
                workers.close(force=self.result.forced)
            if executor is not None:
                executor.shutdown(wait=not self.result.forced, cancel_futures=True)

    def _submit_process(self, workers: ProcessWorkers, batch: list[tuple[str, Entry]]) -> None:
        """Read the messages here (mailboxes are indexed in this process) and hand them over;
        one that cannot be read is an error row at once."""
        jobs = []
        for key, entry in batch:
            try:
                jobs.append((key, entry, self.sources.load(entry)))
            except (OSError, KeyError, ValueError) as exc:
                self._finished(key, Outcome(error_row(entry, f"cannot read message: {exc}")))
        if jobs:
            workers.submit(jobs)

    def _finished(self, key: str, outcome: Outcome) -> None:
        """On the loop thread: commit the email, free its slot. A ledger that cannot be
        written stops the run (nothing more would be kept) and is reported once it has
        wound down; the slot is freed whatever happens, or the run would wait forever."""
        try:
            self.record(key, outcome)
        except StoreError as exc:
            self.fatal = self.fatal or exc
            self.stop.set()
        finally:
            self.inflight -= 1
            self.slots.release()
            if self.inflight == 0:
                self.idle.set()

    def _in_thread(self, entry: Entry) -> Outcome:
        """A worker thread's job, on the engine the threads share (built by the first)."""
        with self.engine_lock:
            if self.engine is None:
                self.engine = worker_engine(self.factory, self.gate, self.settings)
            engine = self.engine
        try:
            raw = self.sources.load(entry)
        except (OSError, KeyError, ValueError) as exc:
            return Outcome(error_row(entry, f"cannot read message: {exc}", engine))
        return process(entry, raw, engine, self.settings)

    def record(self, key: str, outcome: Outcome) -> None:
        """Commit one finished email to the ledger now, then count it."""
        self._breaker(outcome)
        row = self._finish_row(key, outcome.row)
        if outcome.retry:
            row["retry"] = True
        self.store.ledger_put(key, row, batch=self.signature,
                              status="retry" if outcome.retry else "done")
        self.rows[key] = row
        if outcome.eml:
            self.result.emls[key] = outcome.eml
        self.processed += 1
        self.progress.advance(row)

    def _breaker(self, outcome: Outcome) -> None:
        """Stop the run when the model keeps failing (server down, wrong key or model):
        a batch of 10,000 error rows helps nobody, and nothing finished is lost by stopping."""
        if not outcome.retry or not self.options.breaker:
            self.failures = 0
            return
        self.failures += 1
        limit = max(FAILURE_LIMIT, self.options.concurrency)
        if self.failures >= limit and not self.stop.is_set():
            self.result.aborted = str(outcome.row.get("error") or "unknown error")
            self.stop.set()
            self.progress.note(f"stopping: the last {self.failures} emails all failed")

    def old_replies(self) -> None:
        """``.eml`` replies for drafts finished in an earlier run: parse those emails again."""
        for key, row in self.rows.items():
            if row.get("status") != "drafted" or key in self.result.emls:
                continue
            entry = self.entries[key]
            try:
                eml = eml_from_row(entry, self.sources.load(entry), row, self.settings.redact)
            except Exception:  # the draft is still in the JSONL/report; the .eml is a bonus
                continue
            if eml:
                self.result.emls[key] = eml

    # -- Ctrl-C -----------------------------------------------------------------------------

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not the main thread, or no signals on this platform: Ctrl-C raises as usual.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal)

    def _remove_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        if self.dispatching is None and not self.stop.is_set():
            self.stop.set()  # still reading the inputs: nothing was sent yet
            self.progress.note("stopping: reading the inputs stops here; nothing was sent")
            return
        if not self.stop.is_set():
            self.stop.set()
            self.progress.note("stopping: finishing the emails in flight "
                               "(press Ctrl-C again to stop now)")
            return
        self.result.forced = True
        if self.dispatching is not None:
            self.dispatching.cancel()
