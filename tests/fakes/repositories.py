"""In-memory fakes of the repositories a use case calls, for unit tests of the
services without a database (``tests/unit/test_payment_use_cases.py``,
``tests/unit/test_refund_use_cases.py``).

Each fake keeps rows in dictionaries and answers only what the use cases ask, with
the same compare-and-set semantics as the real repository (a status is written only
if the row is still in the expected one), so the tests exercise the service's rules
rather than the fake's. A test swaps the service module's repository attribute for a
fake (``monkeypatch.setattr(refunding, "refund_repository", FakeRefunds())``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from axokey.domain.ledger import TransferRequest
from axokey.domain.payments import Payment, PaymentStatus
from axokey.domain.refund_states import CardRefund, Refund, RefundState, shown_as

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class FakeDatabase:
    """``Database.run`` and ``read`` without a database: the work gets no connection."""

    dialect = "fake"

    def run(self, work: Callable[[Any], Any]) -> Any:
        return work(None)

    @contextmanager
    def read(self) -> Iterator[None]:
        yield None


@dataclass
class FakeNotifications:
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    REJECTED = "rejected"
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def store(self, _connection: Any, *, claimed: bool = False, **values: Any) -> bool:
        key = (values["provider"], values["event_id"])
        if key in self.rows:
            return False
        if claimed and values["status"] != self.PROCESSING:
            raise ValueError("a notification stored as claimed is processing")
        self.rows[key] = {
            **values,
            "attempts": 1 if claimed else 0,
            "claimed_at": values["now"] if claimed else None,
        }
        return True

    def claim(
        self, _c: Any, provider: str, event_id: str, *, now: datetime, stale_before: datetime
    ) -> bool:
        row = self.rows[(provider, event_id)]
        stale = row["status"] == self.PROCESSING and row["claimed_at"] <= stale_before
        if row["status"] != self.RECEIVED and not stale:
            return False
        row.update(status=self.PROCESSING, claimed_at=now, attempts=row["attempts"] + 1)
        return True

    def finish(self, _c: Any, provider: str, event_id: str, *, detail: str, now: datetime) -> None:
        row = self.rows[(provider, event_id)]
        if row["status"] == self.PROCESSING:
            row.update(status=self.PROCESSED, detail=detail)

    def release(self, _c: Any, provider: str, event_id: str, *, detail: str) -> None:
        row = self.rows[(provider, event_id)]
        if row["status"] == self.PROCESSING:
            row.update(status=self.RECEIVED, claimed_at=None, detail=detail)

    def unprocessed(self, _c: Any, *, stale_before: datetime, limit: int) -> list[Any]:
        return [
            SimpleNamespace(
                provider=row["provider"],
                event_id=row["event_id"],
                provider_reference=row["provider_reference"],
            )
            for row in self.rows.values()
            if row["status"] == self.RECEIVED
            or (row["status"] == self.PROCESSING and row["claimed_at"] <= stale_before)
        ][:limit]


@dataclass
class FakePayments:
    rows: dict[str, Payment] = field(default_factory=dict)
    reconcile_after: dict[str, datetime] = field(default_factory=dict)

    def add(self, payment: Payment, *, due: datetime = NOW) -> None:
        self.rows[payment.id] = payment
        self.reconcile_after[payment.id] = due

    def find_by_reference(self, _c: Any, provider: str, reference: str) -> Payment | None:
        return next(
            (
                p
                for p in self.rows.values()
                if p.provider == provider and p.provider_reference == reference
            ),
            None,
        )

    def load_payment(self, _c: Any, payment_id: str, *, lock: bool = False) -> Payment | None:
        return self.rows.get(payment_id)

    def save_status(
        self,
        _c: Any,
        payment_id: str,
        *,
        expected: PaymentStatus,
        status: PaymentStatus,
        failure_code: str | None,
        now: datetime,
        next_action_url: str | None = None,
        transaction_id: str | None = None,
    ) -> bool:
        payment = self.rows[payment_id]
        if payment.status is not expected:
            return False
        self.rows[payment_id] = replace(payment, status=status, failure_code=failure_code)
        return True

    def schedule_reconciliation(
        self, _c: Any, payment_id: str, *, after: datetime, attempts: int
    ) -> None:
        self.rows[payment_id] = replace(self.rows[payment_id], reconcile_attempts=attempts)
        self.reconcile_after[payment_id] = after

    def due_for_reconciliation(self, _c: Any, now: datetime, limit: int) -> list[Payment]:
        return [
            p
            for p in self.rows.values()
            if p.status
            in (
                PaymentStatus.REQUIRES_PAYMENT_METHOD,
                PaymentStatus.REQUIRES_ACTION,
                PaymentStatus.PROCESSING,
            )
            and self.reconcile_after[p.id] <= now
        ][:limit]


class FakeOrders:
    """Orders that can take a payment (or not): only what the use cases ask."""

    def __init__(self, payable: bool = True) -> None:
        self.payable = payable

    def load_order(self, _c: Any, order_id: str, *, lock: bool = False) -> Any:
        return SimpleNamespace(id=order_id, accepts_payment=lambda _now, _grace: self.payable)


# --- refunds ---------------------------------------------------------------------------

UNCHANGED: Any = object()


@dataclass
class FakeRefunds:
    """``refund_repository``: refund rows, and the card payment each goes back through
    (``payments``: payment id -> provider, reference, transaction id)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    # order id -> the payment that paid it (``payment_repository.captured_payment_id``)
    captured: dict[str, str] = field(default_factory=dict)
    UNCHANGED: Any = UNCHANGED

    def add(
        self,
        refund_id: str,
        *,
        state: RefundState = RefundState.PENDING,
        method: str = "card",
        payment_id: str | None = "pay_1",
        updated_at: datetime = NOW,
        **values: Any,
    ) -> None:
        self.rows[refund_id] = {
            "id": refund_id,
            "transfer_id": f"{refund_id}:transfer",
            "order_id": "ord_1",
            "line_id": "lin_1",
            "amount": 1000,
            "currency": "EUR",
            "reason": "missing",
            "method": method,
            "status": state.value,
            "iban": None,
            "payment_id": payment_id,
            "attempts": 0,
            "failure_code": None,
            "provider_refund_id": None,
            "created_at": NOW,
            "updated_at": updated_at,
            **values,
        }

    def state(self, refund_id: str) -> RefundState:
        return RefundState(self.rows[refund_id]["status"])

    def add_refund(self, _c: Any, *, refund_id: str, now: datetime, **values: Any) -> None:
        assert refund_id not in self.rows
        self.add(refund_id, updated_at=now, created_at=now, **values)

    def save_status(
        self,
        _c: Any,
        refund_id: str,
        *,
        expected: RefundState,
        status: RefundState,
        now: datetime,
        failure_code: str | None = UNCHANGED,
        provider_refund_id: str | None = UNCHANGED,
    ) -> bool:
        row = self.rows[refund_id]
        if row["status"] != expected.value:
            return False
        row.update(status=status.value, updated_at=now)
        if failure_code is not UNCHANGED:
            row["failure_code"] = failure_code
        if provider_refund_id is not UNCHANGED:
            row["provider_refund_id"] = provider_refund_id
        return True

    def claim_card_refund(
        self, _c: Any, refund_id: str, *, expected: RefundState, now: datetime
    ) -> CardRefund | None:
        row = self.rows[refund_id]
        if row["status"] != expected.value or row["method"] != "card":
            return None
        row.update(status=RefundState.SENDING.value, attempts=row["attempts"] + 1, updated_at=now)
        provider, reference, transaction = self.payments.get(row["payment_id"], (None, None, None))
        return CardRefund(
            id=row["id"],
            order_id=row["order_id"],
            line_id=row["line_id"],
            amount=row["amount"],
            currency=row["currency"],
            state=RefundState(row["status"]),
            attempts=row["attempts"],
            payment_id=row["payment_id"],
            provider=provider,
            provider_reference=reference,
            provider_transaction_id=transaction,
            provider_refund_id=row["provider_refund_id"],
        )

    def move_stalled_sends(
        self,
        _c: Any,
        *,
        stale_before: datetime,
        status: RefundState,
        now: datetime,
        providers: Sequence[str] | None = None,
    ) -> None:
        for row in self.rows.values():
            provider = self.payments.get(row["payment_id"], (None, None, None))[0]
            if (
                row["status"] == RefundState.SENDING.value
                and row["updated_at"] <= stale_before
                and (providers is None or provider in providers)
            ):
                row.update(status=status.value, updated_at=now)

    def card_refund_ids(
        self, _c: Any, state: RefundState, *, limit: int, oldest_change_first: bool
    ) -> list[str]:
        key = "updated_at" if oldest_change_first else "created_at"
        found = [
            r for r in self.rows.values() if r["method"] == "card" and r["status"] == state.value
        ]
        return [r["id"] for r in sorted(found, key=lambda r: (r[key], r["id"]))][:limit]

    def provider_refund_ids_besides(
        self, _c: Any, payment_id: str | None, refund_id: str
    ) -> list[str]:
        return [
            r["provider_refund_id"]
            for r in self.rows.values()
            if r["payment_id"] == payment_id
            and r["id"] != refund_id
            and r["provider_refund_id"] is not None
        ]

    def visible_refund(self, _c: Any, _principal: Any, refund_id: str) -> Refund | None:
        row = self.rows.get(refund_id)
        if row is None:
            return None
        return Refund(
            **{k: row[k] for k in Refund.__dataclass_fields__ if k != "status"},
            status=shown_as(RefundState(row["status"])),
        )


@dataclass
class FakeLedger:
    """``services.ledger.post_or_raise``: the transfers posted, each id once."""

    posted: dict[str, TransferRequest] = field(default_factory=dict)

    def post_or_raise(
        self, _c: Any, _context: Any, requests: list[TransferRequest], **_: Any
    ) -> None:
        for request in requests:
            assert request.id not in self.posted, f"transfer {request.id} posted twice"
            self.posted[request.id] = request


@dataclass
class FakeEvents:
    """``services.events.record_event``: the events recorded, in order."""

    recorded: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def record_event(
        self, _c: Any, event_type: str, *, data: dict[str, Any] | None = None, **_: Any
    ) -> str:
        self.recorded.append((event_type, dict(data or {})))
        return f"evt_{len(self.recorded)}"

    def types(self) -> list[str]:
        return [event_type for event_type, _data in self.recorded]
