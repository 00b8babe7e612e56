"""The catalog: suppliers' products, merchants' listings, merchant–supplier agreements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from axokey.api.deps import ContextDep, Page, PageDep, requires
from axokey.api.openapi import beyond_schema
from axokey.api.schemas.catalog import (
    AgreementCreate,
    AgreementOut,
    ListingCreate,
    ListingOut,
    ProductCreate,
    ProductOut,
)
from axokey.domain.access import Scope
from axokey.domain.catalog import AgreementStatus, ProductKind
from axokey.domain.parties import Principal
from axokey.services import catalog

router = APIRouter(tags=["catalog"])

IdFilter = Annotated[str | None, Query(max_length=40)]


@router.post("/v1/products", status_code=201, response_model=ProductOut)
def create_product(
    body: ProductCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_WRITE)],
) -> ProductOut:
    """A supplier adds a product (`good`) or a service to its catalog; the operator
    may do it for the supplier named by `supplier_id`. A `gtin` is checked (GTIN-8,
    12, 13 or 14 check digit) and stored as digits. `deposit_bps`, the booking
    deposit, is for services only."""
    product = catalog.create_product(
        context,
        principal,
        sku=body.sku,
        name=body.name,
        kind=ProductKind(body.kind),
        currency=body.currency,
        wholesale_price=body.wholesale_price,
        gtin=body.gtin,
        deposit_bps=body.deposit_bps,
        supplier_id=body.supplier_id,
    )
    return ProductOut.of(product)


@router.get("/v1/products", response_model=Page[ProductOut])
def list_products(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
    page: PageDep,
    gtin: Annotated[
        str | None,
        Query(max_length=32, description="A barcode, in any GTIN length (8, 12, 13, 14)."),
    ] = None,
    supplier_id: IdFilter = None,
) -> Page[ProductOut]:
    """The catalog, newest first, for any authenticated caller."""
    products, has_more = catalog.list_products(
        context,
        principal,
        gtin=gtin,
        supplier_id=supplier_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page[ProductOut](data=[ProductOut.of(p) for p in products], has_more=has_more)


@router.get("/v1/products/{product_id}", response_model=ProductOut)
def get_product(
    product_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
) -> ProductOut:
    return ProductOut.of(catalog.read_product(context, principal, product_id))


# The product's wholesale price is stored with the product: the schema cannot say it.
@router.post(
    "/v1/listings",
    status_code=201,
    response_model=ListingOut,
    openapi_extra=beyond_schema(
        (422, "price_below_wholesale", "`unit_price` is below the product's wholesale price")
    ),
)
def create_listing(
    body: ListingCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_WRITE)],
) -> ListingOut:
    """A merchant lists a supplier's product in its shop at its retail `unit_price`
    (at least the wholesale price). One listing per product and per barcode."""
    product, listing = catalog.create_listing(
        context, principal, product_id=body.product_id, unit_price=body.unit_price
    )
    return ListingOut.of(product, listing)


@router.get("/v1/listings", response_model=Page[ListingOut])
def list_listings(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
    page: PageDep,
    product_id: IdFilter = None,
    merchant_id: IdFilter = None,
) -> Page[ListingOut]:
    """The merchant's own listings (the operator: all), newest first."""
    found, has_more = catalog.list_listings(
        context,
        principal,
        product_id=product_id,
        merchant_id=merchant_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page[ListingOut](
        data=[ListingOut.of(product, listing) for product, listing in found], has_more=has_more
    )


@router.get("/v1/listings/{listing_id}", response_model=ListingOut)
def get_listing(
    listing_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
) -> ListingOut:
    product, listing = catalog.read_listing(context, principal, listing_id)
    return ListingOut.of(product, listing)


@router.post("/v1/agreements", status_code=201, response_model=AgreementOut)
def propose_agreement(
    body: AgreementCreate,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_WRITE)],
) -> AgreementOut:
    """A merchant proposes to a supplier the deposit paid to it at capture in deposit
    mode (basis points of the supplier's share). It applies once accepted."""
    agreement = catalog.propose_agreement(
        context, principal, supplier_id=body.supplier_id, deposit_bps=body.deposit_bps
    )
    return AgreementOut.of(agreement)


@router.post("/v1/agreements/{agreement_id}/accept", response_model=AgreementOut)
def accept_agreement(
    agreement_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_WRITE)],
) -> AgreementOut:
    """The supplier accepts: the agreement becomes `active` and supersedes the pair's
    earlier one. Accepting an active agreement again returns it unchanged."""
    return AgreementOut.of(catalog.accept_agreement(context, principal, agreement_id))


@router.get("/v1/agreements", response_model=Page[AgreementOut])
def list_agreements(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
    page: PageDep,
    status: AgreementStatus | None = None,
    merchant_id: IdFilter = None,
    supplier_id: IdFilter = None,
) -> Page[AgreementOut]:
    """The agreements the caller is party to (the operator: all), newest first."""
    found, has_more = catalog.list_agreements(
        context,
        principal,
        status=status,
        merchant_id=merchant_id,
        supplier_id=supplier_id,
        limit=page.limit,
        starting_after=page.starting_after,
    )
    return Page[AgreementOut](data=[AgreementOut.of(a) for a in found], has_more=has_more)


@router.get("/v1/agreements/{agreement_id}", response_model=AgreementOut)
def get_agreement(
    agreement_id: str,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.CATALOG_READ)],
) -> AgreementOut:
    return AgreementOut.of(catalog.read_agreement(context, principal, agreement_id))
