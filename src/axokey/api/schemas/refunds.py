"""Response bodies of refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from axokey.services.refunding import Refund


class RefundOut(BaseModel):
    id: str
    object: Literal["refund"] = "refund"
    order_id: str
    line_id: str | None
    amount: int
    currency: str
    reason: str
    method: str
    status: str
    failure_code: str | None
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.id,
            order_id=refund.order_id,
            line_id=refund.line_id,
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            method=refund.method,
            status=refund.status,
            failure_code=refund.failure_code,
            created_at=refund.created_at,
        )
