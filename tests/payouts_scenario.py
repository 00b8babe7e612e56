"""Helpers for payout tests: payees with bank details, batches, the bank file parsed."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET  # parsing our own file back
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from schwifty import IBAN

from tests.conftest import ADMIN
from tests.scenario import World, ok

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
OPERATOR = {
    "operator_name": "AXOKEY SAS",
    "operator_iban": "FR7630006000011234567890189",
    "operator_bic": "AGRIFRPP",
}
_account_numbers = itertools.count(1)


def new_iban() -> str:
    return str(
        IBAN.generate("FR", bank_code="30006", account_code=f"{next(_account_numbers):011d}")
    )


def address(town: str = "Lyon") -> dict[str, str]:
    return {
        "street": "Rue de la République",
        "building_number": "12",
        "postcode": "69002",
        "town": town,
        "country": "FR",
    }


def make_payable(world: World, name: str, *, by_operator: bool = True) -> str:
    """Give a party an IBAN and an address; returns the IBAN."""
    iban = new_iban()
    body = {"iban": iban, "address": address()}
    if by_operator:
        response = world.client.patch(
            f"/v1/parties/{world.parties[name].id}", json=body, headers=ADMIN
        )
    else:
        response = world.client.patch("/v1/me", json=body, headers=world.parties[name].headers)
    assert ok(response)["iban"] == iban
    return iban


def create_batch(client: Any, currency: str = "EUR", expect: int = 201) -> Any:
    return ok(client.post("/v1/payout-batches", json={"currency": currency}, headers=ADMIN), expect)


def confirm(
    client: Any, batch_id: str, rejected: list[tuple[str, str]] = (), expect: int = 200
) -> Any:  # type: ignore[assignment]
    body = {"rejected": [{"item_id": item, "reason": reason} for item, reason in rejected]}
    return ok(
        client.post(f"/v1/payout-batches/{batch_id}/confirm", json=body, headers=ADMIN), expect
    )


@cache
def pain001_schema() -> Any:
    import xmlschema

    path = resources.files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
    return xmlschema.XMLSchema(str(path))


# EPC's SEPA character set: what banks accept in a pain.001's texts and references.
SEPA_TEXT = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")


def bank_file(client: Any, batch_id: str) -> ET.Element:
    """The batch's pain.001, validated against the official XSD, parsed; its
    references and texts are in the SEPA character set."""
    response = client.get(f"/v1/payout-batches/{batch_id}/pain.001", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    pain001_schema().validate(response.content)
    document = ET.fromstring(response.content)
    for name in ("MsgId", "PmtInfId", "EndToEndId", "Nm", "Ustrd", "StrtNm", "TwnNm"):
        for element in document.iterfind(f".//p:{name}", NS):
            assert SEPA_TEXT.fullmatch(element.text or ""), (name, element.text)
    assert document.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == sepa_spelling(batch_id)
    return document


def sepa_spelling(identifier: str) -> str:
    """How a bank's file spells one of our ids (no underscore in the SEPA set)."""
    return identifier.replace("_", "-")


def transactions(document: ET.Element) -> dict[str, dict[str, Any]]:
    """Each CdtTrfTxInf by its item's id (its EndToEndId in our spelling): amount,
    IBAN, name, address, remittance."""
    found = {}
    for transaction in document.iterfind(".//p:CdtTrfTxInf", NS):
        amount = transaction.find("p:Amt/p:InstdAmt", NS)
        assert amount is not None
        address = transaction.find("p:Cdtr/p:PstlAdr", NS)
        end_to_end_id = transaction.findtext("p:PmtId/p:EndToEndId", namespaces=NS) or ""
        found[end_to_end_id.replace("-", "_")] = {
            "amount": Decimal(amount.text or ""),
            "currency": amount.get("Ccy"),
            "iban": transaction.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            "name": transaction.findtext("p:Cdtr/p:Nm", namespaces=NS),
            "address": {child.tag.split("}")[1]: child.text for child in address}
            if address is not None
            else None,
            "remittance": transaction.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        }
    return found


def balance(world: World, name: str) -> dict[str, int]:
    body = ok(world.client.get("/v1/balance", headers=world.parties[name].headers))
    for entry in body["balances"]:
        if entry["currency"] == "EUR":
            return {k: entry[k] for k in ("held", "available", "in_transit", "paid_out")}
    return {"held": 0, "available": 0, "in_transit": 0, "paid_out": 0}
