"""Redemption use cases: preview a scan, and redeem (the cascade).

One transaction per redemption: the code is verified before any look-up, the
order row is locked, the domain decides (``domain.redemption.redeem``), the
ledger applies the linked batch of posts, voids and refunds, the order, the
redemption record, the refunds and the events are written — all or nothing. Two
devices scanning at once are serialised by the order's lock: the second finds the
lines released and gets ``already_redeemed``; no money moves twice, and the
ledger's deterministic transfer ids make even a replayed batch a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from axokey.adapters import code_images, metrics
from axokey.adapters.db import (
    catalog_repository,
    order_repository,
    redemption_repository,
)
from axokey.adapters.db.transaction import Connection
from axokey.domain.errors import FieldError, TooLarge, UnsupportedMedia, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.orders import LineStatus, Order, OrderLine, OrderStatus
from axokey.domain.parties import PROFESSIONAL_ROLES, Principal
from axokey.domain.redemption import (
    Handover,
    LinePreview,
    Professional,
    courier_fee_releasable,
    preview,
    redeem,
    responsible_lines,
)
from axokey.domain.refunds import MoneyDecision
from axokey.services import refunding, signing, stock
from axokey.services.context import ServiceContext
from axokey.services.events import record_order_events
from axokey.services.ledger import post_or_raise
from axokey.services.parties import require_role

GTINS_PER_REDEMPTION_MAX = 500


@dataclass(frozen=True)
class Names:
    """What a person reads instead of ids: products' and parties' names."""

    products: dict[str, str]
    parties: dict[str, str]


def _names(connection: Connection, order: Order) -> Names:
    """The names of the order's products and suppliers (a courier reads "Desk lamp",
    never ``prd_…``). Only names: what the scanner may show to whoever may scan."""
    lines = order.lines
    products, parties = catalog_repository.names_of(
        connection, [line.product_id for line in lines], [line.supplier_id for line in lines]
    )
    return Names(products=products, parties=parties)


@dataclass(frozen=True)
class Redemption:
    id: str
    order_id: str
    professional_id: str
    decision: MoneyDecision
    order: Order
    refund_ids: dict[str, str]  # ledger transfer id → refund id
    names: Names


def _professional(principal: Principal) -> Professional:
    require_role(principal, *PROFESSIONAL_ROLES)
    assert principal.party_id is not None
    return Professional(principal.party_id, principal.role)


def _grace(context: ServiceContext) -> timedelta:
    return context.settings.itinerary_grace


@dataclass(frozen=True)
class RedemptionPreview:
    order: Order
    lines: list[LinePreview]
    courier_fee: int
    names: Names


def preview_redemption(
    context: ServiceContext, principal: Principal, code: str
) -> RedemptionPreview:
    by = _professional(principal)
    read = signing.read_code(context, code)  # verified before the database is asked
    with context.database.read() as connection:
        order = signing.order_of_code(connection, read)
        names = _names(connection, order)
    lines = preview(order, by, now=context.now(), grace=_grace(context))
    return RedemptionPreview(order, lines, courier_fee_releasable(order, by), names)


def code_from_photo(principal: Principal, image: bytes) -> str:
    """The code in a photo of the customer's QR code, for the phones that cannot scan
    with their camera in the page: the scanner then previews it like a typed code.

    The photo is read and forgotten (never stored). When it holds several QR codes,
    the first that looks like an AXOKEY token wins; the preview verifies it.
    """
    _professional(principal)
    try:
        texts = code_images.read_qr_codes(image)
    except code_images.ImageTooLarge as error:
        raise TooLarge(
            f"the photo is too large ({error}): take it with the phone's usual settings",
            code="image_too_large",
        ) from None
    except code_images.NotAnImage:
        raise UnsupportedMedia(
            "this file is not a photo: send a JPEG, PNG, WebP, GIF or BMP image",
            code="not_an_image",
        ) from None
    if not texts:
        raise ValidationFailed(
            "no QR code could be read in this photo: take it again closer, "
            "sharp and well lit, or type the short code",
            code="no_code_in_image",
        )
    return next((text for text in texts if ":" in text), texts[0])


def handovers_from_gtins(order: Order, mine: list[OrderLine], gtins: list[str]) -> list[Handover]:
    """Scanned barcodes → one unit of the professional's held line with that GTIN
    per scan (a line's units are used up before the next line with the same GTIN)."""
    if len(gtins) > GTINS_PER_REDEMPTION_MAX:
        raise ValidationFailed("too many barcodes", code="too_many_lines")
    remaining = {line.id: line.quantity for line in mine}
    handovers: list[Handover] = []
    for index, gtin in enumerate(gtins):
        normalised = gtin.strip().lstrip("0")
        with_gtin = [
            line for line in mine if line.gtin is not None and line.gtin.lstrip("0") == normalised
        ]
        match = next(
            (
                line
                for line in with_gtin
                if line.status is LineStatus.HELD and remaining[line.id] > 0
            ),
            None,
        )
        if match is None:
            closed = next((line for line in with_gtin if line.status is not LineStatus.HELD), None)
            if closed is not None:  # scanned again: the domain says why it is refused
                handovers.append(Handover(closed.id, 1))
                continue
            raise ValidationFailed(
                f"no line of this order left to hand over with barcode {gtin}",
                code="unknown_gtin",
                errors=[FieldError(f"gtins.{index}", "not in this order")],
            )
        remaining[match.id] -= 1
        handovers.append(Handover(match.id, 1))
    return handovers


def redeem_order(
    context: ServiceContext,
    principal: Principal,
    *,
    code: str,
    handovers: list[Handover],
    gtins: list[str],
    complete: bool,
) -> Redemption:
    by = _professional(principal)
    redemption_id = new_id("rdm")

    read = signing.read_code(context, code)  # verified before any lock is taken

    def release_and_refund(connection: Connection) -> tuple[Redemption, list[str]]:
        order = signing.order_of_code(connection, read, lock=True)
        now = context.now()
        named = list(handovers)
        if gtins:
            named += handovers_from_gtins(order, responsible_lines(order, by), gtins)
        decision = redeem(
            order, by=by, handovers=named, complete=complete, now=now, grace=_grace(context)
        )
        post_or_raise(connection, context, decision.transfers, now=now)
        order_repository.save_order(connection, order)
        card_refunds, refund_ids = refunding.record_refunds_by_transfer(
            connection, context, order, decision.refunds
        )
        result = {
            "released": [release.__dict__ for release in decision.releases],
            "refunded": [
                {
                    "line_id": r.line_id,
                    "amount": r.amount,
                    "reason": r.reason.value,
                    "refund_id": refund_ids.get(r.transfer_id),
                }
                for r in decision.refunds
            ],
            "courier_fee_released": decision.courier_fee_released,
        }
        redemption_repository.insert_redemption(
            connection,
            redemption_id=redemption_id,
            order_id=order.id,
            professional_id=by.party_id,
            courier_fee_released=decision.courier_fee_released,
            result=result,
            now=now,
        )
        record_order_events(connection, order, decision.events, now=now)
        stock.settle_reservations(connection, order, now=now)
        return (
            Redemption(
                redemption_id,
                order.id,
                by.party_id,
                decision,
                order,
                refund_ids,
                _names(connection, order),
            ),
            card_refunds,
        )

    redemption, card_refunds = context.database.run(release_and_refund)
    metrics.REDEMPTIONS.inc()
    if redemption.order.status is OrderStatus.COMPLETED:
        metrics.LIFECYCLES.inc()
    refunding.send_card_refunds(context, card_refunds)
    return redemption
