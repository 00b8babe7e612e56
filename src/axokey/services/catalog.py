"""The catalog: suppliers' products, merchants' listings, merchant–supplier agreements.

Two kinds of functions live here:

- look-ups that other use cases call inside their own transaction (they take an
  open ``Connection``): ``get_product``, ``products_by_ids``, ``find_listing``,
  ``listings_for``, ``active_agreement``, ``listed_product_by_gtin``;
- the catalog's own use cases, called by the HTTP routes (they take a
  ``ServiceContext`` and the calling ``Principal`` and decide who may do what).

Lists are newest first: ids are ULIDs, so ordering by id descending is ordering
by creation time, and ``starting_after=<id>`` continues with the ids below it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, Row, Select, insert, select, update
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumValidationError

from axokey.adapters.db.tables import agreements, listings, parties, products
from axokey.domain.catalog import Agreement, AgreementStatus, Listing, Product, ProductKind
from axokey.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvariantBroken,
    NotFound,
    ValidationFailed,
)
from axokey.domain.identifiers import new_id
from axokey.domain.money import check_amount, check_basis_points, check_currency
from axokey.domain.parties import Principal, Role
from axokey.services.context import ServiceContext
from axokey.services.parties import require_role

PAGE_SIZE_MAX = 100
SKU_LENGTH_MAX = 64
PRODUCT_NAME_LENGTH_MAX = 200
# GS1 keys that carry a product: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14.
GTIN_LENGTHS = (8, 12, 13, 14)
GTIN_LENGTH_MAX = 14


# --- GTIN -----------------------------------------------------------------------------


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


# --- rows to domain objects -----------------------------------------------------------


def product_from_row(row: Row) -> Product:  # type: ignore[type-arg]
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


def listing_from_row(row: Row) -> Listing:  # type: ignore[type-arg]
    return Listing(
        id=row.id,
        merchant_id=row.merchant_id,
        product_id=row.product_id,
        unit_price=row.unit_price,
        created_at=row.created_at,
    )


def agreement_from_row(row: Row) -> Agreement:  # type: ignore[type-arg]
    return Agreement(
        id=row.id,
        merchant_id=row.merchant_id,
        supplier_id=row.supplier_id,
        deposit_bps=row.deposit_bps,
        status=AgreementStatus(row.status),
        created_at=row.created_at,
        accepted_at=row.accepted_at,
    )


# --- look-ups for other use cases (inside the caller's transaction) --------------------


def get_product(connection: Connection, product_id: str) -> Product | None:
    row = connection.execute(select(products).where(products.c.id == product_id)).first()
    return product_from_row(row) if row else None


def products_by_ids(connection: Connection, product_ids: Iterable[str]) -> dict[str, Product]:
    """The products among ``product_ids`` that exist, keyed by id."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = connection.execute(select(products).where(products.c.id.in_(wanted))).all()
    return {row.id: product_from_row(row) for row in rows}


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
        select(listings).where(
            listings.c.merchant_id == merchant_id, listings.c.product_id.in_(wanted)
        )
    ).all()
    return {row.product_id: listing_from_row(row) for row in rows}


