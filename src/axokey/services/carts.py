"""Carts: start (merchant or store), fill (product ids or scanned barcodes), change,
read, and check out once into an order — through the very use case of
``POST /v1/orders`` (``ordering.place_order``): same validation, same reservation at
the store, same response. Open carts left alone expire (the sweep marks them).

Who may act: the merchant on its carts; a store on its own carts, and on an online
cart of its merchant that a customer brings to finish in the store (the store's
first change makes it the store's cart). Anyone else: 404 ``cart_not_found``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from axokey.adapters.db import cart_repository, catalog_repository, party_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.carts import Cart, CartLimits, CartLine, CartStatus
from axokey.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.money import check_currency
from axokey.domain.orders import Fulfilment, LineRequest
from axokey.domain.parties import Principal, Role
from axokey.services import ordering
from axokey.services.context import ServiceContext
from axokey.services.ordering import NewOrder, OrderView
from axokey.services.parties import require_role

CART_ROLES = (Role.MERCHANT, Role.STORE)


def cart_limits(context: ServiceContext) -> CartLimits:
    settings = context.settings
    return CartLimits(
        lines_max=settings.cart_lines_max,
        quantity_max=settings.line_quantity_max,
        ttl=timedelta(seconds=settings.cart_ttl_seconds),
    )


@dataclass(frozen=True)
class NewCartLine:
    product_id: str
    quantity: int


def _not_found(cart_id: str) -> NotFound:
    return NotFound(f"cart {cart_id} not found", code="cart_not_found")


def _merchant_of(connection: Connection, principal: Principal) -> str:
    """The merchant a cart is for: the caller, or the caller store's merchant."""
    require_role(principal, *CART_ROLES)
    if principal.role is Role.MERCHANT:
        assert principal.party_id is not None
        return principal.party_id
    assert principal.party is not None and principal.party.merchant_id is not None
    return principal.party.merchant_id


def _cart_for(
    connection: Connection, principal: Principal, cart_id: str, *, lock: bool = False
) -> Cart:
    require_role(principal, Role.ADMIN, *CART_ROLES)
    cart = cart_repository.load_cart(connection, cart_id, lock=lock)
    if cart is None:
        raise _not_found(cart_id)
    if principal.is_admin:
        return cart
    if principal.role is Role.MERCHANT and cart.merchant_id == principal.party_id:
        return cart
    if principal.role is Role.STORE and principal.party is not None:
        if cart.store_id == principal.party_id:
            return cart
        if cart.store_id is None and cart.merchant_id == principal.party.merchant_id:
            return cart  # an online cart of its merchant, brought to the store
    raise _not_found(cart_id)


def _add_product(
    connection: Connection,
    cart: Cart,
    product_id: str,
    quantity: int,
    *,
    now: datetime,
    limits: CartLimits,
    field_name: str,
) -> CartLine:
    product = catalog_repository.get_product(connection, product_id)
    if product is None:
        raise NotFound(
            f"no product {product_id}",
            code="product_not_found",
            errors=[FieldError(field_name, "no such product")],
        )
    listing = catalog_repository.find_listing(connection, cart.merchant_id, product_id)
    return cart.add(
        product,
        listing,
        quantity,
        new_line_id=new_id("cln"),
        now=now,
        limits=limits,
        field_name=field_name,
    )


def create_cart(
    context: ServiceContext,
    principal: Principal,
    *,
    currency: str,
    store_id: str | None,
    lines: list[NewCartLine],
) -> Cart:
    """Start a cart: online (the merchant, with or without the pick-up store) or in
    the store (the store's key: the cart is the store's)."""
    currency = check_currency(currency)
    limits = cart_limits(context)
    if len(lines) > limits.lines_max:
        raise ValidationFailed(
            f"a cart has at most {limits.lines_max} lines",
            code="too_many_lines",
            errors=[FieldError("lines", f"at most {limits.lines_max}")],
        )

    def start(connection: Connection) -> Cart:
        merchant_id = _merchant_of(connection, principal)
        chosen = store_id
        if principal.role is Role.STORE:
            if store_id is not None and store_id != principal.party_id:
                raise NotFound(
                    "a store starts carts for itself",
                    code="store_not_found",
                    errors=[FieldError("store_id", "your own store, or leave it out")],
                )
            chosen = principal.party_id
        elif store_id is not None:
            store = party_repository.get_party(connection, store_id)
            if store is None or store.role is not Role.STORE or store.merchant_id != merchant_id:
                raise NotFound(
                    "store_id is not one of your stores",
                    code="store_not_found",
                    errors=[FieldError("store_id", "not one of your stores")],
                )
        now = context.now()
        cart = Cart(
            id=new_id("crt"),
            merchant_id=merchant_id,
            store_id=chosen,
            currency=currency,
            status=CartStatus.OPEN,
            created_at=now,
            updated_at=now,
            expires_at=now + limits.ttl,
        )
        for index, line in enumerate(lines):
            _add_product(
                connection,
                cart,
                line.product_id,
                line.quantity,
                now=now,
                limits=limits,
                field_name=f"lines[{index}].product_id",
            )
        cart_repository.insert_cart(connection, cart)
        return cart

    return context.database.run(start)


Change = Callable[[Connection, Cart, datetime], object]


