"""Turn-taking for CPU work done on the event loop, so that a burst of it cannot hold one loop
iteration for tens of milliseconds (issue 12: event-loop lag <= 20 ms).

Small packets are inspected inline (exchange/inspection_pool.py), about 0.5 ms each. Under 64
concurrent senders the bodies of dozens of requests complete in the same iteration, and each
task ran its inspection in its next step, back to back: /healthz and every other small request
waited 40-70 ms. `LoopTurns` gives each iteration at most `budget` seconds of such work (at
least one job): a job that arrives when the iteration's budget is spent waits in line, and the
next one in line is let in by a callback of the *next* iteration, after the selector has been
polled and the callbacks already waiting have run.

An `asyncio.Lock` cannot do this: a job that never awaits while holding it leaves the lock
free for the next arrival in the same iteration, so nobody ever queues.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class LoopTurns:
    """Runs synchronous jobs on the running loop, at most `budget` seconds of them (and at
    least one) per loop iteration, in arrival order once any has had to wait."""

    def __init__(self, budget: float = 0.002) -> None:
        """``budget``: seconds of jobs one loop iteration may run; 0 for one job per turn."""
        self._budget = budget
        self._spent = 0.0
        self._turn_open = False  # a job ran (or was let in) in this iteration
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def run(self, job: Callable[[], T]) -> T:
        """``job()``, now when this iteration's budget allows and nobody is waiting, else in
        a later iteration. Raises what the job raises; cancelled while waiting, it never runs."""
        if self._waiting or (self._turn_open and self._spent >= self._budget):
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter  # let in by _next_turn, which opened the turn for it
        elif not self._turn_open:
            self._open_turn()
        started = time.perf_counter()
        try:
            return job()
        finally:
            self._spent += time.perf_counter() - started

    def _open_turn(self) -> None:
        """Start a budget for this iteration; callbacks scheduled now run in the next one."""
        self._turn_open, self._spent = True, 0.0
        asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        """A new iteration: let the first live waiter in (its task runs in the iteration after
        this one, where its own turn is counted), or leave the turn free for whoever comes."""
        self._turn_open = False
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a cancelled waiter gives its place up
                waiter.set_result(None)
                self._open_turn()
                return
