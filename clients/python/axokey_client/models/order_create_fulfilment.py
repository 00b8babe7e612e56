from enum import StrEnum


class OrderCreateFulfilment(StrEnum):
    DELIVERY = "delivery"
    ITINERARY = "itinerary"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
