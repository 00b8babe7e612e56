"""The catalog: suppliers' products, merchants' listings, merchant–supplier agreements,
and their rules (GTINs, what a product and a listing must be)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumValidationError

from axokey.domain.errors import FieldError, InvariantBroken, ValidationFailed
from axokey.domain.money import check_amount, check_basis_points, check_currency


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


# --- GTIN (the barcode on a product) ---------------------------------------------------

# GS1 keys that carry a product: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14.
GTIN_LENGTHS = (8, 12, 13, 14)
GTIN_LENGTH_MAX = 14


def normalise_gtin(gtin: str, *, field: str = "gtin") -> str:
    """A GTIN-8/12/13/14 with a correct check digit, as digits only (spaces and
    hyphens removed), in the length it was given; ``ValidationFailed`` otherwise.

    >>> normalise_gtin("4006381 333931")
    '4006381333931'
    """
    try:
        return str(ean.validate(gtin))
    except StdnumValidationError as error:
        raise ValidationFailed(
            f"{field} {gtin!r} is not a valid GTIN-8, GTIN-12, GTIN-13 or GTIN-14: {error}",
            code="invalid_gtin",
            errors=[FieldError(field, f"not a valid GTIN: {error}")],
        ) from None


def gtin_equivalents(gtin: str) -> list[str]:
    """Every way of writing the same (normalised) GTIN in the lengths GS1 uses.

    GS1 compares GTINs as 14 digits, right-aligned and padded with zeros, so the
    UPC-A ``036000291452`` and the EAN-13 ``0036000291452`` are the same product.
    A scanner may report either; the catalog stores what the supplier gave.

    >>> gtin_equivalents("036000291452")
    ['036000291452', '0036000291452', '00036000291452']
    """
    if not (gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS):
        raise InvariantBroken("gtin_equivalents takes a validated GTIN")
    padded = gtin.zfill(GTIN_LENGTH_MAX)
    return [
        padded[GTIN_LENGTH_MAX - length :]
        for length in GTIN_LENGTHS
        if set(padded[: GTIN_LENGTH_MAX - length]) <= {"0"}
    ]


# --- what a product and a listing must be ------------------------------------------------

SKU_LENGTH_MAX = 64
PRODUCT_NAME_LENGTH_MAX = 200


def check_text(value: str, *, field: str, length_max: int) -> str:
    if not value or not value.strip() or len(value) > length_max:
        raise ValidationFailed(
            f"{field} must be 1 to {length_max} characters",
            errors=[FieldError(field, f"1 to {length_max} characters")],
        )
    return value


def check_new_product(
    *,
    sku: str,
    name: str,
    kind: ProductKind,
    currency: str,
    wholesale_price: int,
    gtin: str | None,
    deposit_bps: int | None,
) -> str | None:
    """Validate a new product; return its GTIN normalised (or None)."""
    check_text(sku, field="sku", length_max=SKU_LENGTH_MAX)
    check_text(name, field="name", length_max=PRODUCT_NAME_LENGTH_MAX)
    check_currency(currency)
    check_amount(wholesale_price, field="wholesale_price", allow_zero=False)
    gtin_normalised = normalise_gtin(gtin) if gtin is not None else None
    if deposit_bps is not None:
        if kind is ProductKind.GOOD:
            raise ValidationFailed(
                "a booking deposit is set on services only; a good's deposit comes "
                "from the merchant–supplier agreement",
                code="deposit_on_good",
                errors=[FieldError("deposit_bps", "only for kind service")],
            )
        check_basis_points(deposit_bps, field="deposit_bps")
    return gtin_normalised


def check_listing_price(product: Product, unit_price: int) -> None:
    """The retail price covers at least the wholesale price (the commission is
    never negative)."""
    if unit_price < product.wholesale_price:
        raise ValidationFailed(
            f"unit_price {unit_price} is below the wholesale price "
            f"{product.wholesale_price} {product.currency}",
            code="price_below_wholesale",
            errors=[FieldError("unit_price", f"at least {product.wholesale_price}")],
        )
