"""The one page helper: newest first by id, continued by cursor.

Ids are ULIDs, so ordering by id descending is ordering by creation time, and
``starting_after=<id>`` continues with the ids below it. One extra row is read to
tell whether a next page exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select


def newest_first_page(
    connection: Connection,
    query: Select[Any],
    id_column: ColumnElement[str],
    *,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Row[Any]], bool]:
    """One page of ``query``'s rows, newest first, and whether more follow."""
    if starting_after is not None:
        query = query.where(id_column < starting_after)
    rows = connection.execute(query.order_by(id_column.desc()).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit
