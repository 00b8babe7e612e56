"""Background jobs run one round at a time across processes: two runners (two
``Database`` objects on the same database, as two ``serve`` processes have) never
both run a round of the same job."""

from __future__ import annotations

import contextlib
from typing import Any

from axokey.adapters.db.engine import Database, make_engine
from axokey.api.background import Job, one_runner_at_a_time
from axokey.bootstrap import bootstrap
from axokey.services.jobs import run_exclusively
from tests.conftest import make_settings


def two_runners(database_url: str) -> tuple[Any, Any]:
    runners = []
    for _ in range(2):
        settings = make_settings(database_url)
        database = Database(make_engine(settings.database_url, pool_size=2))
        runners.append(bootstrap(settings, database=database, with_providers=False))
    return runners[0], runners[1]


def test_a_job_runs_in_one_runner_at_a_time(database_url: str) -> None:
    first, second = two_runners(database_url)
    seen: list[str] = []
    try:

        def first_round() -> str:
            # While the first runner is in its round, the second one skips its own.
            held, result = run_exclusively(second, "sweep", lambda: seen.append("second"))
            assert (held, result) == (False, None)
            # Another job is not blocked by this one.
            assert run_exclusively(second, "webhooks", lambda: "other job") == (
                True,
                "other job",
            )
            seen.append("first")
            return "done"

        assert run_exclusively(first, "sweep", first_round) == (True, "done")
        assert seen == ["first"]
        # Released at the end of the round: the second runner gets the next one.
        assert run_exclusively(second, "sweep", lambda: "second") == (True, "second")
        # Released even when a round fails.
        with contextlib.suppress(ZeroDivisionError):
            run_exclusively(first, "sweep", lambda: 1 / 0)
        assert run_exclusively(second, "sweep", lambda: "again") == (True, "again")
    finally:
        first.database.dispose()
        second.database.dispose()


def test_the_background_loop_skips_a_round_another_runner_holds(database_url: str) -> None:
    first, second = two_runners(database_url)
    rounds: list[str] = []
    try:
        second_job = one_runner_at_a_time(
            second, Job("sweep", 60.0, lambda: rounds.append("second") is None)
        )

        def first_round() -> bool:
            assert second_job.run() is False  # skipped: nothing done, wait an interval
            rounds.append("first")
            return True

        first_job = one_runner_at_a_time(first, Job("sweep", 60.0, first_round))
        assert first_job.run() is True
        assert second_job.run() is True
        assert rounds == ["first", "second"]
    finally:
        first.database.dispose()
        second.database.dispose()
