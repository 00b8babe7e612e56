from enum import StrEnum


class ProductKind(StrEnum):
    GOOD = "good"
    SERVICE = "service"

    def __str__(self) -> str:
        return str(self.value)
