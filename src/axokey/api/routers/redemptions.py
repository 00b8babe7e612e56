"""The QR scan: preview, and redeem (the cascade)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from axokey.api.deps import ContextDep, requires
from axokey.api.openapi import beyond_schema, problems
from axokey.api.schemas.redemptions import (
    CodeImageOut,
    PreviewLineOut,
    RedemptionIn,
    RedemptionOut,
    RedemptionPreviewIn,
    RedemptionPreviewOut,
)
from axokey.domain.access import Scope
from axokey.domain.errors import UnsupportedMedia
from axokey.domain.parties import Principal
from axokey.domain.redemption import Handover
from axokey.services import redeeming

router = APIRouter(tags=["redemptions"])


@router.post(
    "/v1/redemptions/preview", response_model=RedemptionPreviewOut, responses=problems(404)
)
def preview(
    body: RedemptionPreviewIn,
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.REDEEM)],
) -> RedemptionPreviewOut:
    """What this professional may hand over for a scanned code, and what it would release."""
    found = redeeming.preview_redemption(context, principal, body.code)
    order = found.order
    return RedemptionPreviewOut(
        order_id=order.id,
        order_status=order.status.value,
        currency=order.currency,
        lines=[
            PreviewLineOut(
                line_id=item.line.id,
                product_id=item.line.product_id,
                product_name=found.names.products.get(item.line.product_id),
                supplier_id=item.line.supplier_id,
                supplier_name=found.names.parties.get(item.line.supplier_id),
                quantity=item.line.quantity,
                amount=item.line.amount,
                releasable_amount=item.releasable_amount,
                releasable_commission=item.releasable_commission,
                gtin=item.line.gtin,
            )
            for item in found.lines
        ],
        courier_fee=found.courier_fee,
    )


CODE_IMAGE_PATH = "/v1/redemptions/code-image"
_PHOTO_BODY = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    CODE_IMAGE_PATH,
    response_model=CodeImageOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "image/jpeg": _PHOTO_BODY,
                "image/png": _PHOTO_BODY,
                "image/webp": _PHOTO_BODY,
            },
        },
        # What the image holds, the schema cannot say (any bytes are a "binary").
        **beyond_schema(
            (415, "not_an_image", "the body is not an image the server can decode"),
            (413, "image_too_large", "the image has more pixels than the server decodes"),
            (422, "no_code_in_image", "no QR code can be read in the photo"),
        ),
    },
)
async def code_from_photo(
    request: Request, principal: Annotated[Principal, requires(Scope.REDEEM)]
) -> CodeImageOut:
    """The code in a photo of the customer's QR code (the body is the image itself,
    ``Content-Type: image/jpeg``, PNG or WebP; up to ``AXOKEY_CODE_IMAGE_MAX_BYTES``),
    for phones that cannot scan in the page. Then preview it like a typed code.
    The photo is not kept."""
    content_type = (request.headers.get("content-type") or "").lower()
    if not content_type.startswith("image/"):
        raise UnsupportedMedia(
            "send the photo itself as the body, with Content-Type: image/jpeg, "
            "image/png or image/webp",
            code="not_an_image",
        )
    image = await request.body()
    code = await run_in_threadpool(redeeming.code_from_photo, principal, image)
    return CodeImageOut(code=code)


@router.post(
    "/v1/redemptions", status_code=201, response_model=RedemptionOut, responses=problems(404)
)
def redeem(
    body: RedemptionIn, context: ContextDep, principal: Annotated[Principal, requires(Scope.REDEEM)]
) -> RedemptionOut:
    """Hand over lines (by id, or by scanned barcodes); ``complete`` declares the
    rest of this professional's lines missing and refunds them."""
    redemption = redeeming.redeem_order(
        context,
        principal,
        code=body.code,
        handovers=[Handover(line.line_id, line.quantity) for line in body.lines],
        gtins=body.gtins,
        complete=body.complete,
    )
    return RedemptionOut.of(redemption)
