"""Authentication's cache of keys (``services.key_cache``) through HTTP: a key
revoked or rotated in this process stops at once; in another process (a second
app on the same database) within ``api_key_cache_seconds``, and at once with the
cache off. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from axokey.adapters.db.engine import Database, make_engine
from axokey.services.context import ServiceContext
from axokey.services.keys import hash_api_key
from tests.conftest import FakeClock, bearer, make_settings
from tests.scenario import ok, spec_world


class Ticks:
    """A monotonic clock for the cache that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.json()["code"] == code


def new_key(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    body = {"name": "till", "scopes": ["orders:read"]}
    return dict(ok(client.post("/v1/api-keys", json=body, headers=headers), 201))


@pytest.fixture
def other_process(database_url: str, clock: FakeClock) -> Iterator[Any]:
    """A second app on the same database, with its own pool and its own cache: what
    another worker process or another instance is."""
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app
    from axokey.bootstrap import bootstrap

    def start(**overrides: Any) -> Any:
        settings = make_settings(database_url, **overrides)
        engine = make_engine(settings.database_url, pool_size=5)
        engines.append(engine)
        context = bootstrap(settings, database=Database(engine), clock=clock)
        client = TestClient(create_app(context=context), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    engines: list[Any] = []
    clients: list[Any] = []
    yield start
    for client in clients:
        client.__exit__(None, None, None)
    for engine in engines:
        engine.dispose()


def cache_of(client: Any) -> Any:
    context: ServiceContext = client.app.state.context
    return context.key_cache


def test_a_key_revoked_here_is_refused_at_once_though_it_was_just_cached(client: Any) -> None:
    merchant = spec_world(client).parties["M"].headers
    till = new_key(client, merchant)
    for _ in range(3):  # read once, then served from the cache
        ok(client.get("/v1/orders", headers=bearer(till["secret"])))
    assert cache_of(client).get(hash_api_key(till["secret"])) is not None

    ok(client.delete(f"/v1/api-keys/{till['id']}", headers=merchant))
    problem(client.get("/v1/orders", headers=bearer(till["secret"])), 401, "api_key_revoked")


def test_a_key_revoked_in_another_process_stops_within_the_cache_bound(
    client: Any, other_process: Any
) -> None:
    merchant = spec_world(client).parties["M"].headers
    till = new_key(client, merchant)
    elsewhere = other_process()
    ticks = Ticks()
    cache_of(elsewhere).clock = ticks
    ok(elsewhere.get("/v1/orders", headers=bearer(till["secret"])))  # cached there

    ok(client.delete(f"/v1/api-keys/{till['id']}", headers=merchant))
    problem(client.get("/v1/orders", headers=bearer(till["secret"])), 401, "api_key_revoked")
    # The other process has not read it again yet: the documented bound.
    bound = elsewhere.app.state.context.settings.api_key_cache_seconds
    ticks.now += bound - 0.5
    ok(elsewhere.get("/v1/orders", headers=bearer(till["secret"])))
    ticks.now += 0.5  # api_key_cache_seconds after it was read: read again
    problem(elsewhere.get("/v1/orders", headers=bearer(till["secret"])), 401, "api_key_revoked")


def test_without_the_cache_a_key_revoked_in_another_process_stops_at_once(
    client: Any, other_process: Any
) -> None:
    merchant = spec_world(client).parties["M"].headers
    till = new_key(client, merchant)
    elsewhere = other_process(api_key_cache_seconds=0)
    ok(elsewhere.get("/v1/orders", headers=bearer(till["secret"])))

    ok(client.delete(f"/v1/api-keys/{till['id']}", headers=merchant))
    problem(elsewhere.get("/v1/orders", headers=bearer(till["secret"])), 401, "api_key_revoked")


def test_a_rotation_without_grace_refuses_the_cached_old_secret_at_once(
    other_process: Any,
) -> None:
    here = other_process(api_key_rotation_grace_seconds=0)
    merchant = spec_world(here).parties["M"].headers
    till = new_key(here, merchant)
    ok(here.get("/v1/orders", headers=bearer(till["secret"])))  # the old secret, cached

    rotated = ok(here.post(f"/v1/api-keys/{till['id']}/rotate", headers=merchant))
    problem(here.get("/v1/orders", headers=bearer(till["secret"])), 401, "unauthenticated")
    ok(here.get("/v1/orders", headers=bearer(rotated["secret"])))


def test_a_read_begun_before_a_revocation_is_not_kept_after_it(client: Any) -> None:
    """The race the generation counter closes: a request reads the key, the key is
    revoked (the cache emptied), then the request would store what it read."""
    merchant = spec_world(client).parties["M"].headers
    till = new_key(client, merchant)
    cache = cache_of(client)
    found_before: list[Any] = []
    original_put = cache.put

    def put_after_a_revocation(key_hash: str, found: Any, generation: int) -> None:
        found_before.append(found)
        cache.clear()  # what revoke_key does when its transaction commits
        original_put(key_hash, found, generation)

    cache.put = put_after_a_revocation
    ok(client.get("/v1/orders", headers=bearer(till["secret"])))
    cache.put = original_put
    assert found_before and found_before[0].key.revoked_at is None
    assert cache.get(found_before[0].stored_hash) is None  # the old read was not kept
