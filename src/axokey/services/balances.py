"""A party's balance, per currency, read from its payable accounts."""

from __future__ import annotations

from dataclasses import dataclass

from axokey.adapters.db import ledger_reads, party_repository
from axokey.domain.accounts import PAYABLE
from axokey.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext


@dataclass(frozen=True)
class Balance:
    currency: str
    held: int  # still in escrow for this party (pending holds)
    available: int  # released, not yet paid out
    paid_out: int


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
        if party_repository.get_party(connection, owner) is None:
            raise NotFound(f"party {owner} not found", code="party_not_found")
        accounts = ledger_reads.accounts_of_owner(connection, owner, kind=PAYABLE)
    return owner, [
        Balance(
            currency=account.currency,
            held=account.credits_pending,
            available=account.credits_posted - account.debits_posted - account.debits_pending,
            paid_out=account.debits_posted,
        )
        for account in accounts
    ]
