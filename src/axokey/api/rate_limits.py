"""Per-caller rate limits through the ``limits`` library.

Storage: in this process's memory by default (``memory://``: each worker process,
each instance keeps its own counts, so N processes let a caller through N times
as often); shared by every process and instance with
``AXOKEY_RATE_LIMIT_STORAGE_URL=redis://host:6379/0`` (or any storage ``limits``
knows). Strategy: a sliding window counter (two counters per caller and window,
whatever the rate), ``burst`` requests per ``burst / rate`` seconds (at least one
second): a caller may spend its burst at once, then on average ``rate`` per second.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

MEMORY = "memory://"


def window_item(rate_per_second: float, burst: int, namespace: str) -> RateLimitItem:
    """``burst`` requests per window of ``burst / rate`` seconds (at least 1 s)."""
    if not (rate_per_second > 0 and burst >= 1):
        raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
    window = max(1, math.ceil(burst / rate_per_second))
    return RateLimitItemPerSecond(burst, window, namespace=namespace)


def build_storage(url: str, key_prefix: str) -> Storage:
    """A fresh in-memory storage (one per app), or the shared one the URL names."""
    if url == MEMORY:
        return MemoryStorage()
    options: dict[str, str] = {}
    if url.startswith(("redis://", "rediss://", "redis+sentinel://", "redis+cluster://")):
        options["key_prefix"] = key_prefix
    storage = storage_from_string(url, **options)
    if not isinstance(storage, Storage):  # an ``async+…`` URL: not for this middleware
        raise ValueError(f"AXOKEY_RATE_LIMIT_STORAGE_URL: {url!r} is not a synchronous storage")
    return storage


class RateLimits:
    """One limit applied per caller identifier (an API key's hash, an address)."""

    def __init__(self, storage: Storage, item: RateLimitItem) -> None:
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self.item = item

    def take(self, caller: str) -> float:
        """0 when allowed; otherwise the seconds to wait (at least a little)."""
        if self.limiter.hit(self.item, caller):
            return 0.0
        stats = self.limiter.get_window_stats(self.item, caller)
        return max(0.001, stats.reset_time - time.time())

    @property
    def shared(self) -> bool:
        """Whether the counts live outside this process (a network round trip)."""
        return not isinstance(self.limiter.storage, MemoryStorage)
