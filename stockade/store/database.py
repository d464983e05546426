"""Connections and transactions: SQLite (WAL) by default, PostgreSQL for several nodes.

Every change runs in one transaction (`Store.write()`): a failed request changes nothing. On
SQLite a write transaction starts with BEGIN IMMEDIATE, so two writers queue on the lock instead of
one failing when it upgrades from reading to writing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, NoReturn, cast

from sqlalchemy import Connection, Engine, create_engine, event

from stockade.store.generations import (
    LISTENER_NAME,
    GenerationListener,
    Generations,
    SqliteWatch,
    take_moves,
)

# Connections per pool (reads and writes have one each on PostgreSQL): the app runs at most this
# many requests on the database at once.
CONNECTIONS = 16
_WRITE = "stockade_write"
_READ = "stockade_read"


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
            # Each thread keeps its read connection (read()): the event loop's and the
            # workers', beside the one writer at a time.
            options.update(pool_size=CONNECTIONS + 2, max_overflow=CONNECTIONS)
        else:
            # No pre-ping: it costs a round trip per request; a dropped connection fails one
            # transaction, which the client retries like any AWS 5xx.
            # Fixed-size pools: a connection beyond pool_size is closed on checkin, and under a
            # steady load that means a new connection (a fork on the server) per request. Each
            # worker thread keeps its read connection (read()); the overflow is for other
            # threads (start-up, the command line).
            options.update(pool_size=CONNECTIONS, max_overflow=4, pool_recycle=1800)
        self.engine: Engine = create_engine(url, **options)
        # SQLite's driver connections run with isolation_level=None (see _tune_sqlite): they are
        # in autocommit unless a BEGIN is sent, which on_begin skips for reads. Switching
        # SQLAlchemy's isolation level per checkout would cost PRAGMAs on SQLite.
        self._reads: Engine = (
            self.engine.execution_options(**{_READ: True})
            if self.is_sqlite
            # A pool of its own whose connections stay in autocommit: switching a pooled
            # connection's isolation level on every checkout and checkin costs more.
            else create_engine(url, isolation_level="AUTOCOMMIT", **options)
        )
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self.generations = Generations()
        self._listener: GenerationListener | None = None
        self._sqlite_watch: SqliteWatch | None = None
        if self.is_sqlite:
            _tune_sqlite(self.engine)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Store:
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{data_dir / 'stockade.db'}")

    def migrate(self) -> None:
        """Bring the schema to the newest version (Alembic)."""
        from stockade.store.migrate import upgrade

        upgrade(self)

    def listen(self) -> None:
        """Keep `generations` current (a server does this; the command line reads generations
        from the database): from PostgreSQL's notices, or on SQLite by asking at the start of
        each transaction whether any other connection committed (SqliteWatch)."""
        if self.is_sqlite:
            database = self.engine.url.database
            if database and database != ":memory:" and self._sqlite_watch is None:
                self._sqlite_watch = SqliteWatch(database, self.generations)
            return
        if self._listener is not None:
            return
        dialect = self.engine.dialect
        arguments, options = dialect.create_connect_args(self.engine.url)

        def connect() -> Any:
            # Outside the pools: this connection is the listener's for good.
            named = {**options, "application_name": LISTENER_NAME}  # for pg_stat_activity
            return dialect.loaded_dbapi.connect(*arguments, **named, autocommit=True)

        self._listener = GenerationListener(connect, self.generations)
        self._listener.start()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One read-write transaction: committed when the block ends, rolled back on error.
        Generations it moved are known in this process once it commits."""
        if self._sqlite_watch is not None:
            self._sqlite_watch.check()
        epoch = self.generations.epoch
        # SQLite has one writer at a time; queueing writers here, in order, beats leaving them to
        # spin in SQLite's busy handler (measured: p99 of CreateUser 4.2 s → 0.2 s).
        queue = self._write_lock if self.is_sqlite else nullcontext()
        with queue, self.engine.execution_options(**{_WRITE: True}).begin() as connection:
            take_moves(connection)  # left by a transaction that failed on this connection
            yield connection
            moved = take_moves(connection)
        for account_id, generation in moved.items():
            self.generations.saw(account_id, generation, epoch)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for a request that changes nothing.

        Each statement commits on its own and sees the newest committed state: no BEGIN or
        COMMIT is sent (on PostgreSQL, two round trips fewer per request). Reads need no snapshot
        across statements: compiled policies are cached under the generation read with the
        caller's key, and an entry built from a newer state than its generation is rebuilt on
        the next request.
        """
        # One connection per thread, kept: checking one out of the pool and back costs more than
        # a GetUser's SELECTs on SQLite. A kept connection holds no snapshot between requests,
        # since reads send no BEGIN; one that broke is replaced on the thread's next read.
        if self._sqlite_watch is not None:
            self._sqlite_watch.check()
        connection: Connection | None = getattr(self._local, "reader", None)  # this thread's
        if connection is None or connection.closed or connection.invalidated:
            connection = self._reads.connect()
            self._local.reader = connection
        try:
            yield connection
        finally:
            connection.rollback()  # ends SQLAlchemy's own bookkeeping; there is nothing to undo

    @contextmanager
    def memory_only(self) -> Iterator[Connection]:
        """A stand-in for a connection, for a request that should be answered from what this
        process holds: the first use of it raises NeedsDatabase, and the request is run again
        with a real one."""
        yield cast(Connection, _NoDatabase())

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction that sees one state throughout, for whole-account reads (an
        audit, a simulation from the command line, authorization details) that must not take in
        a change halfway. Requests use read(), which needs no snapshot (see there)."""
        if self.is_sqlite:
            with (
                self.engine.begin() as connection
            ):  # BEGIN: in WAL, one snapshot from the first read
                yield connection
            return
        repeatable = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with repeatable.begin() as connection:
            yield connection

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._sqlite_watch is not None:
            self._sqlite_watch.close()
            self._sqlite_watch = None
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.close()
        self._reads.dispose()
        self.engine.dispose()


class NeedsDatabase(BaseException):
    """A request run from memory reached for the database. A BaseException, like asyncio's
    CancelledError, so that no `except Exception` on the way takes it for a failure."""


class _NoDatabase:
    def __getattr__(self, name: str) -> NoReturn:
        raise NeedsDatabase(name)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe), so that a
        # write can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(_READ):
            return  # autocommit: each statement is its own transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE) else "BEGIN")
