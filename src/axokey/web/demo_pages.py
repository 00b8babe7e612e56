"""The sandbox's landing page (``/``): what AXOKEY is, and — when ``serve --demo``
made them — the demo's orders and a link to each page signed in as each party.

Only with the sandbox provider: a production instance answers ``/`` with a 404 page.
The demo's API keys ride in the links' fragment (``/scan#key=…``), which the browser
never sends to a server; the page's script keeps the key in the tab's
``sessionStorage`` and takes it out of the address bar.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from axokey.domain.errors import NotFound
from axokey.i18n import N_
from axokey.web.rendering import PageContextDep, error_page, render

router = APIRouter(include_in_schema=False)

CHANNEL_LABELS = {
    "delivery": N_("Delivery by a courier"),
    "store": N_("Pick-up in a store"),
    "itinerary": N_("A trip of services"),
}
ROLE_LABELS = {
    "merchant": N_("merchant"),
    "supplier": N_("supplier"),
    "courier": N_("courier"),
    "store": N_("store"),
}


def _signed_in(path: str, key: str) -> str:
    return f"{path}#key={quote(key, safe='')}"


def _party_links(request: Request, demo: Any) -> list[dict[str, Any]]:
    has_store_page = any(getattr(route, "path", None) == "/store" for route in request.app.routes)
    links = []
    for party in demo.parties:
        pages = [(N_("Dashboard"), _signed_in("/dashboard", party.api_key))]
        if party.role in ("courier", "store"):
            pages.insert(0, (N_("Scanner"), _signed_in("/scan", party.api_key)))
        if party.role == "store" and has_store_page:
            pages.insert(1, (N_("Store"), _signed_in("/store", party.api_key)))
        links.append(
            {"name": party.name, "role": ROLE_LABELS.get(party.role, party.role), "pages": pages}
        )
    return links


@router.get("/", response_class=HTMLResponse)
def landing_page(request: Request, context: PageContextDep) -> Response:
    """The demo's front door (sandbox only)."""
    if context.settings.provider != "sandbox":
        return error_page(request, NotFound("there is no page here", code="not_found"))
    demo = getattr(request.app.state, "demo", None)
    return render(
        request,
        "landing.html",
        demo_orders=[
            {
                "channel": CHANNEL_LABELS.get(order.channel, order.channel),
                "id": order.id,
                "description": order.description,
                "url": order.customer_url,
            }
            for order in (demo.orders if demo else [])
        ],
        demo_parties=_party_links(request, demo) if demo else [],
    )
