"""Money out: payout batches of SEPA credit transfers to payees and customers.

A party's released money is ``available`` in its payable account. A batch takes it
with a *pending* transfer (payable → the party's payouts account): it is then in
transit, neither available nor takeable by another batch (the ledger counts pending
debits against the balance). The bank's confirmation *posts* it (paid out); a
rejection *voids* it (available again). A SEPA refund follows the same path from
the refunds account. Transfer ids derive from the item's id, so each step applies
at most once.

Nothing here touches a database: the repository reads the candidates and writes
what ``plan_batch`` and ``confirm_batch`` decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from axokey.domain import accounts
from axokey.domain.errors import Conflict, FieldError, ValidationFailed
from axokey.domain.ledger import Account, Transfer, TransferKind, TransferRequest, Violation
from axokey.domain.parties import PostalAddress

REMITTANCE_MAX_LENGTH = 140
REJECTION_REASON_MAX_LENGTH = 140


class BatchStatus(StrEnum):
    CREATED = "created"
    EXECUTED = "executed"


class ItemKind(StrEnum):
    PAYOUT = "payout"
    REFUND = "refund"


class ItemStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    PAID = "paid"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Creditor:
    """Who a credit transfer pays, as written in the bank file."""

    name: str
    iban: str
    bic: str | None
    address: PostalAddress | None


@dataclass
class PayoutItem:
    id: str
    batch_id: str
    position: int
    kind: ItemKind
    party_id: str | None
    refund_id: str | None
    amount: int
    currency: str
    creditor: Creditor
    remittance: str
    status: ItemStatus
    transfer_id: str
    rejection_reason: str | None = None
    resolved_at: datetime | None = None
    order_id: str | None = None  # a refund's order (not stored: for its ledger transfer)


@dataclass
class PayoutBatch:
    id: str
    currency: str
    status: BatchStatus
    item_count: int
    total: int
    created_at: datetime
    executed_at: datetime | None = None
    cutoff_key: str | None = None


@dataclass(frozen=True)
class PayeeDue:
    """A party with money available in one currency, and its payout details."""

    party_id: str
    name: str
    iban: str | None
    bic: str | None
    address: PostalAddress
    available: int
    orders: Sequence[str] = ()  # orders credited since the previous batch

    @property
    def payable(self) -> bool:
        return bool(self.iban) and self.address.payable


@dataclass(frozen=True)
class RefundDue:
    """A SEPA refund pending, not in a batch."""

    refund_id: str
    order_id: str
    amount: int
    customer_name: str
    iban: str


@dataclass
class BatchPlan:
    batch: PayoutBatch
    items: list[PayoutItem]
    transfers: list[TransferRequest]
    skipped_party_ids: list[str] = field(default_factory=list)  # no IBAN or address


def transit_transfer_id(item_id: str) -> str:
    return f"{item_id}:transit"


def payout_remittance(item_id: str, orders: Sequence[str]) -> str:
    """``AXOKEY <item> commandes/orders ord_…``: the orders whose money it pays,
    as many as fit in SEPA's 140 characters, then how many more."""
    text = f"AXOKEY {item_id}"
    if not orders:
        return text
    text += " ord"
    for index, order_id in enumerate(orders):
        rest = len(orders) - index
        candidate = f"{text} {order_id}"
        suffix = f" +{rest - 1}" if rest > 1 else ""
        if len(candidate) + len(suffix) > REMITTANCE_MAX_LENGTH:
            return f"{text} +{rest}"
        text = candidate
    return text


def refund_remittance(refund_id: str, order_id: str) -> str:
    return f"AXOKEY remboursement/refund {refund_id} ord {order_id}"[:REMITTANCE_MAX_LENGTH]


