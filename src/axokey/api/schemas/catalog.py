"""Request and response bodies of the catalog: products, listings, agreements."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from axokey.api.schemas.base import NOT_BLANK, Currency, JsonInteger, Strict
from axokey.domain.catalog import Agreement, AgreementStatus, Listing, Product, ProductKind
from axokey.domain.money import MAX_AMOUNT_MINOR

# Money and basis points are JSON integers: no floats, no numeric strings.
# A price: more than zero and bounded, as the domain's ``check_amount(allow_zero=False)``
# refuses otherwise (422 invalid_amount, amount_too_large): said in the document.
AmountMinor = Annotated[
    int,
    Field(
        strict=True,
        description="Integer minor units (cents).",
        json_schema_extra={"minimum": 1, "maximum": MAX_AMOUNT_MINOR},
    ),
    JsonInteger,
]
BasisPoints = Annotated[
    int,
    Field(strict=True, ge=0, le=10_000, description="Integer basis points (3000 = 30 %)."),
    JsonInteger,
]
PartyId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
ProductId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ProductCreate(Strict):
    """A booking deposit is for a service only (422 deposit_on_good)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"kind": {"const": "good"}}, "required": ["kind"]},
            "then": {"properties": {"deposit_bps": {"type": "null"}}},
        },
    )

    sku: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=64),
    ]
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=200),
    ]
    kind: Literal["good", "service"]
    currency: Currency = Field(description="ISO 4217, upper case, e.g. EUR.")
    wholesale_price: AmountMinor
    gtin: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None,
        description="GTIN-8/12/13/14; spaces and hyphens are ignored. Its check digit is verified.",
    )
    deposit_bps: BasisPoints | None = Field(
        default=None, description="The booking deposit of a service (not allowed on a good)."
    )
    supplier_id: PartyId | None = Field(
        default=None, description="The supplier: only with the admin key."
    )


class ProductOut(BaseModel):
    id: str
    object: Literal["product"] = "product"
    supplier_id: str
    sku: str
    name: str
    kind: ProductKind
    currency: str
    wholesale_price: int
    gtin: str | None
    deposit_bps: int | None
    created_at: datetime

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        return cls(
            id=product.id,
            supplier_id=product.supplier_id,
            sku=product.sku,
            name=product.name,
            kind=product.kind,
            currency=product.currency,
            wholesale_price=product.wholesale_price,
            gtin=product.gtin,
            deposit_bps=product.deposit_bps,
            created_at=product.created_at,
        )


class ListingCreate(Strict):
    product_id: ProductId
    unit_price: AmountMinor = Field(description="The retail price, at least the wholesale price.")


class ListingOut(BaseModel):
    id: str
    object: Literal["listing"] = "listing"
    merchant_id: str
    product_id: str
    unit_price: int
    currency: str
    created_at: datetime

    @classmethod
    def of(cls, product: Product, listing: Listing) -> ListingOut:
        return cls(
            id=listing.id,
            merchant_id=listing.merchant_id,
            product_id=listing.product_id,
            unit_price=listing.unit_price,
            currency=product.currency,
            created_at=listing.created_at,
        )


class AgreementCreate(Strict):
    supplier_id: PartyId
    deposit_bps: BasisPoints


class AgreementOut(BaseModel):
    id: str
    object: Literal["agreement"] = "agreement"
    merchant_id: str
    supplier_id: str
    deposit_bps: int
    status: AgreementStatus
    created_at: datetime
    accepted_at: datetime | None

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOut:
        return cls(
            id=agreement.id,
            merchant_id=agreement.merchant_id,
            supplier_id=agreement.supplier_id,
            deposit_bps=agreement.deposit_bps,
            status=agreement.status,
            created_at=agreement.created_at,
            accepted_at=agreement.accepted_at,
        )
