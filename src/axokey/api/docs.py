"""The API reference at ``/docs``: Swagger UI served from the package, never from a CDN.

Swagger UI's files come from the pinned ``fastapi-offline`` distribution (its
``static`` folder); the page's own start-up script is ``/static/swagger-init.js``.
The page runs under a Content-Security-Policy that loads scripts, styles, images
and requests from this origin only (Swagger UI sets some inline ``style``
attributes, hence ``'unsafe-inline'`` for styles alone), so the page works
offline and nothing another site serves runs on the origin where API keys are
typed.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

SWAGGER_UI_DIRECTORY = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs/assets"

DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
DOCS_HEADERS = {
    "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

DOCS_PAGE = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AXOKEY API — référence / reference</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)
router.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIRECTORY), name="docs-assets")


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE, headers=DOCS_HEADERS)
