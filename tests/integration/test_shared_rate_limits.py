"""Rate limits across processes: two app instances (as two worker processes or two
``serve`` instances would be) share one limit through Redis, and do not with the
default in-memory storage.

Redis: ``AXOKEY_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). When it
cannot be reached the test is skipped, unless ``AXOKEY_TEST_REQUIRE_REDIS=1`` (CI
sets it, after starting Debian's ``redis-server``): then it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from axokey.adapters.db.engine import Database, make_engine
from axokey.api.app import create_app
from axokey.bootstrap import bootstrap
from tests.conftest import ADMIN, make_settings

REDIS_URL = os.environ.get("AXOKEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"redis-server is not reachable at {REDIS_URL}: {error}"
        if os.environ.get("AXOKEY_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    prefix = f"axokey-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def app_instance(database_url: str, **overrides: Any) -> tuple[TestClient, Database]:
    settings = make_settings(
        database_url,
        rate_limit_requests_per_second=0.001,  # a window of 3000 s: nothing refills
        rate_limit_burst_requests=3,
        **overrides,
    )
    database = Database(make_engine(settings.database_url, pool_size=2))
    context = bootstrap(settings, database=database)
    return TestClient(create_app(context=context)), database


def statuses(client: TestClient, count: int) -> list[int]:
    return [client.get("/v1/me", headers=ADMIN).status_code for _ in range(count)]


def test_two_instances_share_one_limit_through_redis(database_url: str, redis_prefix: str) -> None:
    shared = {"rate_limit_storage_url": REDIS_URL, "rate_limit_key_prefix": redis_prefix}
    first, first_database = app_instance(database_url, **shared)
    second, second_database = app_instance(database_url, **shared)
    try:
        with first, second:
            seen = statuses(first, 2) + statuses(second, 1)
            # The burst (3) is spent across both instances: the next is refused on either.
            assert seen == [404, 404, 404]  # the admin key has no party
            refused = second.get("/v1/me", headers=ADMIN)
            assert refused.status_code == 429
            assert refused.json()["code"] == "rate_limited"
            assert int(refused.headers["retry-after"]) >= 1
            assert statuses(first, 1) == [429]
    finally:
        first_database.dispose()
        second_database.dispose()


def test_in_memory_limits_are_per_instance(database_url: str) -> None:
    first, first_database = app_instance(database_url)
    second, second_database = app_instance(database_url)
    try:
        with first, second:
            assert statuses(first, 4) == [404, 404, 404, 429]
            # The other instance counts on its own: a fresh burst.
            assert statuses(second, 4) == [404, 404, 404, 429]
    finally:
        first_database.dispose()
        second_database.dispose()