def active_agreement(
    connection: Connection, merchant_id: str, supplier_id: str
) -> Agreement | None:
    """The agreement in force between a merchant and a supplier: the latest accepted."""
    row = connection.execute(
        select(agreements)
        .where(
            agreements.c.merchant_id == merchant_id,
            agreements.c.supplier_id == supplier_id,
            agreements.c.status == AgreementStatus.ACTIVE.value,
        )
        .order_by(agreements.c.accepted_at.desc(), agreements.c.id.desc())
        .limit(1)
    ).first()
    return agreement_from_row(row) if row else None


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
    candidates = gtin_equivalents(normalise_gtin(gtin))
    row = connection.execute(
        select(listings, products.c.gtin)
        .join(products, products.c.id == listings.c.product_id)
        .where(listings.c.merchant_id == merchant_id, products.c.gtin.in_(candidates))
        .order_by(listings.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    product = get_product(connection, row.product_id)
    assert product is not None, "a listing names an existing product (foreign key)"
    return product, listing_from_row(row)


# --- helpers --------------------------------------------------------------------------


def _check_text(value: str, *, field: str, length_max: int) -> str:
    if not value or not value.strip() or len(value) > length_max:
        raise ValidationFailed(
            f"{field} must be 1 to {length_max} characters",
            errors=[FieldError(field, f"1 to {length_max} characters")],
        )
    return value


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise ValidationFailed(
            f"limit must be from 1 to {PAGE_SIZE_MAX}",
            errors=[FieldError("limit", f"from 1 to {PAGE_SIZE_MAX}")],
        )


def _paged(
    query: Select,  # type: ignore[type-arg]
    id_column: ColumnElement[str],
    limit: int,
    starting_after: str | None,
) -> Select:  # type: ignore[type-arg]
    """Newest first; ``starting_after`` continues below that id; one extra row
    tells whether there is a next page."""
    if starting_after is not None:
        query = query.where(id_column < starting_after)
    return query.order_by(id_column.desc()).limit(limit + 1)


def _lock_party_role(connection: Connection, party_id: str) -> Role | None:
    """The party's role, with its row locked until the transaction ends.

    Why: checks such as "no other listing of this merchant has this GTIN" or
    "no other active agreement for this pair" read and then write; taking the
    owning party's row lock first serialises those writers on PostgreSQL
    (SQLite already serialises every writer with BEGIN IMMEDIATE).
    """
    role = connection.execute(
        select(parties.c.role).where(parties.c.id == party_id).with_for_update()
    ).scalar()
    return Role(role) if role is not None else None


def _unknown_supplier(supplier_id: str) -> ValidationFailed:
    return ValidationFailed(
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
    if principal.is_admin:
        if supplier_id is None:
            raise ValidationFailed(
                "the operator names the supplier of the product",
                code="supplier_required",
                errors=[FieldError("supplier_id", "required with the admin key")],
            )
        owner_id = supplier_id
    else:
        assert principal.party_id is not None
        if supplier_id is not None and supplier_id != principal.party_id:
            raise Forbidden("a supplier creates products for itself only")
        owner_id = principal.party_id
    _check_text(sku, field="sku", length_max=SKU_LENGTH_MAX)
    _check_text(name, field="name", length_max=PRODUCT_NAME_LENGTH_MAX)
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
    product_id = new_id("prd")
    now = context.now()

    def work(connection: Connection) -> Product:
        if _lock_party_role(connection, owner_id) is not Role.SUPPLIER:
            raise _unknown_supplier(owner_id)
        duplicate = connection.execute(
            select(products.c.id).where(products.c.supplier_id == owner_id, products.c.sku == sku)
        ).first()
        if duplicate is not None:
            raise Conflict(
                f"this supplier already has a product with sku {sku!r} ({duplicate.id})",
                code="duplicate_sku",
            )
        connection.execute(
            insert(products).values(
                id=product_id,
                supplier_id=owner_id,
                sku=sku,
                name=name,
                kind=kind.value,
                currency=currency,
                wholesale_price=wholesale_price,
                gtin=gtin_normalised,
                deposit_bps=deposit_bps,
                created_at=now,
            )
        )
        product = get_product(connection, product_id)
        assert product is not None
        return product

    return context.database.run(work)


def list_products(
    context: ServiceContext,
    principal: Principal,
    *,
    gtin: str | None = None,
    supplier_id: str | None = None,
    limit: int = 20,
    starting_after: str | None = None,
) -> tuple[list[Product], bool]:
    """The catalog, newest first. Readable by every authenticated caller:
    merchants browse suppliers' products, POS software looks barcodes up."""
    del principal  # any authenticated caller
    _check_limit(limit)
    query = select(products)
    if gtin is not None:
        query = query.where(products.c.gtin.in_(gtin_equivalents(normalise_gtin(gtin))))
    if supplier_id is not None:
        query = query.where(products.c.supplier_id == supplier_id)
    with context.database.read() as connection:
        rows = connection.execute(_paged(query, products.c.id, limit, starting_after)).all()
    return [product_from_row(row) for row in rows[:limit]], len(rows) > limit


def read_product(context: ServiceContext, principal: Principal, product_id: str) -> Product:
    del principal  # any authenticated caller
    with context.database.read() as connection:
        product = get_product(connection, product_id)
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
    listing_id = new_id("lst")
    now = context.now()

    def work(connection: Connection) -> tuple[Product, Listing]:
        _lock_party_role(connection, merchant_id)
        product = get_product(connection, product_id)
        if product is None:
            raise ValidationFailed(
                f"product {product_id} not found",
                code="unknown_product",
                errors=[FieldError("product_id", "no product with this id")],
            )
        if unit_price < product.wholesale_price:
            raise ValidationFailed(
                f"unit_price {unit_price} is below the wholesale price "
                f"{product.wholesale_price} {product.currency}",
                code="price_below_wholesale",
                errors=[FieldError("unit_price", f"at least {product.wholesale_price}")],
            )
        existing = find_listing(connection, merchant_id, product_id)
        if existing is not None:
            raise Conflict(
                f"this product is already listed ({existing.id})", code="duplicate_listing"
            )
        if product.gtin is not None:
            clash = connection.execute(
                select(listings.c.id, products.c.id.label("product_id"))
                .join(products, products.c.id == listings.c.product_id)
                .where(
                    listings.c.merchant_id == merchant_id,
                    products.c.gtin.in_(gtin_equivalents(product.gtin)),
                )
            ).first()
            if clash is not None:
                raise Conflict(
                    f"another listed product ({clash.product_id}, listing {clash.id}) has "
                    f"GTIN {product.gtin}: a scan would not know which one is meant",
                    code="gtin_already_listed",
                )
        connection.execute(
            insert(listings).values(
                id=listing_id,
                merchant_id=merchant_id,
                product_id=product_id,
                unit_price=unit_price,
                created_at=now,
            )
        )
        listing = find_listing(connection, merchant_id, product_id)
        assert listing is not None
        return product, listing

    return context.database.run(work)


def list_listings(
    context: ServiceContext,
    principal: Principal,
    *,
    product_id: str | None = None,
    merchant_id: str | None = None,
    limit: int = 20,
    starting_after: str | None = None,
) -> tuple[list[tuple[Product, Listing]], bool]:
    """A merchant's own listings (the operator: everyone's), newest first."""
    require_role(principal, Role.MERCHANT, Role.ADMIN)
    _check_limit(limit)
    query = select(listings)
    if not principal.is_admin:
        query = query.where(listings.c.merchant_id == principal.party_id)
    if merchant_id is not None:
        query = query.where(listings.c.merchant_id == merchant_id)
    if product_id is not None:
        query = query.where(listings.c.product_id == product_id)
    with context.database.read() as connection:
        rows = connection.execute(_paged(query, listings.c.id, limit, starting_after)).all()
        page = [listing_from_row(row) for row in rows[:limit]]
        found = products_by_ids(connection, (listing.product_id for listing in page))
    return [(found[listing.product_id], listing) for listing in page], len(rows) > limit


def read_listing(
    context: ServiceContext, principal: Principal, listing_id: str
) -> tuple[Product, Listing]:
    """A listing, for its merchant or the operator; anyone else gets 404."""
    with context.database.read() as connection:
        row = connection.execute(select(listings).where(listings.c.id == listing_id)).first()
        visible = row is not None and (principal.is_admin or row.merchant_id == principal.party_id)
        if row is None or not visible:
            raise NotFound(f"listing {listing_id} not found", code="listing_not_found")
        product = get_product(connection, row.product_id)
    assert product is not None, "a listing names an existing product (foreign key)"
    return product, listing_from_row(row)


# --- agreements -----------------------------------------------------------------------


def _visible_agreements_clause(principal: Principal) -> ColumnElement[bool] | None:
    """``None`` for the operator (everything); the party's own side otherwise."""
    if principal.is_admin:
        return None
    if principal.role is Role.MERCHANT:
        return agreements.c.merchant_id == principal.party_id
    if principal.role is Role.SUPPLIER:
        return agreements.c.supplier_id == principal.party_id
    raise Forbidden("agreements are between merchants and suppliers", code="role_not_allowed")


def _is_party_of(principal: Principal, agreement: Agreement) -> bool:
    return principal.party_id in (agreement.merchant_id, agreement.supplier_id)


def _get_agreement(connection: Connection, agreement_id: str, *, lock: bool = False) -> Agreement:
    query = select(agreements).where(agreements.c.id == agreement_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
    return agreement_from_row(row)


def propose_agreement(
    context: ServiceContext, principal: Principal, *, supplier_id: str, deposit_bps: int
) -> Agreement:
    """A merchant proposes the deposit a supplier receives at capture, in basis
    points of the supplier's share. It applies once the supplier accepts it."""
    require_role(principal, Role.MERCHANT)
    merchant_id = principal.party_id
    assert merchant_id is not None
    check_basis_points(deposit_bps, field="deposit_bps")
    agreement_id = new_id("agr")
    now = context.now()

    def work(connection: Connection) -> Agreement:
        role = connection.execute(
            select(parties.c.role).where(parties.c.id == supplier_id)
        ).scalar()
        if role != Role.SUPPLIER.value:
            raise _unknown_supplier(supplier_id)
        connection.execute(
            insert(agreements).values(
                id=agreement_id,
                merchant_id=merchant_id,
                supplier_id=supplier_id,
                deposit_bps=deposit_bps,
                status=AgreementStatus.PROPOSED.value,
                created_at=now,
                accepted_at=None,
            )
        )
        return _get_agreement(connection, agreement_id)

    return context.database.run(work)


def accept_agreement(context: ServiceContext, principal: Principal, agreement_id: str) -> Agreement:
    """The supplier accepts: the agreement becomes active and supersedes the pair's
    earlier active agreement (the latest accepted wins). Accepting an active
    agreement again changes nothing and returns it."""

    def work(connection: Connection) -> Agreement:
        agreement = _get_agreement(connection, agreement_id)
        if not principal.is_admin and not _is_party_of(principal, agreement):
            raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
        if principal.party_id != agreement.supplier_id:
            raise Forbidden("only the agreement's supplier accepts it", code="role_not_allowed")
        # Serialise acceptances for this supplier, then read the row again.
        _lock_party_role(connection, agreement.supplier_id)
        agreement = _get_agreement(connection, agreement_id, lock=True)
        if agreement.status is AgreementStatus.ACTIVE:
            return agreement
        if agreement.status is AgreementStatus.SUPERSEDED:
            raise Conflict(
                "this agreement was superseded by a later one", code="agreement_superseded"
            )
        now = context.now()
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
            .where(agreements.c.id == agreement_id)
            .values(status=AgreementStatus.ACTIVE.value, accepted_at=now)
        )
        return _get_agreement(connection, agreement_id)

    return context.database.run(work)


def list_agreements(
    context: ServiceContext,
    principal: Principal,
    *,
    status: AgreementStatus | None = None,
    merchant_id: str | None = None,
    supplier_id: str | None = None,
    limit: int = 20,
    starting_after: str | None = None,
) -> tuple[list[Agreement], bool]:
    """The agreements the caller is party to (the operator: all), newest first."""
    visible = _visible_agreements_clause(principal)
    _check_limit(limit)
    query = select(agreements)
    if visible is not None:
        query = query.where(visible)
    if status is not None:
        query = query.where(agreements.c.status == status.value)
    if merchant_id is not None:
        query = query.where(agreements.c.merchant_id == merchant_id)
    if supplier_id is not None:
        query = query.where(agreements.c.supplier_id == supplier_id)
    with context.database.read() as connection:
        rows = connection.execute(_paged(query, agreements.c.id, limit, starting_after)).all()
    return [agreement_from_row(row) for row in rows[:limit]], len(rows) > limit


def read_agreement(context: ServiceContext, principal: Principal, agreement_id: str) -> Agreement:
    """An agreement, for its merchant, its supplier or the operator; else 404."""
    with context.database.read() as connection:
        agreement = _get_agreement(connection, agreement_id)
    if not principal.is_admin and not _is_party_of(principal, agreement):
        raise NotFound(f"agreement {agreement_id} not found", code="agreement_not_found")
    return agreement