def plan_batch(
    *,
    batch_id: str,
    currency: str,
    payees: Iterable[PayeeDue],
    refunds: Iterable[RefundDue],
    minimum_minor: int,
    now: datetime,
    new_item_id: Callable[[], str],
    cutoff_key: str | None = None,
) -> BatchPlan:
    """One credit transfer per payable party above the minimum, one per pending
    SEPA refund, each with the pending transfer that puts its money in transit.

    Raises ``Conflict`` (``nothing_to_pay_out``) when nothing is due."""
    items: list[PayoutItem] = []
    transfers: list[TransferRequest] = []
    skipped: list[str] = []
    for payee in payees:
        if payee.available <= 0 or payee.available < minimum_minor:
            continue
        if not payee.payable:
            skipped.append(payee.party_id)
            continue
        assert payee.iban is not None
        item_id = new_item_id()
        item = PayoutItem(
            id=item_id,
            batch_id=batch_id,
            position=len(items),
            kind=ItemKind.PAYOUT,
            party_id=payee.party_id,
            refund_id=None,
            amount=payee.available,
            currency=currency,
            creditor=Creditor(payee.name, payee.iban, payee.bic, payee.address),
            remittance=payout_remittance(item_id, payee.orders),
            status=ItemStatus.IN_TRANSIT,
            transfer_id=transit_transfer_id(item_id),
        )
        items.append(item)
        transfers.append(transit_transfer(item))
    for refund in refunds:
        item_id = new_item_id()
        item = PayoutItem(
            id=item_id,
            batch_id=batch_id,
            position=len(items),
            kind=ItemKind.REFUND,
            party_id=None,
            refund_id=refund.refund_id,
            amount=refund.amount,
            currency=currency,
            creditor=Creditor(refund.customer_name, refund.iban, None, None),
            remittance=refund_remittance(refund.refund_id, refund.order_id),
            status=ItemStatus.IN_TRANSIT,
            transfer_id=transit_transfer_id(item_id),
            order_id=refund.order_id,
        )
        items.append(item)
        transfers.append(transit_transfer(item))
    if not items:
        raise Conflict(f"nothing to pay out in {currency}", code="nothing_to_pay_out")
    batch = PayoutBatch(
        id=batch_id,
        currency=currency,
        status=BatchStatus.CREATED,
        item_count=len(items),
        total=sum(item.amount for item in items),
        created_at=now,
        cutoff_key=cutoff_key,
    )
    return BatchPlan(batch, items, transfers, skipped)


def transit_transfer(item: PayoutItem) -> TransferRequest:
    """The pending transfer that puts an item's money in transit."""
    if item.kind is ItemKind.PAYOUT:
        assert item.party_id is not None
        debit = accounts.payable_account(item.party_id, item.currency).id
        credit = accounts.payouts_account(item.party_id, item.currency).id
        code = "payout"
    else:
        debit = accounts.refunds_account(item.currency).id
        credit = accounts.refund_payouts_account(item.currency).id
        code = "refund_payout"
    return TransferRequest(
        id=item.transfer_id,
        kind=TransferKind.PENDING,
        amount=item.amount,
        debit_account_id=debit,
        credit_account_id=credit,
        code=code,
        order_id=item.order_id,
    )


def item_accounts(item: PayoutItem) -> list[Account]:
    if item.kind is ItemKind.PAYOUT:
        assert item.party_id is not None
        return [
            accounts.payable_account(item.party_id, item.currency),
            accounts.payouts_account(item.party_id, item.currency),
        ]
    return [accounts.refunds_account(item.currency), accounts.refund_payouts_account(item.currency)]


@dataclass
class Confirmation:
    """What confirming a batch does: item outcomes, ledger transfers, events."""

    paid: list[PayoutItem] = field(default_factory=list)
    rejected: list[PayoutItem] = field(default_factory=list)
    transfers: list[TransferRequest] = field(default_factory=list)


