"""Pay-in: checkout, the provider's notifications, and the capture into escrow.

Per STYLE.md: a provider's notification is stored first and acknowledged, then
processed once per provider event id; the payment's status is always confirmed by
asking the provider (``fetch_status``) before acting, so an unsigned or replayed
callback can never capture money on its own. The provider is never called
inside a database transaction: record the intent, commit, call, record the result.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, func, insert, select, update

from axokey.adapters.db import event_repository, ledger_store, order_repository
from axokey.adapters.db.engine import insert_ignoring_conflicts
from axokey.adapters.db.tables import orders, payments, provider_notifications
from axokey.adapters.providers.base import (
    CheckoutRequest,
    InvalidNotification,
    PaymentStatus,
    ProviderError,
    ProviderPaymentState,
    UnrecognisedProviderAnswer,
)
from axokey.adapters.providers.sandbox import SandboxProvider
from axokey.domain import accounts
from axokey.domain.errors import AxokeyError, Conflict, NotFound, ProviderUnavailable
from axokey.domain.identifiers import new_id
from axokey.domain.orders import Order, OrderStatus
from axokey.domain.parties import Principal, Role
from axokey.domain.refunds import refuse_payment
from axokey.services import refunding, signing
from axokey.services.context import ServiceContext
from axokey.services.events import record_event, record_order_events
from axokey.services.ledger import post_or_raise
from axokey.services.parties import require_role

PAYMENT_ATTEMPTS_PER_ORDER_MAX = 20
# A provider's event id is unique per provider: it is processed once.
NOTIFICATION_KEY = ["provider", "event_id"]

logger = logging.getLogger("axokey.payments")


class InvalidNotificationError(AxokeyError):
    status = 400
    code = "invalid_notification"
    title = "Notification rejected"


@dataclass(frozen=True)
class Payment:
    id: str
    order_id: str
    status: PaymentStatus
    amount: int
    currency: str
    provider: str
    checkout_url: str | None
    next_action_url: str | None
    failure_code: str | None
    return_url: str | None
    created_at: datetime
    updated_at: datetime


def payment_from_row(row: Row) -> Payment:  # type: ignore[type-arg]
    return Payment(
        id=row.id,
        order_id=row.order_id,
        status=PaymentStatus(row.status),
        amount=row.amount,
        currency=row.currency,
        provider=row.provider,
        checkout_url=row.checkout_url,
        next_action_url=row.next_action_url,
        failure_code=row.failure_code,
        return_url=row.return_url,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _load_payment(connection: Connection, payment_id: str) -> Payment | None:
    row = connection.execute(select(payments).where(payments.c.id == payment_id)).first()
    return payment_from_row(row) if row else None


# --- checkout ----------------------------------------------------------------


def start_checkout(
    context: ServiceContext, principal: Principal, order_id: str, return_url: str | None
) -> Payment:
    """The merchant asks for a hosted payment page for an unpaid order."""
    require_role(principal, Role.MERCHANT)
    return _start_checkout(context, order_id, return_url, merchant_id=principal.party_id)


def start_checkout_for_customer(context: ServiceContext, order_id: str, token: str) -> Payment:
    """The customer, from the order page's link, starts (or retries) a payment."""
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    # The provider sends the browser back there (PayXpert by a form POST), which
    # synchronises the payment and redirects to the customer's page.
    return_url = signing.customer_url(context, order_id) + "/return"
    return _start_checkout(context, order_id, return_url, merchant_id=None)


