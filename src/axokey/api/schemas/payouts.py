"""Bodies of payee details and payout batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from axokey.api.schemas.base import NOT_BLANK, Country, Currency, Strict
from axokey.domain.parties import IbanChange, PostalAddress
from axokey.domain.payouts import PayoutBatch, PayoutItem
from axokey.services.payees import PayoutDetailsChange

Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1)]


class PayeeAddressIn(Strict):
    """A structured postal address, as SEPA credit transfers carry it."""

    street: Annotated[Text, StringConstraints(max_length=70)]
    building_number: Annotated[Text, StringConstraints(max_length=16)] | None = None
    postcode: Annotated[Text, StringConstraints(max_length=16)]
    town: Annotated[Text, StringConstraints(max_length=35)]
    country: Country = Field(description="ISO 3166-1 alpha-2, e.g. FR")


class PayoutDetailsPatch(Strict):
    """Only the fields given change; ``null`` clears one."""

    iban: Annotated[str, StringConstraints(max_length=42)] | None = None
    bic: Annotated[str, StringConstraints(max_length=11)] | None = None
    address: PayeeAddressIn | None = None

    def change(self) -> PayoutDetailsChange:
        given = self.model_fields_set
        address = self.address
        return PayoutDetailsChange(
            iban=self.iban,
            iban_given="iban" in given,
            bic=self.bic,
            bic_given="bic" in given,
            address=PostalAddress(
                address.street,
                address.postcode,
                address.town,
                address.country,
                address.building_number,
            )
            if address
            else None,
            address_given="address" in given,
        )


class IbanChangeOut(BaseModel):
    previous_iban: str | None
    iban: str | None
    changed_by: str
    changed_at: datetime

    @classmethod
    def of(cls, change: IbanChange) -> IbanChangeOut:
        return cls(
            previous_iban=change.previous_iban,
            iban=change.iban,
            changed_by=change.changed_by,
            changed_at=change.changed_at,
        )


class IbanHistoryOut(BaseModel):
    object: Literal["iban_history"] = "iban_history"
    party_id: str
    changes: list[IbanChangeOut]


class BatchCreate(Strict):
    currency: Currency


class RejectedItemIn(Strict):
    item_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    reason: Annotated[Text, StringConstraints(max_length=140)]


class BatchConfirm(Strict):
    rejected: Annotated[list[RejectedItemIn], Field(max_length=10_000)] = []


class PayoutItemOut(BaseModel):
    id: str
    object: Literal["payout_item"] = "payout_item"
    kind: str
    party_id: str | None
    refund_id: str | None
    amount: int
    currency: str
    creditor_name: str
    iban: str
    remittance: str
    status: str
    rejection_reason: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, item: PayoutItem) -> PayoutItemOut:
        return cls(
            id=item.id,
            kind=item.kind.value,
            party_id=item.party_id,
            refund_id=item.refund_id,
            amount=item.amount,
            currency=item.currency,
            creditor_name=item.creditor.name,
            iban=item.creditor.iban,
            remittance=item.remittance,
            status=item.status.value,
            rejection_reason=item.rejection_reason,
            resolved_at=item.resolved_at,
        )


class BatchSummaryOut(BaseModel):
    id: str
    object: Literal["payout_batch"] = "payout_batch"
    status: str
    currency: str
    item_count: int
    total: int
    cutoff_key: str | None
    created_at: datetime
    executed_at: datetime | None

    @classmethod
    def of(cls, batch: PayoutBatch) -> BatchSummaryOut:
        return cls(
            id=batch.id,
            status=batch.status.value,
            currency=batch.currency,
            item_count=batch.item_count,
            total=batch.total,
            cutoff_key=batch.cutoff_key,
            created_at=batch.created_at,
            executed_at=batch.executed_at,
        )


class BatchOut(BatchSummaryOut):
    items: list[PayoutItemOut]

    @classmethod
    def with_items(cls, batch: PayoutBatch, items: list[PayoutItem]) -> BatchOut:
        return cls(
            **BatchSummaryOut.of(batch).model_dump(),
            items=[PayoutItemOut.of(item) for item in items],
        )


class PayoutOut(BaseModel):
    """A party's own payout (one item of a batch)."""

    id: str
    object: Literal["payout"] = "payout"
    batch_id: str
    amount: int
    currency: str
    iban: str
    status: str
    rejection_reason: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, item: PayoutItem) -> PayoutOut:
        return cls(
            id=item.id,
            batch_id=item.batch_id,
            amount=item.amount,
            currency=item.currency,
            iban=item.creditor.iban,
            status=item.status.value,
            rejection_reason=item.rejection_reason,
            resolved_at=item.resolved_at,
        )


class RefundToSepa(Strict):
    iban: Annotated[str, StringConstraints(max_length=42)] | None = None