def confirm_batch(
    batch: PayoutBatch,
    items: Sequence[PayoutItem],
    rejected: Sequence[tuple[str, str]],
    *,
    now: datetime,
) -> Confirmation:
    """The bank executed the batch, except the ``rejected`` ``(item_id, reason)``.

    Paid items post their pending transfer, rejected ones void it. A batch is
    confirmed once (``Conflict`` after); an item not in this batch is refused."""
    if batch.status is not BatchStatus.CREATED:
        raise Conflict(f"batch {batch.id} is already {batch.status.value}", code="batch_executed")
    by_id = {item.id: item for item in items}
    reasons: dict[str, str] = {}
    errors: list[FieldError] = []
    for index, (item_id, reason) in enumerate(rejected):
        if item_id not in by_id:
            errors.append(FieldError(f"rejected[{index}].item_id", f"no item {item_id} here"))
        elif item_id in reasons:
            errors.append(FieldError(f"rejected[{index}].item_id", "named twice"))
        reasons[item_id] = reason
    if errors:
        raise ValidationFailed(
            "rejected items must be items of this batch, each once",
            code="unknown_payout_item",
            errors=errors,
        )
    confirmation = Confirmation()
    batch.status = BatchStatus.EXECUTED
    batch.executed_at = now
    for item in items:
        assert item.status is ItemStatus.IN_TRANSIT, "a created batch's items are in transit"
        item.resolved_at = now
        if item.id in reasons:
            item.status = ItemStatus.REJECTED
            item.rejection_reason = reasons[item.id]
            confirmation.rejected.append(item)
            confirmation.transfers.append(
                TransferRequest(
                    id=f"{item.id}:rejected",
                    kind=TransferKind.VOID_PENDING,
                    pending_id=item.transfer_id,
                    code="payout_rejected",
                    order_id=item.order_id,
                )
            )
        else:
            item.status = ItemStatus.PAID
            confirmation.paid.append(item)
            confirmation.transfers.append(
                TransferRequest(
                    id=f"{item.id}:paid",
                    kind=TransferKind.POST_PENDING,
                    pending_id=item.transfer_id,
                    code="payout_paid",
                    order_id=item.order_id,
                )
            )
    return confirmation


def item_event(item: PayoutItem) -> tuple[str, dict[str, Any]]:
    """The outbox event of a confirmed item."""
    paid = item.status is ItemStatus.PAID
    data: dict[str, Any] = {
        "amount": item.amount,
        "currency": item.currency,
        "batch_id": item.batch_id,
        "item_id": item.id,
    }
    if item.kind is ItemKind.PAYOUT:
        data["party_id"] = item.party_id
        if not paid:
            data["reason"] = item.rejection_reason
        return ("payout.paid" if paid else "payout.failed"), data
    data.update(refund_id=item.refund_id, method="sepa")
    if not paid:
        data["failure_code"] = "sepa_rejected"
        data["reason"] = item.rejection_reason
    return ("refund.succeeded" if paid else "refund.failed"), data


# --- The schedule -------------------------------------------------------------


@dataclass(frozen=True)
class PayoutSchedule:
    """``daily@HH:MM`` (UTC): one batch per currency per day, at the cut-off."""

    cutoff: time

    @classmethod
    def parse(cls, text: str) -> PayoutSchedule:
        kind, _, at = text.strip().partition("@")
        if kind != "daily":
            raise ValueError(f"payout schedule {text!r}: expected daily@HH:MM (UTC)")
        try:
            cutoff = time.fromisoformat(at)
        except ValueError:
            raise ValueError(f"payout schedule {text!r}: expected daily@HH:MM (UTC)") from None
        return cls(cutoff.replace(tzinfo=None))

    def latest_cutoff(self, now: datetime) -> datetime:
        """The most recent cut-off at or before ``now``."""
        now = now.astimezone(UTC)
        today = datetime.combine(now.date(), self.cutoff, tzinfo=UTC)
        return today if today <= now else today - timedelta(days=1)


def cutoff_key(currency: str, cutoff: datetime) -> str:
    return f"{currency}@{cutoff.astimezone(UTC).strftime('%Y-%m-%dT%H:%MZ')}"


# --- Verification -------------------------------------------------------------


@dataclass(frozen=True)
class RefundRecord:
    """A refund as the money-out check needs it."""

    id: str
    amount: int
    currency: str
    method: str
    status: str  # as stored


