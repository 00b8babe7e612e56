from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..models.product_create_kind import ProductCreateKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductCreate")


@_attrs_define
class ProductCreate:
    """A booking deposit is for a service only (422 deposit_on_good).

    Attributes:
        sku (str):
        name (str):
        kind (ProductCreateKind):
        currency (Currency): ISO 4217, upper case, with a minor unit (the currencies a payment can be made in).
        wholesale_price (int): Integer minor units (cents).
        gtin (None | str | Unset): GTIN-8/12/13/14; spaces and hyphens are ignored. Its check digit is verified.
        deposit_bps (int | None | Unset): The booking deposit of a service (not allowed on a good).
        supplier_id (None | str | Unset): The supplier: only with the admin key.
    """

    sku: str
    name: str
    kind: ProductCreateKind
    currency: Currency
    wholesale_price: int
    gtin: None | str | Unset = UNSET
    deposit_bps: int | None | Unset = UNSET
    supplier_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        sku = self.sku

        name = self.name

        kind = self.kind.value

        currency = self.currency.value

        wholesale_price = self.wholesale_price

        gtin: None | str | Unset
        if isinstance(self.gtin, Unset):
            gtin = UNSET
        else:
            gtin = self.gtin

        deposit_bps: int | None | Unset
        if isinstance(self.deposit_bps, Unset):
            deposit_bps = UNSET
        else:
            deposit_bps = self.deposit_bps

        supplier_id: None | str | Unset
        if isinstance(self.supplier_id, Unset):
            supplier_id = UNSET
        else:
            supplier_id = self.supplier_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sku": sku,
                "name": name,
                "kind": kind,
                "currency": currency,
                "wholesale_price": wholesale_price,
            }
        )
        if gtin is not UNSET:
            field_dict["gtin"] = gtin
        if deposit_bps is not UNSET:
            field_dict["deposit_bps"] = deposit_bps
        if supplier_id is not UNSET:
            field_dict["supplier_id"] = supplier_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sku = d.pop("sku")

        name = d.pop("name")

        kind = ProductCreateKind(d.pop("kind"))

        currency = Currency(d.pop("currency"))

        wholesale_price = d.pop("wholesale_price")

        def _parse_gtin(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gtin = _parse_gtin(d.pop("gtin", UNSET))

        def _parse_deposit_bps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        deposit_bps = _parse_deposit_bps(d.pop("deposit_bps", UNSET))

        def _parse_supplier_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        supplier_id = _parse_supplier_id(d.pop("supplier_id", UNSET))

        product_create = cls(
            sku=sku,
            name=name,
            kind=kind,
            currency=currency,
            wholesale_price=wholesale_price,
            gtin=gtin,
            deposit_bps=deposit_bps,
            supplier_id=supplier_id,
        )

        return product_create
