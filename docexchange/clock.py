"""The hub's sense of time, injected so that a test can run a whole hub on a fixed clock.

Services ask the `Clock` the Hub was opened with (`hub.clock.now_ms()`), never the system
directly; store operations take their timestamps as arguments. Everything the hub stamps
(receipts, log leaves, tree heads, delivery events, credentials) is UTC milliseconds.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """What services need of time: the current instant, in UTC milliseconds."""

    def now_ms(self) -> int: ...


class SystemClock:
    """The machine's wall clock: the default of every hub that is not a test's."""

    def now_ms(self) -> int:
        return int(time.time() * 1000)


class FixedClock:
    """A clock that moves only when told to: tests and benchmarks that need exact times."""

    def __init__(self, start_ms: int) -> None:
        self._ms = start_ms

    def now_ms(self) -> int:
        return self._ms

    def advance(self, ms: int) -> None:
        self._ms += ms

    def set(self, ms: int) -> None:
        self._ms = ms


SYSTEM_CLOCK: Clock = SystemClock()


def local_now(clock: Clock, zone: ZoneInfo) -> dt.datetime:
    """The clock's instant as the province's local time (edXML timestamps are local)."""
    return dt.datetime.fromtimestamp(clock.now_ms() / 1000, zone)
