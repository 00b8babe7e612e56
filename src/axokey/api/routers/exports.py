"""Accounting exports (operator): the FEC and the journal CSV, streamed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from axokey.api.deps import ContextDep, requires
from axokey.domain.access import Scope
from axokey.domain.parties import Principal
from axokey.services import exports

router = APIRouter(tags=["exports"])

From = Annotated[date, Query(alias="from", description="First day (UTC), YYYY-MM-DD.")]
To = Annotated[date, Query(description="Last day (UTC, included), YYYY-MM-DD.")]


def _stream(export: exports.Export) -> StreamingResponse:
    return StreamingResponse(
        export.chunks,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@router.get("/v1/exports/fec", response_class=StreamingResponse)
def export_fec(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.LEDGER_READ)],
    first_day: From,
    to: To,
    encoding: Annotated[Literal["iso-8859-15", "utf-8"], Query()] = "iso-8859-15",
) -> StreamingResponse:
    """The FEC (article A47 A-1 of the LPF) of the EUR ledger movements of the
    period: ``<SIREN>FEC<YYYYMMDD>.txt``, ISO-8859-15 unless ``encoding=utf-8``."""
    return _stream(exports.open_fec(context, principal, first_day, to, encoding=encoding))


@router.get("/v1/exports/journal.csv", response_class=StreamingResponse)
def export_journal(
    context: ContextDep,
    principal: Annotated[Principal, requires(Scope.LEDGER_READ)],
    first_day: From,
    to: To,
) -> StreamingResponse:
    """Every posted ledger movement of the period as UTF-8 CSV, one row per side,
    amounts in minor units."""
    return _stream(exports.open_journal(context, principal, first_day, to))
