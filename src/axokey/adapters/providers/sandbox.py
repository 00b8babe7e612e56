"""The sandbox payment provider: a provider of our own, for development and tests.

It behaves like a real one: it keeps its own records (``sandbox_payments``), hosts
the card page and the 3-D Secure challenge page (served by ``axokey.web``), and
tells the app of every change by a signed notification that goes through the
same path as any provider's (the ``deliver`` callable it is given: the app's
notification intake). Card numbers are never stored: only their last four digits.

Like a provider that retries, it never loses a notification: each one is written
to its outbox (``sandbox_notifications``) in the same transaction as the change it
tells of, delivered right after, and delivered again by
``deliver_pending_notifications`` (the sweep) until the app has taken it.

Test cards (API.md, plus one for failing refunds):

====================  ==========================================================
4242424242424242      succeeds without a challenge
4000002760003184      needs a 3-D Secure challenge: one-time code 123456 passes
4000000000000002      declined (``card_declined``)
4000000000009995      fails for insufficient funds (``insufficient_funds``)
4000000000005126      succeeds, but refunds to it fail (``refund_declined``)
====================  ==========================================================

Any other card number that passes the Luhn check is declined.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from axokey.adapters.db.engine import Database
from axokey.adapters.db.tables import sandbox_notifications, sandbox_payments, sandbox_refunds
from axokey.adapters.providers.base import (
    REFUND_NOT_RECEIVED,
    CheckoutRequest,
    CheckoutSession,
    InvalidNotification,
    PaymentStatus,
    ProviderError,
    ProviderNotification,
    ProviderPaymentState,
    RefundOutcome,
    RefundStatus,
)
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed

CARD_SUCCEEDS = "4242424242424242"
CARD_NEEDS_CHALLENGE = "4000002760003184"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_REFUNDS_FAIL = "4000000000005126"
CHALLENGE_OTP = "123456"
SIGNATURE_HEADER = "sandbox-signature"
PENDING = "pending"
DELIVERED = "delivered"

logger = logging.getLogger("axokey.sandbox")

_PAYMENT = select(sandbox_payments).where(sandbox_payments.c.reference == bindparam("reference"))
_PAYMENT_LOCKED = _PAYMENT.with_for_update()
_INSERT_PAYMENT = insert(sandbox_payments)
# The parameters named after columns are the SET clause; "key" is the payment's.
_UPDATE_PAYMENT = update(sandbox_payments).where(sandbox_payments.c.reference == bindparam("key"))
_REFUND = select(sandbox_refunds).where(sandbox_refunds.c.refund_id == bindparam("refund_id"))
_INSERT_REFUND = insert(sandbox_refunds)
_INSERT_NOTIFICATION = insert(sandbox_notifications)
_MARK_DELIVERED = (
    update(sandbox_notifications)
    .where(
        sandbox_notifications.c.event_id == bindparam("key"),
        sandbox_notifications.c.status == PENDING,
    )
    .values(
        status=DELIVERED,
        delivered_at=bindparam("at"),
        attempts=sandbox_notifications.c.attempts + 1,
    )
)


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, character in enumerate(reversed(number)):
        digit = int(character)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass
class SandboxProvider:
    """The sandbox. ``deliver`` is how its notifications reach the app."""

    database: Database
    base_url: str
    notification_key: bytes
    clock: Callable[[], datetime]
    deliver: Callable[[Mapping[str, str], bytes], None]
    name: str = "sandbox"
    refunds_are_idempotent: bool = True  # it keeps each refund by its refund_id

    # --- the provider port ------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        reference = "sbx_" + secrets.token_hex(12)
        now = self.clock()

        def record_the_checkout(connection: Connection) -> None:
            connection.execute(
                _INSERT_PAYMENT,
                {
                    "reference": reference,
                    "merchant_reference": request.payment_id,
                    "amount": request.amount_minor,
                    "currency": request.currency,
                    "status": PaymentStatus.REQUIRES_PAYMENT_METHOD.value,
                    "return_url": request.return_url,
                    "refunded_amount": 0,
                    "event_counter": 0,
                    "created_at": now,
                    "updated_at": now,
                },
            )

        self.database.run(record_the_checkout)
        return CheckoutSession(reference, self.checkout_url(reference))

    def fetch_status(self, provider_reference: str) -> ProviderPaymentState:
        with self.database.read_one_statement() as connection:
            try:
                row = self._row(connection, provider_reference)
            except NotFound as error:
                raise ProviderError(f"unknown sandbox payment {provider_reference}") from error
        return self._state(row)

    def refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        currency: str,
        refund_id: str,
    ) -> RefundOutcome:
        now = self.clock()

        def refund_once(connection: Connection) -> RefundOutcome:
            done = connection.execute(_REFUND, {"refund_id": refund_id}).first()
            if done is not None:  # the same refund asked again: the same answer
                return RefundOutcome(RefundStatus(done.status), done.refund_id, done.failure_code)
            payment = self._row(connection, provider_reference, lock=True)
            failure = None
            if payment.status != PaymentStatus.SUCCEEDED.value:
                failure = "not_captured"
            elif payment.transaction_id != transaction_id or payment.currency != currency:
                failure = "unknown_transaction"
            elif payment.card_last4 == CARD_REFUNDS_FAIL[-4:]:
                failure = "refund_declined"
            elif payment.refunded_amount + amount_minor > payment.amount or amount_minor <= 0:
                failure = "amount_exceeds_captured"
            status = RefundStatus.FAILED if failure else RefundStatus.SUCCEEDED
            connection.execute(
                _INSERT_REFUND,
                {
                    "refund_id": refund_id,
                    "reference": provider_reference,
                    "amount": amount_minor,
                    "status": status.value,
                    "failure_code": failure,
                    "created_at": now,
                },
            )
            if failure is None:
                connection.execute(
                    _UPDATE_PAYMENT,
                    {
                        "key": provider_reference,
                        "refunded_amount": payment.refunded_amount + amount_minor,
                        "updated_at": now,
                    },
                )
            return RefundOutcome(status, refund_id, failure)

        return self.database.run(refund_once)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        signature = {key.lower(): value for key, value in headers.items()}.get(SIGNATURE_HEADER)
        expected = hmac.new(self.notification_key, body, hashlib.sha256).hexdigest()
        if signature is None or not hmac.compare_digest(signature.encode(), expected.encode()):
            raise InvalidNotification("bad or missing sandbox signature")
        try:
            message = json.loads(body)
            return ProviderNotification(
                provider=self.name,
                event_id=str(message["event_id"]),
                provider_reference=str(message["reference"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidNotification("malformed sandbox notification") from error

    def acknowledge_notification(self, outcome: str) -> dict[str, str]:
        return {"status": outcome}

    def deliver_pending_notifications(self, *, limit: int) -> int:
        """Deliver again what the outbox still owes the app (the app takes each
        event once, however many times it arrives). Oldest first, at most ``limit``."""
        with self.database.read() as connection:
            rows = connection.execute(
                select(sandbox_notifications.c.event_id, sandbox_notifications.c.body)
                .where(sandbox_notifications.c.status == PENDING)
                .order_by(sandbox_notifications.c.seq)
                .limit(limit)
            ).all()
        return sum(1 for row in rows if self._deliver(row.event_id, bytes(row.body)))

    def reconcile_refund(
        self,
        *,
        provider_reference: str,
        transaction_id: str,
        amount_minor: int,
        refund_id: str,
        provider_refund_id: str | None,
        known_refund_ids: Sequence[str],
    ) -> RefundOutcome:
        """The sandbox keeps every refund by its ``refund_id``: what it answered then,
        or that it never received it."""
        with self.database.read() as connection:
            done = connection.execute(
                select(sandbox_refunds).where(
                    sandbox_refunds.c.refund_id == refund_id,
                    sandbox_refunds.c.reference == provider_reference,
                )
            ).first()
        if done is None:
            return RefundOutcome(RefundStatus.FAILED, failure_code=REFUND_NOT_RECEIVED)
        return RefundOutcome(RefundStatus(done.status), done.refund_id, done.failure_code)

    def release_authorisation(
        self, *, provider_reference: str, transaction_id: str, amount_minor: int
    ) -> None:
        """The sandbox only ever sells (authorises and captures at once): it never
        reports an ``authorisation_to_release``, so it has none to release."""
        raise ProviderError(f"the sandbox holds no authorisation {transaction_id}")

    def reference_from_return(
        self, fields: Mapping[str, str], candidates: Sequence[str]
    ) -> str | None:
        """The sandbox's pages send the browser back by a plain GET, saying nothing."""
        return None

    # --- the customer's side (the hosted pages and the scripting API) -----------

    def checkout_url(self, reference: str) -> str:
        return f"{self.base_url.rstrip('/')}/sandbox/checkout/{reference}"

    def challenge_url(self, reference: str) -> str:
        return f"{self.base_url.rstrip('/')}/sandbox/3ds/{reference}"

    def payment_page(self, reference: str) -> ProviderPaymentState:
        return self.fetch_status(reference)

    def return_url(self, reference: str) -> str | None:
        with self.database.read() as connection:
            value = self._row(connection, reference).return_url
        return str(value) if value else None

    def submit_card(
        self, reference: str, card_number: str, otp: str | None = None
    ) -> ProviderPaymentState:
        """The customer submits a card on the hosted page."""
        number = "".join(card_number.split())
        if not luhn_valid(number):
            raise ValidationFailed(
                "the card number is not valid",
                code="invalid_card_number",
                errors=[FieldError("card_number", "not a valid card number")],
            )
        if number == CARD_NEEDS_CHALLENGE:
            status, failure = PaymentStatus.REQUIRES_ACTION, None
        elif number in (CARD_SUCCEEDS, CARD_REFUNDS_FAIL):
            status, failure = PaymentStatus.SUCCEEDED, None
        elif number == CARD_INSUFFICIENT_FUNDS:
            status, failure = PaymentStatus.FAILED, "insufficient_funds"
        else:
            status, failure = PaymentStatus.FAILED, "card_declined"
        state = self._change(
            reference,
            expect=PaymentStatus.REQUIRES_PAYMENT_METHOD,
            status=status,
            failure=failure,
            last4=number[-4:],
        )
        if status is PaymentStatus.REQUIRES_ACTION and otp is not None:
            return self.complete_challenge(reference, otp)
        return state

    def complete_challenge(self, reference: str, otp: str) -> ProviderPaymentState:
        """The customer answers the 3-D Secure challenge (strong authentication)."""
        passed = hmac.compare_digest(otp.strip().encode(), CHALLENGE_OTP.encode())
        return self._change(
            reference,
            expect=PaymentStatus.REQUIRES_ACTION,
            status=PaymentStatus.SUCCEEDED if passed else PaymentStatus.FAILED,
            failure=None if passed else "authentication_failed",
        )

    # --- internals ------------------------------------------------------------

    def _row(self, connection: Connection, reference: str, *, lock: bool = False) -> Row:  # type: ignore[type-arg]
        locked = lock and connection.dialect.name == "postgresql"
        query = _PAYMENT_LOCKED if locked else _PAYMENT
        row = connection.execute(query, {"reference": reference}).first()
        if row is None:
            raise NotFound("no such sandbox payment", code="payment_not_found")
        return row

    def _state(self, row: Row) -> ProviderPaymentState:  # type: ignore[type-arg]
        return self._state_of(row, PaymentStatus(row.status), row.transaction_id, row.failure_code)

    def _state_of(
        self,
        row: Row,  # type: ignore[type-arg]
        status: PaymentStatus,
        transaction_id: str | None,
        failure_code: str | None,
    ) -> ProviderPaymentState:
        """The state of the payment of ``row`` with the status, transaction and
        failure given (those of the row, or those just written over it)."""
        return ProviderPaymentState(
            provider_reference=row.reference,
            status=status,
            amount_minor=row.amount,
            currency=row.currency,
            transaction_id=transaction_id,
            failure_code=failure_code,
            next_action_url=self.challenge_url(row.reference)
            if status is PaymentStatus.REQUIRES_ACTION
            else None,
        )

    def _change(
        self,
        reference: str,
        *,
        expect: PaymentStatus,
        status: PaymentStatus,
        failure: str | None,
        last4: str | None = None,
    ) -> ProviderPaymentState:
        """Move the payment, queue the notification it owes and deliver it; returns
        the payment's state as changed (the delivery does not change it)."""
        now = self.clock()

        def change_and_queue_notification(
            connection: Connection,
        ) -> tuple[str, bytes, ProviderPaymentState]:
            row = self._row(connection, reference, lock=True)
            if row.status != expect.value:
                raise Conflict(
                    f"this payment is {row.status}: it cannot take this step",
                    code="payment_not_payable",
                )
            values: dict[str, object] = {
                "status": status.value,
                "failure_code": failure,
                "event_counter": row.event_counter + 1,
                "updated_at": now,
            }
            if last4 is not None:
                values["card_last4"] = last4
            if status is PaymentStatus.SUCCEEDED:
                values["transaction_id"] = "sbxtx_" + secrets.token_hex(10)
            connection.execute(_UPDATE_PAYMENT, {"key": reference, **values})
            # The notification it owes, in the same transaction as the change.
            event_id = f"{reference}:{int(row.event_counter) + 1}"
            body = json.dumps(
                {"event_id": event_id, "reference": reference}, separators=(",", ":")
            ).encode()
            connection.execute(
                _INSERT_NOTIFICATION,
                {
                    "event_id": event_id,
                    "reference": reference,
                    "body": body,
                    "status": PENDING,
                    "attempts": 0,
                    "created_at": now,
                },
            )
            transaction_id = values.get("transaction_id", row.transaction_id)
            changed = self._state_of(row, status, transaction_id, failure)  # type: ignore[arg-type]
            return event_id, body, changed

        event_id, body, changed = self.database.run(change_and_queue_notification)
        self._deliver(event_id, body)
        return changed

    def _deliver(self, event_id: str, body: bytes) -> bool:
        """Tell the app, exactly as a remote provider would: a signed message. Marked
        delivered once the app took it; left pending (for the next round) otherwise."""
        signature = hmac.new(self.notification_key, body, hashlib.sha256).hexdigest()
        try:
            self.deliver({SIGNATURE_HEADER: signature, "content-type": "application/json"}, body)
        except Exception:  # the app could not take it now: the outbox keeps it
            logger.exception("sandbox notification %s: delivery failed", event_id)
            self.database.run(
                lambda connection: connection.execute(
                    update(sandbox_notifications)
                    .where(sandbox_notifications.c.event_id == event_id)
                    .values(attempts=sandbox_notifications.c.attempts + 1)
                )
            )
            return False
        delivered_at = self.clock()
        self.database.run(
            lambda connection: connection.execute(
                _MARK_DELIVERED, {"key": event_id, "at": delivered_at}
            )
        )
        return True
