"""Test fixtures: a real database (SQLite by default, PostgreSQL when
``AXOKEY_TEST_DATABASE_URL`` names one), a controllable clock, the app over HTTP.

SQLite: the schema is migrated once into a template file that each test copies.
PostgreSQL: one database per test worker, migrated once, emptied before each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from axokey.adapters.db.engine import Database, make_engine, normalise_url
from axokey.adapters.db.migrations import upgrade_database
from axokey.adapters.db.tables import metadata
from axokey.config import Settings
from axokey.services.context import ServiceContext

# Property tests are judged on what they find, never on how fast one example runs: CI
# shares two cores with PostgreSQL, Chromium and the other test worker, and a
# per-example deadline there fails at random. Speed lives in benchmarks/.
settings.register_profile("axokey", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("axokey")

ADMIN_KEY = "axk_admin_test_" + "k" * 40
TEST_DATABASE_URL = os.environ.get("AXOKEY_TEST_DATABASE_URL", "sqlite")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def pytest_report_header() -> str:
    return f"axokey test database: {'postgresql' if ON_POSTGRES else 'sqlite'}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated database: a template file (SQLite) or a worker's own database."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade_database(f"sqlite:///{path}")
        yield str(path)
        return
    base = make_url(normalise_url(TEST_DATABASE_URL))
    # One database per test process: parallel runs never share one.
    name = f"axokey_test_{worker_id}_{os.getpid()}".replace("-", "_")
    admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if not ON_POSTGRES:
        path = tmp_path / "axokey.db"
        shutil.copyfile(database_template, path)
        return f"sqlite:///{path}"
    engine = create_engine(database_template)
    try:
        with engine.begin() as connection:
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return database_template


@dataclass
class FakeClock:
    """The services' clock: real time plus an offset a test can move forward."""

    offset: timedelta = field(default_factory=timedelta)
    frozen: datetime | None = None

    def __call__(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        return datetime.now(UTC) + self.offset

    def advance(self, **kwargs: Any) -> None:
        delta = timedelta(**kwargs)
        if self.frozen is not None:
            self.frozen += delta
        self.offset += delta


@pytest.fixture(autouse=True)
def _english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the terminal's language (LANG…): the tests read its English,
    whatever the machine's locale, unless a test asks for French."""
    monkeypatch.setenv("AXOKEY_LANGUAGE", "en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "admin_key": ADMIN_KEY,
        "provider": "sandbox",
        "public_base_url": "http://testserver",
        "signing_keys": "k1:" + "s" * 43,
        "rate_limit_requests_per_second": 10_000.0,
        "rate_limit_burst_requests": 10_000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def context(settings: Settings, clock: FakeClock) -> Iterator[ServiceContext]:
    from axokey.bootstrap import bootstrap

    engine = make_engine(settings.database_url, pool_size=25)
    ctx = bootstrap(settings, database=Database(engine), clock=clock)
    yield ctx
    engine.dispose()


@pytest.fixture
def client(context: ServiceContext) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from axokey.api.app import create_app

    with TestClient(create_app(context=context), raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ADMIN = bearer(ADMIN_KEY)
