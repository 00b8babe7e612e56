"""What authentication read for a key, kept for a few seconds in this process.

Authentication reads the key and its party by the secret's hash on every request
(one read transaction). This cache keeps that read for ``api_key_cache_seconds``
(``AXOKEY_API_KEY_CACHE_SECONDS``, 5 by default; 0 turns it off), so a burst of
requests with one key costs one read. What is checked on every request stays
checked on every request against the current time: revocation as read, expiry,
the end of a rotation's grace period, the scopes.

Bounds on a stale entry:

- in this process, none: revoking or rotating a key empties the cache when the
  change commits, and a read that began before the change is not stored after it
  (the generation counter);
- in another process (``serve --workers N``, other instances), up to
  ``api_key_cache_seconds``: a key revoked elsewhere still works here that long.

Only keys found are kept (an unknown secret is read each time), at most
``MAX_ENTRIES``; the oldest go first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from axokey.adapters.db.api_key_repository import KeyMatch

MAX_ENTRIES = 10_000


class KeyCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, tuple[float, KeyMatch]] = {}
        self._lock = threading.Lock()
        self.generation = 0

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def get(self, key_hash: str) -> KeyMatch | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        stored_at, found = entry
        if not 0 <= self.clock() - stored_at < self.seconds:
            with self._lock:
                if self._entries.get(key_hash) is entry:
                    del self._entries[key_hash]
            return None
        return found

    def put(self, key_hash: str, found: KeyMatch, generation: int) -> None:
        """Keep ``found``, read while the cache was at ``generation``, unless a key
        changed since (then the read may be older than the change)."""
        if not self.enabled:
            return
        with self._lock:
            if generation != self.generation:
                return
            while len(self._entries) >= MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
            self._entries[key_hash] = (self.clock(), found)

    def used(self, key_hash: str, when: datetime) -> None:
        """The key's last use was just written: the cached copy says so too (else
        every request would try to write it again until the entry expires)."""
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is not None:
                stored_at, found = entry
                key = replace(found.key, last_used_at=when)
                self._entries[key_hash] = (stored_at, replace(found, key=key))

    def clear(self) -> None:
        """A key changed: forget every entry, and every read under way."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