def _start_checkout(
    context: ServiceContext, order_id: str, return_url: str | None, *, merchant_id: str | None
) -> Payment:
    provider = context.provider
    payment_id = new_id("pay")
    now = context.now()

    def record_intent(connection: Connection) -> Order:
        order = order_repository.load_order(connection, order_id, lock=True)
        if order is None or (merchant_id is not None and order.merchant_id != merchant_id):
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        if order.status is not OrderStatus.AWAITING_PAYMENT:
            raise Conflict(f"the order is {order.status.value}", code="order_not_payable")
        if not order.accepts_payment(now, context.settings.itinerary_grace):
            raise Conflict("the order's deadline has passed", code="order_expired")
        attempts = connection.execute(
            select(func.count()).select_from(payments).where(payments.c.order_id == order_id)
        ).scalar_one()
        if attempts >= PAYMENT_ATTEMPTS_PER_ORDER_MAX:
            raise Conflict("too many payment attempts for this order", code="too_many_attempts")
        connection.execute(
            insert(payments).values(
                id=payment_id,
                order_id=order_id,
                status=PaymentStatus.REQUIRES_PAYMENT_METHOD.value,
                amount=order.amount_total,
                currency=order.currency,
                provider=provider.name,
                return_url=return_url,
                created_at=now,
                updated_at=now,
            )
        )
        return order

    order = context.database.run(record_intent)
    base = context.settings.public_base_url.rstrip("/")
    try:
        session = provider.start_checkout(
            CheckoutRequest(
                payment_id=payment_id,
                order_id=order.id,
                amount_minor=order.amount_total,
                currency=order.currency,
                customer_email=order.customer.email,
                return_url=return_url,
                notification_url=f"{base}/v1/providers/{provider.name}/notifications",
            )
        )
    except ProviderError as error:

        def record_failure(connection: Connection) -> None:
            connection.execute(
                update(payments)
                .where(payments.c.id == payment_id)
                .values(
                    status=PaymentStatus.FAILED.value,
                    failure_code="provider_unavailable",
                    updated_at=context.now(),
                )
            )

        context.database.run(record_failure)
        raise ProviderUnavailable(f"the payment provider is unavailable: {error}") from error

    def record_session(connection: Connection) -> Payment:
        connection.execute(
            update(payments)
            .where(payments.c.id == payment_id)
            .values(
                provider_reference=session.provider_reference,
                checkout_url=session.checkout_url,
                updated_at=context.now(),
            )
        )
        payment = _load_payment(connection, payment_id)
        assert payment is not None
        return payment

    return context.database.run(record_session)


def get_payment(context: ServiceContext, principal: Principal, payment_id: str) -> Payment:
    with context.database.read() as connection:
        row = connection.execute(
            select(payments, orders.c.merchant_id)
            .select_from(payments.join(orders, orders.c.id == payments.c.order_id))
            .where(payments.c.id == payment_id)
        ).first()
    if row is None or not (principal.is_admin or principal.party_id == row.merchant_id):
        raise NotFound(f"payment {payment_id} not found", code="payment_not_found")
    return payment_from_row(row)


def provider_reference_of(context: ServiceContext, payment_id: str) -> tuple[str, str]:
    """(provider, provider_reference) of a payment, for the sandbox's customer API."""
    with context.database.read() as connection:
        row = connection.execute(
            select(payments.c.provider, payments.c.provider_reference).where(
                payments.c.id == payment_id
            )
        ).first()
    if row is None or row.provider_reference is None:
        raise NotFound(f"payment {payment_id} not found", code="payment_not_found")
    return row.provider, row.provider_reference


def order_payment_references(
    context: ServiceContext, order_id: str
) -> list[tuple[str, str, PaymentStatus]]:
    """An order's payments at a provider, newest first: (provider, reference, status)."""
    with context.database.read() as connection:
        rows = connection.execute(
            select(payments.c.provider, payments.c.provider_reference, payments.c.status)
            .where(payments.c.order_id == order_id, payments.c.provider_reference.is_not(None))
            .order_by(payments.c.created_at.desc(), payments.c.id.desc())
            .limit(PAYMENT_ATTEMPTS_PER_ORDER_MAX)
        ).all()
    return [(row.provider, row.provider_reference, PaymentStatus(row.status)) for row in rows]


def payment_by_reference(context: ServiceContext, provider: str, reference: str) -> Payment:
    with context.database.read() as connection:
        row = connection.execute(
            select(payments).where(
                payments.c.provider == provider, payments.c.provider_reference == reference
            )
        ).first()
    if row is None:
        raise NotFound("payment not found", code="payment_not_found")
    return payment_from_row(row)


def last_payment(connection: Connection, order_id: str) -> Payment | None:
    """The order's latest payment attempt."""
    row = connection.execute(
        select(payments)
        .where(payments.c.order_id == order_id)
        .order_by(payments.c.created_at.desc(), payments.c.id.desc())
        .limit(1)
    ).first()
    return payment_from_row(row) if row is not None else None


