from enum import StrEnum


class OrderCreatePaymentMode(StrEnum):
    DEPOSIT = "deposit"
    ESCROW = "escrow"

    def __str__(self) -> str:
        return str(self.value)
