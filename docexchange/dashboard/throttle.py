"""Login throttling, designed so that an attacker can neither race past it nor lock the real
operator out.

Three rules, each over a sliding window of failures:

* **per address** (`per_address` failures in `window_s`, default 20 in 5 minutes): one machine
  guessing many names is stopped, whatever names it tries;
* **per name and address** (`per_name_address`, default 5 in 5 minutes): one machine guessing
  one account's password is stopped for that account only;
* **per name, from everywhere** (`name_alarm` failures in `alarm_window_s`, default 50 in an
  hour): many machines guessing one account. This rule never blocks an address by itself: it
  tightens the per-(name, address) rule to **one** failure per window. An address that has
  not failed for that name still gets its try, so the real operator, from their own address
  and with the right password, logs in during an attack; each attacking address gets one
  guess per window instead of five.

Atomic: `admit` checks the rules and counts the attempt as a failure in the same synchronous
step (no await in between), so concurrent requests cannot all pass the check before any is
counted; `succeeded` takes the count back and clears the (name, address) failures. The client
address is the connection's, or the one a trusted proxy forwarded (api/frontdoor.py).

Counting is in memory, per process: a restart or another hub worker starts from zero, which
is acceptable for a second line of defence behind argon2id (each guess already costs a
memory-hard hash on our side).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(self, *, per_address: int = 20, per_name_address: int = 5,
                 window_s: float = 300.0, name_alarm: int = 50, alarm_window_s: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_address = per_address
        self.per_name_address = per_name_address
        self.window_s = window_s
        self.name_alarm = name_alarm
        self.alarm_window_s = alarm_window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    @staticmethod
    def _keys(address: str, name: str) -> tuple[str, str, str]:
        folded = name.strip().lower()
        return f"ip:{address}", f"pair:{folded}\x00{address}", f"name:{folded}"

    def admit(self, address: str, name: str) -> float:
        """0 when the attempt may go on, and it is then counted as a failure until
        `succeeded`; else the seconds until it would be allowed (nothing counted)."""
        now = self._clock()
        by_address, pair, by_name = self._keys(address, name)
        under_attack = len(self._recent(by_name, now)) >= self.name_alarm
        wait = max(self._wait(by_address, now, self.per_address),
                   self._wait(pair, now, 1 if under_attack else self.per_name_address))
        if wait > 0:
            return wait
        if len(self._failures) >= MAX_KEYS:
            self._prune(now)
        for key in (by_address, pair, by_name):
            self._failures.setdefault(key, deque()).append(now)
        return 0.0

    def succeeded(self, address: str, name: str) -> None:
        """The attempt admitted last was right: take its count back and forget this
        address's failures for the name (its other failures, for other names, stay)."""
        by_address, pair, by_name = self._keys(address, name)
        for key in (by_address, by_name):
            stamps = self._failures.get(key)
            if stamps:
                stamps.pop()
        self._failures.pop(pair, None)

    def _wait(self, key: str, now: float, limit: int) -> float:
        stamps = self._recent(key, now)
        return stamps[-limit] + self.window_s - now if len(stamps) >= limit else 0.0

    def _recent(self, key: str, now: float) -> deque[float]:
        """The key's failures still inside its window (the per-name alarm's is longer)."""
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        horizon = self.alarm_window_s if key.startswith("name:") else self.window_s
        while stamps and stamps[0] <= now - horizon:
            stamps.popleft()
        return stamps

    def _prune(self, now: float) -> None:
        """Keep memory bounded: drop expired keys, then the oldest ones if still too many."""
        horizon = max(self.window_s, self.alarm_window_s)
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - horizon]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:
            del self._failures[next(iter(self._failures))]