def _change(context: ServiceContext, principal: Principal, cart_id: str, change: Change) -> Cart:
    """Load the cart locked, let ``change(connection, cart, now)`` act, save it."""

    def change_the_locked_cart(connection: Connection) -> Cart:
        cart = _cart_for(connection, principal, cart_id, lock=True)
        now = context.now()
        cart.check_open(now)
        if principal.role is Role.STORE and principal.party_id is not None:
            cart.claim_for_store(principal.party_id, now=now)
        change(connection, cart, now)
        cart_repository.save_cart(connection, cart)
        return cart

    return context.database.run(change_the_locked_cart)


def add_line(
    context: ServiceContext, principal: Principal, cart_id: str, product_id: str, quantity: int
) -> Cart:
    limits = cart_limits(context)
    return _change(
        context,
        principal,
        cart_id,
        lambda connection, cart, now: _add_product(
            connection, cart, product_id, quantity, now=now, limits=limits, field_name="product_id"
        ),
    )


def scan(
    context: ServiceContext, principal: Principal, cart_id: str, gtin: str, quantity: int
) -> Cart:
    """A scanned barcode adds the merchant's listed product that carries it. A
    barcode with a wrong check digit is 422 ``invalid_gtin``; one that no listed
    product carries, 404 ``unknown_gtin``. Nothing is added then."""
    limits = cart_limits(context)

    def add_scanned(connection: Connection, cart: Cart, now: datetime) -> None:
        found = catalog_repository.listed_product_by_gtin(connection, cart.merchant_id, gtin)
        if found is None:
            raise NotFound(
                f"no product listed by this merchant carries barcode {gtin}",
                code="unknown_gtin",
                errors=[FieldError("gtin", "not a listed product's barcode")],
            )
        product, listing = found
        cart.add(
            product,
            listing,
            quantity,
            new_line_id=new_id("cln"),
            now=now,
            limits=limits,
            field_name="gtin",
        )

    return _change(context, principal, cart_id, add_scanned)


def change_line(
    context: ServiceContext, principal: Principal, cart_id: str, line_id: str, quantity: int
) -> Cart:
    limits = cart_limits(context)
    return _change(
        context,
        principal,
        cart_id,
        lambda _connection, cart, now: cart.change_quantity(
            line_id, quantity, now=now, limits=limits
        ),
    )


def remove_line(context: ServiceContext, principal: Principal, cart_id: str, line_id: str) -> Cart:
    limits = cart_limits(context)
    return _change(
        context,
        principal,
        cart_id,
        lambda _connection, cart, now: cart.remove(line_id, now=now, limits=limits),
    )


def get_cart(context: ServiceContext, principal: Principal, cart_id: str) -> Cart:
    with context.database.read() as connection:
        return _cart_for(connection, principal, cart_id)


def list_carts(
    context: ServiceContext,
    principal: Principal,
    *,
    status: CartStatus | None,
    limit: int,
    starting_after: str | None,
) -> tuple[list[Cart], bool]:
    require_role(principal, Role.ADMIN, *CART_ROLES)
    with context.database.read() as connection:
        return cart_repository.carts_page(
            connection,
            principal,
            status=status,
            now=context.now(),
            limit=limit,
            starting_after=starting_after,
        )


def checkout(
    context: ServiceContext, principal: Principal, cart_id: str, new: NewOrder
) -> OrderView:
    """Turn the cart into an order, once, exactly as ``POST /v1/orders`` would: the
    cart's currency and lines at their listed prices; a store cart makes a store
    order at that store (reserving there). A second checkout is 409
    ``cart_checked_out``. ``new``'s currency and lines are the cart's."""
    require_role(principal, *CART_ROLES)

    def order_from_cart(connection: Connection) -> OrderView:
        cart = _cart_for(connection, principal, cart_id, lock=True)
        now = context.now()
        cart.check_open(now)
        store_id = new.store_id
        if principal.role is Role.STORE:
            if new.fulfilment is not Fulfilment.STORE or store_id not in (
                None,
                principal.party_id,
            ):
                raise ValidationFailed(
                    "a store checks a cart out as an order for pick-up at itself",
                    code="store_not_allowed",
                    errors=[FieldError("fulfilment", "store, at your own store")],
                )
            cart.claim_for_store(principal.party_id or "", now=now)
        if new.fulfilment is Fulfilment.STORE and store_id is None:
            store_id = cart.store_id
        elif (
            new.fulfilment is Fulfilment.STORE
            and cart.store_id is not None
            and store_id != cart.store_id
        ):
            raise ValidationFailed(
                "the cart is for another store",
                code="unknown_store",
                errors=[FieldError("store_id", "the cart's store")],
            )
        request = replace(
            new,
            currency=cart.currency,
            store_id=store_id,
            lines=[
                LineRequest(line.product_id, line.quantity, line.unit_price, None)
                for line in cart.lines
            ],
        )
        placing = ordering.prepare_order(context, request)
        order = ordering.place_order(connection, context, cart.merchant_id, placing)
        cart.check_out(order.id, now=now)
        cart_repository.save_cart(connection, cart)
        return ordering.new_order_view(connection, context, order)

    return context.database.run(order_from_cart)


def checkout_link(context: ServiceContext, principal: Principal, cart_id: str) -> str:
    """The customer's link to pay the cart's order (shown as a QR code at the till)."""
    with context.database.read() as connection:
        cart = _cart_for(connection, principal, cart_id)
    if cart.order_id is None:
        raise Conflict(f"cart {cart_id} is not checked out yet", code="cart_not_checked_out")
    return ordering.customer_url(context, cart.order_id)


def expire_carts(context: ServiceContext, *, now: datetime, limit: int) -> int:
    """The sweep: open carts past their time become expired."""
    return context.database.run(
        lambda connection: cart_repository.expire_open_carts(connection, now=now, limit=limit)
    )
