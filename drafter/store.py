"""drafter's one SQLite file: the triage ledger and the model-response cache.

The ledger is why a crashed or interrupted batch loses nothing and a re-run never pays twice:
each finished email is committed the moment it finishes, in WAL mode so a reader (the
report) never blocks the writer. The cache, keyed by the exact rendered prompt, model and
parameters, lets an unchanged eval case or triage re-run cost nothing.

Where it lives: ``$DRAFTER_HOME/drafter.sqlite`` (default ``~/.cache/drafter``), or a path
the caller chooses. Delete the file to forget everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from drafter.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    key        TEXT PRIMARY KEY,
    batch      TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    row        TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_batch ON ledger(batch);
CREATE TABLE IF NOT EXISTS cache (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""


def default_home() -> Path:
    return Path(os.environ.get("DRAFTER_HOME") or Path.home() / ".cache" / "drafter")


def default_store_path() -> Path:
    return default_home() / "drafter.sqlite"


def content_key(*parts: Any) -> str:
    """A stable sha256 over JSON-able parts: the same inputs always give the same key."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Store:
    """A thread-safe handle on the SQLite file; one connection, serialised by a lock.

    Writes are tiny (one row per email or response), so one connection with a lock is
    simpler and as fast as a pool for drafter's volumes, and it is safe to share between
    the worker threads of a triage run.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(f"cannot open the drafter store at {self.path}: {exc}") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- ledger ------------------------------------------------------------------------

    def ledger_put(self, key: str, row: dict[str, Any], *, batch: str = "",
                   status: str = "done") -> None:
        """Record one finished email; committed before returning (autocommit)."""
        payload = json.dumps(row, ensure_ascii=False)
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO ledger(key, batch, status, row, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, batch, status, payload, time.time()),
                )
        except sqlite3.Error as exc:
            from drafter.errors import StoreError

            raise StoreError(
                f"the ledger {self.path} could not be written ({exc}): the emails finished "
                "before are kept in it; free some space or choose another --store, then run "
                "the same command again to resume") from None

    def ledger_get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._db.execute("SELECT row FROM ledger WHERE key = ?", (key,)).fetchone()
        return json.loads(found[0]) if found else None

    def ledger_keys(self, batch: str | None = None) -> set[str]:
        query, args = "SELECT key FROM ledger", ()
        if batch is not None:
            query, args = query + " WHERE batch = ?", (batch,)
        with self._lock:
            return {k for (k,) in self._db.execute(query, args)}

    def ledger_rows(self, batch: str | None = None) -> Iterator[dict[str, Any]]:
        query, args = "SELECT row FROM ledger", ()
        if batch is not None:
            query, args = query + " WHERE batch = ?", (batch,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created_at", args).fetchall()
        return (json.loads(r) for (r,) in rows)

    def ledger_delete(self, batch: str | None = None) -> int:
        """Forget finished emails (``--fresh``); all of them when ``batch`` is None."""
        query, args = "DELETE FROM ledger", ()
        if batch is not None:
            query, args = query + " WHERE batch = ?", (batch,)
        with self._lock:
            return self._db.execute(query, args).rowcount

    # --- response cache ------------------------------------------------------------------

    def cache_get(self, key: str) -> str | None:
        with self._lock:
            found = self._db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None

    def cache_put(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO cache(key, value, created_at) VALUES (?, ?, ?)",
                (key, value, time.time()),
            )

    def cache_clear(self) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM cache").rowcount


class LedgerBusy(ConfigError):
    """Another triage run holds the ledger: two runs on one ledger would both pay for every
    email (each sees the other's emails as unfinished)."""


@contextlib.contextmanager
def ledger_lock(path: str | Path) -> Iterator[None]:
    """Hold ``PATH.lock`` for the length of a triage run; a second run gets :class:`LedgerBusy`
    naming the holder (its pid and when it started). The lock is the operating system's
    (``flock``), so it goes with its process however that process ends; the file only tells
    who held it last. Where ``fcntl`` is missing (Windows) runs are not serialised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = " ".join(fh.read().split())[:120] or "another process"
            raise LedgerBusy(f"the ledger {path} is in use by another triage run ({holder}); "
                             "wait for it to finish, or give this run its own --store") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
