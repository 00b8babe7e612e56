"""Reads of posted ledger movements for the accounting exports: counted, then
streamed in chronological order over a server-side cursor (bounded memory)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

from axokey.adapters.db.tables import ledger_transfers, parties
from axokey.domain.ledger import TransferKind

# The movements that change posted balances: single-phase transfers and the
# posting of a pending one. Pending, voided and expired ones move nothing posted.
POSTED_KINDS = (TransferKind.SINGLE.value, TransferKind.POST_PENDING.value)
STREAM_BATCH_ROWS = 2000


def _period(start: datetime, end: datetime, currency: str | None) -> Any:
    clause = and_(
        ledger_transfers.c.kind.in_(POSTED_KINDS),
        ledger_transfers.c.created_at >= start,
        ledger_transfers.c.created_at < end,
    )
    if currency is not None:
        clause = and_(clause, ledger_transfers.c.currency == currency)
    return clause


def count_movements(
    connection: Connection, start: datetime, end: datetime, currency: str | None
) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(ledger_transfers).where(_period(start, end, currency))
        ).scalar_one()
    )


def stream_movements(
    connection: Connection, start: datetime, end: datetime, currency: str | None
) -> Iterator[Row[Any]]:
    """Posted movements of ``[start, end)``, oldest first (ties by sequence)."""
    query = (
        select(ledger_transfers)
        .where(_period(start, end, currency))
        .order_by(ledger_transfers.c.created_at, ledger_transfers.c.seq)
    )
    result = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH_ROWS).execute(
        query
    )
    yield from result


def party_directory(connection: Connection, party_ids: set[str]) -> dict[str, tuple[str, str]]:
    """``party_id → (role, name)`` for the given parties."""
    if not party_ids:
        return {}
    rows = connection.execute(
        select(parties.c.id, parties.c.role, parties.c.name).where(
            parties.c.id.in_(sorted(party_ids))
        )
    )
    return {row.id: (row.role, row.name) for row in rows}