def _account_figures(account: Account) -> tuple[int, int, int]:
    """(available, in transit, paid out) of a payable or refunds account."""
    available = account.credits_posted - account.debits_posted - account.debits_pending
    return available, account.debits_pending, account.debits_posted


def captured_by(transfer: Transfer) -> bool:
    """Whether a transfer is money captured: from a provider's clearing account to an
    escrow, posted."""
    return (
        transfer.kind in (TransferKind.SINGLE, TransferKind.POST_PENDING)
        and accounts.kind_of_account_id(transfer.debit_account_id) == accounts.CLEARING
        and accounts.kind_of_account_id(transfer.credit_account_id) == accounts.ESCROW
    )


def verify_money_out(
    account_list: Iterable[Account],
    transfers: Sequence[Transfer],
    items: Iterable[PayoutItem],
    refund_records: Iterable[RefundRecord],
) -> list[Violation]:
    """SPEC.md's money-out rules over a whole database in memory.

    6. per currency: Σ captured = Σ held + Σ parties (available + in_transit +
       paid_out) + Σ refunds (pending + in_transit + succeeded), and every
       refund recorded is in the refunds account;
    7. nothing paid out twice: each batch item agrees with its ledger transfers
       (in transit ↔ pending, paid ↔ posted, rejected ↔ voided), each party's
       payouts account with its items, and a refund is paid by at most one item.

    ``axokey ledger check`` checks the same rules from figures the database
    computes, with the functions below; this is the reference it is tested against.
    """
    all_accounts = list(account_list)
    captured: dict[str, int] = defaultdict(int)
    for transfer in transfers:
        if captured_by(transfer):
            captured[transfer.currency] += transfer.amount
    refunded: dict[str, int] = defaultdict(int)
    for record in refund_records:
        refunded[record.currency] += record.amount
    violations = money_out_totals_violations(captured, all_accounts, refunded)

    transfer_by_id = {transfer.id: transfer for transfer in transfers}
    resolution = {t.pending_id: t for t in transfers if t.pending_id is not None}
    # By payouts account: what its batch items say is in transit, and paid.
    in_transit: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    paid_items_of_refund: dict[str, int] = defaultdict(int)
    open_items_of_refund: dict[str, int] = defaultdict(int)
    for item in items:
        state, found = item_violations(
            item, transfer_by_id.get(item.transfer_id), resolution.get(item.transfer_id)
        )
        violations += found
        if state is None:
            continue
        credit_account_id = item_account_id(item.kind, item.party_id, item.currency)
        if item.status is ItemStatus.IN_TRANSIT:
            in_transit[credit_account_id] += item.amount
            if item.refund_id is not None:
                open_items_of_refund[item.refund_id] += 1
        elif item.status is ItemStatus.PAID:
            paid[credit_account_id] += item.amount
            if item.refund_id is not None:
                paid_items_of_refund[item.refund_id] += 1
    for account in all_accounts:
        violations += payouts_account_violations(account, in_transit[account.id], paid[account.id])
    for record in refund_records:
        violations += refund_violations(
            record, paid_items_of_refund[record.id], open_items_of_refund[record.id]
        )
    return violations


