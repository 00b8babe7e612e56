"""The customer's rights: the data export and the erasure report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, EmailStr

from axokey.api.schemas.base import Strict


class CustomerErase(Strict):
    email: EmailStr


class CustomerData(BaseModel):
    """Everything held about one email: each order with its lines, payments, refunds,
    the transfers that paid them, its events and the emails sent about it (access and
    portability, GDPR articles 15 and 20)."""

    email: str
    orders: list[dict[str, Any]]


class KeptData(BaseModel):
    data: str
    reason: str  # accounting_retention | open_order | refund_to_pay | transfer_evidence
    detail: str
    until: str | None


class ErasedOrder(BaseModel):
    order_id: str
    order_status: str
    pseudonymised: bool
    iban_removed: bool
    kept: list[KeptData]


class ErasureReport(BaseModel):
    pseudonym: str
    orders_found: int
    orders_pseudonymised: int
    orders: list[ErasedOrder]
