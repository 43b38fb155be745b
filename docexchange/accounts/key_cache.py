"""A short-lived in-memory cache of verified unit API keys.

Every request authenticates; a database read for each costs a thread hop. Entries live a few
seconds, so a key revoked by another process (or the CLI) stops working within `ttl` seconds;
revocations made through this process clear the cache at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedKey:
    organ_id: str
    expires_ts: int | None
    cached_at: float


class KeyCache:
    def __init__(self, ttl: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._entries: dict[str, CachedKey] = {}

    def get(self, secret_hash: str) -> CachedKey | None:
        entry = self._entries.get(secret_hash)
        if entry is None or time.monotonic() - entry.cached_at > self.ttl:
            return None
        return entry

    def put(self, secret_hash: str, organ_id: str, expires_ts: int | None) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[secret_hash] = CachedKey(organ_id, expires_ts, time.monotonic())

    def clear(self) -> None:
        self._entries.clear()
