"""Read the bank's ISO 20022 payment status report (``pain.002``, any version).

What a confirmation needs: the original message id (the batch's id, our
``MsgId``), and the transfers the bank rejected, each by its ``EndToEndId`` with
the bank's reason code (and additional text). Both are our ids as ``pain001`` spelt
them in the SEPA character set; they are read back as our ids. A report that rejects the whole group
or payment information block without listing transactions rejects every item.

The file comes from outside: a document type declaration (entities) is refused
before parsing, so no entity can expand or be fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from axokey.adapters.sepa.pain001 import our_identifier
from axokey.domain.errors import FieldError, ValidationFailed

REJECTED = "RJCT"


@dataclass(frozen=True)
class StatusReport:
    original_message_id: str  # our batch id
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (our item id, reason)
    everything_rejected: str | None = None  # the reason, when the whole file was refused


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: ET.Element | None, *path: str) -> str | None:
    for name in path:
        if element is None:
            return None
        element = _child(element, name)
    return element.text.strip() if element is not None and element.text else None


def _reason(element: ET.Element) -> str:
    info = _child(element, "StsRsnInf")
    if info is None:
        return "rejected"
    code = _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry")
    extra = " ".join(child.text.strip() for child in _children(info, "AddtlInf") if child.text)
    return (" ".join(part for part in (code, extra) if part) or "rejected")[:140]


def _invalid(detail: str) -> ValidationFailed:
    return ValidationFailed(
        detail, code="invalid_status_report", errors=[FieldError("body", detail)]
    )


def read_status_report(data: bytes) -> StatusReport:
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise _invalid("a status report with a document type declaration is refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 — no DOCTYPE, so no entities
    except ET.ParseError as error:
        raise _invalid(f"not XML: {error}") from None
    report = _child(root, "CstmrPmtStsRpt") if _local(root.tag) == "Document" else None
    if report is None:
        raise _invalid("not a pain.002 customer payment status report")
    group = _child(report, "OrgnlGrpInfAndSts")
    message_id = _text(group, "OrgnlMsgId")
    if group is None or not message_id:
        raise _invalid("the report names no original message (OrgnlMsgId)")
    message_id = our_identifier(message_id)
    result = StatusReport(original_message_id=message_id)
    if _text(group, "GrpSts") == REJECTED:
        return StatusReport(message_id, everything_rejected=_reason(group))
    for block in _children(report, "OrgnlPmtInfAndSts"):
        transactions = _children(block, "TxInfAndSts")
        if _text(block, "PmtInfSts") == REJECTED and not transactions:
            return StatusReport(message_id, everything_rejected=_reason(block))
        for transaction in transactions:
            if _text(transaction, "TxSts") != REJECTED:
                continue
            end_to_end_id = _text(transaction, "OrgnlEndToEndId")
            if not end_to_end_id:
                raise _invalid("a rejected transaction names no OrgnlEndToEndId")
            result.rejected.append((our_identifier(end_to_end_id), _reason(transaction)))
    return result
