from enum import StrEnum


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    EXPIRED = "expired"
    PAID = "paid"
    PARTIALLY_REDEEMED = "partially_redeemed"

    def __str__(self) -> str:
        return str(self.value)
