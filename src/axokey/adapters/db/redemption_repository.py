"""Redemptions: the record of each scan that released money (the one place that
writes the ``redemptions`` table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from axokey.adapters.db.tables import redemptions

_INSERT = insert(redemptions)


def insert_redemption(
    connection: Connection,
    *,
    redemption_id: str,
    order_id: str,
    professional_id: str,
    courier_fee_released: int,
    result: dict[str, Any],
    now: datetime,
) -> None:
    connection.execute(
        _INSERT,
        {
            "id": redemption_id,
            "order_id": order_id,
            "professional_id": professional_id,
            "courier_fee_released": courier_fee_released,
            "result": result,
            "created_at": now,
        },
    )
