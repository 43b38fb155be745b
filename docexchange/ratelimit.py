"""Per-unit API rate limit: a token bucket per unit, in memory, per hub process.

Why: one unit's runaway DMS (a retry loop, a polling bug) must not eat the hub's capacity for
the province's other units. Each unit's bucket holds `burst` tokens and refills at `rate` per
second; a request takes one, and without one it is answered 429 DX_RATE_LIMITED with the
seconds until a token is back (Retry-After). With `serve --workers N` each process keeps its
own buckets, so the limit seen by a unit is up to N times the configured one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

MAX_UNITS = 100_000


class UnitRateLimiter:
    def __init__(self, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # unit -> (tokens, at)

    def take(self, unit: str) -> float:
        """0 when the request may go on (a token is taken), else seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        tokens, at = self._buckets.get(unit, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[unit] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= MAX_UNITS:
            self._buckets.clear()  # only ever reached with forged traffic; full buckets again
        self._buckets[unit] = (tokens - 1, now)
        return 0.0

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
