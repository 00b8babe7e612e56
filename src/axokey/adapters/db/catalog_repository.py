"""The catalog: the one place that reads and writes products, listings and
agreements. Use cases call these inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    insert,
    literal_column,
    select,
    update,
)

from axokey.adapters.db.pagination import newest_first_page
from axokey.adapters.db.tables import agreements, listings, parties, products
from axokey.domain.catalog import (
    Agreement,
    AgreementStatus,
    Listing,
    Product,
    ProductKind,
    gtin_equivalents,
    normalise_gtin,
)
from axokey.domain.parties import Principal, Role

# --- rows to domain objects ---------------------------------------------------------


def product_from_row(row: Row[Any]) -> Product:
    return Product(
        id=row.id,
        supplier_id=row.supplier_id,
        sku=row.sku,
        name=row.name,
        kind=ProductKind(row.kind),
        currency=row.currency,
        wholesale_price=row.wholesale_price,
        gtin=row.gtin,
        deposit_bps=row.deposit_bps,
        created_at=row.created_at,
    )


def listing_from_row(row: Row[Any]) -> Listing:
    return Listing(
        id=row.id,
        merchant_id=row.merchant_id,
        product_id=row.product_id,
        unit_price=row.unit_price,
        created_at=row.created_at,
    )


def agreement_from_row(row: Row[Any]) -> Agreement:
    return Agreement(
        id=row.id,
        merchant_id=row.merchant_id,
        supplier_id=row.supplier_id,
        deposit_bps=row.deposit_bps,
        status=AgreementStatus(row.status),
        created_at=row.created_at,
        accepted_at=row.accepted_at,
    )


# --- products ---------------------------------------------------------------------------


def get_product(connection: Connection, product_id: str) -> Product | None:
    row = connection.execute(select(products).where(products.c.id == product_id)).first()
    return product_from_row(row) if row else None


_PRODUCTS = select(products).where(products.c.id.in_(bindparam("ids", expanding=True)))


def products_by_ids(connection: Connection, product_ids: Iterable[str]) -> dict[str, Product]:
    """The products among ``product_ids`` that exist, keyed by id."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = connection.execute(_PRODUCTS, {"ids": wanted}).all()
    return {row.id: product_from_row(row) for row in rows}


# What a person reads instead of ids, in one statement: products' and parties' names.
_NAMES = (
    select(products.c.id, products.c.name, literal_column("'product'").label("kind"))
    .where(products.c.id.in_(bindparam("product_ids", expanding=True)))
    .union_all(
        select(parties.c.id, parties.c.name, literal_column("'party'")).where(
            parties.c.id.in_(bindparam("party_ids", expanding=True))
        )
    )
)


def names_of(
    connection: Connection, product_ids: Iterable[str], party_ids: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The names of the products and of the parties among those ids that exist,
    each keyed by id: (products, parties), read in one statement."""
    wanted_products, wanted_parties = sorted(set(product_ids)), sorted(set(party_ids))
    found: dict[str, dict[str, str]] = {"product": {}, "party": {}}
    if wanted_products or wanted_parties:
        parameters = {"product_ids": wanted_products, "party_ids": wanted_parties}
        for row in connection.execute(_NAMES, parameters):
            found[row.kind][row.id] = row.name
    return found["product"], found["party"]


def product_id_by_sku(connection: Connection, supplier_id: str, sku: str) -> str | None:
    return connection.execute(
        select(products.c.id).where(products.c.supplier_id == supplier_id, products.c.sku == sku)
    ).scalar()


def insert_product(connection: Connection, product: Product) -> None:
    connection.execute(
        insert(products).values(
            id=product.id,
            supplier_id=product.supplier_id,
            sku=product.sku,
            name=product.name,
            kind=product.kind.value,
            currency=product.currency,
            wholesale_price=product.wholesale_price,
            gtin=product.gtin,
            deposit_bps=product.deposit_bps,
            created_at=product.created_at,
        )
    )


def products_page(
    connection: Connection,
    *,
    gtin: str | None,
    supplier_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Product], bool]:
    """Products, newest first; ``gtin`` matches the barcode in any GTIN length."""
    query = select(products)
    if gtin is not None:
        query = query.where(products.c.gtin.in_(gtin_equivalents(normalise_gtin(gtin))))
    if supplier_id is not None:
        query = query.where(products.c.supplier_id == supplier_id)
    rows, has_more = newest_first_page(
        connection, query, products.c.id, limit=limit, starting_after=starting_after
    )
    return [product_from_row(row) for row in rows], has_more


# --- listings ---------------------------------------------------------------------------


def get_listing(connection: Connection, listing_id: str) -> Listing | None:
    row = connection.execute(select(listings).where(listings.c.id == listing_id)).first()
    return listing_from_row(row) if row else None


def find_listing(connection: Connection, merchant_id: str, product_id: str) -> Listing | None:
    row = connection.execute(
        select(listings).where(
            listings.c.merchant_id == merchant_id, listings.c.product_id == product_id
        )
    ).first()
    return listing_from_row(row) if row else None


def listings_for(
    connection: Connection, merchant_id: str, product_ids: Iterable[str]
) -> dict[str, Listing]:
    """The merchant's listings of ``product_ids``, keyed by product id."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = connection.execute(
        _LISTINGS_FOR, {"merchant_id": merchant_id, "product_ids": wanted}
    ).all()
    return {row.product_id: listing_from_row(row) for row in rows}


