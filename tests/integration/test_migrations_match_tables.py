"""The migrated schema is the one ``tables.py`` describes: Alembic's comparison of
the two finds nothing (a column, an index or a constraint added to one and not the
other fails here), on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from axokey.adapters.db.engine import make_engine
from axokey.adapters.db.tables import metadata


def test_the_migrations_build_the_schema_of_tables_py(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            migration = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": connection.dialect.name == "sqlite",
                },
            )
            differences = compare_metadata(migration, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_orders_are_indexed_by_creation_time_for_the_date_filter(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        indexes = inspect(engine).get_indexes("orders")
    finally:
        engine.dispose()
    assert {"name": "ix_orders_created_at", "columns": ["created_at"]} in [
        {"name": index["name"], "columns": index["column_names"]} for index in indexes
    ]
