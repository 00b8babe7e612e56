"""The chart of accounts: which ledger accounts exist and how they are named.

Ids are deterministic, so any service can name an account without looking it up,
and each account is created the first time it is needed.

- ``clearing`` (per provider and currency): money the payment provider collected
  from cards (debited at capture) and gives back (credited at a card refund).
- ``escrow`` (per order): what the order holds; never negative.
- ``payable`` (per party and currency): what AXOKEY owes a supplier, merchant or
  courier; released money lands here, payouts take it out. Never negative.
- ``refunds`` (per currency): refunds decided and not yet paid out; never negative.
- ``settlement`` (per currency): the bank account that SEPA transfers leave from.
- ``payouts`` (per party and currency): what left for the party's bank account. A
  payout batch moves money from ``payable`` here with a pending transfer (in
  transit); the bank's confirmation posts it (paid out), a rejection voids it
  (back to available).
- ``refund_payouts`` (per currency): the same for SEPA refunds, from ``refunds``.
"""

from __future__ import annotations

from axokey.domain.ledger import Account

ESCROW = "escrow"
PAYABLE = "payable"
CLEARING = "clearing"
REFUNDS = "refunds"
SETTLEMENT = "settlement"
PAYOUTS = "payouts"
REFUND_PAYOUTS = "refund_payouts"


def escrow_account(order_id: str, currency: str) -> Account:
    return Account(
        id=f"acc_escrow_{order_id}",
        currency=currency,
        kind=ESCROW,
        owner_id=order_id,
        debits_must_not_exceed_credits=True,
    )


def payable_account(party_id: str, currency: str) -> Account:
    return Account(
        id=f"acc_payable_{party_id}_{currency}",
        currency=currency,
        kind=PAYABLE,
        owner_id=party_id,
        debits_must_not_exceed_credits=True,
    )


def clearing_account(provider: str, currency: str) -> Account:
    return Account(id=f"acc_clearing_{provider}_{currency}", currency=currency, kind=CLEARING)


def refunds_account(currency: str) -> Account:
    return Account(
        id=f"acc_refunds_{currency}",
        currency=currency,
        kind=REFUNDS,
        debits_must_not_exceed_credits=True,
    )


def settlement_account(currency: str) -> Account:
    return Account(id=f"acc_settlement_{currency}", currency=currency, kind=SETTLEMENT)


def payouts_account(party_id: str, currency: str) -> Account:
    return Account(
        id=f"acc_{PAYOUTS}_{party_id}_{currency}",
        currency=currency,
        kind=PAYOUTS,
        owner_id=party_id,
    )


def refund_payouts_account(currency: str) -> Account:
    return Account(id=f"acc_{REFUND_PAYOUTS}_{currency}", currency=currency, kind=REFUND_PAYOUTS)


def kind_of_account_id(account_id: str) -> str | None:
    """The kind of an account, read from its deterministic id (None: not ours)."""
    for kind in (ESCROW, PAYABLE, CLEARING, REFUNDS, SETTLEMENT, PAYOUTS, REFUND_PAYOUTS):
        if account_id.startswith(account_id_prefix(kind)):
            return kind
    return None


def payable_account_prefix(party_id: str) -> str:
    """What every payable account id of ``party_id`` starts with, whatever the currency."""
    return f"acc_{PAYABLE}_{party_id}_"


def account_id_prefix(kind: str) -> str:
    """What the id of every account of ``kind`` starts with (and no other's does)."""
    return f"acc_{kind}_"
