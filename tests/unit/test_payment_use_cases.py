"""The payment use cases against in-memory fakes of their repositories (no
database): notifications stored and claimed once, processing failures given back
for reconciliation, open payments re-synchronised or postponed, refused
transitions recorded.

The seams are the repository modules the service calls (``payment_repository``,
``notification_repository``, ``order_repository``): each test swaps them for the
fakes of ``tests/fakes/repositories.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from axokey.adapters.providers.base import (
    InvalidNotification,
    ProviderError,
    ProviderNotification,
    ProviderPaymentState,
)
from axokey.config import Settings
from axokey.domain.errors import NotFound
from axokey.domain.payments import Payment, PaymentStatus
from axokey.services import payments, refunding
from axokey.services.context import ServiceContext
from tests.fakes.repositories import (
    NOW,
    FakeDatabase,
    FakeNotifications,
    FakeOrders,
    FakePayments,
)


@dataclass
class FakeSandbox:
    """A provider port: a settable state per reference, notifications verified by
    a shared secret, every question counted."""

    states: dict[str, ProviderPaymentState] = field(default_factory=dict)
    down: bool = False
    asked: list[str] = field(default_factory=list)
    name: str = "sandbox"
    refunds_are_idempotent: bool = True

    def fetch_status(self, reference: str) -> ProviderPaymentState:
        self.asked.append(reference)
        if self.down:
            raise ProviderError("down")
        return self.states[reference]

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        if headers.get("secret") != "s3cret":
            raise InvalidNotification("bad secret")
        event_id, reference = body.decode().split("|")
        return ProviderNotification(self.name, event_id, reference)

    def acknowledge_notification(self, outcome: str) -> dict[str, str]:
        return {"status": outcome}

    def deliver_pending_notifications(self, *, limit: int) -> int:
        return 0


def a_payment(
    status: PaymentStatus = PaymentStatus.REQUIRES_PAYMENT_METHOD, **changes: Any
) -> Payment:
    values: dict[str, Any] = {
        "id": "pay_1",
        "order_id": "ord_1",
        "status": status,
        "amount": 1000,
        "currency": "EUR",
        "provider": "sandbox",
        "checkout_url": None,
        "next_action_url": None,
        "failure_code": None,
        "return_url": None,
        "created_at": NOW,
        "updated_at": NOW,
        "provider_reference": "ref_1",
    }
    values.update(changes)
    return Payment(**values)


def state(status: PaymentStatus, failure: str | None = None) -> ProviderPaymentState:
    return ProviderPaymentState("ref_1", status, 1000, "EUR", failure_code=failure)


@dataclass
class Fakes:
    context: ServiceContext
    provider: FakeSandbox
    notifications: FakeNotifications
    payments: FakePayments
    orders: FakeOrders


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Fakes:
    provider = FakeSandbox()
    settings = Settings(provider="sandbox", database_url="sqlite://")
    context = ServiceContext(
        database=FakeDatabase(),  # type: ignore[arg-type]
        settings=settings,
        clock=lambda: NOW,
        providers={"sandbox": provider},  # type: ignore[dict-item]
    )
    built = Fakes(context, provider, FakeNotifications(), FakePayments(), FakeOrders())
    monkeypatch.setattr(payments, "notification_repository", built.notifications)
    monkeypatch.setattr(payments, "payment_repository", built.payments)
    monkeypatch.setattr(payments, "order_repository", built.orders)
    monkeypatch.setattr(refunding, "send_card_refunds", lambda _context, _ids: None)
    return built


def deliver(fakes: Fakes, event_id: str = "evt_1", reference: str = "ref_1") -> str:
    body = f"{event_id}|{reference}".encode()
    return payments.receive_notification(fakes.context, "sandbox", {"secret": "s3cret"}, body)


# --- notifications -----------------------------------------------------------------------


def test_a_notification_is_processed_once_and_its_replays_are_duplicates(fakes: Fakes) -> None:
    fakes.payments.add(a_payment())
    fakes.provider.states["ref_1"] = state(PaymentStatus.REQUIRES_ACTION)
    assert deliver(fakes) == "processed"
    assert [deliver(fakes) for _ in range(3)] == ["duplicate"] * 3
    assert fakes.provider.asked == ["ref_1"]
    row = fakes.notifications.rows[("sandbox", "evt_1")]
    assert (row["status"], row["attempts"], row["detail"]) == ("processed", 1, "requires_action")
    assert fakes.payments.rows["pay_1"].status is PaymentStatus.REQUIRES_ACTION


def test_a_rejected_notification_keeps_a_hash_and_a_prefix(fakes: Fakes) -> None:
    body = b"x" * 5000
    with pytest.raises(payments.InvalidNotificationError):
        payments.receive_notification(fakes.context, "sandbox", {}, body)
    [row] = fakes.notifications.rows.values()
    assert row["status"] == "rejected" and row["body"] == b"x" * 64
    assert row["event_id"] == "rejected:" + row["body_sha256"]


def test_only_the_configured_provider_may_notify(fakes: Fakes) -> None:
    fakes.context.providers["payxpert"] = fakes.provider  # type: ignore[assignment]
    with pytest.raises(NotFound):
        payments.receive_notification(fakes.context, "payxpert", {"secret": "s3cret"}, b"e|r")
    assert fakes.notifications.rows == {}


def test_a_provider_that_cannot_be_asked_leaves_the_notification_for_reconciliation(
    fakes: Fakes,
) -> None:
    fakes.payments.add(a_payment(), due=NOW + timedelta(days=1))
    fakes.provider.down = True
    assert deliver(fakes) == "stored"
    assert fakes.notifications.rows[("sandbox", "evt_1")]["status"] == "received"
    fakes.provider.down = False
    fakes.provider.states["ref_1"] = state(PaymentStatus.FAILED, "card_declined")
    report = payments.reconcile(fakes.context, limit=10)
    assert report.notifications_processed == 1 and report.payments_synchronised == 0
    assert fakes.notifications.rows[("sandbox", "evt_1")]["status"] == "processed"
    assert fakes.payments.rows["pay_1"].failure_code == "card_declined"


def test_a_report_the_payment_cannot_follow_is_recorded_not_applied(fakes: Fakes) -> None:
    fakes.payments.add(a_payment(PaymentStatus.PROCESSING))
    fakes.provider.states["ref_1"] = state(PaymentStatus.REQUIRES_PAYMENT_METHOD)
    assert deliver(fakes) == "processed"
    detail = fakes.notifications.rows[("sandbox", "evt_1")]["detail"]
    assert detail.startswith("payment_transition_refused")
    assert fakes.payments.rows["pay_1"].status is PaymentStatus.PROCESSING


# --- reconciliation of open payments -------------------------------------------------------


def test_an_open_payment_without_a_checkout_is_failed(fakes: Fakes) -> None:
    fakes.payments.add(a_payment(provider_reference=None))
    assert payments.reconcile(fakes.context, limit=10).payments_synchronised == 1
    payment = fakes.payments.rows["pay_1"]
    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, "checkout_not_started")
    assert fakes.provider.asked == []


def test_an_open_payment_is_postponed_with_a_doubling_delay_while_the_provider_is_down(
    fakes: Fakes,
) -> None:
    fakes.payments.add(a_payment())
    fakes.provider.down = True
    report = payments.reconcile(fakes.context, limit=10)
    assert report.payments_synchronised == 0
    assert fakes.payments.rows["pay_1"].reconcile_attempts == 1
    base = fakes.context.settings.payment_reconcile_after_seconds
    assert fakes.payments.reconcile_after["pay_1"] == NOW + timedelta(seconds=2 * base)
    assert payments.reconcile(fakes.context, limit=10).payments_synchronised == 0  # not due
    assert fakes.provider.asked == ["ref_1"]


def test_a_payment_still_awaiting_the_customer_is_asked_about_again_later(fakes: Fakes) -> None:
    fakes.payments.add(a_payment())
    fakes.provider.states["ref_1"] = state(PaymentStatus.REQUIRES_PAYMENT_METHOD)
    assert payments.reconcile(fakes.context, limit=10).payments_synchronised == 1
    assert fakes.payments.reconcile_after["pay_1"] > NOW
    assert fakes.payments.rows["pay_1"].reconcile_attempts == 1
