"""The periodic sweep inside ``axokey serve``: a thread that runs the sweep as
soon as the app starts (so what a crash left half done — a payment the provider
took, a notification stored but not processed — is reconciled at once), then every
``sweep_interval_seconds`` until the app stops, and the scheduled payout batches
(``AXOKEY_PAYOUT_SCHEDULE``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from axokey.services.context import ServiceContext

logger = logging.getLogger("axokey.sweep")


class PeriodicSweep:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="axokey-sweep", daemon=True)

    def _run(self) -> None:
        from axokey.services.sweeping import sweep

        interval = self.context.settings.sweep_interval_seconds
        first = True
        while first or not self.stopping.wait(interval):
            first = False
            try:
                report = sweep(self.context)
            except Exception:  # a failed round must not stop the next ones
                logger.exception("sweep failed; retrying in %s s", interval)
                continue
            if (
                report.orders_settled
                or report.pending_transfers_expired
                or report.payments_reconciled
                or report.notifications_processed
            ):
                logger.info("sweep: %s", report)
            self._payouts()

    def _payouts(self) -> None:
        """With ``AXOKEY_PAYOUT_SCHEDULE``: the batch of the latest cut-off, once."""
        if not self.context.settings.payout_schedule:
            return
        from axokey.services.payouts import run_schedule

        try:
            run_schedule(self.context)
        except Exception:  # logged; the next round tries again
            logger.exception("scheduled payout batch failed")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


def sweep_lifespan(context: ServiceContext) -> Any:
    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        periodic = PeriodicSweep(context)
        periodic.start()
        try:
            yield
        finally:
            periodic.stop()

    return lifespan
