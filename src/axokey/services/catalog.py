"""The catalog's use cases: suppliers' products, merchants' listings,
merchant–supplier agreements. Each takes the calling ``Principal`` and decides who
may do what; the rules of a product and a listing live in ``domain/catalog.py``,
the queries in ``adapters/db/catalog_repository.py``.

Lists are newest first, continued by ``starting_after=<id>``.
"""

from __future__ import annotations

from axokey.adapters.db import catalog_repository, party_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.catalog import (
    Agreement,
    AgreementStatus,
    Listing,
    Product,
    ProductKind,
    check_listing_price,
    check_new_product,
)
from axokey.domain.errors import Conflict, FieldError, Forbidden, NotFound
from axokey.domain.identifiers import new_id
from axokey.domain.money import check_amount, check_basis_points
from axokey.domain.pagination import PAGE_SIZE_DEFAULT, check_page_size
from axokey.domain.parties import Principal, Role
from axokey.services.context import ServiceContext
from axokey.services.parties import party_acted_for, require_role


def _unknown_supplier(supplier_id: str) -> NotFound:
    # 404 like any unknown id: a well-formed request naming nobody (API.md).
    return NotFound(
        f"supplier {supplier_id} not found",
        code="unknown_supplier",
        errors=[FieldError("supplier_id", "no supplier with this id")],
    )


# --- products -------------------------------------------------------------------------


def create_product(
    context: ServiceContext,
    principal: Principal,
    *,
    sku: str,
    name: str,
    kind: ProductKind,
    currency: str,
    wholesale_price: int,
    gtin: str | None = None,
    deposit_bps: int | None = None,
    supplier_id: str | None = None,
) -> Product:
    """A supplier adds a product or service to its catalog (or the operator, for
    the supplier it names)."""
    require_role(principal, Role.SUPPLIER, Role.ADMIN)
    owner_id = party_acted_for(
        principal,
        supplier_id,
        field="supplier_id",
        operator_must_name="the operator names the supplier of the product",
        operator_must_name_code="supplier_required",
        only_own="a supplier creates products for itself only",
    )
    gtin_normalised = check_new_product(
        sku=sku,
        name=name,
        kind=kind,
        currency=currency,
        wholesale_price=wholesale_price,
        gtin=gtin,
        deposit_bps=deposit_bps,
    )
    product = Product(
        id=new_id("prd"),
        supplier_id=owner_id,
        sku=sku,
        name=name,
        kind=kind,
        currency=currency,
        wholesale_price=wholesale_price,
        gtin=gtin_normalised,
        deposit_bps=deposit_bps,
        created_at=context.now(),
    )

    def add_product(connection: Connection) -> Product:
        if party_repository.role_of(connection, owner_id, lock=True) is not Role.SUPPLIER:
            raise _unknown_supplier(owner_id)
        duplicate = catalog_repository.product_id_by_sku(connection, owner_id, sku)
        if duplicate is not None:
            raise Conflict(
                f"this supplier already has a product with sku {sku!r} ({duplicate})",
                code="duplicate_sku",
            )
        catalog_repository.insert_product(connection, product)
        stored = catalog_repository.get_product(connection, product.id)
        assert stored is not None
        return stored

    return context.database.run(add_product)


def list_products(
    context: ServiceContext,
    principal: Principal,
    *,
    gtin: str | None = None,
    supplier_id: str | None = None,
    limit: int = PAGE_SIZE_DEFAULT,
    starting_after: str | None = None,
) -> tuple[list[Product], bool]:
    """The catalog, newest first. Readable by every authenticated caller:
    merchants browse suppliers' products, POS software looks barcodes up."""
    del principal  # any authenticated caller
    check_page_size(limit)
    with context.database.read() as connection:
        return catalog_repository.products_page(
            connection,
            gtin=gtin,
            supplier_id=supplier_id,
            limit=limit,
            starting_after=starting_after,
        )


def read_product(context: ServiceContext, principal: Principal, product_id: str) -> Product:
    del principal  # any authenticated caller
    with context.database.read() as connection:
        product = catalog_repository.get_product(connection, product_id)
    if product is None:
        raise NotFound(f"product {product_id} not found", code="product_not_found")
    return product


# --- listings -------------------------------------------------------------------------


def create_listing(
    context: ServiceContext, principal: Principal, *, product_id: str, unit_price: int
) -> tuple[Product, Listing]:
    """A merchant puts a supplier's product in its shop at its retail price.

    The retail price covers at least the wholesale price (the commission is never
    negative). One listing per product, and one listed product per barcode, so
    that a scanned GTIN names exactly one listing.
    """
    require_role(principal, Role.MERCHANT)
    merchant_id = principal.party_id
    assert merchant_id is not None
    check_amount(unit_price, field="unit_price", allow_zero=False)
    listing = Listing(
        id=new_id("lst"),
        merchant_id=merchant_id,
        product_id=product_id,
        unit_price=unit_price,
        created_at=context.now(),
    )

    def add_listing(connection: Connection) -> tuple[Product, Listing]:
        party_repository.role_of(connection, merchant_id, lock=True)
        product = catalog_repository.get_product(connection, product_id)
        if product is None:
            raise NotFound(
                f"product {product_id} not found",
                code="unknown_product",
                errors=[FieldError("product_id", "no product with this id")],
            )
        check_listing_price(product, unit_price)
        existing = catalog_repository.find_listing(connection, merchant_id, product_id)
        if existing is not None:
            raise Conflict(
                f"this product is already listed ({existing.id})", code="duplicate_listing"
            )
        if product.gtin is not None:
            clash = catalog_repository.listing_with_same_gtin(connection, merchant_id, product.gtin)
            if clash is not None:
                raise Conflict(
                    f"another listed product ({clash.product_id}, listing {clash.id}) has "
                    f"GTIN {product.gtin}: a scan would not know which one is meant",
                    code="gtin_already_listed",
                )
        catalog_repository.insert_listing(connection, listing)
        stored = catalog_repository.find_listing(connection, merchant_id, product_id)
        assert stored is not None
        return product, stored

    return context.database.run(add_listing)


