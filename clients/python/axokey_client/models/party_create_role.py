from enum import StrEnum


class PartyCreateRole(StrEnum):
    COURIER = "courier"
    MERCHANT = "merchant"
    STORE = "store"
    SUPPLIER = "supplier"

    def __str__(self) -> str:
        return str(self.value)
