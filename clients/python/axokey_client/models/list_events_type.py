from enum import StrEnum


class ListEventsType(StrEnum):
    LINE_REFUNDED = "line.refunded"
    LINE_RELEASED = "line.released"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_COMPLETED = "order.completed"
    ORDER_CREATED = "order.created"
    ORDER_EXPIRED = "order.expired"
    ORDER_PAID = "order.paid"
    ORDER_REDEEMED = "order.redeemed"
    PAYMENT_ATTEMPT_FAILED = "payment.attempt_failed"
    PAYMENT_ATTENTION_REQUIRED = "payment.attention_required"
    PAYMENT_REFUSED = "payment.refused"
    PAYOUT_FAILED = "payout.failed"
    PAYOUT_PAID = "payout.paid"
    REFUND_FAILED = "refund.failed"
    REFUND_SUCCEEDED = "refund.succeeded"
    STOCK_CHANGED = "stock.changed"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"

    def __str__(self) -> str:
        return str(self.value)
