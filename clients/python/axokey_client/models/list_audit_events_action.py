from enum import StrEnum


class ListAuditEventsAction(StrEnum):
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    API_KEY_ROTATED = "api_key.rotated"
    CUSTOMER_DATA_EXPORTED = "customer.data_exported"
    CUSTOMER_ERASED = "customer.erased"
    EVENT_REDELIVERED = "event.redelivered"
    ORDER_CANCELLED = "order.cancelled"
    PARTY_CREATED = "party.created"
    PARTY_PAYOUT_DETAILS_CHANGED = "party.payout_details_changed"
    PAYOUT_BATCH_CONFIRMED = "payout_batch.confirmed"
    PAYOUT_BATCH_CREATED = "payout_batch.created"
    REFUND_CONVERTED_TO_SEPA = "refund.converted_to_sepa"
    REFUND_RETRIED = "refund.retried"
    SANDBOX_SWEPT = "sandbox.swept"
    STOCK_ADJUSTED = "stock.adjusted"
    STOCK_IMPORTED = "stock.imported"
    STOCK_SET = "stock.set"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint.created"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint.deleted"
    WEBHOOK_ENDPOINT_ROTATED = "webhook_endpoint.rotated"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint.updated"

    def __str__(self) -> str:
        return str(self.value)
