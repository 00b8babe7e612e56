"""Several rows written in one statement, one array per column.

Given a list of rows, SQLAlchemy runs an ``executemany``. On PostgreSQL an INSERT is
then rendered anew on every call with one ``VALUES`` group per row, and an UPDATE is
pipelined row by row: both cost the app several times what they cost the database.
Here the rows travel as one array per column, through a statement built once per
table and set of columns:

    INSERT INTO t (a, b) SELECT unnest(CAST(:a AS T[])), unnest(CAST(:b AS U[]))
    UPDATE t SET a = v.a FROM (SELECT unnest(…) AS id, unnest(…) AS a) AS v
     WHERE t.id = v.id

Each array's elements are converted by the column's own type, as a single row's
values are (``UTCDateTime`` makes them naive UTC). An INSERT keeps the rows' order
(``seq`` columns count up in it). An UPDATE touches its rows in an order the planner
chooses, so :func:`update_rows` is for rows the transaction already holds locked (an
order's lines under the order's lock, the ledger's locked accounts): no two
transactions can then wait for each other's rows.

SQLite keeps ``executemany``: it has no round trips to save.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Table,
    Update,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from axokey.adapters.db.engine import insert_ignoring_conflicts

Row = Mapping[str, Any]


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Row],
    *,
    ignoring_conflicts_on: Sequence[str] = (),
) -> None:
    """Insert ``rows`` (each naming the same columns), in their order; with
    ``ignoring_conflicts_on``, a row whose key exists already is skipped (``ON
    CONFLICT (…) DO NOTHING``)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql" or len(rows) == 1:
        statement: Any = (
            insert_ignoring_conflicts(connection, table, list(ignoring_conflicts_on))
            if ignoring_conflicts_on
            else table.insert()
        )
        connection.execute(statement, list(rows) if len(rows) > 1 else dict(rows[0]))
        return
    columns = tuple(rows[0])
    statement = _insert_from_arrays(table, columns, tuple(ignoring_conflicts_on))
    connection.execute(statement, _arrays(columns, rows))


def update_rows(connection: Connection, table: Table, key: str, rows: Sequence[Row]) -> None:
    """Set, on each row of ``table`` whose ``key`` column matches a row of ``rows``,
    the other columns that row names (each naming the same columns). Only for rows
    this transaction holds locked (see the module's docstring)."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name != key)
    if connection.dialect.name != "postgresql" or len(rows) == 1:
        statement = _update_by_key(table, key, columns)
        renamed = [{_PREFIX + name: value for name, value in row.items()} for row in rows]
        connection.execute(statement, renamed if len(renamed) > 1 else renamed[0])
        return
    statement = _update_from_arrays(table, key, columns)
    connection.execute(statement, _arrays((key, *columns), rows))


# The parameters' names: distinct from the columns' (SQLAlchemy reserves those in an
# INSERT's or UPDATE's own values).
_PREFIX = "bulk_"


def _arrays(columns: Sequence[str], rows: Sequence[Row]) -> dict[str, list[Any]]:
    return {_PREFIX + name: [row[name] for row in rows] for name in columns}


def _array(table: Table, name: str) -> Any:
    """The parameter of ``name``'s values, an array of the column's type (psycopg's
    dialect writes the cast: ``%(bulk_id)s::VARCHAR(160)[]``)."""
    return bindparam(_PREFIX + name, type_=postgresql.ARRAY(table.c[name].type))


@cache
def _insert_from_arrays(
    table: Table, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> Insert:
    source = select(*(func.unnest(_array(table, name)) for name in columns))
    statement = postgresql.insert(table).from_select(list(columns), source)
    if conflict:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    return statement


@cache
def _update_from_arrays(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    values = select(
        *(func.unnest(_array(table, name)).label(name) for name in (key, *columns))
    ).subquery("v")
    return (
        update(table)
        .where(table.c[key] == values.c[key])
        .values({name: values.c[name] for name in columns})
    )


@cache
def _update_by_key(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    return (
        update(table)
        .where(table.c[key] == bindparam(_PREFIX + key))
        .values({name: bindparam(_PREFIX + name) for name in columns})
    )
