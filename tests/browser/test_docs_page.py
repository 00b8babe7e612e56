"""The API reference in real Chromium: Swagger UI renders from the app's own files,
with no Content-Security-Policy violation and no request to another origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import LiveServer

RENDER_TIMEOUT_MILLISECONDS = 60_000


def test_the_api_reference_renders_offline_under_its_policy(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.goto(f"{live_server.base_url}/docs")
    # Generous: the machine running the tests may be loaded, and the document is large.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "AXOKEY API", timeout=RENDER_TIMEOUT_MILLISECONDS
    )
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.problems == []  # a CSP violation would be reported here
    assert origins == {urlsplit(live_server.base_url).netloc}
