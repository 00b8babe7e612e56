"""The professionals' pages: the scanner and the dashboard.

They are static shells: their scripts call the JSON API with the API key the
professional pastes (kept in ``sessionStorage`` only), so the pages themselves need
no server-side authentication.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from axokey.web.rendering import currency_exponents_json, render

router = APIRouter(include_in_schema=False)


@router.get("/scan", response_class=HTMLResponse)
def scanner_page(request: Request) -> Response:
    """Scan (camera) or type a customer's code, pick the lines, release the money."""
    return render(request, "scan.html", currency_exponents=currency_exponents_json())


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    """The caller's orders, balance and refunds, read from the JSON API."""
    return render(request, "dashboard.html", currency_exponents=currency_exponents_json())
