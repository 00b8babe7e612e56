"""Orders: create, read (by role), list, cancel."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from axokey.adapters.db import catalog_repository, ledger_store, order_repository, party_repository
from axokey.adapters.db.order_repository import StoredOrder
from axokey.adapters.db.transaction import Connection
from axokey.domain import accounts
from axokey.domain.audit import Action
from axokey.domain.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from axokey.domain.escrow import OrderMoney, order_money, payee_money
from axokey.domain.identifiers import new_id
from axokey.domain.ledger import Transfer
from axokey.domain.money import check_currency
from axokey.domain.orders import (
    Customer,
    FeeStatus,
    Fulfilment,
    LineRequest,
    Order,
    OrderLimits,
    OrderLine,
    OrderStatus,
    PaymentMode,
    build_lines,
    check_fulfilment_parties,
    check_redeem_by,
    default_redeem_by,
)
from axokey.domain.parties import Party, Principal, Role
from axokey.domain.refunds import cancel
from axokey.services import audit, refunding, signing, stock
from axokey.services.context import ServiceContext
from axokey.services.events import record_event, record_order_events
from axokey.services.ledger import post_or_raise
from axokey.services.parties import normalise_bank_details, require_role
from axokey.services.payments import Payment, last_payment


@dataclass(frozen=True)
class NewOrder:
    currency: str
    payment_mode: PaymentMode
    fulfilment: Fulfilment
    customer: Customer
    lines: list[LineRequest]
    courier_id: str | None = None
    delivery_fee: int = 0
    store_id: str | None = None
    redeem_by: datetime | None = None


@dataclass(frozen=True)
class OrderView:
    """An order as an API caller sees it."""

    order: Order
    money: OrderMoney
    # The customer's link, the codes and the customer's contact details are for the
    # merchant, the operator and the customer page only: the link opens a page with
    # the QR code, so a courier holding it could redeem without meeting the customer.
    confidential: bool
    customer_url: str | None
    qr_payload: str | None
    short_code: str | None
    # A supplier sees its own lines only; couriers and stores see every line to
    # hand over, but not what the merchant and the suppliers earn on them.
    supplier_viewer: str | None = None
    # The viewing party's own share of the order (None for the operator).
    share: Share | None = None
    # Names a person reads instead of ids: products and parties, by id.
    names: dict[str, str] = field(default_factory=dict)

    def line_visible(self, line: OrderLine) -> bool:
        return self.supplier_viewer is None or line.supplier_id == self.supplier_viewer

    def shares_visible(self, line: OrderLine) -> bool:
        return self.confidential or line.supplier_id == self.supplier_viewer


@dataclass(frozen=True)
class Share:
    """One party's own part of an order: what it earns if everything is handed over
    (a supplier its lines' share, the merchant its commissions, the courier its fee),
    what was released to it, what is still held for it, and what of its part went
    back to the customer."""

    party_id: str
    role: Role
    amount: int
    released: int
    held: int
    refunded: int


def _share_of(order: Order, principal: Principal, transfers: Sequence[Transfer]) -> Share | None:
    party_id = principal.party_id
    if party_id is None:
        return None
    money = payee_money(transfers, accounts.payable_account(party_id, order.currency).id)
    role = principal.role
    if role is Role.SUPPLIER:
        mine = [line for line in order.lines if line.supplier_id == party_id]
        amount = sum(line.supplier_amount for line in mine)
        refunded = sum(line.refunded_amount for line in mine)
    elif role is Role.MERCHANT:
        amount = sum(line.commission for line in order.lines)
        refunded = sum(line.refunded_amount for line in order.lines)
    elif role is Role.COURIER:
        amount = order.delivery_fee
        refunded = order.delivery_fee if order.fee_status is FeeStatus.REFUNDED else 0
    else:  # a store hands over; it earns nothing on the order itself
        amount = refunded = 0
    return Share(party_id, role, amount, money.released, money.held, refunded)


def order_limits(context: ServiceContext) -> OrderLimits:
    settings = context.settings
    return OrderLimits(
        lines_max=settings.order_lines_max,
        quantity_max=settings.line_quantity_max,
        grace=settings.itinerary_grace,
        default_redeem_window=timedelta(seconds=settings.default_redeem_window_seconds),
    )


def customer_token(context: ServiceContext, order_id: str) -> str:
    """The secret in the customer's page link: an HMAC of the order id."""
    return signing.customer_link_token(context, order_id)


def customer_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _party(connection: Connection, party_id: str | None) -> Party | None:
    return party_repository.get_party(connection, party_id) if party_id is not None else None


def create_order(context: ServiceContext, principal: Principal, new: NewOrder) -> OrderView:
    require_role(principal, Role.MERCHANT)
    assert principal.party_id is not None
    merchant_id = principal.party_id
    placing = prepare_order(context, new)

    def place_and_show(connection: Connection) -> OrderView:
        order = place_order(connection, context, merchant_id, placing)
        return new_order_view(connection, context, order, principal)

    return context.database.run(place_and_show)


@dataclass(frozen=True)
class PreparedOrder:
    """An order request checked as far as it can be without the database."""

    new: NewOrder
    currency: str
    customer: Customer
    order_id: str
    line_ids: list[str]


def prepare_order(context: ServiceContext, new: NewOrder) -> PreparedOrder:
    currency = check_currency(new.currency)
    try:
        iban, _ = normalise_bank_details(new.customer.iban, None)
    except ValidationFailed as error:
        raise ValidationFailed(
            error.detail,
            code=error.code,
            errors=[FieldError(f"customer.{e.field}", e.message) for e in error.errors],
        ) from None
    customer = Customer(new.customer.email, new.customer.name, iban, new.customer.locale)
    return PreparedOrder(new, currency, customer, new_id("ord"), [new_id("ln") for _ in new.lines])


def new_order_view(
    connection: Connection,
    context: ServiceContext,
    order: Order,
    principal: Principal | None = None,
) -> OrderView:
    """A new order as its creator sees it (nothing paid yet), in the transaction
    that placed it (its names read there: no second transaction)."""
    names = _names(connection, [order])
    return OrderView(
        order,
        OrderMoney(0, 0, 0, 0),
        True,
        customer_url(context, order.id),
        None,
        None,
        share=_share_of(order, principal, []) if principal is not None else None,
        names=names,
    )


def place_order(
    connection: Connection, context: ServiceContext, merchant_id: str, placing: PreparedOrder
) -> Order:
    """Create the order in the caller's transaction: validate it against the
    catalog, write it, reserve a store order's goods (or refuse it: out_of_stock),
    record ``order.created``. Used by ``POST /v1/orders`` and the carts' checkout."""
    new = placing.new
    limits = order_limits(context)
    now = context.now()
    courier = _party(connection, new.courier_id)
    store = _party(connection, new.store_id)
    check_fulfilment_parties(
        new.fulfilment,
        courier_id=new.courier_id,
        courier_is_courier=courier is not None and courier.role == Role.COURIER,
        store_id=new.store_id,
        store_merchant_id=store.merchant_id
        if store is not None and store.role == Role.STORE
        else None,
        merchant_id=merchant_id,
        delivery_fee=new.delivery_fee,
    )
    product_ids = [line.product_id for line in new.lines]
    products = catalog_repository.products_by_ids(connection, product_ids)
    listings = catalog_repository.listings_for(connection, merchant_id, product_ids)
    agreements = catalog_repository.active_agreements(
        connection, merchant_id, {product.supplier_id for product in products.values()}
    )
    lines = build_lines(
        mode=new.payment_mode,
        fulfilment=new.fulfilment,
        currency=placing.currency,
        requests=new.lines,
        products=products,
        listings=listings,
        agreements=agreements,
        line_ids=placing.line_ids,
        limits=limits,
        delivery_fee=new.delivery_fee,
    )
    redeem_by = new.redeem_by or default_redeem_by(new.fulfilment, lines, now, limits)
    check_redeem_by(redeem_by, now)
    order = Order(
        id=placing.order_id,
        merchant_id=merchant_id,
        status=OrderStatus.AWAITING_PAYMENT,
        currency=placing.currency,
        payment_mode=new.payment_mode,
        fulfilment=new.fulfilment,
        customer=placing.customer,
        courier_id=new.courier_id,
        store_id=new.store_id,
        delivery_fee=new.delivery_fee,
        fee_status=FeeStatus.PENDING if new.delivery_fee > 0 else FeeStatus.NONE,
        redeem_by=redeem_by,
        created_at=now,
        lines=lines,
    )
    order_repository.insert_order(
        connection,
        order,
        customer_token_hash=customer_token_hash(customer_token(context, order.id)),
    )
    stock.reserve_for_order(connection, order, now=now)
    record_event(
        connection,
        "order.created",
        now=now,
        order=order,
        data={"amount_total": order.amount_total},
    )
    return order


def customer_url(context: ServiceContext, order_id: str) -> str:
    return signing.customer_url(context, order_id)


def money_of(connection: Connection, order: Order) -> OrderMoney:
    escrow_id = accounts.escrow_account(order.id, order.currency).id
    return order_money(escrow_id, ledger_store.transfers_of_order(connection, order.id))


def _names(connection: Connection, orders: Sequence[Order]) -> dict[str, str]:
    """The names of the orders' products, suppliers and merchants, by id (one query)."""
    lines = [line for order in orders for line in order.lines]
    parties = {line.supplier_id for line in lines} | {order.merchant_id for order in orders}
    products, names = catalog_repository.names_of(
        connection, [line.product_id for line in lines], parties
    )
    return {**products, **names}


def _views(
    connection: Connection,
    context: ServiceContext,
    stored: Sequence[StoredOrder],
    principal: Principal | None,
) -> list[OrderView]:
    """Views of orders, with their money read in one query whatever their number.

    ``principal=None`` is the customer's own page (it shows the codes)."""
    transfers = ledger_store.transfers_of_orders(connection, [each.order.id for each in stored])
    names = _names(connection, [each.order for each in stored])
    views = []
    for each in stored:
        order = each.order
        show_code = principal is None or _shows_code(principal, order)
        payload = short = None
        if show_code and each.qr_reference is not None and each.short_code is not None:
            payload = signing.qr_payload(context, each.qr_reference)
            short = signing.display_short_code(each.short_code)
        escrow_id = accounts.escrow_account(order.id, order.currency).id
        views.append(
            OrderView(
                order,
                order_money(escrow_id, transfers.get(order.id, [])),
                show_code,
                customer_url(context, order.id) if show_code else None,
                payload,
                short,
                principal.party_id
                if principal is not None and principal.role is Role.SUPPLIER
                else None,
                _share_of(order, principal, transfers.get(order.id, []))
                if principal is not None
                else None,
                names,
            )
        )
    return views


def _shows_code(principal: Principal, order: Order) -> bool:
    return principal.is_admin or principal.party_id == order.merchant_id


def get_order(context: ServiceContext, principal: Principal, order_id: str) -> OrderView:
    with context.database.read() as connection:
        stored = order_repository.stored_order(connection, order_id, visible_to=principal)
        if stored is None:
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        return _views(connection, context, [stored], principal)[0]


def order_for_customer(context: ServiceContext, order_id: str, token: str) -> OrderView:
    """The customer's page: the link's token is the only credential."""
    if not signing.customer_link_matches(context, order_id, token):
        raise NotFound("order not found", code="order_not_found")
    with context.database.read() as connection:
        stored = order_repository.stored_order(connection, order_id)
        if stored is None:
            raise NotFound("order not found", code="order_not_found")
        return _views(connection, context, [stored], None)[0]


def qr_payload_of(context: ServiceContext, principal: Principal, order_id: str) -> str:
    """The order's QR payload, for its merchant and the operator."""
    view = get_order(context, principal, order_id)
    if not view.confidential:
        raise Forbidden("the QR code is shown to the merchant only", code="qr_not_available")
    if view.qr_payload is None:
        if view.order.status is OrderStatus.AWAITING_PAYMENT:
            raise Conflict("the QR code is issued once the order is paid", code="order_not_paid")
        status = view.order.status.value
        raise Conflict(f"the order is {status}: it has no QR code", code=f"order_{status}")
    return view.qr_payload


@dataclass(frozen=True)
class CustomerPage:
    """What the customer's page shows: the order, names, the last payment attempt."""

    view: OrderView
    merchant_name: str
    product_names: dict[str, str]
    last_payment: Payment | None


def customer_page(context: ServiceContext, order_id: str, token: str) -> CustomerPage:
    view = order_for_customer(context, order_id, token)
    order = view.order
    with context.database.read() as connection:
        products = catalog_repository.products_by_ids(
            connection, [line.product_id for line in order.lines]
        )
        merchant = party_repository.get_party(connection, order.merchant_id)
        last = last_payment(connection, order.id)
    return CustomerPage(
        view=view,
        merchant_name=merchant.name if merchant is not None else "",
        product_names={product_id: product.name for product_id, product in products.items()},
        last_payment=last,
    )


def list_orders(
    context: ServiceContext,
    principal: Principal,
    *,
    status: OrderStatus | None,
    limit: int,
    starting_after: str | None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> tuple[list[OrderView], bool]:
    """Newest first; each caller sees only the orders it may see. ``created_from``
    and ``created_to`` are days (UTC), both included."""
    if created_from is not None and created_to is not None and created_to < created_from:
        raise ValidationFailed(
            "created_to is before created_from",
            code="invalid_date_range",
            errors=[FieldError("created_to", "on or after created_from")],
        )
    with context.database.read() as connection:
        page, has_more = order_repository.visible_orders_page(
            connection,
            principal,
            status=status,
            limit=limit,
            starting_after=starting_after,
            created_from=created_from,
            created_to=created_to,
        )
        return _views(connection, context, page, principal), has_more


def cancel_order(context: ServiceContext, principal: Principal, order_id: str) -> OrderView:
    """Cancel before payment (nothing moves) or after payment and before any
    hand-over (every line refunded by the money rules; deposits stay paid)."""
    require_role(principal, Role.MERCHANT)
    assert principal.party_id is not None

    def cancel_and_refund(connection: Connection) -> tuple[Order, list[str]]:
        order = order_repository.load_order(connection, order_id, lock=True)
        if order is None or order.merchant_id != principal.party_id:
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        now = context.now()
        decision = cancel(
            order,
            by_merchant_id=principal.party_id or "",
            now=now,
            grace=context.settings.itinerary_grace,
        )
        if decision.transfers:
            post_or_raise(connection, context, decision.transfers, now=now)
        order_repository.save_order(connection, order)
        refund_ids = refunding.record_refunds(connection, context, order, decision.refunds)
        record_order_events(connection, order, decision.events, now=now)
        stock.settle_reservations(connection, order, now=now)
        audit.record(
            connection,
            context,
            principal,
            Action.ORDER_CANCELLED,
            object_id=order.id,
            subject_party_id=order.merchant_id,
            details={
                "status": order.status.value,
                "refunds": len(refund_ids),
                "amount_refunded": sum(refund.amount for refund in decision.refunds),
            },
        )
        return order, refund_ids

    order, refund_ids = context.database.run(cancel_and_refund)
    refunding.send_card_refunds(context, refund_ids)
    return get_order(context, principal, order.id)
