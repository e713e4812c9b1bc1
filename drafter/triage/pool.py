"""Worker processes for big batches: P processes, each working on up to T emails at once.

One Python process runs one thread of Python at a time, and a triage email costs a few
milliseconds of pure-Python CPU whatever the engine (parsing; with a model, also building the
request and reading the answer through the SDK). That caps one process at a few hundred
emails a second however many requests wait on the network, and the offline engine, being
all CPU, at one core. So a big batch is spread over worker processes:

- each process builds one engine, prepared before the first email, and runs a thread pool
  of T threads on it (T = 1 for the offline engine, which never waits; for a model, which
  mostly waits, R = concurrency / P request slots shared by the threads, plus a few spare
  threads that parse and check while the slots wait);
- workers are forked by multiprocessing's fork server, which imports drafter (and the SDK)
  once, where it can (Linux, macOS); elsewhere they are spawned;
- a process takes the next email from a shared queue only when one of its threads is free,
  so work goes to whichever process has room;
- each finished email comes back on its own (not in chunks), so the parent commits it to
  the ledger the moment it is done, exactly as with threads.

A worker exits when its parent disappears (``kill -9`` of the parent must not leave orphans
polling a queue forever). A worker that dies is reported; its emails in flight become error
rows to retry on the next run.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from drafter.engines import Engine
from drafter.triage.sources import Entry
from drafter.triage.work import Outcome, WorkSettings, error_row, process, worker_engine

#: How often an idle worker checks that its parent is still there.
_PARENT_CHECK_S = 0.5

Job = tuple[str, Entry, Any]


def _worker_main(jobs: Any, results: Any, factory: Callable[[], Engine],
                 settings: WorkSettings, threads: int, requests: int) -> None:
    """A worker process: build and prepare its engine at once (while the parent is still
    reading the inputs), then take a group of jobs while a thread is free and send the
    outcomes back as soon as the group is done (a group is one email unless ``threads`` is
    1). At most ``requests`` of the threads have a request out at once (0: no limit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    slots = threading.Semaphore(threads)
    gate = threading.BoundedSemaphore(requests) if requests else None
    engine: Engine | None = None
    broken = ""
    try:
        engine = worker_engine(factory, gate, settings)
    except Exception as exc:  # the parent built the same engine; this is a last defence
        broken = f"internal error: cannot build the engine: {type(exc).__name__}: {exc}"

    def run(group: list[Job]) -> list[tuple[str, Outcome]]:
        if engine is None:
            return [(key, Outcome(error_row(entry, broken), retry=True))
                    for key, entry, _ in group]
        return [(key, _safely(entry, raw, engine, settings)) for key, entry, raw in group]

    def done(future: Future[list[tuple[str, Outcome]]]) -> None:
        results.put(future.result())
        slots.release()

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="drafter-w") as pool:
        while True:
            slots.acquire()
            group = _next_job(jobs)
            if group is None:
                break
            pool.submit(run, group).add_done_callback(done)


def _safely(entry: Entry, raw: Any, engine: Engine, settings: WorkSettings) -> Outcome:
    try:
        return process(entry, raw, engine, settings)
    except Exception as exc:  # process() never raises; this is a last line of defence
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return Outcome(error_row(entry, reason), retry=True)


def _next_job(jobs: Any) -> list[Job] | None:
    """The next group of jobs; None to stop (asked to, or the parent is gone: killed).

    The parent is watched through multiprocessing's own sentinel, a pipe whose other end
    only the parent holds (a worker started by the fork server is not the parent's child,
    so its parent pid says nothing)."""
    parent = multiprocessing.parent_process()
    while parent is None or parent.is_alive():
        try:
            return jobs.get(timeout=_PARENT_CHECK_S)
        except queue.Empty:
            continue
    return None


#: What every worker needs loaded: imported once by the fork server, inherited by each worker.
PRELOAD = ("drafter.triage.work", "drafter.engines.offline", "drafter.checker", "jinja2")
#: And what a model engine's workers need besides (the SDK alone is 0.55 s to import).
MODEL_PRELOAD = ("drafter.engines.openai_engine", "openai")


def _context(preload: tuple[str, ...]) -> Any:
    """The fork server where there is one (Linux, macOS), else spawn.

    Spawned workers each import drafter and the openai SDK afresh (0.8 s of CPU apiece, the
    start-up gap of a batch); the fork server imports them once and forks ready workers from
    a process with no threads, which plain fork from this threaded parent could not promise.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))  # once started, the server keeps its own
    return context


class ProcessWorkers:
    """The parent's handle: submit jobs, receive outcomes through ``on_result``.

    ``on_result(key, outcome)`` is called from a reader thread; the runner hands it to the
    event loop with ``call_soon_threadsafe``.
    """

    def __init__(self, processes: int, threads: int, requests: int,
                 factory: Callable[[], Engine], settings: WorkSettings,
                 on_result: Callable[[str, Outcome], None]) -> None:
        context = _context(PRELOAD + (MODEL_PRELOAD if requests else ()))
        self._jobs = context.Queue()
        self._results = context.Queue()
        self._on_result = on_result
        self._inflight: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._closing = False
        self.broken = False
        self._procs = [
            context.Process(target=_worker_main, name=f"drafter-worker-{i}", daemon=True,
                            args=(self._jobs, self._results, factory, settings, threads,
                                  requests))
            for i in range(processes)
        ]
        for proc in self._procs:
            proc.start()
        self._reader = threading.Thread(target=self._read, name="drafter-results", daemon=True)
        self._reader.start()

    def submit(self, group: list[Job]) -> None:
        """Hand over a group of (key, entry, raw) jobs, done together by one worker thread."""
        with self._lock:
            for key, entry, _ in group:
                self._inflight[key] = entry
        self._jobs.put(group)

    def _read(self) -> None:
        while True:
            try:
                finished = self._results.get(timeout=_PARENT_CHECK_S)
            except queue.Empty:
                if self._closing:
                    return
                self._check_alive()
                continue
            except (EOFError, OSError):
                return
            for key, outcome in finished:
                with self._lock:
                    if self._inflight.pop(key, None) is None:
                        continue  # already given up on (see _check_alive)
                self._on_result(key, outcome)

    def _check_alive(self) -> None:
        """A dead worker's emails cannot come back. Which ones it held is unknown, so every
        email in flight becomes an error row to retry, and the run stops submitting (an
        answer that still arrives for one of them is ignored)."""
        dead = [p for p in self._procs if not p.is_alive() and p.exitcode not in (0, None)]
        if not dead or self.broken:
            return
        self.broken = True
        with self._lock:
            lost = list(self._inflight.items())
            self._inflight.clear()
        reason = f"worker process died (exit code {dead[0].exitcode}); run again to retry"
        for key, entry in lost:
            self._on_result(key, Outcome(error_row(entry, reason), retry=True))

    def close(self, *, force: bool = False) -> None:
        """Stop the workers: politely (they finish what they hold) or, with ``force``, now."""
        self._closing = True
        if force:
            for proc in self._procs:
                if proc.is_alive():
                    proc.terminate()
        else:
            for _ in self._procs:
                self._jobs.put(None)
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        self._jobs.cancel_join_thread()
        self._results.cancel_join_thread()