def money_out_totals_violations(
    captured: Mapping[str, int], account_list: Iterable[Account], refunded: Mapping[str, int]
) -> list[Violation]:
    """Rule 6, from ``captured`` per currency (transfers for which :func:`captured_by`
    holds), the accounts, and the refunds recorded per currency. Only sums of the
    accounts' counters matter: an account may stand for the sum of several of one
    kind and currency."""
    violations: list[Violation] = []
    held: dict[str, int] = defaultdict(int)
    parties_total: dict[str, int] = defaultdict(int)
    refunds_total: dict[str, int] = defaultdict(int)
    for account in account_list:
        if account.kind == accounts.ESCROW:
            held[account.currency] += account.credit_balance_posted
        elif account.kind == accounts.PAYABLE:
            parties_total[account.currency] += sum(_account_figures(account))
        elif account.kind == accounts.REFUNDS:
            refunds_total[account.currency] += sum(_account_figures(account))
    for currency in sorted(set(captured) | set(held) | set(parties_total) | set(refunds_total)):
        captured_here = captured.get(currency, 0)
        total_out = held[currency] + parties_total[currency] + refunds_total[currency]
        if captured_here != total_out:
            violations.append(
                Violation(
                    "6",
                    f"currency {currency}",
                    f"captured {captured_here} ≠ held {held[currency]} + parties "
                    f"{parties_total[currency]} + refunds {refunds_total[currency]}",
                )
            )
    for currency in sorted(set(refunded) | set(refunds_total)):
        refunded_here = refunded.get(currency, 0)
        if refunded_here != refunds_total[currency]:
            violations.append(
                Violation(
                    "6",
                    f"currency {currency}",
                    f"refunds recorded {refunded_here} ≠ refunds account {refunds_total[currency]}",
                )
            )
    return violations


def item_account_id(kind: ItemKind, party_id: str | None, currency: str) -> str:
    """The account a batch item's money goes to while in transit, then once paid."""
    if kind is ItemKind.PAYOUT:
        assert party_id is not None
        return accounts.payouts_account(party_id, currency).id
    return accounts.refund_payouts_account(currency).id


def item_violations(
    item: PayoutItem, pending: Transfer | None, resolution: Transfer | None
) -> tuple[ItemStatus | None, list[Violation]]:
    """What the ledger says of one item — from its pending transfer (the transfer
    whose id is ``item.transfer_id``) and the transfer that resolved it — and how
    the item disagrees with it. The state is None when the pending transfer is
    missing: the item then counts for nothing in its account's figures."""
    violations: list[Violation] = []
    subject = f"payout item {item.id}"
    expected = transit_transfer(item)
    if pending is None or pending.kind is not TransferKind.PENDING:
        return None, [Violation("7", subject, "its pending transfer is missing")]
    if (pending.amount, pending.debit_account_id, pending.credit_account_id) != (
        item.amount,
        expected.debit_account_id,
        expected.credit_account_id,
    ):
        violations.append(Violation("7", subject, f"its transfer {pending.id} moves other money"))
    if resolution is None:
        state = ItemStatus.IN_TRANSIT
    elif resolution.kind is TransferKind.POST_PENDING:
        state = ItemStatus.PAID
        if resolution.amount != item.amount:
            violations.append(Violation("7", subject, "paid another amount than its own"))
    else:
        state = ItemStatus.REJECTED
    if state is not item.status:
        violations.append(
            Violation("7", subject, f"is {item.status.value}, the ledger says {state.value}")
        )
    return state, violations


def payouts_account_violations(account: Account, in_transit: int, paid: int) -> list[Violation]:
    """A payouts (or refund payouts) account against its batch items: what the items
    in transit and paid say it holds. Any other account: nothing to say."""
    if account.kind not in (accounts.PAYOUTS, accounts.REFUND_PAYOUTS):
        return []
    figures = (account.credits_pending, account.credits_posted)
    expected_figures = (in_transit, paid)
    if figures != expected_figures or account.debits_posted or account.debits_pending:
        return [
            Violation(
                "7",
                f"account {account.id}",
                f"in transit and paid out {figures} ≠ its batch items' {expected_figures}",
            )
        ]
    return []


def refund_violations(record: RefundRecord, paid_count: int, open_count: int) -> list[Violation]:
    """One refund against the batch items that pay it (those whose pending transfer
    exists): ``paid_count`` paid, ``open_count`` in transit."""
    subject = f"refund {record.id}"
    if paid_count > 1 or open_count > 1 or (paid_count and open_count):
        return [Violation("7", subject, "in more than one payout: paid twice")]
    if record.method != "sepa":
        if paid_count or open_count:
            return [Violation("7", subject, "a card refund in a batch")]
        return []
    if (record.status == "succeeded") != (paid_count == 1):
        return [Violation("7", subject, f"is {record.status}, paid by {paid_count} batch item(s)")]
    return []
