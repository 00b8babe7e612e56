"""Response bodies of the ledger's transfers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from axokey.domain.ledger import Transfer


class TransferOut(BaseModel):
    id: str
    kind: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    currency: str
    pending_id: str | None
    timeout_at: datetime | None
    code: str
    order_id: str | None
    line_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, transfer: Transfer) -> TransferOut:
        return cls(
            id=transfer.id,
            kind=transfer.kind.value,
            debit_account_id=transfer.debit_account_id,
            credit_account_id=transfer.credit_account_id,
            amount=transfer.amount,
            currency=transfer.currency,
            pending_id=transfer.pending_id,
            timeout_at=transfer.timeout_at,
            code=transfer.code,
            order_id=transfer.order_id,
            line_id=transfer.line_id,
            created_at=transfer.created_at,
        )