def enabled_sandbox(context: ServiceContext) -> SandboxProvider:
    """The sandbox provider, when it is the configured one (else 404)."""
    provider = context.providers.get("sandbox")
    if context.settings.provider != "sandbox" or not isinstance(provider, SandboxProvider):
        raise NotFound("the sandbox is not enabled", code="sandbox_disabled")
    return provider


def pay_in_sandbox(
    context: ServiceContext, payment_id: str, card_number: str, otp: str | None
) -> Payment:
    """Sandbox only: play the customer on the hosted page — a card, and the 3-D
    Secure one-time code when the card asks for one."""
    sandbox = enabled_sandbox(context)
    provider, reference = provider_reference_of(context, payment_id)
    if provider != sandbox.name:
        raise Conflict("this payment is not a sandbox payment", code="not_a_sandbox_payment")
    if sandbox.fetch_status(reference).status is PaymentStatus.REQUIRES_ACTION:
        if otp is None:
            raise Conflict("the 3-D Secure challenge needs the one-time code", code="otp_required")
        sandbox.complete_challenge(reference, otp)
    else:
        sandbox.submit_card(reference, card_number, otp)
    return payment_by_reference(context, sandbox.name, reference)


# --- notifications -----------------------------------------------------------


def receive_notification(
    context: ServiceContext, provider_name: str, headers: Mapping[str, str], body: bytes
) -> str:
    """A provider tells us something changed. Store, verify, process once.

    Returns ``processed``, ``duplicate`` or ``ignored``; raises
    ``InvalidNotificationError`` for a notification that does not verify.
    """
    provider = context.providers.get(provider_name)
    if provider is None:
        raise NotFound(f"unknown provider {provider_name}", code="unknown_provider")
    now = context.now()
    try:
        notification = provider.parse_notification(headers, body)
    except InvalidNotification as error:
        digest = hashlib.sha256(body).hexdigest()
        reason = str(error)[:500]

        def store_rejected(connection: Connection) -> None:
            connection.execute(
                insert_ignoring_conflicts(
                    connection, provider_notifications, ["provider", "event_id"]
                ).values(
                    provider=provider_name,
                    event_id=f"rejected:{digest}",
                    body=body,
                    status="rejected",
                    detail=reason,
                    received_at=now,
                )
            )

        context.database.run(store_rejected)
        raise InvalidNotificationError("the notification does not verify") from error

    def store(connection: Connection) -> bool:
        inserted = connection.execute(
            insert_ignoring_conflicts(
                connection, provider_notifications, ["provider", "event_id"]
            ).values(
                provider=provider_name,
                event_id=notification.event_id,
                provider_reference=notification.provider_reference,
                body=body,
                status="received",
                received_at=now,
            )
        )
        if inserted.rowcount == 1:
            return True
        status = connection.execute(
            select(provider_notifications.c.status).where(
                provider_notifications.c.provider == provider_name,
                provider_notifications.c.event_id == notification.event_id,
            )
        ).scalar()
        return status == "received"  # stored before but never processed: process now

    if not context.database.run(store):
        return "duplicate"
    outcome = synchronise_payment(context, provider_name, notification.provider_reference)

    def mark(connection: Connection) -> None:
        connection.execute(
            update(provider_notifications)
            .where(
                provider_notifications.c.provider == provider_name,
                provider_notifications.c.event_id == notification.event_id,
            )
            .values(status="processed", processed_at=context.now(), detail=outcome)
        )

    context.database.run(mark)
    return "processed"


def synchronise_payment(context: ServiceContext, provider_name: str, reference: str) -> str:
    """Ask the provider for a payment's status and apply it (capture on success)."""
    provider = context.providers[provider_name]
    with context.database.read() as connection:
        known = connection.execute(
            select(payments.c.id).where(
                payments.c.provider == provider_name, payments.c.provider_reference == reference
            )
        ).first()
    if known is None:
        # Not one of ours (the provider's own test event, or a stale one): nothing to
        # do, and nothing to ask the provider.
        return "unknown_payment"
    try:
        state = provider.fetch_status(reference)
    except UnrecognisedProviderAnswer as error:
        # Never guessed at: the payment stays as it is; an operator looks.
        alert_operator(context, provider_name, reference, "unrecognised_answer", str(error))
        return "unrecognised_answer"
    except ProviderError as error:
        raise ProviderUnavailable(f"the payment provider is unavailable: {error}") from error

    def work(connection: Connection) -> tuple[str, list[str]]:
        found = connection.execute(
            select(payments.c.id, payments.c.order_id).where(
                payments.c.provider == provider_name, payments.c.provider_reference == reference
            )
        ).first()
        if found is None:
            return "unknown_payment", []
        # Lock order: the order first, then its payment (everyone does the same).
        order = order_repository.load_order(connection, found.order_id, lock=True)
        assert order is not None
        query = select(payments).where(payments.c.id == found.id)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        payment = payment_from_row(connection.execute(query).one())
        if payment.status is PaymentStatus.SUCCEEDED:
            return "already_succeeded", []
        return _apply_state(connection, context, order, payment, provider_name, state)

    outcome, card_refunds = context.database.run(work)
    refunding.send_card_refunds(context, card_refunds)
    if outcome == AUTHORISATION_TO_RELEASE and state.transaction_id is not None:
        return _release_authorisation(context, provider_name, state)
    return outcome


