"""Per-unit token buckets for the VDXP door (in memory, per hub process).

The SDK's signatures never expire and repeat byte for byte, so a captured request can be
replayed: a rate limit bounds what a replay (or a runaway DMS loop) costs the hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from docexchange.errors import DocExchangeError


class RateLimiter:
    def __init__(self, per_minute: int, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> None:
        """Spend one request of `key`; raises DX_RATE_LIMITED when none is left."""
        if self._rate <= 0:
            return
        now = self._clock()
        tokens, at = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = int((1.0 - tokens) / self._rate) + 1
            raise DocExchangeError(
                "DX_RATE_LIMITED", f"Đơn vị gửi quá nhiều yêu cầu; thử lại sau {wait} giây.",
                f"Too many requests from this unit; try again in {wait} s.", retry_after=wait)
        self._buckets[key] = (tokens - 1.0, now)