_LISTINGS_FOR = select(listings).where(
    listings.c.merchant_id == bindparam("merchant_id"),
    listings.c.product_id.in_(bindparam("product_ids", expanding=True)),
)


def listed_product_by_gtin(
    connection: Connection, merchant_id: str, gtin: str
) -> tuple[Product, Listing] | None:
    """The product with this barcode that the merchant lists, with its listing.

    The barcode may be written in any GTIN length (a scanner's EAN-13 finds a
    product stored as UPC-A). Raises ``ValidationFailed`` (``invalid_gtin``) when
    ``gtin`` is not a GTIN at all, e.g. a misread with a wrong check digit.
    A merchant never lists two products with the same GTIN (``create_listing``
    refuses it), so the answer is unique; should a race ever break that, the
    newest listing wins.
    """
    found = _listings_with_gtin(connection, merchant_id, gtin_equivalents(normalise_gtin(gtin)))
    if found is None:
        return None
    product = get_product(connection, found.product_id)
    assert product is not None, "a listing names an existing product (foreign key)"
    return product, found


def listed_product_ids_by_sku(connection: Connection, merchant_id: str, sku: str) -> list[str]:
    """The products the merchant lists with this SKU (one per supplier at most)."""
    rows = connection.execute(
        select(products.c.id)
        .join(listings, listings.c.product_id == products.c.id)
        .where(listings.c.merchant_id == merchant_id, products.c.sku == sku)
        .order_by(products.c.id)
    ).all()
    return [row.id for row in rows]


def listing_with_same_gtin(connection: Connection, merchant_id: str, gtin: str) -> Listing | None:
    """A listing of the merchant whose product has this (normalised) GTIN, in any
    GTIN length."""
    return _listings_with_gtin(connection, merchant_id, gtin_equivalents(gtin))


def _listings_with_gtin(
    connection: Connection, merchant_id: str, candidates: list[str]
) -> Listing | None:
    row = connection.execute(
        select(listings)
        .join(products, products.c.id == listings.c.product_id)
        .where(listings.c.merchant_id == merchant_id, products.c.gtin.in_(candidates))
        .order_by(listings.c.id.desc())
        .limit(1)
    ).first()
    return listing_from_row(row) if row else None


def insert_listing(connection: Connection, listing: Listing) -> None:
    connection.execute(
        insert(listings).values(
            id=listing.id,
            merchant_id=listing.merchant_id,
            product_id=listing.product_id,
            unit_price=listing.unit_price,
            created_at=listing.created_at,
        )
    )


