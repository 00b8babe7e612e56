from enum import StrEnum


class CartCheckoutInPaymentMode(StrEnum):
    DEPOSIT = "deposit"
    ESCROW = "escrow"

    def __str__(self) -> str:
        return str(self.value)
