"""Background jobs inside ``axokey serve``: each a thread that runs its round
every ``interval`` seconds until the app stops. A failed round is logged and the
next one runs. Jobs: the deadline sweep (then the scheduled payout batch, with
``AXOKEY_PAYOUT_SCHEDULE``), the webhook dispatcher, the customer's emails (when SMTP
or an email folder is configured). Every ``serve`` process (each of ``--workers N``,
each instance) runs the loops; a round runs in one process at a time: the one that
holds the job's lock on the database (``services.jobs``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from axokey.adapters.metrics import SWEEP_SECONDS
from axokey.services.context import ServiceContext
from axokey.services.jobs import run_exclusively

logger = logging.getLogger("axokey.background")


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    # One round; returns whether something was done (then the next round runs at
    # once, so a backlog drains without waiting for the interval).
    run: Callable[[], bool]


class PeriodicJob:
    def __init__(self, job: Job) -> None:
        self.job = job
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"axokey-{job.name}", daemon=True)

    def _run(self) -> None:
        # The first round runs as soon as the app starts: what a crash left half done
        # (a payment the provider took, a notification stored but not processed, a
        # webhook or an email owed) is taken up at once, not an interval later.
        wait = 0.0
        while not self.stopping.wait(wait):
            try:
                busy = self.job.run()
            except Exception:  # a failed round must not stop the next ones
                logger.exception(
                    "%s failed; retrying in %s s", self.job.name, self.job.interval_seconds
                )
                busy = False
            wait = 0 if busy else self.job.interval_seconds

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


def sweep_job(context: ServiceContext) -> Job:
    def run() -> bool:
        from axokey.services.sweeping import sweep

        with SWEEP_SECONDS.time():
            report = sweep(context)
        if report.orders_settled or report.pending_transfers_expired:
            logger.info("sweep: %s", report)
        if context.settings.payout_schedule:
            from axokey.services.payouts import run_schedule

            try:
                run_schedule(context)
            except Exception:  # logged; the next round tries again
                logger.exception("scheduled payout batch failed")
        return False

    return Job("sweep", context.settings.sweep_interval_seconds, run)


def webhook_job(context: ServiceContext) -> Job:
    def run() -> bool:
        from axokey.services.webhook_dispatch import dispatch_due

        return dispatch_due(context).attempted > 0

    return Job("webhooks", context.settings.webhook_dispatch_interval_seconds, run)


def email_job(context: ServiceContext) -> Job | None:
    from axokey.services.customer_emails import send_due, transport_of

    transport = transport_of(context)
    if transport is None:
        return None

    def run() -> bool:
        report = send_due(context, transport)
        return bool(report.sent or report.retried or report.failed or report.skipped)

    return Job("emails", context.settings.webhook_dispatch_interval_seconds, run)


def one_runner_at_a_time(context: ServiceContext, job: Job) -> Job:
    """``job``, whose round runs only in the process that holds the job's lock on the
    database (``services.jobs``); in the other processes the round is skipped."""

    def run() -> bool:
        held, busy = run_exclusively(context, job.name, job.run)
        return bool(held and busy)

    return Job(job.name, job.interval_seconds, run)


def default_jobs(context: ServiceContext) -> list[Job]:
    jobs = [sweep_job(context), webhook_job(context)]
    emails = email_job(context)
    if emails is not None:
        jobs.append(emails)
    return [one_runner_at_a_time(context, job) for job in jobs]


def background_lifespan(context: ServiceContext, jobs: list[Job] | None = None) -> Any:
    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        running = [
            PeriodicJob(job) for job in (jobs if jobs is not None else default_jobs(context))
        ]
        for periodic in running:
            periodic.start()
        try:
            yield
        finally:
            for periodic in running:
                periodic.stopping.set()
            for periodic in running:
                periodic.stop()

    return lifespan


# The name ``serve`` used before the jobs were several.
sweep_lifespan = background_lifespan
