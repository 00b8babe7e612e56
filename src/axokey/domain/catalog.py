"""The catalog: suppliers' products, merchants' listings, merchant–supplier agreements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ProductKind(StrEnum):
    GOOD = "good"
    SERVICE = "service"


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    SUPERSEDED = "superseded"  # a later accepted agreement for the same pair replaced it


@dataclass(frozen=True)
class Product:
    id: str
    supplier_id: str
    sku: str
    name: str
    kind: ProductKind
    currency: str
    wholesale_price: int
    gtin: str | None
    deposit_bps: int | None  # the booking deposit a supplier sets on a service
    created_at: datetime


@dataclass(frozen=True)
class Listing:
    """A merchant puts a supplier's product in its shop at a retail price."""

    id: str
    merchant_id: str
    product_id: str
    unit_price: int
    created_at: datetime


@dataclass(frozen=True)
class Agreement:
    """The deposit percentage agreed between a merchant and a supplier."""

    id: str
    merchant_id: str
    supplier_id: str
    deposit_bps: int
    status: AgreementStatus
    created_at: datetime
    accepted_at: datetime | None