AUTHORISATION_TO_RELEASE = "authorisation_to_release"
FAILURE_AUTHORISATION_RELEASED = "authorisation_released"


def _release_authorisation(
    context: ServiceContext, provider_name: str, state: ProviderPaymentState
) -> str:
    """An authorisation was taken instead of a sale: void it now, never let it lapse.
    If the provider does not release it, the operator is told and the caller sees
    the provider as unavailable (a callback is then delivered again, and retried)."""
    assert state.transaction_id is not None
    try:
        context.providers[provider_name].release_authorisation(
            provider_reference=state.provider_reference,
            transaction_id=state.transaction_id,
            amount_minor=state.amount_minor,
        )
    except ProviderError as error:
        alert_operator(
            context,
            provider_name,
            state.provider_reference,
            "authorisation_release_failed",
            str(error)[:300],
        )
        raise ProviderUnavailable(f"the authorisation was not released: {error}") from error

    def record_release(connection: Connection) -> None:
        connection.execute(
            update(payments)
            .where(
                payments.c.provider == provider_name,
                payments.c.provider_reference == state.provider_reference,
                payments.c.status == PaymentStatus.FAILED.value,
            )
            .values(failure_code=FAILURE_AUTHORISATION_RELEASED, updated_at=context.now())
        )

    context.database.run(record_release)
    return FAILURE_AUTHORISATION_RELEASED


def alert_operator(
    context: ServiceContext, provider_name: str, reference: str, reason: str, detail: str
) -> None:
    """A ``payment.attention_required`` event (GET /v1/payment-alerts, the dashboard),
    once per payment, reason and detail."""
    now = context.now()

    def work(connection: Connection) -> None:
        found = connection.execute(
            select(payments.c.id, payments.c.order_id).where(
                payments.c.provider == provider_name, payments.c.provider_reference == reference
            )
        ).first()
        if found is None:
            return
        data = {
            "payment_id": found.id,
            "provider": provider_name,
            "reason": reason,
            "detail": detail[:300],
        }
        for event_type, seen in event_repository.events_of_order(connection, found.order_id):
            if event_type == "payment.attention_required" and all(
                seen.get(key) == value for key, value in data.items()
            ):
                return
        order = order_repository.load_order(connection, found.order_id)
        record_event(connection, "payment.attention_required", now=now, order=order, data=data)

    context.database.run(work)
    logger.error(
        "payment %s at %s needs attention: %s (%s)", reference, provider_name, reason, detail
    )


