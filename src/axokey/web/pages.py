"""The web pages (HTML), served by the API's app on the same origin: one router
that gathers each page family and the static files.

Routes stay thin: each turns a path or a form into one service call and renders a
template (``rendering``). The families, one module each:

- ``customer_pages``: the customer's order page and its Pay button;
- ``sandbox_pages``: the sandbox's hosted card and 3-D Secure pages;
- ``professional_pages``: the scanner and the dashboard;
- ``demo_pages``: the sandbox's landing page (``/``), with the demo's links.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from axokey.web import customer_pages, demo_pages, professional_pages, sandbox_pages
from axokey.web.rendering import WEB_DIRECTORY


class _StaticFiles(StaticFiles):
    """Static files, never sniffed into another type, revalidated on each use."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


router = APIRouter(include_in_schema=False)
router.mount("/static", _StaticFiles(directory=WEB_DIRECTORY / "static"), name="static")
router.include_router(customer_pages.router)
router.include_router(sandbox_pages.router)
router.include_router(professional_pages.router)
router.include_router(demo_pages.router)
