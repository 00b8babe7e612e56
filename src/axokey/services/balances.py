"""A party's balance, per currency, read from its payable accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from axokey.adapters.db.tables import ledger_accounts
from axokey.domain.accounts import PAYABLE
from axokey.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext
from axokey.services.parties import get_party


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
    if principal.is_admin:
        if party_id is None:
            raise ValidationFailed(
                "the operator names the party",
                code="party_required",
                errors=[FieldError("party_id", "required with the admin key")],
            )
        owner = party_id
    else:
        assert principal.party_id is not None
        if party_id is not None and party_id != principal.party_id:
            raise Forbidden("a party reads its own balance only", code="not_your_balance")
        owner = principal.party_id
    with context.database.read() as connection:
        if get_party(connection, owner) is None:
            raise NotFound(f"party {owner} not found", code="party_not_found")
        rows = connection.execute(
            select(ledger_accounts)
            .where(ledger_accounts.c.owner_id == owner, ledger_accounts.c.kind == PAYABLE)
            .order_by(ledger_accounts.c.currency)
        ).all()
    return owner, [
        Balance(
            currency=row.currency,
            held=row.credits_pending,
            available=row.credits_posted - row.debits_posted - row.debits_pending,
            paid_out=row.debits_posted,
            in_transit=row.debits_pending,
        )
        for row in rows
    ]
