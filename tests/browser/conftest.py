"""Browser fixtures: the app served by uvicorn on 127.0.0.1 (a background thread),
and Debian's Chromium driven by Playwright.

Playwright's own browser downloads are never used (``playwright install`` cannot
reach the internet here): Chromium is the system package, ``apt-get install
chromium``. When it is missing or cannot start, the browser tests are skipped with
the reason; everything else about them is real.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from axokey.adapters.db.engine import Database, make_engine
from axokey.api.app import create_app
from axokey.config import Settings
from axokey.services.context import ServiceContext
from tests.conftest import FakeClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_SECONDS = 15.0
SERVER_STOP_TIMEOUT_SECONDS = 10.0
PAGE_TIMEOUT_MILLISECONDS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        playwright.stop()
        pytest.skip(f"Chromium at {CHROMIUM} could not be launched: {error}")
    yield launched
    launched.close()
    playwright.stop()


@dataclass
class LiveServer:
    base_url: str
    context: ServiceContext
    http: httpx.Client  # the JSON API over real HTTP, for setting up and checking


@pytest.fixture
def live_server(settings: Settings, clock: FakeClock) -> Iterator[LiveServer]:
    """The app on a free port of 127.0.0.1, with the test database and a
    ``public_base_url`` of its own address (so the links it gives lead back to it)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    live_settings = settings.model_copy(update={"public_base_url": base_url})
    from axokey.bootstrap import bootstrap

    engine = make_engine(live_settings.database_url, pool_size=25)
    context = bootstrap(live_settings, database=Database(engine), clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context=context), log_level="warning", access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="axokey-live-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    http = httpx.Client(base_url=base_url, timeout=10.0)
    try:
        yield LiveServer(base_url, context, http)
    finally:
        http.close()
        server.should_exit = True
        thread.join(SERVER_STOP_TIMEOUT_SECONDS)
        listener.close()
        engine.dispose()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (its own storage) on the live server. Every console
    error and uncaught exception — a Content-Security-Policy violation included —
    is recorded in ``page.problems`` for the test to check."""
    browser_context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1000, "height": 900}
    )
    browser_context.set_default_timeout(PAGE_TIMEOUT_MILLISECONDS)
    new_page = browser_context.new_page()
    problems: list[str] = []
    new_page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    new_page.on("pageerror", lambda error: problems.append(str(error)))
    new_page.problems = problems
    yield new_page
    browser_context.close()
