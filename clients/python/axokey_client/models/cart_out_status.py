from enum import StrEnum


class CartOutStatus(StrEnum):
    CHECKED_OUT = "checked_out"
    EXPIRED = "expired"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
