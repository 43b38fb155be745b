"""Turn-taking for CPU work done on the event loop, so that a burst of it cannot hold one loop
iteration for tens of milliseconds (issue 12: event-loop lag <= 20 ms).

Small packets are inspected inline (exchange/inspection_pool.py), about 0.5 ms each. Under 64
concurrent senders the bodies of dozens of requests complete in the same iteration, and each
task ran its inspection in its next step, back to back: /healthz and every other small request
waited 40-70 ms. `LoopTurns` gives each iteration at most `budget` seconds of such work (at
least one job): a job that arrives when the iteration's budget is spent waits in line, and the
next ones in line (as many as the budget holds at the recent jobs' pace) are let in by a
callback of the *next* iteration, after the selector has been polled and the callbacks already
waiting have run. When other work makes iterations long, the jobs' allowance grows to match it
(`_allowance`): a fixed one capped their rate at the loop's iterations per second. And a line
is let in within a few iterations (`BACKLOG_TURNS`), so turns add little to a sender's wait.

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

#: A line of waiting jobs is let in within about this many iterations, whatever the budget: a
#: burst of 64 packets waits four iterations, not sixteen (each an extra wait for its sender).
BACKLOG_TURNS = 4


class LoopTurns:
    """Runs synchronous jobs on the running loop, about `budget` seconds of them (at least one,
    more on a loop busy with other work) per loop iteration, in arrival order once any has had
    to wait."""

    def __init__(self, budget: float = 0.002,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        """``budget``: seconds of jobs one loop iteration may run (more when the loop's other
        work took longer, at least one job). ``clock``: seconds, to time the jobs and the
        other work (a test's fake clock)."""
        self._budget, self._clock = budget, clock
        self._spent = 0.0
        self._turn_started = 0.0
        self._typical = 0.0  # seconds a job took lately
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
        started = self._clock()
        try:
            return job()
        finally:
            took = self._clock() - started
            self._spent += took
            # a moving average of recent jobs, from the first one's time
            self._typical += (took - self._typical) / (8 if self._typical else 1)

    def _open_turn(self) -> None:
        """Start a budget for this iteration; callbacks scheduled now run in the next one."""
        self._turn_open, self._spent, self._turn_started = True, 0.0, self._clock()
        asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        """A new iteration: let in the live waiters that fit this turn's allowance at the
        recent jobs' pace, and at least a `BACKLOG_TURNS`th of the line (their tasks run in the
        iteration after this one, where their time is counted), or leave the turn free."""
        self._turn_open = False
        room = max(1, int(self._allowance() / self._typical)) if self._typical > 0 else 1
        room = max(room, -(-len(self._waiting) // BACKLOG_TURNS))
        let_in = 0
        while self._waiting and let_in < room:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a cancelled waiter gives its place up
                waiter.set_result(None)
                let_in += 1
        if let_in:
            self._open_turn()

    def _allowance(self) -> float:
        """Seconds of jobs for the next iteration: the budget, or as long as the loop's other
        work took during the last turn if that was longer. A loop busy with other requests
        still gives these jobs half its time, so they never fall behind their arrival rate
        (which a fixed budget allowed: the paced 5 KB bench then queued for seconds), and the
        lag they add stays that of the other work."""
        others = self._clock() - self._turn_started - self._spent
        return max(self._budget, others)
