"""What a process knows of accounts' generations, and when it trusts it (no database here:
the listener's behaviour on a real PostgreSQL is in tests/api/test_nodes.py)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from stockade.store import NeedsDatabase, Store
from stockade.store.generations import Generations, SqliteWatch


def _listening(generations: Generations) -> None:
    generations.restart()
    generations.renew(time.monotonic() + 3600)


def test_nothing_is_known_without_a_listener_holding_the_lease() -> None:
    generations = Generations()
    generations.saw("123456789012", 7, generations.epoch)
    assert generations.current("123456789012") is None  # never listened: callers read
    _listening(generations)
    generations.saw("123456789012", 7, generations.epoch)
    assert generations.current("123456789012") == 7
    generations.renew(time.monotonic() - 1)  # the heartbeat stopped answering
    assert generations.current("123456789012") is None
    generations.renew(time.monotonic() + 3600)
    generations.lapse()  # the connection dropped
    assert generations.current("123456789012") is None


def test_the_newest_generation_wins_whatever_the_order_it_arrives_in() -> None:
    generations = Generations()
    _listening(generations)
    epoch = generations.epoch
    generations.heard("123456789012 9")
    generations.saw("123456789012", 8, epoch)  # a read that started before the move
    assert generations.current("123456789012") == 9
    generations.saw("123456789012", 10, epoch)
    assert generations.current("123456789012") == 10
    generations.heard("123456789012 not-a-number")
    generations.heard("")
    assert generations.current("123456789012") == 10
    assert generations.current("210987654321") is None


def test_a_reconnection_forgets_and_refuses_sightings_from_before_it() -> None:
    generations = Generations()
    _listening(generations)
    before = generations.epoch
    generations.heard("123456789012 4")
    _listening(generations)  # moves made meanwhile were announced to no one
    assert generations.current("123456789012") is None
    generations.saw("123456789012", 4, before)  # read before the listener was back
    assert generations.current("123456789012") is None
    generations.saw("123456789012", 5, generations.epoch)
    assert generations.current("123456789012") == 5


def test_a_request_run_from_memory_cannot_reach_the_database(tmp_path: Path) -> None:
    store = Store.for_data_dir(tmp_path)
    with store.memory_only() as connection, pytest.raises(NeedsDatabase):
        try:
            connection.execute  # noqa: B018 — any use of the stand-in
        except Exception:  # what a handler's broad except would do: it must not catch it
            pytest.fail("NeedsDatabase was taken for an ordinary failure")
    store.close()


def test_sqlite_tells_of_every_commit_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "watched.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x INTEGER)")
    generations = Generations()
    watch = SqliteWatch(str(path), generations)
    watch.check()
    generations.saw("123456789012", 3, generations.epoch)
    watch.check()  # nothing committed since: what is known holds
    assert generations.current("123456789012") == 3
    writer.execute("INSERT INTO t VALUES (1)")
    watch.check()
    assert generations.current("123456789012") is None
    watch.close()
    writer.close()
