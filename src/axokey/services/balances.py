"""A party's balance, per currency, read from its payable accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from axokey.adapters.db import ledger_reads, party_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.accounts import PAYABLE, payable_account
from axokey.domain.errors import FieldError, NotFound, ValidationFailed
from axokey.domain.escrow_history import (
    DAYS_MAX,
    DailyHeld,
    daily,
    held_for_payee,
)
from axokey.domain.money import check_currency
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


def _balance_owner(principal: Principal, party_id: str | None) -> str:
    """Whose balance (or its history) is read: the caller's own (naming another
    party is 403 ``not_your_balance``); the operator names the party (403
    ``party_required`` otherwise)."""
    return party_acted_for(
        principal,
        party_id,
        field="party_id",
        operator_must_name="the operator names the party",
        operator_must_name_code="party_required",
        only_own="a party reads its own balance only",
        only_own_code="not_your_balance",
    )


def _check_exists(connection: Connection, party_id: str) -> None:
    if party_repository.get_party(connection, party_id) is None:
        raise NotFound(f"party {party_id} not found", code="party_not_found")


def balance_of(
    context: ServiceContext, principal: Principal, party_id: str | None = None
) -> tuple[str, list[Balance]]:
    """The caller's own balance; the operator names the party."""
    owner = _balance_owner(principal, party_id)
    with context.database.read() as connection:
        _check_exists(connection, owner)
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


@dataclass(frozen=True)
class HeldHistory:
    """What was held in escrow at the end of each day: for a party, held for it;
    for the operator without a party, in every order's escrow."""

    party_id: str | None
    currency: str
    days: list[DailyHeld]


def held_history(
    context: ServiceContext,
    principal: Principal,
    *,
    currency: str,
    days: int,
    party_id: str | None = None,
) -> HeldHistory:
    """The last ``days`` days, today (UTC) included."""
    currency = check_currency(currency)
    if not 1 <= days <= DAYS_MAX:
        raise ValidationFailed(
            f"days must be from 1 to {DAYS_MAX}",
            code="invalid_days",
            errors=[FieldError("days", f"from 1 to {DAYS_MAX}")],
        )
    last_day = context.now().astimezone(UTC).date()
    first_day = last_day - timedelta(days=days - 1)
    # The operator without a party: every order's escrow.
    everything = principal.is_admin and party_id is None
    owner = None if everything else _balance_owner(principal, party_id)
    with context.database.read() as connection:
        if owner is None:
            changes = ledger_reads.escrow_changes_by_day(
                connection, currency, first_day=first_day, last_day=last_day
            )
        else:
            _check_exists(connection, owner)
            payable = payable_account(owner, currency).id
            changes = held_for_payee(ledger_reads.transfers_into(connection, [payable]), {payable})
    return HeldHistory(owner, currency, daily(changes, first_day, last_day))
