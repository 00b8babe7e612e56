"""A pooled PostgreSQL connection that died (a server restart, a dropped idle
connection) costs no write: pinged after an idle spell, and otherwise found dead at
its first statement, where ``Database.run`` runs the unit of work again; the pool
then replaces the other connections as old as that one before they are used. And a
one-statement read, outside any transaction, leaves its pooled connection
transactional for the next user."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from axokey.adapters.db import engine as engine_module
from axokey.adapters.db.engine import Database, _is_retryable, make_engine
from tests.conftest import ON_POSTGRES

PROBE = "dead_connection_probe"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL's connections (SQLite has no server to lose)")
    database = Database(make_engine(database_url, pool_size=1))
    with database.engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE IF NOT EXISTS {PROBE} (n INTEGER)"))
        connection.execute(text(f"DELETE FROM {PROBE}"))
    try:
        yield database
    finally:
        with database.engine.begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {PROBE}"))
        database.dispose()


def backend_of(database: Database) -> int:
    return int(database.run(lambda c: c.execute(text("SELECT pg_backend_pid()")).scalar_one()))


def kill(database_url: str, pid: int) -> None:
    """What a server restart does to a pooled connection: its backend ends."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            for _ in range(500):
                gone = not connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
                ).scalar()
                if gone:
                    return
                time.sleep(0.01)
        raise AssertionError(f"backend {pid} did not end")
    finally:
        admin.dispose()


def test_a_connection_found_dead_at_a_statement_runs_the_work_again(
    database: Database, database_url: str
) -> None:
    old = backend_of(database)
    kill(database_url, old)  # reused at once: not pinged
    attempts: list[int] = []

    def work(connection: Any) -> int:
        attempts.append(1)
        connection.execute(text(f"INSERT INTO {PROBE} (n) VALUES (1)"))
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())

    new = database.run(work)
    assert len(attempts) == 2 and new != old
    with database.read() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {PROBE}")).scalar() == 1


def test_after_one_dead_connection_the_older_ones_are_replaced_unused(
    database: Database, database_url: str
) -> None:
    pooled = Database(make_engine(database_url, pool_size=2))
    try:
        with pooled.engine.connect() as first, pooled.engine.connect() as second:
            old = {
                int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
                for connection in (first, second)
            }
        for pid in old:  # a restart: every pooled connection is dead
            kill(database_url, pid)
        attempts: list[int] = []

        def work(connection: Any) -> int:
            attempts.append(1)
            return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())

        assert pooled.run(work) not in old
        assert len(attempts) == 2  # the second attempt was not given the other dead one
        with pooled.read() as connection:  # nor is a read
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() not in old
    finally:
        pooled.dispose()


def test_an_idle_connection_is_pinged_and_replaced(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = backend_of(database)
    kill(database_url, old)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    # A read is never run again: it succeeds only because the ping caught the
    # dead connection before it was handed out.
    with database.read() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != old


def test_a_connection_lost_at_commit_is_not_run_again() -> None:
    lost_at_statement = DBAPIError("INSERT …", {}, Exception("gone"), connection_invalidated=True)
    lost_at_commit = DBAPIError(None, None, Exception("gone"), connection_invalidated=True)
    assert _is_retryable(lost_at_statement)
    assert not _is_retryable(lost_at_commit)  # the commit may have happened


def test_a_one_statement_read_opens_no_transaction_and_leaves_none_behind(
    database: Database,
) -> None:
    from psycopg.pq import TransactionStatus

    with database.read_one_statement() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
        driver = connection.connection.driver_connection
        assert driver is not None
        assert driver.info.transaction_status is TransactionStatus.IDLE  # no BEGIN sent
    # The same pooled connection (pool_size=1) is transactional again: a failed
    # unit of work leaves nothing.
    with pytest.raises(ZeroDivisionError):

        def write_then_fail(connection: Any) -> None:
            connection.execute(text(f"INSERT INTO {PROBE} (n) VALUES (1)"))
            raise ZeroDivisionError

        database.run(write_then_fail)
    with database.read_one_statement() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {PROBE}")).scalar() == 0
