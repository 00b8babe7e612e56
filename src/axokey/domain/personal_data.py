"""What of a customer's personal data may go, and what must stay (and why).

GDPR article 17 gives the customer the erasure of their data unless keeping it is
needed to perform the contract or to comply with a legal obligation (17.3.b). For an
AXOKEY order that means:

- an order still open (awaiting payment, paid, partly redeemed) keeps the customer's
  contact data: the order is being performed;
- a refund still to pay keeps the contact data, and the IBAN when it is paid by SEPA
  transfer (the money must reach the customer);
- every amount, ledger transfer and accounting record stays for ten years after the
  close of the financial year (Code de commerce, article L123-22): they hold no
  contact data, only the order's identifiers;
- a bank transfer that paid a refund to the customer keeps the IBAN it went to
  (encrypted) for the same period, as the evidence of that refund's entry; its
  creditor name becomes the pseudonym.

Everything else goes: the email and the name become a stable pseudonym, the IBAN is
removed. Retention applies the same rule to orders closed for longer than the
configured period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLOSED_STATUSES = frozenset({"completed", "cancelled", "expired"})
ACCOUNTING_RETENTION_YEARS = 10
PSEUDONYM_DOMAIN = "pseudonymised.invalid"  # RFC 6761: never delivered to


@dataclass(frozen=True)
class Kept:
    """Data kept, and the reason: a stable ``reason`` code and a sentence."""

    data: str
    reason: str
    detail: str
    until: str | None = None


@dataclass(frozen=True)
class ErasureDecision:
    pseudonymise: bool
    remove_iban: bool
    kept: tuple[Kept, ...]


def pseudonym_email(pseudonym: str) -> str:
    return f"customer-{pseudonym}@{PSEUDONYM_DOMAIN}"


def pseudonym_name(pseudonym: str) -> str:
    return f"customer-{pseudonym}"


def accounting_retention_until(closed_at: datetime | None, created_at_year: int) -> str:
    """The end of the accounting retention: ten years after the close of the financial
    year (calendar year) in which the order closed (or was placed, while open)."""
    year = closed_at.year if closed_at is not None else created_at_year
    return f"{year + ACCOUNTING_RETENTION_YEARS}-12-31"


def decide_erasure(
    *,
    status: str,
    has_iban: bool,
    open_refund_methods: tuple[str, ...],
    retention_until: str,
    refund_transferred: bool = False,
) -> ErasureDecision:
    """What erasing the customer of one order does (see the module's rule)."""
    kept = [
        Kept(
            "amounts, ledger transfers, accounting entries",
            "accounting_retention",
            "accounting records are kept ten years (Code de commerce, art. L123-22); "
            "they hold no contact data",
            retention_until,
        )
    ]
    if status not in CLOSED_STATUSES:
        kept.append(
            Kept(
                "email, name" + (", IBAN" if has_iban else ""),
                "open_order",
                "the order is still being performed (GDPR art. 17.3.b and 6.1.b)",
            )
        )
        return ErasureDecision(False, False, tuple(kept))
    if open_refund_methods:
        kept.append(
            Kept(
                "email, name" + (", IBAN" if has_iban and "sepa" in open_refund_methods else ""),
                "refund_to_pay",
                "a refund to this customer is still to be paid",
            )
        )
        return ErasureDecision(False, False, tuple(kept))
    if refund_transferred:
        kept.append(
            Kept(
                "the IBAN a refund was transferred to (encrypted), in that transfer's record",
                "transfer_evidence",
                "a bank transfer paid to the customer is the evidence of the refund's "
                "accounting entry (Code de commerce, art. L123-22); its creditor name is "
                "replaced by the pseudonym",
                retention_until,
            )
        )
    return ErasureDecision(True, has_iban, tuple(kept))
