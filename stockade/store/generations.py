"""What this process knows of each account's generation, kept current by the database.

Every IAM change moves its account's generation (`identity.accounts.bump_generation`), and
caches key their entries by it; reading it costs a round trip on every request. On PostgreSQL a
trigger announces each move on a channel (migration 0006) and `GenerationListener` keeps the
newest generation of each account in `Generations`, so a request whose caller is cached reads
nothing to know its cache still holds. Changes made on this node are known as they commit
(`Store.write`); those of other nodes, the command line or SQL, as soon as their notice arrives:
the same eventual consistency as AWS IAM's, measured in milliseconds. SQLite has no notices:
there `SqliteWatch` asks SQLite at the start of every transaction whether anyone committed.

Knowledge is trusted only under a lease that the listener renews by a round trip on its
connection every `HEARTBEAT` seconds. A connection that dies silently (no reset, a partition)
stops being trusted after `LEASE` seconds at most, and requests then read the generation from
the database, as the command line always does. Each (re)connection forgets everything and moves
the epoch: notices sent while no one listened are lost, and a read begun before the listener was
back must not install what it saw (see `saw`).
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

CHANNEL = "stockade_generation"
LISTENER_NAME = "stockade generation listener"  # the listener's application_name
HEARTBEAT = 1.0  # seconds between the listener's round trips
LEASE = 5.0  # seconds knowledge stays trusted after a round trip proved the connection alive
_RETRY = 1.0  # seconds before reconnecting

log = logging.getLogger("stockade.generations")


class Generations:
    """The newest generation heard of, per account. `current` answers only while a listener
    holds the lease; without one (SQLite, the command line, a lost connection) it answers None
    and callers read the database."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}
        self._lock = threading.Lock()
        self._epoch = 0
        self._lease_until = 0.0  # time.monotonic(); 0: no listener

    def current(self, account_id: str) -> int | None:
        if time.monotonic() >= self._lease_until:
            return None
        return self._known.get(account_id)

    @property
    def epoch(self) -> int:
        """Take this before reading a generation from the database; give it to `saw`."""
        return self._epoch

    def saw(self, account_id: str, generation: int, epoch: int) -> None:
        """A generation read or written in the database. Generations only grow, so the larger
        of two sightings is the newer; a sighting from before the listener's last (re)connection
        is dropped, as moves between it and the reconnection were never announced."""
        with self._lock:
            if epoch == self._epoch and generation > self._known.get(account_id, -1):
                self._known[account_id] = generation

    def heard(self, payload: str) -> None:
        """A notice from the channel: `ACCOUNT_ID GENERATION`."""
        account_id, _, value = payload.partition(" ")
        try:
            generation = int(value)
        except ValueError:
            log.warning("ignored a malformed generation notice")
            return
        # Notices arrive on the listener's thread, the only one that moves the epoch.
        self.saw(account_id, generation, self._epoch)

    def restart(self) -> None:
        """The listener (re)connected: what was known may have moved unheard."""
        with self._lock:
            self._known.clear()
            self._epoch += 1
            self._lease_until = 0.0

    def renew(self, until: float) -> None:
        self._lease_until = until

    def lapse(self) -> None:
        """The listener lost its connection: trust nothing until it is back."""
        self._lease_until = 0.0


class GenerationListener:
    """A daemon thread on a connection of its own: LISTEN, a heartbeat each second, reconnect
    on any failure. `connect` opens an autocommit psycopg connection."""

    def __init__(self, connect: Callable[[], Any], generations: Generations) -> None:
        self._connect = connect
        self._generations = generations
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stockade-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._generations.lapse()
        self._thread.join(timeout=2 * HEARTBEAT)  # it looks at the flag once a heartbeat

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._listen()
            except Exception as exc:  # a dropped connection, a restarting server
                if self._stopped.is_set():
                    return
                log.warning("generation listener lost its connection (%s); reconnecting", exc)
            finally:
                self._generations.lapse()
            self._stopped.wait(_RETRY)

    def _listen(self) -> None:
        generations = self._generations
        with self._connect() as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            # Only now: every move from here on is announced to this connection.
            generations.restart()
            while not self._stopped.is_set():
                started = time.monotonic()
                connection.execute("SELECT 1")  # the connection answers: what it holds is true
                generations.renew(started + LEASE)
                # Notices that came with the heartbeat's answer are kept and come first.
                for notice in connection.notifies(timeout=HEARTBEAT):
                    generations.heard(notice.payload)


class SqliteWatch:
    """SQLite has no notices, but it tells a connection whether any other has committed since
    it last asked (`PRAGMA data_version`). The store asks on a connection of its own at the
    start of every transaction, and after any commit (this process's included) forgets every
    generation it knew: a few microseconds instead of reading the key and the generation.
    Knowledge then holds until the next commit, with no lease to renew."""

    def __init__(self, path: str, generations: Generations) -> None:
        self._generations = generations
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._version: int | None = None

    def check(self) -> None:
        with self._lock:
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return
            self._version = version
            self._generations.restart()
            self._generations.renew(math.inf)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


_MOVED = "stockade.moved_generations"


def note_move(connection: Connection, account_id: str, generation: int) -> None:
    """A write transaction moved an account's generation: `Store.write` makes it known in this
    process once the transaction commits, before the request answers."""
    connection.info.setdefault(_MOVED, {})[account_id] = generation


def take_moves(connection: Connection) -> dict[str, int]:
    moved: dict[str, int] = connection.info.pop(_MOVED, {})
    return moved
