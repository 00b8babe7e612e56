from enum import StrEnum


class ProductCreateKind(StrEnum):
    GOOD = "good"
    SERVICE = "service"

    def __str__(self) -> str:
        return str(self.value)
