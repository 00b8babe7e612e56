"""A party's balance, per currency, read from its payable accounts."""

from __future__ import annotations

from dataclasses import dataclass

from axokey.adapters.db import ledger_reads, party_repository
from axokey.domain.accounts import PAYABLE
from axokey.domain.errors import NotFound
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext
from axokey.services.parties import party_acted_for


@dataclass(frozen=True)
class Balance:
    currency: str
    held: int  # still in escrow for this party (pending holds)
    available: int  # released, not yet paid out
    paid_out: int  # confirmed by the bank
    in_transit: int = 0  # in a payout batch the bank has not confirmed yet


def balance_of(
    context: ServiceContext, principal: Principal, party_id: str | None = None
) -> tuple[str, list[Balance]]:
    """The caller's own balance; the operator names the party."""
    owner = party_acted_for(
        principal,
        party_id,
        field="party_id",
        operator_must_name="the operator names the party",
        operator_must_name_code="party_required",
        only_own="a party reads its own balance only",
        only_own_code="not_your_balance",
    )
    with context.database.read() as connection:
        if party_repository.get_party(connection, owner) is None:
            raise NotFound(f"party {owner} not found", code="party_not_found")
        accounts = ledger_reads.accounts_of_owner(connection, owner, kind=PAYABLE)
    return owner, [
        Balance(
            currency=account.currency,
            held=account.credits_pending,
            available=account.credits_posted - account.debits_posted - account.debits_pending,
            paid_out=account.debits_posted,
            in_transit=account.debits_pending,
        )
        for account in accounts
    ]
