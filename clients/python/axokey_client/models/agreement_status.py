from enum import StrEnum


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    PROPOSED = "proposed"
    SUPERSEDED = "superseded"

    def __str__(self) -> str:
        return str(self.value)
