"""Request and response bodies of redemptions (the scan that releases money)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from axokey.api.schemas.base import Id, JsonInteger, Strict
from axokey.services.redeeming import Redemption

Code = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RedemptionPreviewIn(Strict):
    code: Code


class CodeImageOut(BaseModel):
    """The code read in a photo: what to send to the preview, as if typed."""

    code: str


class PreviewLineOut(BaseModel):
    line_id: str
    product_id: str
    product_name: str | None
    supplier_id: str
    supplier_name: str | None
    quantity: int
    amount: int
    releasable_amount: int
    releasable_commission: int
    gtin: str | None


class RedemptionPreviewOut(BaseModel):
    order_id: str
    order_status: str
    currency: str
    lines: list[PreviewLineOut]
    courier_fee: int


class HandoverIn(Strict):
    line_id: Id
    quantity: Annotated[int, Field(ge=1, le=1_000_000, strict=True), JsonInteger] | None = None


Gtin = Annotated[str, StringConstraints(min_length=1, max_length=14, pattern=r"^\s*[0-9]+\s*$")]


class RedemptionIn(Strict):
    """Lines named (``lines`` or ``gtins``), or ``complete``: else 422 nothing_to_redeem."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # Example A of docs/money-rules.md: the courier hands over line 1; line 2 is missing.
            "examples": [
                {
                    "code": "AXK1:K1:MEVVHRRDHGAAMG7ZGJTAZW7XVQ:RHVC2XCQEICA4W2UNLQDAFTKNQ",
                    "lines": [{"line_id": "ln_01M8Y2A3000000000000000001"}],
                    "complete": True,
                }
            ],
            # Not every one of them empty (or left out): at least one names something.
            "not": {
                "properties": {
                    "lines": {"maxItems": 0},
                    "gtins": {"maxItems": 0},
                    "complete": {"const": False},
                }
            },
        },
    )

    code: Code
    lines: Annotated[list[HandoverIn], Field(max_length=200)] = []
    gtins: Annotated[list[Gtin], Field(max_length=500)] = []
    complete: bool = False


class ReleasedOut(BaseModel):
    line_id: str
    product_name: str | None
    supplier_id: str
    supplier_name: str | None
    amount: int
    commission: int
    quantity: int


class RefundedOut(BaseModel):
    line_id: str | None
    product_name: str | None
    refund_id: str | None
    amount: int
    reason: str


class RedemptionOut(BaseModel):
    id: str
    object: Literal["redemption"] = "redemption"
    order_id: str
    professional_id: str
    released: list[ReleasedOut]
    refunded: list[RefundedOut]
    courier_fee_released: int
    order_status: str

    @classmethod
    def of(cls, redemption: Redemption) -> RedemptionOut:
        decision = redemption.decision
        products, parties = redemption.names.products, redemption.names.parties
        product_of_line = {line.id: line.product_id for line in redemption.order.lines}

        def product_name(line_id: str | None) -> str | None:
            return products.get(product_of_line.get(line_id or "", ""))

        return cls(
            id=redemption.id,
            order_id=redemption.order_id,
            professional_id=redemption.professional_id,
            released=[
                ReleasedOut(
                    line_id=r.line_id,
                    product_name=product_name(r.line_id),
                    supplier_id=r.supplier_id,
                    supplier_name=parties.get(r.supplier_id),
                    amount=r.amount,
                    commission=r.commission,
                    quantity=r.quantity,
                )
                for r in decision.releases
            ],
            refunded=[
                RefundedOut(
                    line_id=r.line_id,
                    product_name=product_name(r.line_id),
                    refund_id=redemption.refund_ids.get(r.transfer_id),
                    amount=r.amount,
                    reason=r.reason.value,
                )
                for r in decision.refunds
            ],
            courier_fee_released=decision.courier_fee_released,
            order_status=redemption.order.status.value,
        )
