"""Engines for SQLite and PostgreSQL, and the transaction boundary.

SQLite: WAL journal, foreign keys on, a busy timeout, and write transactions that
start with ``BEGIN IMMEDIATE``: a writer takes the write lock at its first
statement, so two transactions can never both read and then deadlock while
upgrading to write. Read-only transactions use a plain deferred ``BEGIN`` and run
beside the writer (WAL).

PostgreSQL (psycopg 3): READ COMMITTED; the ledger locks the accounts it touches
with ``SELECT … FOR UPDATE`` in a fixed order; deadlocks and serialization
failures are retried a bounded number of times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

T = TypeVar("T")

READ_ONLY_OPTION = "axokey_read_only"
TRANSACTION_ATTEMPTS_MAX = 8
RETRY_BACKOFF_SECONDS = 0.02


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, busy_timeout_seconds: float = 30.0, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_seconds, "check_same_thread": False},
            # Pooled: closing the last connection to a WAL database checkpoints it
            # (an fsync) and costs ~1.2 ms per transaction. A pooled connection is
            # still used by one thread at a time (one checkout).
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=30,
        )
        _configure_sqlite(engine, busy_timeout_seconds)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=30,
    )


def _configure_sqlite(engine: Engine, busy_timeout_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring_conflicts(
    connection: Connection, table: Table, index_elements: list[str]
) -> Insert:
    """``INSERT … ON CONFLICT (index_elements) DO NOTHING`` in this connection's
    dialect (PostgreSQL and SQLite spell it the same; SQLAlchemy needs each one's)."""
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)


def _is_retryable(error: DBAPIError) -> bool:
    """Deadlocks, serialization failures and a busy SQLite: safe to run again."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in ("40001", "40P01"):
        return True
    message = str(original).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


class Database:
    """The transaction boundary of every use case (the unit of work)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite_writer = threading.RLock() if engine.dialect.name == "sqlite" else None
        read_options: dict[str, object] = {READ_ONLY_OPTION: True}
        if engine.dialect.name == "postgresql":
            # A read spans several statements (``ledger check`` reads accounts, then
            # transfers): one snapshot for all of them, as on SQLite.
            read_options["isolation_level"] = "REPEATABLE READ"
        self._read_engine = engine.execution_options(**read_options)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: commits on success, rolls back on any error."""
        if self._sqlite_writer is None:
            with self.engine.begin() as connection:
                yield connection
            return
        # SQLite has one writer at a time. Threads of this process queue on a lock
        # instead of polling the busy handler, whose sleeps make the tail latency
        # (p99) of concurrent writers hundreds of milliseconds; other processes
        # still wait on the busy timeout.
        with self._sqlite_writer, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot on both databases)."""
        with self._read_engine.connect() as connection, connection.begin():
            yield connection

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying transient conflicts.

        ``work`` must be safe to run again from the start: it only touches the
        database through ``connection``, and everything it wrote is rolled back
        before a retry.
        """
        for attempt in range(1, TRANSACTION_ATTEMPTS_MAX + 1):
            try:
                with self.transaction() as connection:
                    return work(connection)
            except DBAPIError as error:
                if attempt == TRANSACTION_ATTEMPTS_MAX or not _is_retryable(error):
                    raise
                time.sleep(RETRY_BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