def list_listings(
    context: ServiceContext,
    principal: Principal,
    *,
    product_id: str | None = None,
    merchant_id: str | None = None,
    limit: int = PAGE_SIZE_DEFAULT,
    starting_after: str | None = None,
) -> tuple[list[tuple[Product, Listing]], bool]:
    """A merchant's own listings (the operator: everyone's), newest first."""
    require_role(principal, Role.MERCHANT, Role.ADMIN)
    check_page_size(limit)
    with context.database.read() as connection:
        return catalog_repository.listings_page(
            connection,
            own_merchant_id=None if principal.is_admin else principal.party_id,
            merchant_id=merchant_id,
            product_id=product_id,
            limit=limit,
            starting_after=starting_after,
        )


def read_listing(
    context: ServiceContext, principal: Principal, listing_id: str
) -> tuple[Product, Listing]:
    """A listing, for its merchant or the operator; anyone else gets 404."""
    with context.database.read() as connection:
        listing = catalog_repository.get_listing(connection, listing_id)
        visible = listing is not None and (
            principal.is_admin or listing.merchant_id == principal.party_id
        )
        if listing is None or not visible:
            raise NotFound(f"listing {listing_id} not found", code="listing_not_found")
        product = catalog_repository.get_product(connection, listing.product_id)
    assert product is not None, "a listing names an existing product (foreign key)"
    return product, listing


# --- agreements -----------------------------------------------------------------------


def _is_party_of(principal: Principal, agreement: Agreement) -> bool:
    return principal.party_id in (agreement.merchant_id, agreement.supplier_id)


def _agreement(connection: Connection, agreement_id: str, *, lock: bool = False) -> Agreement:
    agreement = catalog_repository.get_agreement(connection, agreement_id, lock=lock)
    if agreement is None:
        raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
    return agreement


def propose_agreement(
    context: ServiceContext, principal: Principal, *, supplier_id: str, deposit_bps: int
) -> Agreement:
    """A merchant proposes the deposit a supplier receives at capture, in basis
    points of the supplier's share. It applies once the supplier accepts it."""
    require_role(principal, Role.MERCHANT)
    merchant_id = principal.party_id
    assert merchant_id is not None
    check_basis_points(deposit_bps, field="deposit_bps")
    proposal = Agreement(
        id=new_id("agr"),
        merchant_id=merchant_id,
        supplier_id=supplier_id,
        deposit_bps=deposit_bps,
        status=AgreementStatus.PROPOSED,
        created_at=context.now(),
        accepted_at=None,
    )

    def add_proposal(connection: Connection) -> Agreement:
        if party_repository.role_of(connection, supplier_id) is not Role.SUPPLIER:
            raise _unknown_supplier(supplier_id)
        catalog_repository.insert_agreement(connection, proposal)
        return _agreement(connection, proposal.id)

    return context.database.run(add_proposal)


def accept_agreement(context: ServiceContext, principal: Principal, agreement_id: str) -> Agreement:
    """The supplier accepts: the agreement becomes active and supersedes the pair's
    earlier active agreement (the latest accepted wins). Accepting an active
    agreement again changes nothing and returns it."""

    def activate(connection: Connection) -> Agreement:
        agreement = _agreement(connection, agreement_id)
        if not principal.is_admin and not _is_party_of(principal, agreement):
            raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
        if principal.party_id != agreement.supplier_id:
            raise Forbidden("only the agreement's supplier accepts it", code="role_not_allowed")
        # Serialise acceptances for this supplier, then read the row again.
        party_repository.role_of(connection, agreement.supplier_id, lock=True)
        agreement = _agreement(connection, agreement_id, lock=True)
        if agreement.status is AgreementStatus.ACTIVE:
            return agreement
        if agreement.status is AgreementStatus.SUPERSEDED:
            raise Conflict(
                "this agreement was superseded by a later one", code="agreement_superseded"
            )
        catalog_repository.activate_agreement(connection, agreement, now=context.now())
        return _agreement(connection, agreement_id)

    return context.database.run(activate)


def list_agreements(
    context: ServiceContext,
    principal: Principal,
    *,
    status: AgreementStatus | None = None,
    merchant_id: str | None = None,
    supplier_id: str | None = None,
    limit: int = PAGE_SIZE_DEFAULT,
    starting_after: str | None = None,
) -> tuple[list[Agreement], bool]:
    """The agreements the caller is party to (the operator: all), newest first."""
    if not principal.is_admin and principal.role not in (Role.MERCHANT, Role.SUPPLIER):
        raise Forbidden("agreements are between merchants and suppliers", code="role_not_allowed")
    check_page_size(limit)
    with context.database.read() as connection:
        return catalog_repository.agreements_page(
            connection,
            principal,
            status=status,
            merchant_id=merchant_id,
            supplier_id=supplier_id,
            limit=limit,
            starting_after=starting_after,
        )


def read_agreement(context: ServiceContext, principal: Principal, agreement_id: str) -> Agreement:
    """An agreement, for its merchant, its supplier or the operator; else 404."""
    with context.database.read() as connection:
        agreement = _agreement(connection, agreement_id)
    if not principal.is_admin and not _is_party_of(principal, agreement):
        raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
    return agreement
