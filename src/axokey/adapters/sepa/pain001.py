"""ISO 20022 ``pain.001.001.09`` (customer credit transfer initiation), streamed.

One payment information block for the batch, debited from the operator's account,
one ``CdtTrfTxInf`` per item (``EndToEndId`` = the item's id), structured postal
addresses, remittance text. ``NbOfTxs`` and ``CtrlSum`` come from the batch, known
before the first transaction, so the file is written in one pass: memory stays
bounded by one page of items whatever the batch's size.

Texts are reduced to the SEPA character set (Latin letters, digits and
``/ - ? : ( ) . , ' +`` and space): accents are dropped, anything else becomes a
space, as EPC's implementation guidelines ask. Our own ids keep their underscore
(``EndToEndId`` is the item's id by contract, and remittance texts name ids).
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
# Our ids (``po_…``, ``ord_…``) keep their underscore, as in ``EndToEndId``.
_NOT_SEPA_OR_ID = re.compile(r"[^A-Za-z0-9_/\-?:().,'+ ]")


@dataclass(frozen=True)
class DebtorAccount:
    """The operator's account, the debtor of every transfer."""

    name: str
    iban: str
    bic: str | None


def sepa_text(value: str, max_length: int, *, keep_ids: bool = False) -> str:
    """``value`` in the SEPA character set, at most ``max_length`` characters."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    pattern = _NOT_SEPA_OR_ID if keep_ids else _NOT_SEPA
    cleaned = " ".join(pattern.sub(" ", ascii_only).split())
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
        f"<PmtId>{_element('EndToEndId', item.id)}</PmtId>"
        f'<Amt><InstdAmt Ccy="{item.currency}">'
        f"{decimal_amount(item.amount, item.currency)}</InstdAmt></Amt>"
        f"{agent}"
        f"<Cdtr>{_element('Nm', sepa_text(creditor.name, 70))}"
        f"{_postal_address(creditor.address)}</Cdtr>"
        f"<CdtrAcct><Id>{_element('IBAN', creditor.iban)}</Id></CdtrAcct>"
        f"<RmtInf>{_element('Ustrd', sepa_text(item.remittance, 140, keep_ids=True))}</RmtInf>"
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
        f"{_element('MsgId', batch.id)}"
        f"{_element('CreDtTm', created_at.strftime('%Y-%m-%dT%H:%M:%S'))}"
        f"{_element('NbOfTxs', count)}"
        f"{_element('CtrlSum', control_sum)}"
        f"<InitgPty>{_element('Nm', name)}</InitgPty>"
        "</GrpHdr>\n"
        "<PmtInf>"
        f"{_element('PmtInfId', batch.id)}"
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
