"""The SQLite store: ledger rows survive reopening, the cache round-trips, keys are stable."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from drafter.errors import ConfigError
from drafter.store import Store, content_key


def test_ledger_rows_survive_reopen(tmp_path):
    path = tmp_path / "d.sqlite"
    with Store(path) as store:
        store.ledger_put("k1", {"id": "a", "priority": 3}, batch="b1")
        store.ledger_put("k2", {"id": "b"}, batch="b2", status="error")
    with Store(path) as store:
        assert store.ledger_get("k1") == {"id": "a", "priority": 3}
        assert store.ledger_keys() == {"k1", "k2"}
        assert store.ledger_keys("b1") == {"k1"}
        assert [r["id"] for r in store.ledger_rows()] == ["a", "b"]
        assert store.ledger_delete("b1") == 1
        assert store.ledger_keys() == {"k2"}


def test_wal_mode(tmp_path):
    Store(tmp_path / "d.sqlite").close()
    mode = sqlite3.connect(tmp_path / "d.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_cache_round_trip_and_clear(tmp_path):
    with Store(tmp_path / "d.sqlite") as store:
        assert store.cache_get("x") is None
        store.cache_put("x", '{"a": 1}')
        assert store.cache_get("x") == '{"a": 1}'
        assert store.cache_clear() == 1


def test_content_key_is_stable_and_order_insensitive_for_dicts():
    assert content_key({"a": 1, "b": 2}, "m") == content_key({"b": 2, "a": 1}, "m")
    assert content_key("x") != content_key("y")


def test_store_is_safe_across_threads(tmp_path):
    with Store(tmp_path / "d.sqlite") as store:
        def work(n: int) -> None:
            for i in range(50):
                store.ledger_put(f"{n}-{i}", {"n": n, "i": i})

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(store.ledger_keys()) == 400


def test_unopenable_store_is_a_config_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot open"):
        Store(tmp_path / "file" / "d.sqlite")