def listings_page(
    connection: Connection,
    *,
    own_merchant_id: str | None,
    merchant_id: str | None,
    product_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[tuple[Product, Listing]], bool]:
    """Listings with their products, newest first. ``own_merchant_id`` restricts to
    one merchant's (the caller's); None is the operator's view of all."""
    query = select(listings)
    if own_merchant_id is not None:
        query = query.where(listings.c.merchant_id == own_merchant_id)
    if merchant_id is not None:
        query = query.where(listings.c.merchant_id == merchant_id)
    if product_id is not None:
        query = query.where(listings.c.product_id == product_id)
    rows, has_more = newest_first_page(
        connection, query, listings.c.id, limit=limit, starting_after=starting_after
    )
    page = [listing_from_row(row) for row in rows]
    found = products_by_ids(connection, (listing.product_id for listing in page))
    return [(found[listing.product_id], listing) for listing in page], has_more


# --- agreements -------------------------------------------------------------------------


def get_agreement(
    connection: Connection, agreement_id: str, *, lock: bool = False
) -> Agreement | None:
    query = select(agreements).where(agreements.c.id == agreement_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return agreement_from_row(row) if row else None


def active_agreements(
    connection: Connection, merchant_id: str, supplier_ids: Iterable[str]
) -> dict[str, Agreement | None]:
    """The agreement in force between the merchant and each supplier (the latest
    accepted; None where there is none), read in one statement."""
    wanted = sorted(set(supplier_ids))
    found: dict[str, Agreement | None] = dict.fromkeys(wanted)
    if wanted:
        parameters = {"merchant_id": merchant_id, "supplier_ids": wanted}
        for row in connection.execute(_ACTIVE_AGREEMENTS, parameters):
            if found[row.supplier_id] is None:  # the latest accepted comes first
                found[row.supplier_id] = agreement_from_row(row)
    return found


_ACTIVE_AGREEMENTS = (
    select(agreements)
    .where(
        agreements.c.merchant_id == bindparam("merchant_id"),
        agreements.c.supplier_id.in_(bindparam("supplier_ids", expanding=True)),
        agreements.c.status == AgreementStatus.ACTIVE.value,
    )
    .order_by(agreements.c.supplier_id, agreements.c.accepted_at.desc(), agreements.c.id.desc())
)


def insert_agreement(connection: Connection, agreement: Agreement) -> None:
    connection.execute(
        insert(agreements).values(
            id=agreement.id,
            merchant_id=agreement.merchant_id,
            supplier_id=agreement.supplier_id,
            deposit_bps=agreement.deposit_bps,
            status=agreement.status.value,
            created_at=agreement.created_at,
            accepted_at=agreement.accepted_at,
        )
    )


def activate_agreement(connection: Connection, agreement: Agreement, *, now: datetime) -> None:
    """Make ``agreement`` the pair's active one: the pair's earlier active agreement
    is superseded."""
    connection.execute(
        update(agreements)
        .where(
            agreements.c.merchant_id == agreement.merchant_id,
            agreements.c.supplier_id == agreement.supplier_id,
            agreements.c.status == AgreementStatus.ACTIVE.value,
        )
        .values(status=AgreementStatus.SUPERSEDED.value)
    )
    connection.execute(
        update(agreements)
        .where(agreements.c.id == agreement.id)
        .values(status=AgreementStatus.ACTIVE.value, accepted_at=now)
    )


def _visible_agreements_clause(principal: Principal) -> ColumnElement[bool] | None:
    """``None`` for the operator (everything); the party's own side otherwise."""
    if principal.is_admin:
        return None
    if principal.role is Role.MERCHANT:
        return agreements.c.merchant_id == principal.party_id
    assert principal.role is Role.SUPPLIER, "only merchants and suppliers have agreements"
    return agreements.c.supplier_id == principal.party_id


def agreements_page(
    connection: Connection,
    principal: Principal,
    *,
    status: AgreementStatus | None,
    merchant_id: str | None,
    supplier_id: str | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Agreement], bool]:
    """The agreements ``principal`` is party to (the operator: all), newest first."""
    query = select(agreements)
    visible = _visible_agreements_clause(principal)
    if visible is not None:
        query = query.where(visible)
    if status is not None:
        query = query.where(agreements.c.status == status.value)
    if merchant_id is not None:
        query = query.where(agreements.c.merchant_id == merchant_id)
    if supplier_id is not None:
        query = query.where(agreements.c.supplier_id == supplier_id)
    rows, has_more = newest_first_page(
        connection, query, agreements.c.id, limit=limit, starting_after=starting_after
    )
    return [agreement_from_row(row) for row in rows], has_more
