"""Background jobs run by one process at a time.

Every ``serve`` process (each of ``--workers N``, each instance behind a load
balancer) runs the background jobs' loops; before a round, a process takes the
job's lock on the database (``Database.exclusively``: a PostgreSQL advisory lock,
a file lock beside a SQLite file). The process that gets it runs the round; the
others skip theirs and try again at their next interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from axokey.services.context import ServiceContext

T = TypeVar("T")


def run_exclusively(
    context: ServiceContext, job: str, work: Callable[[], T]
) -> tuple[bool, T | None]:
    """``(True, work())`` when this process holds the job's lock for the round;
    ``(False, None)`` without calling ``work`` when another process runs it now."""
    with context.database.exclusively(f"job:{job}") as held:
        if not held:
            return False, None
        return True, work()
