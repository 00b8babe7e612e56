"""ISO 20022 ``pain.001.001.09`` (customer credit transfer initiation), streamed.

One payment information block for the batch, debited from the operator's account,
one ``CdtTrfTxInf`` per item (``EndToEndId`` = the item's id in SEPA's spelling:
:func:`sepa_identifier`), structured postal
addresses, remittance text. ``NbOfTxs`` and ``CtrlSum`` come from the batch, known
before the first transaction, so the file is written in one pass: memory stays
bounded by one page of items whatever the batch's size.

Texts are reduced to the SEPA character set (Latin letters, digits and
``/ - ? : ( ) . , ' +`` and space): accents are dropped, anything else becomes a
space, as EPC's implementation guidelines ask. That set has no underscore, so our
ids (``pob_01J…``, ``po_01J…``, ``ord_01J…``) are written with a hyphen instead
(``pob-01J…``) in ``MsgId``, ``PmtInfId``, ``EndToEndId`` and remittance texts; the
mapping is reversible (an id holds one underscore and no hyphen), and ``pain002``
maps the bank's references back (:func:`our_identifier`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from axokey.domain.money import currency_exponent
from axokey.domain.parties import PostalAddress
from axokey.domain.payouts import PayoutBatch, PayoutItem

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


@dataclass(frozen=True)
class DebtorAccount:
    """The operator's account, the debtor of every transfer."""

    name: str
    iban: str
    bic: str | None


def sepa_identifier(our_id: str) -> str:
    """One of our ids in the SEPA character set: ``po_01J…`` → ``po-01J…``."""
    return our_id.replace("_", "-")


def our_identifier(sepa_id: str) -> str:
    """The id :func:`sepa_identifier` wrote, read back from a bank's file (a reference
    written with the underscore, by an older file, reads back as itself)."""
    return sepa_id.replace("-", "_")


def sepa_text(value: str, max_length: int, *, ids: bool = False) -> str:
    """``value`` in the SEPA character set, at most ``max_length`` characters;
    ``ids``: the ids it names are spelt as :func:`sepa_identifier` spells them."""
    if ids:
        value = sepa_identifier(value)
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    cleaned = " ".join(_NOT_SEPA.sub(" ", ascii_only).split())
    return cleaned[:max_length].strip() or "-"


def decimal_amount(amount_minor: int, currency: str) -> str:
    """Minor units as the file's decimal text, exactly (no float): 13589 → 135.89."""
    exponent = currency_exponent(currency)
    if exponent == 0:
        return str(amount_minor)
    units, cents = divmod(amount_minor, 10**exponent)
    return f"{units}.{cents:0{exponent}d}"


def _element(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


def _postal_address(address: PostalAddress | None) -> str:
    if address is None or not address.country:
        return ""
    parts = []
    for name, value, length in (
        ("StrtNm", address.street, 70),
        ("BldgNb", address.building_number, 16),
        ("PstCd", address.postcode, 16),
        ("TwnNm", address.town, 35),
    ):
        if value:
            parts.append(_element(name, sepa_text(value, length)))
    parts.append(_element("Ctry", address.country))
    return "<PstlAdr>" + "".join(parts) + "</PstlAdr>"


def _transaction(item: PayoutItem) -> str:
    creditor = item.creditor
    agent = (
        f"<CdtrAgt><FinInstnId>{_element('BICFI', creditor.bic)}</FinInstnId></CdtrAgt>"
        if creditor.bic
        else ""
    )
    return (
        "<CdtTrfTxInf>"
        f"<PmtId>{_element('EndToEndId', sepa_identifier(item.id))}</PmtId>"
        f'<Amt><InstdAmt Ccy="{item.currency}">'
        f"{decimal_amount(item.amount, item.currency)}</InstdAmt></Amt>"
        f"{agent}"
        f"<Cdtr>{_element('Nm', sepa_text(creditor.name, 70))}"
        f"{_postal_address(creditor.address)}</Cdtr>"
        f"<CdtrAcct><Id>{_element('IBAN', creditor.iban)}</Id></CdtrAcct>"
        f"<RmtInf>{_element('Ustrd', sepa_text(item.remittance, 140, ids=True))}</RmtInf>"
        "</CdtTrfTxInf>\n"
    )


def pain001_chunks(
    debtor: DebtorAccount,
    batch: PayoutBatch,
    item_pages: Iterable[Iterable[PayoutItem]],
    *,
    created_at: datetime,
    execution_date: date,
) -> Iterator[bytes]:
    """The file, as UTF-8 chunks: the header, one chunk per page of items, the end."""
    count = str(batch.item_count)
    control_sum = decimal_amount(batch.total, batch.currency)
    service_level = (
        "<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>" if batch.currency == "EUR" else ""
    )
    debtor_agent = (
        f"<DbtrAgt><FinInstnId>{_element('BICFI', debtor.bic)}</FinInstnId></DbtrAgt>"
        if debtor.bic
        else "<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>"
    )
    name = sepa_text(debtor.name, 70)
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NAMESPACE}">\n'
        "<CstmrCdtTrfInitn>\n"
        "<GrpHdr>"
        f"{_element('MsgId', sepa_identifier(batch.id))}"
        f"{_element('CreDtTm', created_at.strftime('%Y-%m-%dT%H:%M:%S'))}"
        f"{_element('NbOfTxs', count)}"
        f"{_element('CtrlSum', control_sum)}"
        f"<InitgPty>{_element('Nm', name)}</InitgPty>"
        "</GrpHdr>\n"
        "<PmtInf>"
        f"{_element('PmtInfId', sepa_identifier(batch.id))}"
        "<PmtMtd>TRF</PmtMtd>"
        "<BtchBookg>true</BtchBookg>"
        f"{_element('NbOfTxs', count)}"
        f"{_element('CtrlSum', control_sum)}"
        f"{service_level}"
        f"<ReqdExctnDt>{_element('Dt', execution_date.isoformat())}</ReqdExctnDt>"
        f"<Dbtr>{_element('Nm', name)}</Dbtr>"
        f"<DbtrAcct><Id>{_element('IBAN', debtor.iban)}</Id></DbtrAcct>"
        f"{debtor_agent}"
        "<ChrgBr>SLEV</ChrgBr>\n"
    ).encode()
    written = 0
    for page in item_pages:
        chunk = "".join(_transaction(item) for item in page)
        written += chunk.count("<CdtTrfTxInf>")
        yield chunk.encode()
    assert written == batch.item_count, "a batch's file carries each of its items once"
    yield b"</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n"
