"""The operator's payment alerts (``payment.attention_required`` events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axokey.domain.parties import Principal, Role
from axokey.services.context import ServiceContext
from axokey.services.events import operator_alerts
from axokey.services.parties import require_role


@dataclass(frozen=True)
class Alert:
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


def payment_alerts(
    context: ServiceContext, principal: Principal, *, limit: int, starting_after: str | None
) -> tuple[list[Alert], bool]:
    require_role(principal, Role.ADMIN)
    with context.database.read() as connection:
        rows, has_more = operator_alerts(connection, limit=limit, starting_after=starting_after)
    return [Alert(*row) for row in rows], has_more
