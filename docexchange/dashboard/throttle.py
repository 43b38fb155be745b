"""Login throttling: after `max_failures` failed logins within `window_s` from one client
address, or against one operator name, further attempts are refused (429) until the oldest
failure leaves the window.

Why both keys: per address stops one machine guessing many names; per name stops many
machines guessing one password. Counting is in memory, per process: a restart or another
hub worker starts from zero, which is acceptable for a second line of defence behind argon2id
(each guess already costs the attacker a memory-hard hash on our side).
Behind a reverse proxy every client shares the proxy's address; the per-name limit still holds.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    @staticmethod
    def _keys(address: str, name: str) -> tuple[str, str]:
        return f"ip:{address}", f"name:{name.strip().lower()}"

    def retry_after(self, address: str, name: str) -> float:
        """Seconds until a login attempt is allowed again; 0 when it is allowed now."""
        now = self._clock()
        wait = 0.0
        for key in self._keys(address, name):
            stamps = self._recent(key, now)
            if len(stamps) >= self.max_failures:
                wait = max(wait, stamps[0] + self.window_s - now)
        return wait

    def failed(self, address: str, name: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_KEYS:
            self._prune(now)
        for key in self._keys(address, name):
            self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's failures (not the address's)."""
        self._failures.pop(self._keys("", name)[1], None)

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.window_s:
            stamps.popleft()
        return stamps

    def _prune(self, now: float) -> None:
        """Keep memory bounded: drop expired keys, then the oldest ones if still too many."""
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window_s]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:
            del self._failures[next(iter(self._failures))]
