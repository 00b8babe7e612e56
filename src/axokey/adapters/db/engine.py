"""Engines for SQLite and PostgreSQL, and the transaction boundary.

SQLite: WAL journal, foreign keys on, a busy timeout, and write transactions that
start with ``BEGIN IMMEDIATE``: a writer takes the write lock at its first
statement, so two transactions can never both read and then deadlock while
upgrading to write. Read-only transactions use a plain deferred ``BEGIN`` and run
beside the writer (WAL).

PostgreSQL (psycopg 3): READ COMMITTED; the ledger locks the accounts it touches
with ``SELECT … FOR UPDATE`` in a fixed order; deadlocks and serialization
failures are retried a bounded number of times.

Dead connections (the server restarted, a firewall dropped an idle one): a pooled
connection idle for more than ``PING_AFTER_IDLE_SECONDS`` is pinged when checked out,
and replaced if the ping fails. One reused sooner is not pinged (a round trip saved
on almost every transaction under load); if it turns out dead at a statement, no
``COMMIT`` was sent, so ``Database.run`` runs the unit of work again on a new
connection. A connection lost during ``COMMIT`` is never retried: the commit may
have happened.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.pool import QueuePool

T = TypeVar("T")

READ_ONLY_OPTION = "axokey_read_only"
TRANSACTION_ATTEMPTS_MAX = 8
RETRY_BACKOFF_SECONDS = 0.02
# A pooled PostgreSQL connection idle longer than this is pinged before it is used.
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN_AT = "axokey_checked_in_at"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def shown_url(url: str) -> str:
    """The database URL as it may be printed: its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


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
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_timeout=30)
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """``pool_pre_ping``, but only for a connection idle longer than
    ``PING_AFTER_IDLE_SECONDS`` (see the module's docstring)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at <= PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the driver's own error: the connection is gone
            raise DisconnectionError(f"idle connection is dead: {error}") from error
        if not alive:
            raise DisconnectionError("idle connection is dead")


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
        # Erased personal data must not linger in the file's free space.
        cursor.execute("PRAGMA secure_delete=FAST")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring_conflicts(
    connection: Connection, table: Table, index_elements: list[str], *, returning_key: bool = False
) -> Insert:
    """``INSERT … ON CONFLICT (index_elements) DO NOTHING`` in this connection's
    dialect (PostgreSQL and SQLite spell it the same; SQLAlchemy needs each one's).

    Do not read the result's ``rowcount`` to learn whether a row was inserted:
    psycopg 3 reports -1 for it. To know, use :func:`insert_if_absent`.

    ``returning_key``: ``RETURNING`` the first of ``index_elements`` (a row comes
    back only from an insert that happened). Built once per dialect, table, key and
    that choice: executed with its values as parameters, the statement is compiled
    once (no construction nor cache key per call).
    """
    key = (connection.dialect.name, table.name, tuple(index_elements), returning_key)
    statement = _INSERTS_IGNORING_CONFLICTS.get(key)
    if statement is None:
        dialect_insert = postgresql.insert if key[0] == "postgresql" else sqlite.insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)
        if returning_key:
            statement = statement.returning(table.c[index_elements[0]])
        _INSERTS_IGNORING_CONFLICTS[key] = statement
    return statement


_INSERTS_IGNORING_CONFLICTS: dict[tuple[str, str, tuple[str, ...], bool], Insert] = {}


def insert_if_absent(
    connection: Connection,
    table: Table,
    index_elements: list[str],
    values: Mapping[str, Any],
) -> bool:
    """Insert one row unless a row with the same ``index_elements`` exists;
    True when this call inserted it, False when the row was already there.

    Reliable on both databases and under concurrency: the statement is
    ``INSERT … ON CONFLICT (…) DO NOTHING RETURNING …`` (SQLite ≥ 3.35,
    PostgreSQL), which returns a row only when it inserted one. On PostgreSQL an
    insert that meets a row another transaction inserted but has not committed
    yet waits for that transaction: if it commits, this call returns False; if
    it rolls back, this call inserts and returns True. So of any number of
    concurrent calls with one key, exactly one returns True. ``index_elements``
    must name the columns of a primary key or unique constraint of ``table``.
    """
    return (
        connection.execute(
            insert_ignoring_conflicts(connection, table, index_elements, returning_key=True),
            dict(values),
        ).first()
        is not None
    )


def _run_commit_checks(connection: Connection) -> None:
    for check in _commit_checks.get():
        check(connection)


# Two transactions that post the same transfer id (an idempotent replay), or resolve
# the same pending transfer, through accounts that neither locks (accounts without
# a limit are never locked: ``ledger_store``): the second insert meets the first's
# row. Run again, the second finds the transfer there and decides as a replay does.
RACING_UNIQUE_CONSTRAINTS = frozenset({"uq_ledger_transfers_id", "uq_ledger_transfers_pending_id"})


def _is_retryable(error: DBAPIError) -> bool:
    """Deadlocks, serialization failures, a busy SQLite, and a connection found dead
    at a statement (``COMMIT`` was not sent): safe to run again."""
    if error.connection_invalidated:
        # A statement's error names the statement; a failed COMMIT names none, and
        # may have committed.
        return error.statement is not None
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in ("40001", "40P01"):
        return True
    if sqlstate == "23505":  # unique violation: retryable only where the ledger races
        constraint = getattr(getattr(original, "diag", None), "constraint_name", None)
        return constraint in RACING_UNIQUE_CONSTRAINTS
    message = str(original).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


# Ledger batches posted in the current transaction (``ledger_store.post_transfers``
# counts them); the metric counts them once the transaction has committed.
LEDGER_BATCHES_KEY = "axokey_ledger_batches"


# Writes an adapter defers to the end of the transaction (``ledger_store``'s deltas
# of unlimited accounts): run after the commit checks, as the last statements.
BOOKKEEPING_PREFIX = "axokey_"
BEFORE_COMMIT_KEY = "axokey_before_commit"
TRANSACTION_KEY = "axokey_transaction"


def _begin_bookkeeping(connection: Connection) -> None:
    _clear_bookkeeping(connection)
    connection.info[TRANSACTION_KEY] = connection
    connection.info[LEDGER_BATCHES_KEY] = 0


def _end_bookkeeping(connection: Connection) -> int:
    for hook in connection.info.pop(BEFORE_COMMIT_KEY, []):
        hook(connection)
    return int(connection.info.get(LEDGER_BATCHES_KEY, 0))


def _clear_bookkeeping(connection: Connection) -> None:
    # ``info`` belongs to the pooled DBAPI connection: nothing of this transaction
    # may be left for the next user of that connection.
    if connection.invalidated:
        # The DBAPI connection is gone (reading ``info`` would raise and hide the
        # error that invalidated it); the pool clears ``info`` before reconnecting.
        return
    for key in list(connection.info):
        if isinstance(key, str) and key.startswith(BOOKKEEPING_PREFIX):
            del connection.info[key]


def in_unit_of_work(connection: Connection) -> bool:
    """Whether ``connection`` is a :meth:`Database.transaction`'s (whose end runs
    the deferred writes); a bare ``engine.begin()`` is not."""
    return connection.info.get(TRANSACTION_KEY) is connection


def _count_ledger_batches(batches: int) -> None:
    if batches:
        from axokey.adapters.metrics import LEDGER_BATCHES

        LEDGER_BATCHES.inc(batches)


CommitCheck = Callable[[Connection], None]

# Checks run inside every write transaction of the current context (a request),
# just before it commits. See ``Database.checking_commits``.
_commit_checks: ContextVar[tuple[CommitCheck, ...]] = ContextVar("axokey_commit_checks", default=())


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
        self._autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: commits on success, rolls back on any error."""
        # SQLite has one writer at a time. Threads of this process queue on a lock
        # instead of polling the busy handler, whose sleeps make the tail latency
        # (p99) of concurrent writers hundreds of milliseconds; other processes
        # still wait on the busy timeout.
        writer = self._sqlite_writer if self._sqlite_writer is not None else nullcontext()
        with writer, self.engine.begin() as connection:
            _begin_bookkeeping(connection)
            try:
                yield connection
                _run_commit_checks(connection)
                batches = _end_bookkeeping(connection)
            finally:
                _clear_bookkeeping(connection)
        _count_ledger_batches(batches)

    @staticmethod
    @contextmanager
    def checking_commits(check: CommitCheck) -> Iterator[None]:
        """Run ``check(connection)`` inside every write transaction started in this
        context (this thread, or the request's task and the threads it hands work
        to), as its last statement before the commit. The check writes in the same
        transaction, or raises to roll the whole transaction back.

        The idempotency keys use it: the first commit of a keyed request's use case
        also marks its key as used, atomically, and a request that lost its key
        cannot commit at all.
        """
        token = _commit_checks.set((*_commit_checks.get(), check))
        try:
            yield
        finally:
            _commit_checks.reset(token)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot on both databases)."""
        with self._read_engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def read_one_statement(self) -> Iterator[Connection]:
        """A read of one statement. On PostgreSQL it runs outside any transaction
        (autocommit): one statement is its own snapshot, and ``BEGIN`` and ``COMMIT``,
        two round trips, are saved. Two statements would each see their own
        snapshot: anything that reads twice uses :meth:`read`. On SQLite, :meth:`read`."""
        if self.dialect != "postgresql":
            with self.read() as connection:
                yield connection
            return
        with self._autocommit_engine.connect() as connection:
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

    def forget_old_versions(self) -> None:
        """After personal data was erased: on SQLite, move the write-ahead log into the
        database and empty it, so the old versions of the rows it held are gone from
        the files (with ``secure_delete`` their freed space is zeroed). On PostgreSQL
        old row versions stay in the data files until (auto)vacuum reclaims them; no
        query or dump shows them."""
        if self._sqlite_writer is None:
            return
        with self._sqlite_writer:
            # Outside any transaction (a checkpoint cannot run inside one).
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.close()
            finally:
                raw.close()

    def run_apart(self, work: Callable[[Connection], T]) -> T:
        """``run``, outside the request's commit checks: for bookkeeping that is not
        the request's use case (an API key's last use, written while authenticating),
        so that it never counts as the use case's first commit."""
        token = _commit_checks.set(())
        try:
            return self.run(work)
        finally:
            _commit_checks.reset(token)

    @contextmanager
    def exclusively(self, name: str) -> Iterator[bool]:
        """Whether this caller holds the lock ``name`` among every process on this
        database, held until the block ends; False at once when another holds it.

        PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection
        of its own in autocommit (no transaction stays open meanwhile); a process that
        dies loses its connection, and with it the lock. SQLite: an exclusive
        ``flock`` on a file beside the database (``<file>.<name>.lock``), released by
        the kernel when the process dies; an in-memory database is one process's.
        """
        if self.dialect == "postgresql":
            key = _advisory_key(name)
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                held = bool(
                    connection.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                    ).scalar()
                )
                try:
                    yield held
                finally:
                    if held:
                        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            return
        path = self.engine.url.database
        if not path or path == ":memory:":
            lock = _process_locks.setdefault(name, threading.Lock())
            held = lock.acquire(blocking=False)
            try:
                yield held
            finally:
                if held:
                    lock.release()
            return
        with open(f"{path}.{name}.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def dispose(self) -> None:
        self.engine.dispose()


_process_locks: dict[str, threading.Lock] = {}


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL's advisory lock space)."""
    digest = hashlib.sha256(f"axokey:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
