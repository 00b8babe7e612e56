"""The demo: made once, kept across restarts in a state file next to the database
(nothing added twice), its admin key found by ``axokey sweep`` in a second
terminal, and the sandbox's landing page linking every page of the story."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from axokey import cli
from axokey.cli import app as cli_app
from axokey.services.demo import load_state
from tests.conftest import bearer


@pytest.fixture
def in_tmp(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # On PostgreSQL the state file is in the working directory: keep it in tmp_path.
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _orders(client: Any, key: str) -> list[Any]:
    return client.get("/v1/orders?limit=100", headers=bearer(key)).json()["data"]


def test_the_demo_is_made_once_and_kept(client: Any, context: Any, in_tmp: Any) -> None:
    settings = context.settings
    first = cli._run_demo(context, settings, None, "axk_admin_generated_for_the_demo")
    path = cli._demo_state_path(settings)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    saved = load_state(path)
    assert saved == first and saved is not None
    assert saved.admin_key == "axk_admin_generated_for_the_demo"
    merchant = saved.party("merchant")
    assert merchant is not None
    orders = _orders(client, merchant.api_key)
    assert sorted(order["fulfilment"] for order in orders) == ["delivery", "itinerary", "store"]
    assert {order["id"] for order in orders} == {order.id for order in saved.orders}

    # A restart with the state file: the same demo, nothing added.
    again = cli._run_demo(context, settings, saved, None)
    assert again == saved
    assert len(_orders(client, merchant.api_key)) == 3
    assert load_state(path) == saved


def test_a_state_file_of_another_database_makes_a_new_demo(
    client: Any, context: Any, in_tmp: Any
) -> None:
    settings = context.settings
    first = cli._run_demo(context, settings, None, None)
    gone = type(first)(
        parties=[
            type(party)(party.name, party.role, "pty_gone", party.api_key)
            for party in first.parties
        ],
        orders=first.orders,
        admin_key=None,
    )
    second = cli._run_demo(context, settings, gone, None)
    assert second.orders != first.orders  # the database did not hold it: made anew


def test_sweep_in_a_second_terminal_uses_the_demos_admin_key(context: Any, in_tmp: Any) -> None:
    settings = context.settings
    world = cli._run_demo(context, settings, None, "axk_admin_generated_for_the_demo")
    env = {
        "AXOKEY_DATABASE_URL": settings.database_url,
        "AXOKEY_ADMIN_KEY": None,
        "AXOKEY_SIGNING_KEYS": None,
        "AXOKEY_PROVIDER": "sandbox",
    }
    result = CliRunner().invoke(cli_app, ["sweep"], env=env)
    assert result.exit_code == 0, result.output
    assert "the demo's" in result.output
    cli._demo_state_path(settings).unlink()
    without = CliRunner().invoke(cli_app, ["sweep"], env=env)
    assert without.exit_code == 2, without.output
    assert world.admin_key


def test_the_landing_page_links_the_whole_story(client: Any, context: Any, in_tmp: Any) -> None:
    bare = client.get("/", headers={"Accept-Language": "fr"})
    assert bare.status_code == 200
    assert 'href="/scan"' in bare.text and 'href="/docs"' in bare.text
    assert "axokey serve --demo" in bare.text

    world = cli._run_demo(context, context.settings, None, None)
    client.app.state.demo = world
    try:
        page = client.get("/", headers={"Accept-Language": "fr"}).text
    finally:
        client.app.state.demo = None
    assert "AXOKEY, la démo" in page
    for order in world.orders:
        assert f'href="{order.customer_url}"' in page
    courier = world.party("courier")
    store = world.party("store")
    assert courier is not None and store is not None
    assert f'href="/scan#key={quote(courier.api_key, safe="")}"' in page
    assert f'href="/scan#key={quote(store.api_key, safe="")}"' in page
    for party in world.parties:
        assert f'href="/dashboard#key={quote(party.api_key, safe="")}"' in page