def _apply_state(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    payment: Payment,
    provider_name: str,
    state: ProviderPaymentState,
) -> tuple[str, list[str]]:
    now = context.now()
    status, failure = state.status, state.failure_code
    succeeded = status is PaymentStatus.SUCCEEDED
    mismatch = succeeded and state.amount_minor != payment.amount
    if succeeded and state.currency != payment.currency:
        # Money in another currency cannot pass through this order's escrow: the
        # operator settles it with the provider.
        logger.error(
            "payment %s: the provider took %s %s, not %s %s",
            payment.id,
            state.amount_minor,
            state.currency,
            payment.amount,
            payment.currency,
        )
        status, failure, succeeded = PaymentStatus.FAILED, "currency_mismatch", False
    elif mismatch:
        # Never capture an amount we did not ask for: refuse it and refund it whole.
        status, failure = PaymentStatus.FAILED, "amount_mismatch"
    previous_transaction_id = connection.execute(
        select(payments.c.provider_transaction_id).where(payments.c.id == payment.id)
    ).scalar()
    connection.execute(
        update(payments)
        .where(payments.c.id == payment.id)
        .values(
            status=status.value,
            failure_code=failure,
            next_action_url=state.next_action_url,
            provider_transaction_id=state.transaction_id,
            updated_at=now,
        )
    )
    attempt_changed = (failure, state.transaction_id) != (
        payment.failure_code,
        previous_transaction_id,
    )
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD and failure and attempt_changed:
        # A refused attempt on a page that allows another: told, kept after success.
        record_event(
            connection,
            "payment.attempt_failed",
            now=now,
            order=order,
            data={
                "payment_id": payment.id,
                "failure_code": failure,
                "provider_transaction_id": state.transaction_id,
            },
        )
    if state.authorisation_to_release:
        if failure != payment.failure_code:
            record_event(
                connection,
                "payment.attention_required",
                now=now,
                order=order,
                data={
                    "payment_id": payment.id,
                    "provider": provider_name,
                    "reason": "authorisation_instead_of_sale",
                    "detail": f"transaction {state.transaction_id} authorised, not captured: "
                    "it is being released",
                },
            )
        return AUTHORISATION_TO_RELEASE, []
    if not succeeded:
        return status.value, []
    if not mismatch and order.accepts_payment(now, context.settings.itinerary_grace):
        capture(connection, context, order, provider_name)
        return "captured", []
    settlement = refuse_payment(
        order,
        payment_id=payment.id,
        amount=state.amount_minor,
        provider=provider_name,
        now=now,
        amount_mismatch=mismatch,
    )
    ledger_store.ensure_accounts(
        connection,
        [
            accounts.escrow_account(order.id, order.currency),
            accounts.clearing_account(provider_name, order.currency),
            accounts.refunds_account(order.currency),
        ],
        now,
    )
    post_or_raise(connection, context, settlement.transfers, now=now)
    order_repository.save_order(connection, order)
    record_order_events(connection, order, settlement.events, now=now)
    return "refunded", refunding.record_refunds(
        connection, context, order, settlement.refunds, payment_id=payment.id
    )


def capture(connection: Connection, context: ServiceContext, order: Order, provider: str) -> None:
    """The payment succeeded: in this one transaction, take the total into the
    order's escrow, pay the deposits, hold the rest, mark the order paid, issue
    its QR code."""
    now = context.now()
    grace = context.settings.itinerary_grace
    transfers = order.capture(provider=provider, now=now, grace=grace)
    ledger_store.ensure_accounts(
        connection,
        [
            accounts.escrow_account(order.id, order.currency),
            accounts.clearing_account(provider, order.currency),
            accounts.refunds_account(order.currency),
            *(accounts.payable_account(party, order.currency) for party in order.ledger_parties()),
        ],
        now,
    )
    post_or_raise(connection, context, transfers, now=now)
    order_repository.save_order(connection, order)
    reference, short_code = _unused_codes(connection)
    connection.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(qr_reference=reference, short_code=short_code)
    )
    record_event(
        connection,
        "order.paid",
        now=now,
        order=order,
        data={"amount_total": order.amount_total, "deposits": order.deposits_total},
    )


def _unused_codes(connection: Connection) -> tuple[str, str]:
    """New codes; the short code (50 bits) is checked against existing ones."""
    for _ in range(10):
        reference, short_code = signing.new_redemption_codes()
        taken = connection.execute(
            select(orders.c.id).where(orders.c.short_code == short_code)
        ).first()
        if taken is None:
            return reference, short_code
    raise AssertionError("could not draw an unused short code in 10 attempts")


def rotate_codes(context: ServiceContext, principal: Principal, order_id: str) -> None:
    """The merchant replaces a leaked QR code and short code; the old ones stop working."""
    require_role(principal, Role.MERCHANT)

    def work(connection: Connection) -> None:
        row = order_repository.lock_order_row(connection, order_id)
        if row is None or row.merchant_id != principal.party_id:
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        if row.qr_reference is None:
            raise Conflict("the order has no code yet: it is not paid", code="order_not_paid")
        reference, short_code = _unused_codes(connection)
        connection.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values(qr_reference=reference, short_code=short_code)
        )

    context.database.run(work)
