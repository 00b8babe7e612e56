"""Payment alerts (``payment.attention_required`` events): the operator sees every
one, a merchant those of its own orders, other parties none (they take no payments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axokey.adapters.db import event_repository
from axokey.domain.parties import Principal, Role
from axokey.services.context import ServiceContext
from axokey.services.events import OPERATOR_ALERT_TYPES


@dataclass(frozen=True)
class Alert:
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


def payment_alerts(
    context: ServiceContext, principal: Principal, *, limit: int, starting_after: str | None
) -> tuple[list[Alert], bool]:
    if not principal.is_admin and principal.role is not Role.MERCHANT:
        return [], False
    merchant_id = None if principal.is_admin else principal.party_id
    with context.database.read() as connection:
        rows, has_more = event_repository.alerts(
            connection,
            types=OPERATOR_ALERT_TYPES,
            merchant_id=merchant_id,
            limit=limit,
            starting_after=starting_after,
        )
    return [Alert(*row) for row in rows], has_more
