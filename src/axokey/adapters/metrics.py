"""Prometheus metrics (``prometheus-client``), served at ``GET /metrics``.

Counted as things happen (per process): HTTP requests and their latency by route
template (``/v1/orders/{order_id}``, never the raw path), redemptions and the
orders they completed, committed ledger batches, the sweep's duration. Read from
the database on each scrape (``ScrapeReading``): the money held in escrow per
currency, the webhook deliveries owed.

Several worker processes (``axokey serve --workers N``): ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start, each
worker writes its counts there, and a scrape (answered by any one worker) adds
them all up (prometheus-client's multiprocess mode). The per-process default
collectors (memory, CPU of the process) are then left out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

MULTIPROCESS_ENVIRONMENT = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "axokey_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "axokey_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
REDEMPTIONS = Counter("axokey_redemptions_total", "Redemptions recorded (codes scanned).")
LIFECYCLES = Counter(
    "axokey_lifecycles_completed_total",
    "Orders a redemption completed (the end of an order's lifecycle).",
)
LEDGER_BATCHES = Counter(
    "axokey_ledger_batches_total", "Ledger batches committed (each one or more transfers)."
)
SWEEP_SECONDS = Histogram(
    "axokey_sweep_duration_seconds",
    "Duration of one round of the deadline sweep (by the process that ran it).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENVIRONMENT))


@dataclass(frozen=True)
class ScrapeReading:
    """What a scrape reads from the database (one read transaction)."""

    held_minor_by_currency: dict[str, int]
    webhook_deliveries_owed: int


class _ScrapeCollector:
    def __init__(self, read: Callable[[], ScrapeReading]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        reading = self.read()
        held = GaugeMetricFamily(
            "axokey_held_minor",
            "Money held in escrow now, in minor units, per currency (from the ledger).",
            labels=["currency"],
        )
        for currency, amount in sorted(reading.held_minor_by_currency.items()):
            held.add_metric([currency], amount)
        yield held
        yield GaugeMetricFamily(
            "axokey_webhook_backlog",
            "Webhook deliveries owed (pending, due now or later).",
            value=reading.webhook_deliveries_owed,
        )


def render(read: Callable[[], ScrapeReading]) -> bytes:
    """The text exposition: this process's (or every worker's) counts, then the
    database's readings."""
    if multiprocess_mode():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_ScrapeCollector(read))
    return generate_latest(counted) + generate_latest(scraped)
