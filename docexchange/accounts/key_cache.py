"""A short-lived in-memory cache of verified unit API keys.

Every request authenticates; a database read for each costs a thread hop. Entries live a few
seconds, so a key revoked by another process (the CLI, another `serve --workers` process,
another node) stops working within `ttl` seconds (5 s, tests/api/test_key_cache.py);
revocations made through this process clear the cache at once; an expiry is judged on every
request against the hub's clock (api/auth.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedKey:
    organ_id: str
    expires_ts: int | None
    cached_at: float


class KeyCache:
    def __init__(self, ttl: float = 5.0, max_entries: int = 10_000, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, CachedKey] = {}

    def get(self, secret_hash: str) -> CachedKey | None:
        entry = self._entries.get(secret_hash)
        if entry is None or self._monotonic() - entry.cached_at > self.ttl:
            return None
        return entry

    def put(self, secret_hash: str, organ_id: str, expires_ts: int | None) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[secret_hash] = CachedKey(organ_id, expires_ts, self._monotonic())

    def clear(self) -> None:
        self._entries.clear()
