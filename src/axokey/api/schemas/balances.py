"""Response bodies of balances."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from axokey.services.balances import Balance


class BalanceOut(BaseModel):
    currency: str
    held: int
    available: int
    paid_out: int
    in_transit: int

    @classmethod
    def of(cls, balance: Balance) -> BalanceOut:
        return cls(
            currency=balance.currency,
            held=balance.held,
            available=balance.available,
            paid_out=balance.paid_out,
            in_transit=balance.in_transit,
        )


class BalancesOut(BaseModel):
    object: Literal["balance"] = "balance"
    party_id: str
    balances: list[BalanceOut]
