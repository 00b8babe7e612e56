"""The journal as a plain UTF-8 CSV: one row per entry (a movement's debit or credit
side), amounts in minor units. Streams like the FEC."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from axokey.domain import accounts
from axokey.domain.accounting import party_of_account

JOURNAL_COLUMNS = (
    "entry_id",
    "transfer_id",
    "created_at",
    "order_id",
    "line_id",
    "account_id",
    "account_kind",
    "party_id",
    "debit",
    "credit",
    "currency",
)
CHUNK_ROWS = 2000


def journal_chunks(
    movements: Iterable[Any], *, on_movement: Callable[[], None] | None = None
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(JOURNAL_COLUMNS)
    for rows, movement in enumerate(movements, start=1):
        created_at = movement.created_at.isoformat().replace("+00:00", "Z")
        for side, account_id, debit, credit in (
            ("d", movement.debit_account_id, movement.amount, 0),
            ("c", movement.credit_account_id, 0, movement.amount),
        ):
            writer.writerow(
                (
                    f"ent_{movement.seq}_{side}",
                    movement.id,
                    created_at,
                    movement.order_id or "",
                    movement.line_id or "",
                    account_id,
                    accounts.kind_of_account_id(account_id) or "",
                    party_of_account(account_id) or "",
                    debit,
                    credit,
                    movement.currency,
                )
            )
        if on_movement is not None:
            on_movement()
        if rows % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
