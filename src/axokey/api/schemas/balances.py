"""Response bodies of balances."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from axokey.services.balances import Balance, HeldHistory


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


class HeldDayOut(BaseModel):
    day: date
    held: int


class HeldHistoryOut(BaseModel):
    """What was held in escrow at the end of each day (UTC), oldest first."""

    object: Literal["held_history"] = "held_history"
    party_id: str | None
    currency: str
    days: list[HeldDayOut]

    @classmethod
    def of(cls, history: HeldHistory) -> HeldHistoryOut:
        return cls(
            party_id=history.party_id,
            currency=history.currency,
            days=[HeldDayOut(day=day.day, held=day.held) for day in history.days],
        )
