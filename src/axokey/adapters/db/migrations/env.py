"""Alembic environment: our own engine (SQLite's BEGIN IMMEDIATE, psycopg 3)."""

from __future__ import annotations

from alembic import context

from axokey.adapters.db.engine import make_engine
from axokey.adapters.db.tables import metadata

# Any constant: two processes upgrading PostgreSQL at once take turns.
MIGRATION_LOCK_KEY = 7_311_942_001


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(
                        f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `axokey migrate`")
run_migrations_online()
